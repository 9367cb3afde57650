"""Read one page file: encodings, front matter (YAML or TOML), keys, title and language."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits, safety
from .errors import BuildWarning, ContentError, closest, did_you_mean
from .pagefile import decode, key_lines, split_front_matter

PAGE_SUFFIXES = (".md", ".markdown", ".txt")
_SKIP_DIRS = {"images", "static", "assets", "dist", "node_modules", "templates", "styles"}
_SKIP_NAMES = {"readme", "changelog", "license", "licence", "contributing", "notes"}
_MEANINGLESS = {"index", "_index", "page", "untitled", "document", "new", "text", "file", "copy"}
# brochure's own keys: one line of text each, but for the whole numbers of _NUMBER_KEYS.
KNOWN_KEYS = (
    "title",
    "hero_image",
    "lang",
    "slug",
    "translationKey",
    "description",
    "hero_alt",
    "url",
    "fit",
)
# Where content systems keep a page's header photo, in the order brochure looks.
HERO_KEYS = (
    "hero_image",
    "image",
    "images",
    "featured_image",
    "featureImage",
    "cover",
    "thumbnail",
)
# Keys Hugo and Grav (and their common themes) write: read quietly, used or not.
CMS_KEYS = frozenset(
    {
        # Hugo
        "date",
        "lastmod",
        "publishDate",
        "expiryDate",
        "draft",
        "weight",
        "tags",
        "categories",
        "series",
        "menu",
        "menus",
        "aliases",
        "summary",
        "keywords",
        "type",
        "layout",
        "subtitle",
        "author",
        "authors",
        "linkTitle",
        "toc",
        "params",
        "build",
        "cascade",
        "headless",
        "isCJKLanguage",
        "markup",
        "outputs",
        "resources",
        "sitemap",
        "comments",
        "math",
        "showToc",
        "hidemeta",
        "ShowToc",
        "TocOpen",
        "disableShare",
        "featured",
        "hideSummary",
        "searchHidden",
        "ShowReadingTime",
        "ShowBreadCrumbs",
        "ShowPostNavLinks",
        "ShowWordCount",
        "UseHugoToc",
        "audio",
        "videos",
        "icon",
        "pinned",
        "translationKey",
        "slug",
        "url",
        "description",
        "title",
        "lang",
        # Grav
        "published",
        "visible",
        "routable",
        "taxonomy",
        "media_order",
        "template",
        "process",
        "header_image",
        "header_image_alt_text",
        "header_image_credit",
        "header_image_creditlink",
        "metadata",
        "content",
        "child_type",
        "cache_enable",
        "access",
        "login",
        "feed",
        "body_classes",
        "redirect",
        "external_url",
        "unpublish_date",
        "publish_date",
        "twig_first",
        "never_cache_twig",
        "order_by",
        "order_dir",
        "order_manual",
        "onpage_menu",
        "hide_git_sync_repo_link",
        "debugger",
        "append_url_extension",
        "ssl",
        "form",
        "modular_content",
        "show_sidebar",
        "show_breadcrumbs",
        "show_pagination",
        "hero_classes",
        "hero_align",
        "blog_url",
        "continue_link",
        "hide_from_post_list",
        "position",
    }
    | set(HERO_KEYS)
)
_NUMBER_KEYS = ("fit",)  # whole numbers, not text
_LANG_RE = re.compile(r"^[a-z]{2}$")  # ISO 639-1: name.ru.md, index.en.md
LANG_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})?$")  # a language code, as in a file name
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
# Linear on any line: the closing #s are stripped afterwards, not by backtracking.
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+)$", re.MULTILINE)


@dataclass
class Page:
    """One Markdown file in one language."""

    path: Path
    root: Path
    lang: str
    lang_source: str  # "file name", "front matter", "folder", "site default" or "detected"
    title: str
    body: str
    body_line: int  # line of the file on which `body` starts
    meta: dict[str, Any]
    warnings: list[BuildWarning] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> its line
    unknown: list[str] = field(default_factory=list)  # keys neither brochure nor a CMS uses
    # Set by the content source: where images named by the page are looked for.
    image_dirs: tuple[Path, ...] = ()  # for a relative name ("photo.jpg")
    rooted_dirs: tuple[Path, ...] = ()  # for a site-absolute name ("/images/photo.jpg")
    hero_fallback: str | None = None  # a photo found by the site's convention, not named
    hero_fallback_origin: str = ""
    group: tuple[str, ...] | None = None  # the source's pairing key
    slug_hint: str | None = None  # the source's slug for the page
    body_images: dict[str, Path] = field(default_factory=dict)  # name as written -> file

    @property
    def hero_key(self) -> str | None:
        """The front-matter key that names the header photo."""
        for key in HERO_KEYS:
            if _image_ref(self.meta.get(key)) is not None:
                return key
        return None

    @property
    def hero(self) -> str | None:
        key = self.hero_key
        if key is not None:
            return _image_ref(self.meta.get(key))
        return self.hero_fallback

    @property
    def hero_origin(self) -> str:
        """How the hero was chosen, for messages: "hero_image", "image", "first image …"."""
        return self.hero_key or self.hero_fallback_origin

    @property
    def hero_line(self) -> int | None:
        key = self.hero_key
        return self.key_lines.get(key) if key else None

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
    def fit(self) -> int | None:
        """The most pages this page's PDFs may have (front matter `fit:`), if it says."""
        value = self.meta.get("fit")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def hero_alt(self) -> str:
        value = self.meta.get("hero_alt")
        if isinstance(value, str) and value.strip():
            return value.strip()
        cover = self.meta.get("cover")
        if self.hero_key == "cover" and isinstance(cover, dict):
            alt = cover.get("alt")
            if isinstance(alt, str) and alt.strip():
                return alt.strip()
        return self.title

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


