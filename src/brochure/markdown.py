"""Markdown to HTML blocks with markdown-it-py, set up per language.

Pages are parsed as the CMSs write them: tables, footnotes, definition lists, task
lists, GitHub alerts (printed as callout boxes), `{#id}` after a heading, and raw
HTML. A relative link to another page prints its text, or that page's title when it
has none; every block's HTML then goes through one allow-list sanitizer (`sanitize.py`).
Very long words get invisible break opportunities and very long runs of text are cut
into inline pieces, so that WeasyPrint sets them in linear time (`typography.breakable`,
`_runs`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from . import fonts, languages, limits, links, typography
from .sanitize import sanitize

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


def _linked_title(href: str, env: Mapping[str, Any]) -> str | None:
    """The title of the page a relative link points to, when it is one of the run's pages."""
    base, titles = env.get("base"), env.get("titles")
    if base is None or not titles:
        return None
    try:
        target = (Path(base) / unquote(urlsplit(href).path)).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    title = titles.get(str(target))
    return str(title) if title else None


def _link_urls(state: StateCore) -> None:
    """After a link whose text does not show its address, print the address. A link that
    cannot be followed from paper (relative, another scheme) with no text of its own
    prints the linked page's title, else what it names (the sanitizer drops its address)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        out: list[Token] = []
        href = ""
        start = 0
        text: list[str] = []
        for child in token.children:
            out.append(child)
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                start = len(out)
                text = []
            elif child.type == "link_close":
                shown = "".join(text).strip()
                if not links.clickable(href) and not href.startswith("#"):
                    title = _linked_title(href, state.env)
                    if title and (not shown or shown == href):
                        out[start:-1] = [_text(title)]
                    elif not shown:
                        out[start:-1] = [_text(href)]
                elif href.startswith(("http:", "https:", "mailto:", "tel:")) and not _url_shown(
                    shown, href
                ):
                    url = Token("link_url", "", 0)
                    url.content = links.display(href)
                    out.append(url)
                href = ""
            elif href:
                text.append(child.content)
        token.children = out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _runs(text: str) -> list[str]:
    """`text` in pieces of at most `limits.TEXT_RUN_CHARS`, cut after a space or a break
    opportunity where there is one."""
    pieces: list[str] = []
    size = limits.TEXT_RUN_CHARS
    while len(text) > size:
        cut = max(text.rfind(" ", 0, size), text.rfind(typography.ZWSP, 0, size)) + 1
        cut = cut if cut > size // 2 else size
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text else pieces


def _breakable(state: StateCore) -> None:
    """Break opportunities in very long words, and very long runs of text cut into pieces
    (each its own inline box), wherever text is printed: WeasyPrint breaks a word too long
    for its line letter by letter and lays out the rest of a box again for every line, in
    time that grows with the square of the length (40 000 letters took minutes)."""
    for token in state.tokens:
        if not token.children:
            continue
        out: list[Token] = []
        for child in token.children:
            if child.type in ("text", "code_inline", "link_url"):
                child.content = typography.breakable(child.content)
            if child.type in ("text", "code_inline") and len(child.content) > (
                limits.TEXT_RUN_CHARS
            ):
                for piece in _runs(child.content):
                    run = Token("text_run" if child.type == "text" else child.type, child.tag, 0)
                    run.content = piece
                    out.append(run)
            else:
                out.append(child)
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
            if child.type in ("text", "code_inline"):
                child.content = fonts.strip(child.content, state.env.setdefault("missing", set()))
        if token.type in ("code_block", "fence"):
            token.content = fonts.strip(token.content, state.env.setdefault("missing", set()))


_HEADING_ATTRS = re.compile(r"\s*\{((?:\s*[#.][\w-]+)+)\s*\}\s*$")


def _heading_attrs(state: StateCore) -> None:
    """`## Before you come {#before}`: the braces become the heading's id and classes."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or i + 1 >= len(tokens):
            continue
        inline = tokens[i + 1]
        children = inline.children or []
        if not children or children[-1].type != "text":
            continue
        match = _HEADING_ATTRS.search(children[-1].content)
        if not match:
            continue
        children[-1].content = children[-1].content[: match.start()]
        inline.content = _HEADING_ATTRS.sub("", inline.content)
        for part in match.group(1).split():
            if part.startswith("#"):
                token.attrSet("id", part[1:])


def _alerts(state: StateCore) -> None:
    """A GitHub alert's title in the page's language ("Warning" → "Внимание")."""
    labels = languages.get(state.env.get("lang", "en")).labels
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "alert_open" and i + 2 < len(tokens):
            kind = str(token.info or "note").lower()
            title = tokens[i + 2]
            if title.type == "inline":
                text = Token("text", "", 0)
                text.content = labels.get(kind, kind.capitalize())
                title.content = text.content
                title.children = [text]


