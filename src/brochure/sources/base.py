"""What every content source hands on: the site, page entries, skipped files, slugs, groups."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from ..content import Page

_MEANINGLESS = {"index", "_index", "page", "untitled", "document", "new", "text", "file", "copy"}


@dataclass(frozen=True)
class Site:
    """The content tree brochure was pointed at, as its content system lays it out."""

    kind: str  # "grav", "hugo" or "plain"
    root: Path  # the site's root: every file brochure reads lies below it
    config_file: Path | None = None  # system.yaml, hugo.toml, … (None for plain folders)
    languages: tuple[str, ...] = ()  # in the site's configured order
    default_lang: str | None = None  # the language of a file whose name names none
    content_dirs: tuple[Path, ...] = ()  # where pages are looked for

    @property
    def label(self) -> str:
        return {"grav": "Grav site", "hugo": "Hugo site"}.get(self.kind, "folder")


@dataclass(frozen=True)
class Entry:
    """A file a source takes for a page, with what its place in the tree says."""

    path: Path
    lang: str | None  # None: decided by the file (front matter, then its text)
    lang_source: str  # "file name", "folder" or "site default"
    group: tuple[str, ...] | None  # files with the same group are one page's translations
    slug: str | None = None  # the source's name for the page (Grav's folder, Hugo's path)
    image_dirs: tuple[Path, ...] = ()  # a relative image name is looked for here, in order
    rooted_dirs: tuple[Path, ...] = ()  # a site-absolute name ("/images/a.jpg") here
    folder_images: bool = False  # Grav: the first image in the page's folder is its photo


@dataclass(frozen=True)
class Skipped:
    """A file that is not built, and why (printed in the summary)."""

    path: Path
    reason: str  # "draft", "unpublished", "no text", "not a page", "modular part", …
    quiet: bool = True  # counted in the summary only; False: also a warning line


@dataclass
class Found:
    """What a source found: entries to read and files it passed over."""

    entries: list[Entry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


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


def slug_for(pages: list[Page], preferred: tuple[str, ...] = ("en",)) -> str:
    """The file-name part of a brochure's outputs.

    The name the source gave the page (its `slug:`, else Grav's folder or Hugo's file
    or bundle), else a meaningful file name, else the English title, else the
    hero's file name; pages in the preferred languages are asked first.
    """
    rank = {lang: i for i, lang in enumerate(preferred)}
    ordered = sorted(pages, key=lambda p: rank.get(p.lang, len(rank)))
    english = [p for p in ordered if p.lang == "en"]
    for page in ordered:
        if page.slug_hint and slugify(page.slug_hint):
            return slugify(page.slug_hint)
    for page in english + [p for p in ordered if p.lang != "en"]:
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


def folder_resolver() -> Callable[[Path], Path]:
    """`Path.resolve`, remembered for the length of one walk: a walk reads hundreds of files
    in a few folders, and each resolve costs a system call per part of the path."""
    known: dict[Path, Path] = {}

    def resolve(folder: Path) -> Path:
        found = known.get(folder)
        if found is None:
            found = known[folder] = folder.resolve()
        return found

    return resolve


class Groups:
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

    def members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return out
