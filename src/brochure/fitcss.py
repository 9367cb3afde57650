"""Copyfitting's stylesheet: the brochure's own rules restated at a chosen `fit.Setting`.

Rule by rule, in the same order and with the same selectors (so each wins exactly where
the original won), every declaration of spacing, type size or line height is written again:

- a type size in absolute units is scaled by the setting's type factor, never below
  MIN_TYPE_PT, and type at or above PHONE_PT (the phone number) stays at least that size;
  a relative one follows its parent and is left as written;
- a line height in absolute units follows its rule's type and the leading factor; a
  unitless one (headings, the title) already follows the type;
- margins and paddings: only the vertical sides, by the spacing factor;
- `var()` and `calc()` are left as written, and so are `@page` and `@font-face`.

The hero's box gets a rule of its own (`hero_css`). Each stylesheet is parsed once per
version of the file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tinycss2

if TYPE_CHECKING:
    from .fit import Setting

MIN_TYPE_PT = 6.5  # the smallest labels keep their size
PHONE_PT = 11.0  # type at or above this (the phone number) stays readable at arm's length

_SPACING = ("margin", "margin-top", "margin-bottom", "padding", "padding-top", "padding-bottom")
_SCALED = (*_SPACING, "font-size", "line-height")
_PT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "px": 0.75, "pc": 12.0}
_LENGTHS = (*_PT, "em", "rem", "ex", "ch")


def override_css(stylesheets: list[Path], chosen: Setting, hero_mm: float | None = None) -> str:
    """A stylesheet that restates every spacing, type size and line height of
    `stylesheets` at `chosen`, rule by rule in the same order and with the same
    selectors, so it wins exactly where the original won; and the hero's box, `hero_mm`
    high at the design, lowered (`hero_css`). Empty at the design's setting: that layout
    is the one made without copyfitting.
    """
    out: list[str] = []
    if (chosen.spacing, chosen.leading, chosen.type) != (1.0, 1.0, 1.0):
        for path in stylesheets:
            try:
                mtime = path.stat().st_mtime_ns
            except OSError:
                continue
            out += _restated(_rules(str(path), mtime), chosen)
    if hero_mm is not None and chosen.hero != 1.0:
        out.append(hero_css(hero_mm, chosen))
    return "\n".join(out)


@lru_cache(maxsize=32)
def _rules(path: str, mtime_ns: int) -> tuple[Any, ...]:
    text = Path(path).read_text(encoding="utf-8-sig")
    return tuple(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


def hero_css(height_mm: float, chosen: Setting) -> str:
    """The hero's box at `chosen`, lowered as the template would draw it (to 0.1 mm), for the
    layouts that try a setting: they keep the design's photo, which `object-fit: cover`
    crops to the lower box; only the layout written gets the photo prepared for it. Marked
    important: the template's own rule is the document's, which outranks brochure's sheets.
    """
    height = _number(round(height_mm * chosen.hero, 1))
    return f".hero, .hero img {{ height: {height}mm !important }}"


def _restated(nodes: tuple[Any, ...] | list[Any], chosen: Setting) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword == "media" and node.content:
            inner = _restated(
                tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True),
                chosen,
            )
            if inner:
                out.append(f"@media {tinycss2.serialize(node.prelude).strip()} {{")
                out += inner
                out.append("}")
        if node.type != "qualified-rule":
            continue  # @page margins and @font-face are never changed
        declarations = [
            d
            for d in tinycss2.parse_declaration_list(
                node.content, skip_comments=True, skip_whitespace=True
            )
            if d.type == "declaration" and d.lower_name in _SCALED
        ]
        if not declarations:
            continue
        ratio = _type_ratio(declarations, chosen)
        body = "; ".join(
            f"{d.lower_name}: {_value(d, chosen, ratio)}{' !important' if d.important else ''}"
            for d in declarations
        )
        out.append(f"{tinycss2.serialize(node.prelude).strip()} {{ {body} }}")
    return out


def _parts(declaration: Any) -> list[Any]:
    return [t for t in declaration.value if t.type not in ("whitespace", "comment")]


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _type_pt(size_pt: float, factor: float) -> float:
    """A type size at `factor`, kept at or above the smallest label and the phone's size."""
    if size_pt <= MIN_TYPE_PT:
        return size_pt
    scaled = max(size_pt * factor, MIN_TYPE_PT)
    return max(scaled, PHONE_PT) if size_pt >= PHONE_PT else scaled


def _type_ratio(declarations: list[Any], chosen: Setting) -> float:
    """How much this rule's own type shrinks (its line height follows it)."""
    for d in declarations:
        parts = _parts(d)
        if d.lower_name == "font-size" and len(parts) == 1 and _absolute(parts[0]):
            size = parts[0].value * _PT[parts[0].lower_unit]
            return _type_pt(size, chosen.type) / size if size else 1.0
    return chosen.type


def _absolute(token: Any) -> bool:
    return bool(token.type == "dimension" and token.lower_unit in _PT)


def _value(declaration: Any, chosen: Setting, ratio: float) -> str:
    """The declaration's value at `chosen`; unchanged when it is relative or not a length."""
    parts = _parts(declaration)
    original = str(tinycss2.serialize(declaration.value)).strip()
    if any(t.type not in ("dimension", "number", "percentage", "ident") for t in parts):
        return original  # var(), calc(): left as written
    name = declaration.lower_name
    if name == "font-size":
        if len(parts) == 1 and _absolute(parts[0]):
            size = parts[0].value * _PT[parts[0].lower_unit]
            return f"{_number(_type_pt(size, chosen.type))}pt"
        return original
    if name == "line-height":
        if len(parts) == 1 and _absolute(parts[0]):
            size = parts[0].value * _PT[parts[0].lower_unit]
            return f"{_number(size * ratio * chosen.leading)}pt"
        return original  # headings and the title, set at 1.1–1.2, keep their leading
    # Spacing: only the vertical sides; a single value is split so the sides stay.
    if name in ("margin", "padding"):
        vertical = {1: (0,), 2: (0,), 3: (0, 2), 4: (0, 2)}.get(len(parts), ())
        values = [str(tinycss2.serialize([t])) for t in parts]
        for index in vertical:
            values[index] = _spaced(parts[index], chosen.spacing)
        if len(parts) == 1 and values[0] != str(tinycss2.serialize(parts)):
            values.append(str(tinycss2.serialize(parts)))
        return " ".join(values)
    return _spaced(parts[0], chosen.spacing) if len(parts) == 1 else original


def _spaced(token: Any, factor: float) -> str:
    if token.type == "dimension" and token.lower_unit in _LENGTHS and token.value:
        return f"{_number(token.value * factor)}{token.lower_unit}"
    return str(tinycss2.serialize([token]))