def _images(state: StateCore) -> None:
    """Images by the build's map: a prepared `brochure:` URL, or left out (warned earlier)."""
    found: dict[str, str] = state.env.get("images", {})
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "image":
                src = str(child.attrGet("src") or "")
                child.attrSet("data-name", src)
                child.attrSet("src", found.get(unquote(src), found.get(src, "")))


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
    pieces = _runs(tokens[idx].content)
    if len(pieces) > 1:
        shown = "".join(f"<span>{escapeHtml(p)}</span>" for p in pieces)
        return f'<span class="url"> ({shown})</span>'
    return f'<span class="url"> ({escapeHtml(tokens[idx].content)})</span>'


def _render_text_run(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f"<span>{escapeHtml(tokens[idx].content)}</span>"


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A body image; with a title, a figure with the title as its caption."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if not src:
        return ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = str(token.attrGet("title") or "")
    if not alt.strip():  # a screen reader needs a name: the caption, else the file's name
        stem = unquote(urlsplit(str(token.attrGet("data-name") or "")).path).rsplit("/", 1)[-1]
        alt = title or re.sub(r"[-_]+", " ", stem.rsplit(".", 1)[0]).strip() or "image"
    img = f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}">'
    if not title:
        return img
    caption = escapeHtml(typography.apply(title, env.get("lang", "en")))
    return f'<span class="figure">{img}<span class="caption">{caption}</span></span>'


def _render_footnote_anchor(
    self: Any, tokens: list[Token], idx: int, options: Any, env: Any
) -> str:
    return ""  # the back-reference arrow means nothing on paper


def _configured(lang: str) -> MarkdownIt:
    """What every parse of a page shares: the options, the syntax and the plugins that
    decide its blocks and their text; and `{#id}` after a heading taken off it."""
    md = MarkdownIt(
        "commonmark",
        {
            "typographer": True,
            "quotes": typography.quotes_for(lang),
            "html": True,
            "alerts": True,
            "tasklists": True,
        },
    )
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin, inline=False)
    md.use(deflist_plugin)
    md.core.ruler.push("brochure_heading_attrs", _heading_attrs)
    return md


@lru_cache(maxsize=8)
def parser(lang: str) -> MarkdownIt:
    """A markdown-it parser configured for one language (cached)."""
    md = _configured(lang)
    md.core.ruler.push("brochure_typography", _typography)
    md.core.ruler.push("brochure_link_urls", _link_urls)
    md.core.ruler.push("brochure_classes", _classes)
    md.core.ruler.push("brochure_alerts", _alerts)
    md.core.ruler.push("brochure_images", _images)
    md.core.ruler.push("brochure_breakable", _breakable)
    md.add_render_rule("link_url", _render_link_url)
    md.add_render_rule("text_run", _render_text_run)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    return md


def plain_inline(text: str, lang: str) -> str:
    """A line of front matter (title, description) with the body's typography: the
    language's quotes, dashes and spaces; plain text, never markup."""
    if not text:
        return text
    env: dict[str, Any] = {"lang": lang, "missing": set()}
    out: list[str] = []
    for token in parser(lang).parseInline(text, env):
        for child in token.children or []:
            if child.type in ("text", "code_inline", "html_inline"):
                out.append(child.content)  # written as is: a title is text, not markup
            elif child.type in ("softbreak", "hardbreak"):
                out.append(" ")
    return "".join(out)


def _same_title(a: str, b: str) -> bool:
    """Equal but for case, spacing, punctuation and what typography changed."""

    def norm(s: str) -> str:
        return re.sub(r"[\W_]+", "", s.casefold())

    return norm(a) == norm(b)


def _top_level(
    tokens: list[Token], title: str | None
) -> Iterator[tuple[list[Token], int, int, str]]:
    """Each top-level block's tokens, with the 1-based line it starts on, its heading level
    (0 for a block that is not a heading) and a heading's plain text. A first `# heading`
    that repeats `title` is left out: the brochure's header sets the title already."""
    start = 0
    depth = 0
    for i, token in enumerate(tokens):
        if token.nesting == 1 and depth == 0:
            start = i
        depth += token.nesting
        if depth != 0:
            continue
        head = tokens[start]
        line = (head.map[0] if head.map else 0) + 1
        if head.type == "heading_open":
            level = int(head.tag[1])
            text = _plain(tokens[start + 1].children)
            if not (start == 0 and level == 1 and title is not None and _same_title(text, title)):
                yield tokens[start : i + 1], line, level, text
        else:
            yield tokens[start : i + 1], line, 0, ""
        start = i + 1


