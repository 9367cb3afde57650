"""Languages and layout tables in WeasyPrint's structure tree (a hook on its tagging).

WeasyPrint 70 tags a PDF with one language, the document's (`/Lang` in the catalog). Two rules
are added to the structure elements it builds:

- An element with a `lang` attribute in the HTML carries it as `/Lang` (unless an enclosing
  element already says the same): each column of a side-by-side brochure, each side of its
  contact band, a passage marked `[…]{lang=ru}` in Markdown. A screen reader then reads
  every passage with the right voice.
- A `<table role="presentation">` (the side-by-side columns, the contact band) is layout, not
  data: its `/Table`, `/TR` and `/TD` elements become `/Div`, so no checker looks for the
  header cells that a data table needs. Tables inside it keep their own tags.
- A data table's header cell says whether it heads a column (the default) or a row
  (`scope="row"`) in `/Scope`, besides WeasyPrint's `/ID`–`/Headers` links.

The hook wraps `weasyprint.pdf.tags._build_box_tree`, a private function that calls itself
through its module, so every level of the tree passes through the wrapper. WeasyPrint is
pinned below 71 for it; `tests/test_languages.py` fails if the hook stops working.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

_TABLE_PARTS = ("/Table", "/TR", "/TD", "/TH", "/THead", "/TBody", "/TFoot")
_state = threading.local()
_installed: list[Callable[..., Iterator[Any]]] = []


def install() -> None:
    """Wrap WeasyPrint's tag builder once per process."""
    if _installed:
        return
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    _installed.append(original)

    def build_box_tree(box: Any, parent: Any, pdf: Any, *args: Any) -> Iterator[Any]:
        import pydyf

        stack: list[tuple[str | None, list[Any] | None]] = _state.__dict__.setdefault("stack", [])
        tagged, layout = stack[-1] if stack else (None, None)  # nearest /Lang in the tree
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", None)
        lang = element.get("lang") if element is not None else None
        if tag in ("html", "body"):
            lang = None  # the catalog's /Lang
        own = lang if lang and lang != tagged else None
        if tag == "table":
            # The cells of a layout table, collected until the table is done.
            owner = element is not None and element.get("role") == "presentation"
            layout = [] if owner else None
        stack.append((lang or tagged, layout))
        try:
            for struct in original(box, parent, pdf, *args):
                if own and struct is not parent:
                    struct["Lang"] = pydyf.String(own)
                if struct.get("S") == "/TH" and layout is None and "A" in struct:
                    scope = (
                        "/Row"
                        if element is not None and element.get("scope") == "row"
                        else "/Column"
                    )
                    struct["A"]["Scope"] = scope
                if layout is not None and struct.get("S") in _TABLE_PARTS:
                    struct["S"] = "/Div"
                    layout.append(struct)
                if layout is not None and tag == "table":
                    # WeasyPrint has linked the cells to their headers: drop the table
                    # attributes, which a /Div does not have.
                    for cell in layout:
                        cell.pop("A", None)
                yield struct
        finally:
            stack.pop()

    tags._build_box_tree = build_box_tree
