"""Find pages, read them (encodings, front matter, language) and pair translations."""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from slugify import slugify

from .errors import BuildWarning, ContentError

PAGE_SUFFIXES = (".md", ".markdown", ".txt")
_SKIP_DIRS = {"images", "static", "assets", "dist", "node_modules", "templates", "styles"}
_SKIP_NAMES = {"readme", "changelog", "license", "licence", "contributing", "notes"}
_MEANINGLESS = {"index", "_index", "page", "untitled", "document", "new", "text", "file", "copy"}
KNOWN_KEYS = (
    "title",
    "hero_image",
    "lang",
    "slug",
    "translationKey",
    "description",
    "hero_alt",
    "url",
)
_LANG_RE = re.compile(r"^[a-z]{2}$")  # ISO 639-1: name.ru.md, index.en.md
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass
class Page:
    """One Markdown file in one language."""

    path: Path
    root: Path
    lang: str
    lang_source: str  # "file name", "front matter" or "detected"
    title: str
    body: str
    body_line: int  # line of the file on which `body` starts
    meta: dict[str, Any]
    warnings: list[BuildWarning] = field(default_factory=list)

    @property
    def hero(self) -> str | None:
        value = self.meta.get("hero_image")
        return value.strip() if isinstance(value, str) and value.strip() else None

    @property
    def description(self) -> str:
        value = self.meta.get("description")
        return value.strip() if isinstance(value, str) else ""

    @property
    def url(self) -> str:
        """The page's web address (for the QR code), when it is an http(s) URL."""
        value = self.meta.get("url")
        if isinstance(value, str) and value.strip().startswith(("https://", "http://")):
            return value.strip()
        return ""

    @property
    def hero_alt(self) -> str:
        value = self.meta.get("hero_alt")
        return value.strip() if isinstance(value, str) and value.strip() else self.title

    @property
    def stem(self) -> str:
        """The file name without its extension and language suffix."""
        stem = self.path.name
        for suffix in reversed(self.path.suffixes):
            if suffix.lower() in PAGE_SUFFIXES or _LANG_RE.match(suffix[1:].lower()):
                stem = stem[: -len(suffix)]
            else:
                break
        if stem.lower() in ("index", "_index"):
            return self.path.parent.name
        return stem


@dataclass
class Brochure:
    """One page in all its languages: the unit every output is made from."""

    slug: str
    pages: dict[str, Page]  # language -> page, in discovery order

    @property
    def langs(self) -> list[str]:
        return list(self.pages)


# --- reading ---------------------------------------------------------------


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


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line the body starts on); lines count from 1."""
    boundary = YAMLHandler.FM_BOUNDARY  # python-frontmatter's "---" line
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not boundary.fullmatch(lines[first]):
        return {}, text, 1
    closing = next((i for i in range(first + 1, len(lines)) if boundary.fullmatch(lines[i])), None)
    if closing is None:
        raise ContentError(
            "the front matter opened with '---' is never closed",
            path=path,
            line=first + 1,
            hint="add a line with '---' after the last key",
        )
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
    try:
        meta = yaml.safe_load(raw)
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
            hint="fix the YAML between the '---' lines (quote values that contain ':')",
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


def _meta_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*:", line):
            return number
    return None


def detect_language(text: str) -> str:
    """Cyrillic letters outnumbering Latin ones mean Russian; otherwise English."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ru" if cyrillic > latin else "en"


def _lang_from_name(path: Path) -> str | None:
    suffixes = path.suffixes
    if len(suffixes) >= 2 and _LANG_RE.match(suffixes[-2][1:].lower()):
        return suffixes[-2][1:].lower()
    return None