def _image_ref(value: Any) -> str | None:
    """An image named by a front-matter value: text, the first of a list, or `{image: …}`."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("image") or value.get("src")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


@dataclass
class Brochure:
    """One page in all its languages: the unit every output is made from."""

    slug: str
    pages: dict[str, Page]  # language -> page, in discovery order

    @property
    def langs(self) -> list[str]:
        return list(self.pages)


# --- reading ---------------------------------------------------------------


def detect_language(text: str) -> str:
    """Cyrillic letters outnumbering Latin ones mean Russian; otherwise English."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ru" if cyrillic > latin else "en"


def lang_from_name(path: Path) -> str | None:
    """`name.ru.md` → "ru" (two letters before the extension), else None."""
    suffixes = path.suffixes
    if len(suffixes) >= 2 and _LANG_RE.match(suffixes[-2][1:].lower()):
        return suffixes[-2][1:].lower()
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a yes/no value ({value!r})"
    if isinstance(value, int | float):
        return f"a number ({safety.shown(value)})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, list):
        return f"a list ({safety.shown(value)})"
    if isinstance(value, dict):
        return "a set of keys"
    return f"a {type(value).__name__}"


# The longest text each of brochure's keys may hold, in characters (limits.py).
_KEY_LIMITS = {
    "title": limits.TITLE_CHARS,
    "description": limits.DESCRIPTION_CHARS,
    "hero_alt": limits.DESCRIPTION_CHARS,
    "hero_image": limits.PATH_CHARS,
    "url": limits.URL_CHARS,
    "lang": limits.KEY_CHARS,
    "slug": limits.KEY_CHARS,
    "translationKey": limits.KEY_CHARS,
}


def _text_field(meta: dict[str, Any], key: str, path: Path, lines: dict[str, int]) -> str | None:
    value = meta.get(key)
    if isinstance(value, str) and len(value) > _KEY_LIMITS.get(key, len(value)):
        raise ContentError(
            f"'{key}' is {len(value)} characters long; at most {_KEY_LIMITS[key]}",
            path=path,
            line=lines.get(key),
            hint="shorten it" + (" (put the rest in the text)" if key == "title" else ""),
        )
    if value is None or isinstance(value, str):
        return value
    raise ContentError(
        f"'{key}' must be text, got {_describe(value)}",
        path=path,
        line=lines.get(key),
        hint=f'put the value in quotes: {key}: "…"',
    )


def _pages_field(meta: dict[str, Any], key: str, path: Path, lines: dict[str, int]) -> None:
    """`fit: 3`: a whole number of pages from 1 to 99."""
    value = meta.get(key)
    if value is None or (
        isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100
    ):
        return
    raise ContentError(
        f"'{key}' must be a whole number of pages from 1 to 99, got {value!r}",
        path=path,
        line=lines.get(key),
        hint=f"write {key}: 2",
    )


@dataclass
class Source:
    """A page file read and split, before anything is decided about it."""

    path: Path
    text: str
    meta: dict[str, Any]
    body: str
    body_line: int
    has_front_matter: bool
    warnings: list[BuildWarning]