def render_blocks(
    body: str,
    lang: str,
    title: str | None = None,
    images: dict[str, str] | None = None,
    missing: set[str] | None = None,
    base: Path | None = None,
    titles: Mapping[str, str] | None = None,
) -> list[Block]:
    """Parse a page body into top-level HTML blocks, each sanitized.

    A first `# heading` that repeats the page title is dropped: the title is set
    in the brochure's header already. `images` maps an image name as the page writes
    it to the URL of the prepared file; an image not in it is left out. Characters no
    bundled font can draw are left out and added to `missing`. `base` is the page's
    folder and `titles` the titles of the run's pages by resolved path: a relative link
    with no text of its own prints the title of the page it names.
    """
    md = parser(lang)
    env: dict[str, Any] = {
        "lang": lang,
        "images": images or {},
        "missing": set(),
        "base": base,
        "titles": titles,
    }
    blocks: list[Block] = []
    for chunk, line, level, text in _top_level(md.parse(body, env), title):
        html = sanitize(md.renderer.render(chunk, md.options, env), images, f"{lang}-")
        if level:
            blocks.append(Block("heading", html, line, level, text))
        elif html.strip():
            blocks.append(Block(chunk[0].type.removesuffix("_open"), html, line))
    if missing is not None:
        missing |= env["missing"]
    return blocks


# --- the text alone, for brochure check --------------------------------------------------


@dataclass(frozen=True)
class TextBlock(Block):
    """A top-level block read, not printed: `html` holds its printed text alone (escaped as
    in the sanitized HTML, tags left out), what `align.rows` weighs blocks by."""

    # A list block's lists, its own and those nested in it, in order: (items, body line of
    # the first item).
    lists: tuple[tuple[int, int], ...] = ()


_MARKUP = re.compile(r"<[^>]+>")


def _render_caption(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A body image's printed text: its caption (the title), when the image is shown."""
    src = str(tokens[idx].attrGet("src") or "")
    shown = env.get("images", ())
    if src not in shown and unquote(src) not in shown:
        return ""
    return escapeHtml(str(tokens[idx].attrGet("title") or ""))


@lru_cache(maxsize=8)
def _reader(lang: str) -> MarkdownIt:
    """`parser`'s syntax and plugins, with only the rules that change which blocks there
    are or what they say: no typography, font coverage, classes, image URLs or breaks."""
    md = _configured(lang)
    md.core.ruler.push("brochure_link_urls", _link_urls)
    md.core.ruler.push("brochure_alerts", _alerts)
    md.add_render_rule("link_url", _render_link_url)
    md.add_render_rule("image", _render_caption)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    return md


def _raw_html(chunk: list[Token]) -> bool:
    return any(
        t.type == "html_block"
        or ("<" in t.content and any(c.type == "html_inline" for c in t.children or []))
        for t in chunk
    )


def _lists(chunk: list[Token], line: int) -> tuple[tuple[int, int], ...]:
    """The item count and first item's line of every list in a list block, outermost first."""
    if chunk[0].type not in ("bullet_list_open", "ordered_list_open"):
        return ()
    out: list[list[int]] = []
    stack: list[int] = []
    for token in chunk:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            stack.append(len(out))
            out.append([0, line])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif token.type == "list_item_open" and stack:
            entry = out[stack[-1]]
            if entry[0] == 0 and token.map:
                entry[1] = token.map[0] + 1
            entry[0] += 1
    return tuple((items, first) for items, first in out)


def text_blocks(
    body: str, lang: str, title: str | None = None, images: Collection[str] = ()
) -> list[TextBlock]:
    """A page body's top-level blocks as `render_blocks` cuts them, with their text alone.

    For `brochure check`: the same blocks, kinds, lines, heading levels and texts, and
    the same text to weigh alignment by, less what only printing needs (typography, font
    coverage, image URLs; the HTML is sanitized only where the page writes raw HTML, to
    know what of it prints). `images` names the body images that are shown (their
    captions print).
    """
    md = _reader(lang)
    env: dict[str, Any] = {"lang": lang, "images": images}
    blocks: list[TextBlock] = []
    for chunk, line, level, text in _top_level(md.parse(body, env), title):
        html = md.renderer.render(chunk, md.options, env)
        if _raw_html(chunk):  # what of it prints: its text, or a picture the page has
            html = sanitize(html, {name: f"brochure:{name}" for name in images})
            if not level and not html.strip():
                continue  # a comment, a script: nothing of it prints
        shown = _MARKUP.sub("", html).replace("&quot;", '"')
        kind = "heading" if level else chunk[0].type.removesuffix("_open")
        blocks.append(TextBlock(kind, shown, line, level, text, _lists(chunk, line)))
    return blocks
