"""Hugo and Grav shortcodes rewritten into plain Markdown before a page is parsed.

A paired shortcode (`{{< paragraph >}}…{{< /paragraph >}}`, `{{% markdownify %}}…`,
Grav's `[center]…[/center]`) gives its inner text; the callout kinds (`notice`,
`alert`, …) become GitHub alerts, printed as a styled box. `figure` becomes a
Markdown image with its caption; `ref` and `relref` the linked page's title. Any
other shortcode is dropped, and the page gets one warning naming what was. Grav's
`===` summary separator is removed. Line breaks are kept, so every line number
that follows still points at the page's own line.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

# {{< name args >}}, {{% name args %}}, {{< /name >}}, {{< name args />}}; {{</* … */>}} is
# Hugo's way of writing a shortcode literally.
# Linear on any text: the arguments stop at the next "{{", a run of spaces inside them is
# taken whole, and no whitespace is given back (a search from each "{{<" would otherwise
# cost the length of the text, or of a run of spaces, squared).
_HUGO = re.compile(
    r"\{\{(?P<open>[<%])(?P<literal>/\*)?\s*+(?P<close>/)?\s*+(?P<name>[\w./-]+)"
    r"(?P<args>(?:[^>%{\s]|\{(?!\{)|\s++(?![>%]\}\}|/\s*+(?:\*/)?[>%]\}\}|\*/)|>(?!\}\})"
    r"|%(?!\}\}))*?)\s*+(?P<selfclose>/)?\s*+(?:\*/)?[>%]\}\}",
    re.DOTALL,
)
# [name], [name args], [name=value], [/name], [name args /]
_GRAV = re.compile(r"\[(?P<close>/)?(?P<name>[a-z][\w-]*)(?P<args>(?:[ =][^\[\]\n]*)?)\]", re.I)
_REF_LINK = re.compile(
    r"\[(?P<text>[^\[\]\n]+)\]\(\s*+\{\{[<%]\s*+(?:rel)?ref\s++"
    r"(?P<args>(?:[^>%\s{]|\{(?!\{)|\s++(?![>%]\}\}))*?)\s*+[>%]\}\}\s*+\)"
)
_SUMMARY = re.compile(r"^===[ \t]*$", re.MULTILINE)

CALLOUTS = {
    "notice": "NOTE",
    "note": "NOTE",
    "info": "NOTE",
    "alert": "WARNING",
    "warning": "WARNING",
    "callout": "NOTE",
    "ui-callout": "NOTE",
    "hint": "TIP",
    "tip": "TIP",
    "important": "IMPORTANT",
    "caution": "CAUTION",
    "danger": "CAUTION",
    "admonition": "NOTE",
}
_KINDS = {"note": "NOTE", "info": "NOTE", "tip": "TIP", "success": "TIP", "important": "IMPORTANT"}
_KINDS |= {"warning": "WARNING", "warn": "WARNING", "caution": "CAUTION", "danger": "CAUTION"}
_KINDS |= {"error": "CAUTION"}


@dataclass
class Result:
    """The rewritten body and the shortcodes that were dropped, with their first lines."""

    body: str
    dropped: dict[str, int] = field(default_factory=dict)  # name -> body line (1-based)


Resolve = Callable[[str], str | None]  # a ref's target -> the linked page's title


def _args(raw: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments: `"a" b=c d="e f"` → (["a"], {"b": "c", "d": "e f"})."""
    try:
        parts = shlex.split(raw.replace("\n", " "), posix=True)
    except ValueError:
        parts = raw.split()
    positional: list[str] = []
    named: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if sep and re.fullmatch(r"[\w-]+", key):
            named[key.lower()] = value
        else:
            positional.append(part)
    return positional, named


def _blank(text: str) -> str:
    """What replaces removed source: as many line breaks as it had."""
    return "\n" * text.count("\n")


def _line(body: str, index: int) -> int:
    return body.count("\n", 0, index) + 1


def _figure(named: dict[str, str]) -> str:
    src = named.get("src") or named.get("url") or ""
    if not src:
        return ""
    alt = named.get("alt") or named.get("caption") or named.get("title") or ""
    caption = named.get("caption") or named.get("title") or ""
    alt = alt.replace("]", "").replace("\n", " ")
    title = ' "' + caption.replace('"', "'").replace("\n", " ") + '"' if caption else ""
    return f"![{alt}](<{src}>{title})"


def _callout(kind: str, inner: str) -> str:
    """Inner text as a GitHub alert: the opening tag's line becomes `> [!WARNING]`, each
    line inside is quoted, the closing tag's line is left empty (no line moves)."""
    lines = inner.split("\n")
    quoted = ["> " + line if line.strip() else ">" for line in lines[1:-1]]
    return "\n".join([f"> [!{kind}]", *quoted, ""])