def load(path: Path, root: Path | None = None) -> Source:
    """Read and decode a file and split off its front matter; `ContentError` if unusable.

    Read through the sandbox: a page that is a link to a file outside `root` (default:
    its own folder) is refused without being opened; so is one past `limits.PAGE_BYTES`.
    """
    try:
        data = safety.read_bytes(path, [(root or path.parent).resolve()], limits.PAGE_BYTES)
    except safety.Refused as exc:
        outside = "outside" in str(exc)
        raise ContentError(
            "the page is a link to a file outside the content folder"
            if outside
            else f"cannot read the page: {exc}",
            path=path,
            hint="copy the page into the content folder instead of linking to it"
            if outside
            else "split it into several pages",
        ) from None
    except OSError as exc:
        raise ContentError(
            f"cannot read the file ({exc.strerror})",
            path=path,
            hint="check it exists and you may read it (its permissions)",
        ) from None
    text, warnings = decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ContentError(
            "the file is empty", path=path, hint="write a title and some text, or delete it"
        )
    meta, body, body_line = split_front_matter(text, path)
    return Source(path, text, meta, body, body_line, body_line > 1, warnings)


def read_page(
    path: Path,
    root: Path,
    *,
    source: Source | None = None,
    lang: str | None = None,
    lang_source: str = "",
) -> Page:
    """Read one page file into a `Page`; raises `ContentError` on what cannot be used.

    `lang` is the language the content source gave the file (its folder or its name);
    without one, the file name, then `lang:` in the front matter, then the text decide.
    """
    src = source or load(path)
    meta, body, body_line, text = dict(src.meta), src.body, src.body_line, src.text
    warnings = list(src.warnings)
    lines = key_lines(text, body_line)

    unknown: list[str] = []
    for key in meta:
        if key in KNOWN_KEYS or key in CMS_KEYS:
            continue
        if closest(key, KNOWN_KEYS, cutoff=0.8) is not None:
            warnings.append(
                BuildWarning(
                    f"unknown front-matter key '{key}' is ignored",
                    path=path,
                    line=lines.get(key),
                    hint=did_you_mean(key, KNOWN_KEYS, cutoff=0.8),
                )
            )
        else:
            unknown.append(key)
    for key in KNOWN_KEYS:
        if key in _NUMBER_KEYS:
            _pages_field(meta, key, path, lines)
        elif key in meta:
            meta[key] = _text_field(meta, key, path, lines)
    _check_values(meta, path, lines, warnings)

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
        title = heading.group(2).rstrip(" \t#").strip() or heading.group(2).strip()
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

    source_name = lang_source or "file name"
    if lang is None:
        lang = lang_from_name(path)
    if lang is None and isinstance(meta.get("lang"), str) and meta["lang"].strip():
        code = meta["lang"].strip().lower().replace("_", "-").split("-")[0]
        if not LANG_CODE.match(code):
            raise ContentError(
                "'lang' must be a language code such as en or ru, got "
                f"{safety.shown(meta['lang'].strip())}",
                path=path,
                line=lines.get("lang"),
                hint="write lang: en (two or three letters)",
            )
        lang, source_name = code, "front matter"
    if lang is None:
        lang, source_name = detect_language(title + "\n" + body), "detected"
    return Page(
        path=path,
        root=root,
        lang=lang,
        lang_source=source_name,
        title=title,
        body=body,
        body_line=body_line,
        meta=meta,
        warnings=warnings,
        key_lines=lines,
        unknown=unknown,
        image_dirs=(path.parent, path.parent / "images", root / "images", root),
        rooted_dirs=(root, root / "static"),
    )


def _check_values(
    meta: dict[str, Any], path: Path, lines: dict[str, int], warnings: list[BuildWarning]
) -> None:
    """Values that name files or links: a file name of a sensible length, a web address."""
    hero = meta.get("hero_image")
    if isinstance(hero, str):
        longest = max((len(part) for part in re.split(r"[/\\]", hero)), default=0)
        if longest > limits.FILE_NAME_CHARS or "\0" in hero:
            raise ContentError(
                f"'hero_image' names a file of {longest} characters; file names have at most "
                f"{limits.FILE_NAME_CHARS}",
                path=path,
                line=lines.get("hero_image"),
                hint="rename the image to a short name and write that",
            )


def unreadable_folders(paths: Iterable[Path]) -> list[BuildWarning]:
    """A warning for each folder under `paths` that cannot be listed (its pages are skipped)."""
    warnings: list[BuildWarning] = []

    def complain(error: OSError) -> None:
        warnings.append(
            BuildWarning(
                f"cannot read this folder ({error.strerror}); its pages are skipped",
                path=Path(error.filename) if error.filename else None,
                hint="check the folder's permissions",
            )
        )

    for given in paths:
        if not given.is_dir():
            continue
        for folder, dirs, _ in os.walk(given, onerror=complain):
            dirs[:] = [
                d
                for d in sorted(dirs)
                if not d.startswith(".")
                and d.lower() not in _SKIP_DIRS
                and not Path(folder, d).is_symlink()
            ]
    return warnings
