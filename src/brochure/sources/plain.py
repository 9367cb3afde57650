"""Plain folders and loose files: pages found by name, paired by Hugo-like names or a photo."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import limits, safety
from ..content import PAGE_SUFFIXES, Brochure, Page, lang_from_name
from ..errors import BuildWarning
from .base import Entry, Found, Groups, Site, Skipped, folder_resolver, meaningful, slug_for

_SKIP_DIRS = {"images", "static", "assets", "dist", "node_modules", "templates", "styles"}
_SKIP_NAMES = {"readme", "changelog", "license", "licence", "contributing", "notes"}


def _has_front_matter(path: Path, folder: Path | None = None) -> bool | None:
    """Whether the file starts with `---` or `+++` (after a BOM and blank lines); None if
    it cannot be read (reading it later reports why). `folder`: its folder, resolved."""
    roots = [folder or path.parent.resolve()]
    try:  # through the sandbox: a link to a file elsewhere is not opened here
        head = safety.read_bytes(path, roots, limits.PAGE_BYTES, head=64)
    except (OSError, safety.Refused):
        return None
    for bom, encoding in (
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode()
    head = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if not head:
        return None  # empty: reading it says so
    return head.startswith((b"---", b"+++"))


def is_page_file(path: Path) -> bool:
    """A Markdown or text file a folder scan takes for a page (README and the like are not)."""
    return (
        path.suffix.lower() in PAGE_SUFFIXES
        and not path.name.startswith(".")
        and path.stem.split(".")[0].lower() not in _SKIP_NAMES
    )


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield page files: files named on the command line, and pages found in folders."""
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            found = sorted(
                p
                for p in given.rglob("*")
                if is_page_file(p)
                and p.is_file()
                and not any(
                    part.startswith(".") or part.lower() in _SKIP_DIRS
                    for part in p.relative_to(given).parts[:-1]
                )
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


def find(site: Site, paths: list[Path]) -> Found:
    """Every page file under `paths`; files without front matter are not pages, unless named."""
    found = Found()
    named = {p.resolve() for p in paths if not p.is_dir()}
    root = site.root
    folders = folder_resolver()
    for path in discover(paths):
        folder = folders(path.parent)
        if (not named or path.resolve() not in named) and _has_front_matter(path, folder) is False:
            found.skipped.append(Skipped(path, "not a page: no front matter"))
            continue
        lang = lang_from_name(path)
        group = ("name", str(folder), _stem(path)) if lang else None
        found.entries.append(
            Entry(
                path,
                lang,
                "file name",
                group,
                image_dirs=(path.parent, path.parent / "images", root / "images", root),
                rooted_dirs=(root, root / "static"),
            )
        )
    return found


def _stem(path: Path) -> str:
    stem = path.name.split(".")[0]
    return path.parent.name if stem.lower() in ("index", "_index") else stem


def join_by_photo(pages: list[Page], groups: Groups) -> None:
    """Join loose pages (like the seeds) that share a hero image, where unambiguous.

    Only when at most one page per language uses the image, and the groups joined
    have no language twice.
    """
    members = groups.members()
    folders = folder_resolver()
    by_hero: dict[tuple[str, str], list[int]] = {}
    for root, idxs in members.items():
        heroes = {
            (str(folders(pages[i].path.parent)), Path(str(pages[i].hero)).name.lower())
            for i in idxs
            if pages[i].hero
        }
        for hero in heroes:
            by_hero.setdefault(hero, []).append(root)
    for roots in by_hero.values():
        if len(roots) < 2:
            continue
        members = groups.members()
        langs = [[pages[i].lang for i in members[groups.find(r)]] for r in roots]
        flat = [lang for group in langs for lang in group]
        if len(flat) == len(set(flat)):
            for root in roots[1:]:
                groups.union(roots[0], root)


def pair(pages: list[Page]) -> tuple[list[Brochure], list[BuildWarning]]:
    """Group loose pages into brochures (see `sources.group`), as a plain folder does."""
    from . import group

    for page in pages:
        if page.group is None and lang_from_name(page.path):
            page.group = ("name", str(page.path.parent.resolve()), _stem(page.path))
    brochures, warnings = group(pages, Site("plain", Path.cwd()))
    return brochures, warnings


__all__ = ["content_root", "discover", "find", "join_by_photo", "meaningful", "pair", "slug_for"]