def _callout_kind(name: str, positional: list[str], named: dict[str, str], raw: str) -> str:
    first = raw.lstrip("= ").split(" ")[0]
    for value in (named.get("type"), named.get("kind"), first, *positional):
        if value and value.lower().strip("\"'") in _KINDS:
            return _KINDS[value.lower().strip("\"'")]
    return CALLOUTS[name]


def _fits_callout(body: str, start: int, end: int) -> bool:
    """A callout box needs its tags on lines of their own (then no line moves)."""
    before = body.rfind("\n", 0, start) + 1
    after = body.find("\n", end)
    return not body[before:start].strip() and not body[end : after if after >= 0 else None].strip()


def _hugo(body: str, resolve: Resolve, result: Result) -> str:
    tags = list(_HUGO.finditer(body))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(tags):
        tag = tags[i]
        out.append(body[pos : tag.start()])
        pos = tag.end()
        name = tag["name"].lower()
        if tag["literal"]:
            out.append(body[tag.start() : tag.end()].replace("/*", "", 1).replace("*/", "", 1))
            i += 1
            continue
        if tag["close"]:
            i += 1  # a closing tag without its opening: drop it
            continue
        positional, named = _args(tag["args"])
        closing = None
        if not tag["selfclose"]:
            depth = 0
            for j in range(i + 1, len(tags)):
                other = tags[j]
                if other["name"].lower() != name or other["literal"]:
                    continue
                if other["close"]:
                    if depth == 0:
                        closing = j
                        break
                    depth -= 1
                elif not other["selfclose"]:
                    depth += 1
        if name in ("ref", "relref"):
            target = named.get("path") or (positional[0] if positional else "")
            out.append(resolve(target) or "")
        elif name == "figure":
            out.append(_figure(named))
        if closing is not None:
            end = tags[closing]
            inner = _hugo(body[tag.end() : end.start()], resolve, result)
            if name in CALLOUTS and _fits_callout(body, tag.start(), end.end()):
                kind = _callout_kind(name, positional, named, "")
                out.append(_blank(tag.group(0)) + _callout(kind, inner) + _blank(end.group(0)))
            else:
                out.append(_blank(tag.group(0)) + inner + _blank(end.group(0)))
            pos = end.end()
            i = closing + 1
            continue
        if name not in ("ref", "relref", "figure"):
            result.dropped.setdefault(name, _line(body, tag.start()))
        out.append(_blank(tag.group(0)))
        i += 1
    out.append(body[pos:])
    return "".join(out)


def _grav(body: str, result: Result) -> str:
    """`[name …]…[/name]` keeps its text; `[name … /]` is dropped; anything else is Markdown."""
    out: list[str] = []
    pos = 0
    for tag in list(_GRAV.finditer(body)):
        if tag.start() < pos:
            continue
        after = body[tag.end() : tag.end() + 1]
        if after in ("(", "[", ":"):
            continue  # a Markdown link, reference or definition
        name = tag["name"].lower()
        args = tag["args"]
        if tag["close"]:
            continue  # handled with its opening tag
        if args.rstrip().endswith("/"):
            out.append(body[pos : tag.start()] + _blank(tag.group(0)))
            result.dropped.setdefault(name, _line(body, tag.start()))
            pos = tag.end()
            continue
        closing = re.compile(rf"\[/{re.escape(tag['name'])}\]", re.I).search(body, tag.end())
        if closing is None:
            continue
        inner = _grav(body[tag.end() : closing.start()], result)
        out.append(body[pos : tag.start()])
        if name in CALLOUTS and _fits_callout(body, tag.start(), closing.end()):
            positional, named = _args(args.lstrip("= "))
            kind = _callout_kind(name, positional, named, args)
            out.append(_blank(tag.group(0)) + _callout(kind, inner))
        else:
            out.append(_blank(tag.group(0)) + inner)
        pos = closing.end()
    out.append(body[pos:])
    return "".join(out)


def expand(body: str, resolve: Resolve, grav: bool = False) -> Result:
    """Rewrite a page body's shortcodes into Markdown (see the module's docstring)."""
    result = Result(body)
    if "{{" in body:

        def link_text(match: re.Match[str]) -> str:
            return match["text"]

        body = _REF_LINK.sub(link_text, body)
        body = _hugo(body, resolve, result)
    if "[/" in body or "/]" in body:
        body = _grav(body, result)
    if grav:
        body = _SUMMARY.sub("", body)
    result.body = body
    return result