def _text_field(meta: dict[str, Any], key: str, path: Path, text: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        what = f"a yes/no value ({value!r})"
    elif isinstance(value, int | float):
        what = f"a number ({value})"
    elif isinstance(value, dt.date):
        what = f"a date ({value.isoformat()})"
    elif isinstance(value, list):
        what = f"a list ({value!r})"
    elif isinstance(value, dict):
        what = "a set of keys"
    else:
        what = f"a {type(value).__name__}"
    raise ContentError(
        f"'{key}' must be text, got {what}",
        path=path,
        line=_meta_line(text, key),
        hint=f'put the value in quotes: {key}: "…"',
    )


def read_page(path: Path, root: Path) -> Page:
    """Read one page file into a `Page`; raises `ContentError` on what cannot be used."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(
            f"cannot read the file ({exc.strerror})", path=path, hint="check it exists"
        ) from None
    text, warnings = decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ContentError(
            "the file is empty", path=path, hint="write a title and some text, or delete it"
        )
    meta, body, body_line = split_front_matter(text, path)

    for key in meta:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.7)
            warnings.append(
                BuildWarning(
                    f"unknown front-matter key '{key}' is ignored",
                    path=path,
                    line=_meta_line(text, key),
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else f"known keys: {', '.join(KNOWN_KEYS)}",
                )
            )
    for key in KNOWN_KEYS:
        if key in meta:
            meta[key] = _text_field(meta, key, path, text)

    title = (meta.get("title") or "").strip()
    if not title:
        heading = _HEADING.search(body)
        if heading is None:
            what = "the file has only front matter" if not body.strip() else "no title"
            raise ContentError(
                f"{what}: no 'title' and no heading to use instead",
                path=path,
                line=1,
                hint="add 'title: …' to the front matter",
            )
        title = heading.group(2).strip()
        warnings.append(
            BuildWarning(
                f"no 'title' in the front matter; using the first heading '{title}'",
                path=path,
                line=body_line + body.count("\n", 0, heading.start()),
                hint="add 'title: …' to the front matter",
            )
        )
    if not body.strip():
        raise ContentError(
            "the page has no text after the front matter",
            path=path,
            line=body_line,
            hint="write the page's text below the closing '---'",
        )

    lang = _lang_from_name(path)
    source = "file name"
    if lang is None and isinstance(meta.get("lang"), str) and meta["lang"].strip():
        lang = meta["lang"].strip().lower().split("-")[0]
        source = "front matter"
    if lang is None:
        lang = detect_language(title + "\n" + body)
        source = "detected"
    return Page(
        path=path,
        root=root,
        lang=lang,
        lang_source=source,
        title=title,
        body=body,
        body_line=body_line,
        meta=meta,
        warnings=warnings,
    )


# --- finding ---------------------------------------------------------------


def _looks_like_page(path: Path) -> bool:
    if path.stem.split(".")[0].lower() in _SKIP_NAMES:
        return False
    if path.suffix.lower() != ".txt":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return True  # let read_page report it
    for bom, encoding in (
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode()
    head = head.removeprefix(codecs.BOM_UTF8).lstrip(b"\r\n")
    return head.startswith(b"---")


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield page files: files named on the command line, and pages found in folders."""
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            found = sorted(
                p
                for p in given.rglob("*")
                if p.suffix.lower() in PAGE_SUFFIXES
                and p.is_file()
                and not any(
                    part.startswith(".") or part.lower() in _SKIP_DIRS
                    for part in p.relative_to(given).parts[:-1]
                )
                and not p.name.startswith(".")
                and _looks_like_page(p)
            )
        else:
            found = [given]
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path


def content_root(paths: list[Path]) -> Path:
    """The folder holding `brochure.toml` above the first path, else that path's folder."""
    first = paths[0].resolve() if paths else Path.cwd()
    start = first if first.is_dir() else first.parent
    for folder in (start, *start.parents):
        if (folder / "brochure.toml").is_file():
            return folder
    return start


# --- pairing and slugs -----------------------------------------------------


def _hex_like(token: str) -> bool:
    return (
        len(token) >= 6
        and bool(re.fullmatch(r"[0-9a-f]+", token))
        and any(c.isdigit() for c in token)
    )


def meaningful(stem: str) -> bool:
    """A file name a person chose (not a hash, a number or 'index')."""
    if stem.lower() in _MEANINGLESS:
        return False
    tokens = [t for t in re.split(r"[\W_]+", stem.lower()) if t]
    return any(
        sum(c.isalpha() for c in t) >= 3 and not _hex_like(t) and t not in _MEANINGLESS
        for t in tokens
    )


def _slug_for(pages: list[Page]) -> str:
    english = [p for p in pages if p.lang == "en"]
    ordered = english + [p for p in pages if p.lang != "en"]
    for page in ordered:
        if meaningful(page.stem):
            return slugify(page.stem)
    for key in ("slug", "translationKey"):
        for page in ordered:
            value = page.meta.get(key)
            if isinstance(value, str) and slugify(value):
                return slugify(value)
    for page in english:
        if slugify(page.title):
            return slugify(page.title)
    for page in ordered:
        if page.hero and slugify(Path(page.hero).stem):
            return slugify(Path(page.hero).stem)
    return slugify(ordered[0].title) or "page"


class _Groups:
    """Union-find over page indices."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(b)] = self.find(a)


def pair(pages: list[Page]) -> tuple[list[Brochure], list[BuildWarning]]:
    """Group translations into brochures.

    Strong links first: the same `translationKey`, or Hugo's `name.<lang>.md` /
    `name/index.<lang>.md` in one folder. Then loose pages (like the seeds) that
    share a hero image are joined, but only where that is unambiguous: at most one
    page per language uses the image.
    """
    groups = _Groups(len(pages))
    first_by_key: dict[tuple[str, ...], int] = {}
    for i, page in enumerate(pages):
        keys: list[tuple[str, ...]] = []
        tkey = page.meta.get("translationKey")
        if isinstance(tkey, str) and tkey.strip():
            keys.append(("tk", tkey.strip()))
        if _lang_from_name(page.path) is not None:
            keys.append(("hugo", str(page.path.parent.resolve()), page.stem))
        for key in keys:
            if key in first_by_key:
                groups.union(first_by_key[key], i)
            else:
                first_by_key[key] = i

    def members() -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(pages)):
            out.setdefault(groups.find(i), []).append(i)
        return out

    by_hero: dict[tuple[str, str], list[int]] = {}
    for root, idxs in members().items():
        heroes = {
            (str(pages[i].path.parent.resolve()), Path(str(pages[i].hero)).name.lower())
            for i in idxs
            if pages[i].hero
        }
        for hero in heroes:
            by_hero.setdefault(hero, []).append(root)
    for roots in by_hero.values():
        if len(roots) < 2:
            continue
        langs = [[pages[i].lang for i in members()[groups.find(r)]] for r in roots]
        flat = [lang for group in langs for lang in group]
        if len(flat) == len(set(flat)):
            for root in roots[1:]:
                groups.union(roots[0], root)

    brochures: list[Brochure] = []
    warnings: list[BuildWarning] = []
    for idxs in members().values():
        by_lang: dict[str, Page] = {}
        for i in idxs:
            page = pages[i]
            if page.lang in by_lang:
                other = by_lang[page.lang]
                warnings.append(
                    BuildWarning(
                        f"two '{page.lang}' versions of one page; this one is built on its own",
                        path=page.path,
                        hint=f"the other is {other.path}; give them different translationKeys",
                    )
                )
                brochures.append(Brochure(slug=_slug_for([page]), pages={page.lang: page}))
                continue
            by_lang[page.lang] = page
        group = list(by_lang.values())
        brochures.append(Brochure(slug=_slug_for(group), pages=by_lang))
    brochures.sort(key=lambda b: (b.slug, str(next(iter(b.pages.values())).path)))
    return brochures, warnings
