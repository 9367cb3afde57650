"""A page file's text: its bytes decoded, and its front matter (YAML or TOML) split off.

`content.py` makes a `Page` of what these return. Every problem is a `ContentError` with the
line it is on and what to do about it; the front matter is read within `limits` (size,
nesting, numbers, aliases) by `yamlbounds` and `tomllib`.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from . import limits, yamlbounds
from .errors import BuildWarning, ContentError


def decode(data: bytes, path: Path) -> tuple[str, list[BuildWarning]]:
    """Decode a page's bytes: UTF-8 (BOM or not), UTF-16 with BOM, or a legacy encoding."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise ContentError(
                f"the file says UTF-16 but byte {exc.start} cannot be decoded",
                path=path,
                hint="save it again as UTF-8",
            ) from None
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp1252", "latin_1"]).best()
    if best is not None and best.encoding in ("cp1251", "koi8_r") and best.chaos < 0.2:
        name = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R"}[best.encoding]
        warning = BuildWarning(
            f"not UTF-8; read as {name}",
            path=path,
            hint="save the file as UTF-8 to silence this warning",
        )
        return str(best), [warning]
    line = data[: utf8_error.start].count(b"\n") + 1
    raise ContentError(
        f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x}) and not a known Russian encoding",
        path=path,
        line=line,
        hint="save the file as UTF-8",
    )


_TOML_BOUNDARY = re.compile(r"^\+\+\+\s*$")


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line the body starts on); lines count from 1.

    YAML between `---` lines, or TOML between `+++` lines (Hugo writes both).
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return {}, text, 1
    if _TOML_BOUNDARY.fullmatch(lines[first]):
        return _toml_front_matter(lines, first, path)
    boundary = YAMLHandler.FM_BOUNDARY  # python-frontmatter's "---" line
    if not boundary.fullmatch(lines[first]):
        return {}, text, 1
    closing = _closing(lines, first, boundary, "---", path)
    for index in range(first + 1, closing):
        entry = lines[index]
        if "\t" in entry[: len(entry) - len(entry.lstrip(" \t"))]:
            raise ContentError(
                "a tab indents this front-matter line; YAML allows only spaces",
                path=path,
                line=index + 1,
                hint="replace the tab with spaces",
            )
    raw = "\n".join(lines[first + 1 : closing])
    body = "\n".join(lines[closing + 1 :])
    body_line = closing + 2
    _front_matter_size(raw, path, first)
    try:
        meta = yamlbounds.load(raw)
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise ContentError(
            f"invalid front matter: a value cannot be read ({type(exc).__name__})",
            path=path,
            line=first + 1,
            hint="put unusual values in quotes",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        opened = str(getattr(exc, "context", "") or "").startswith(
            ("while parsing a flow", "while scanning a quoted", "while scanning a double")
        )
        if context is not None and (mark is None or opened or "end of stream" in str(exc)):
            mark = context  # an unclosed bracket or quote: point at where it opened
        line = first + 2 + mark.line if mark is not None else first + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(
            f"invalid front matter: {problem}",
            path=path,
            line=line,
            hint=getattr(exc, "hint", None)
            or "fix the YAML between the '---' lines (quote values that contain ':')",
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(
            "the front matter is not a list of 'key: value' lines",
            path=path,
            line=first + 2,
            hint="write it as 'title: …' and 'hero_image: …' lines",
        )
    return {str(k): v for k, v in meta.items()}, body, body_line


def _closing(lines: list[str], first: int, boundary: re.Pattern[str], mark: str, path: Path) -> int:
    """The line that closes front matter opened at `first`; an error where it opened if none."""
    for index in range(first + 1, len(lines)):
        if boundary.fullmatch(lines[index]):
            return index
    raise ContentError(
        f"the front matter opened with '{mark}' is never closed",
        path=path,
        line=first + 1,
        hint=f"add a line with '{mark}' after the last key",
    )


def _toml_front_matter(lines: list[str], first: int, path: Path) -> tuple[dict[str, Any], str, int]:
    closing = _closing(lines, first, _TOML_BOUNDARY, "+++", path)
    raw = "\n".join(lines[first + 1 : closing])
    _front_matter_size(raw, path, first)
    try:
        meta = tomllib.loads(raw)
    except (ValueError, RecursionError, MemoryError) as exc:
        if not isinstance(exc, tomllib.TOMLDecodeError):
            raise ContentError(
                f"invalid front matter: values nested more than {limits.STRUCTURE_DEPTH} levels"
                f" deep or a number longer than {limits.NUMBER_CHARS} characters",
                path=path,
                line=first + 1,
                hint="front matter keys hold text; put long numbers in quotes",
            ) from None
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ContentError(
            f"invalid front matter: {reason}",
            path=path,
            line=first + 1 + int(match.group(1)) if match else first + 1,
            hint="fix the TOML between the '+++' lines (text values need quotes)",
        ) from None
    return meta, "\n".join(lines[closing + 1 :]), closing + 2


def _front_matter_size(raw: str, path: Path, first: int) -> None:
    if len(raw) > limits.FRONT_MATTER_BYTES:
        raise ContentError(
            f"the front matter is {len(raw) // 1024} KB long; at most "
            f"{limits.FRONT_MATTER_BYTES // 1024} KB",
            path=path,
            line=first + 1,
            hint="keep only title, hero_image and the other keys a page needs",
        )


def key_lines(text: str, body_line: int) -> dict[str, int]:
    """The line of each front-matter key (the first time it appears), in one pass.

    No regular expression: a long line of spaces must not cost its length squared.
    """
    out: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")[: max(body_line - 1, 0)], start=1):
        stripped = line.lstrip()
        ends = [i for i in (stripped.find(":"), stripped.find("=")) if i > 0]
        if not ends or stripped[0] == "#":
            continue
        key = stripped[: min(ends)].rstrip().strip("\"'")
        if key and key not in out and not any(c in key for c in "\"':=#") and not key[0].isspace():
            out[key] = number
    return out
