"""Markdown to HTML blocks with markdown-it-py, set up per language.

Raw HTML in a page is not passed through: markdown-it's `html` option is off, so
`<script>` or `<img>` written in a page prints as literal text. Links keep
markdown-it's own guard (no `javascript:`, `vbscript:`, `file:` or `data:` links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from . import typography

_NUMERIC = re.compile(r"^[\s€$£₽%+\-–.,:0-9]+(?:\s?(?:руб\.?|₽|€|\$|£|%|мин|min))?$")


@dataclass(frozen=True)
class Block:
    """One top-level block of a page: a heading, a paragraph, a list, a table…"""

    kind: str  # "heading", "paragraph", "bullet_list", "ordered_list", "table", …
    html: str
    line: int  # 1-based line in the Markdown body where the block starts
    level: int = 0  # heading level, 0 for other blocks
    text: str = ""  # plain text of a heading


def _plain(children: list[Token] | None) -> str:
    return "".join(t.content for t in children or [] if t.type in ("text", "code_inline"))


def _url_shown(text: str, href: str) -> bool:
    """Whether a reader of the printed page can see where the link goes."""
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel"):
        target = unquote(parts.path)
    else:
        target = (parts.netloc + parts.path).removeprefix("www.").rstrip("/")
    if not target:
        return True
    squash = re.sub(r"[\s\-().]", "", text.lower())
    return re.sub(r"[\s\-().]", "", target.lower()) in squash


def _display_url(href: str) -> str:
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel"):
        return unquote(parts.path)
    shown = (parts.netloc + parts.path).removeprefix("www.").rstrip("/")
    if parts.query:
        shown += "?" + parts.query
    return shown


def _link_urls(state: StateCore) -> None:
    """After a link whose text does not show its address, print the address."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        out: list[Token] = []
        href = ""
        text: list[str] = []
        for child in token.children:
            out.append(child)
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                text = []
            elif child.type == "link_close":
                if href.startswith(("http:", "https:", "mailto:", "tel:")) and not _url_shown(
                    "".join(text), href
                ):
                    shown = Token("link_url", "", 0)
                    shown.content = _display_url(href)
                    out.append(shown)
                href = ""
            elif href:
                text.append(child.content)
        token.children = out


def _typography(state: StateCore) -> None:
    """Language rules on running text; link text is left as written (it may be an address)."""
    lang = state.env.get("lang", "en")
    for token in state.tokens:
        inside_link = False
        for child in token.children or []:
            if child.type == "link_open":
                inside_link = True
            elif child.type == "link_close":
                inside_link = False
            elif child.type == "text" and not inside_link:
                child.content = typography.apply(child.content, lang)


def _classes(state: StateCore) -> None:
    """Lead-in paragraphs, table alignment and numeric cells as classes, not styles."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and i + 1 < len(tokens):
            children = [
                c for c in tokens[i + 1].children or [] if c.type != "text" or c.content.strip()
            ]
            if (
                len(children) >= 3
                and children[0].type == "strong_open"
                and children[-1].type == "strong_close"
                and not any(c.type == "strong_open" for c in children[1:-1])
                and token.level == 0
            ):
                token.attrSet("class", "lead-in")
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrGet("style") or "")
            classes = []
            if style:
                token.attrs.pop("style", None)
                classes.append("align-" + style.split(":")[-1].strip())
            if (
                token.type == "td_open"
                and i + 1 < len(tokens)
                and _NUMERIC.match(tokens[i + 1].content or "x")
            ):
                classes.append("num")
            if classes:
                token.attrSet("class", " ".join(classes))


def _render_link_url(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    return f'<span class="url"> ({escapeHtml(tokens[idx].content)})</span>'


@lru_cache(maxsize=8)
def parser(lang: str) -> MarkdownIt:
    """A markdown-it parser configured for one language (cached)."""
    md = MarkdownIt(
        "commonmark",
        {"typographer": True, "quotes": typography.quotes_for(lang), "html": False},
    )
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.core.ruler.push("brochure_typography", _typography)
    md.core.ruler.push("brochure_link_urls", _link_urls)
    md.core.ruler.push("brochure_classes", _classes)
    md.add_render_rule("link_url", _render_link_url)
    return md


def _same_title(a: str, b: str) -> bool:
    """Equal but for case, spacing, punctuation and what typography changed."""

    def norm(s: str) -> str:
        return re.sub(r"[\W_]+", "", s.casefold())

    return norm(a) == norm(b)


def render_blocks(body: str, lang: str, title: str | None = None) -> list[Block]:
    """Parse a page body into top-level HTML blocks.

    A first `# heading` that repeats the page title is dropped: the title is set
    in the brochure's header already.
    """
    md = parser(lang)
    env: dict[str, Any] = {"lang": lang}
    tokens = md.parse(body, env)
    blocks: list[Block] = []
    start = 0
    depth = 0
    for i, token in enumerate(tokens):
        if token.nesting == 1 and depth == 0:
            start = i
        depth += token.nesting
        if depth != 0:
            continue
        head = tokens[start]
        chunk = tokens[start : i + 1]
        line = (head.map[0] if head.map else 0) + 1
        if head.type == "heading_open":
            level = int(head.tag[1])
            inline = tokens[start + 1]
            text = _plain(inline.children)
            if start == 0 and level == 1 and title is not None and _same_title(text, title):
                start = i + 1
                continue
            html = md.renderer.render(chunk, md.options, env)
            blocks.append(Block("heading", html, line, level, text))
        else:
            kind = head.type.removesuffix("_open")
            blocks.append(Block(kind, md.renderer.render(chunk, md.options, env), line))
        start = i + 1
    return blocks
