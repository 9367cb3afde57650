"""One allow-list for the HTML a brochure prints (nh3).

Text formatting, lists, tables, line breaks and figures are kept; scripts, styles,
iframes, forms and event attributes are dropped; a link is kept only for `http(s)`,
`mailto:`, `tel:` and in-page anchors (`links.clickable`; any other link prints its text
only); an image only as a `brochure:` URL the build prepared from a file in the site;
classes only those brochure's stylesheets know; ids only short word characters, with a
prefix so two languages side by side never share one.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import nh3

from . import links

_TAGS = {
    *("p", "br", "hr", "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "small"),
    *("sub", "sup", "code", "pre", "kbd", "samp", "var", "abbr", "cite", "q", "dfn", "span"),
    *("blockquote", "div", "section", "ul", "ol", "li", "dl", "dt", "dd", "figure"),
    *("figcaption", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr"),
    *("th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img"),
}
_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title", "dir"},
    "a": {"href"},
    "img": {"src", "alt"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "col": {"span"},
    "colgroup": {"span"},
}
_CLASS = re.compile(
    r"^(lead-in|num|url|align-(left|right|center)|figure|caption|task(-[\w-]+)?|"
    r"contains-task-list|markdown-alert(-[\w-]+)?|footnotes?(-[\w-]+)?|footnote-item)$"
)
_SAFE_ID = re.compile(r"^[\w-]{1,64}$")
_TASK_BOX = re.compile(r'<input class="task-list-item-checkbox"[^>]*?( checked="")?>')


def _attribute_filter(images: dict[str, str], prefix: str) -> Any:
    def check(element: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            kept = " ".join(c for c in value.split() if _CLASS.match(c))
            return kept or None
        if attribute == "id":
            return prefix + value if _SAFE_ID.match(value) else None
        if element == "a" and attribute == "href":
            if value.startswith("#"):
                return "#" + prefix + value[1:] if _SAFE_ID.match(value[1:]) else None
            if links.clickable(value):
                return value
            return None  # a relative link, another scheme: its text only
        if element == "img" and attribute == "src":
            if value.startswith("brochure:") and value in images.values():
                return value
            return images.get(unquote(value)) or images.get(value)
        return value

    return check


def sanitize(html: str, images: dict[str, str] | None = None, prefix: str = "") -> str:
    """Keep what a brochure may print (see the module's docstring); images by `images`;
    ids and in-page links get `prefix` (two languages side by side never share an id)."""
    html = _TASK_BOX.sub(
        lambda m: (
            '<span class="task-box task-checked"></span>'
            if m.group(1)
            else '<span class="task-box"></span>'
        ),
        html,
    )
    cleaned: str = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style", "template", "textarea", "title", "noscript"},
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter(images or {}, prefix),
        url_schemes={"http", "https", "mailto", "tel", "brochure"},
        link_rel=None,
        strip_comments=True,
    )
    cleaned = re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", cleaned)  # an image with no source
    return cleaned.replace("&nbsp;", "\u00a0")
