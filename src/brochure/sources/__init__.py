"""Content sources: the one place that decides what is a page, its language, which files are
translations of one page, its slug, and where its images are.

A site is recognised by its configuration above the folder brochure is pointed at
(Grav's `user/config/system.yaml`, Hugo's `hugo.toml`, `config.toml` or
`config/_default/`), so the site's root and its content folder give the same
brochures. Anything else is a plain folder (`plain.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..content import Brochure, Page, load, read_page
from ..errors import BrochureError, BuildWarning, ContentError, InternalError
from . import grav, hugo, plain
from .base import Entry, Groups, Site, Skipped, folder_resolver, slug_for

__all__ = ["Collection", "Site", "Skipped", "collect", "find_site", "group"]


def find_site(paths: list[Path]) -> Site:
    """The site holding the first path: the nearest Grav or Hugo root above it, else a folder.

    A plain folder's root is the folder holding `brochure.toml` (else the path's folder).
    """
    first = paths[0].resolve() if paths else Path.cwd()
    start = first if first.is_dir() else first.parent
    for folder in (start, *start.parents):
        user = grav.user_dir(folder)
        if user is not None:
            # A whole Grav install (…/user/pages) is rooted above its user folder.
            outer = grav.user_dir(folder.parent) if folder.parent != folder else None
            return grav.site(folder.parent if outer == folder else folder)
        if hugo.is_site(folder):
            return hugo.site(folder)
    return Site("plain", plain.content_root(paths))


def config_folder(site: Site, paths: list[Path]) -> Path:
    """Where `brochure.toml` is: the nearest above the first path, not above the site."""
    first = paths[0].resolve() if paths else Path.cwd()
    start = first if first.is_dir() else first.parent
    for folder in (start, *start.parents):
        if (folder / "brochure.toml").is_file():
            return folder
        if folder == site.root:
            break
    return site.root


@dataclass
class Collection:
    """The pages of a run, paired into brochures, and every file passed over and why."""

    site: Site
    pages: list[Page] = field(default_factory=list)
    brochures: list[Brochure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failures: list[BrochureError] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)
    found: int = 0  # page files looked at

    @property
    def unknown_keys(self) -> dict[str, list[Page]]:
        """Front-matter keys neither brochure nor a content system uses, with their pages."""
        out: dict[str, list[Page]] = {}
        for page in self.pages:
            for key in page.unknown:
                out.setdefault(key, []).append(page)
        return out


def _skip_reason(site: Site, entry: Entry, path: Path, body_empty: bool) -> str | None:
    if body_empty and path.name.split(".")[0] == "_index":
        return "no text (a section list)"
    if body_empty and site.kind == "grav":
        return "no text (a listing or modular page)"
    return None


def _read(site: Site, entry: Entry, collection: Collection) -> Page | None:
    try:
        source = load(entry.path, site.root)
    except BrochureError as exc:
        collection.failures.append(exc)
        return None
    if site.kind != "plain" and not source.has_front_matter:
        collection.skipped.append(Skipped(entry.path, "not a page: no front matter"))
        return None
    reason = (grav.skip(source) if site.kind == "grav" else None) or (
        hugo.skip(source) if site.kind == "hugo" else None
    )
    if site.kind == "plain" and source.meta.get("draft") is True:
        reason = "draft (draft: true)"
    reason = reason or _skip_reason(site, entry, entry.path, not source.body.strip())
    if reason:
        collection.skipped.append(Skipped(entry.path, reason))
        return None
    try:
        page = read_page(
            entry.path, site.root, source=source, lang=entry.lang, lang_source=entry.lang_source
        )
    except BrochureError as exc:
        collection.failures.append(exc)
        return None
    page.image_dirs = entry.image_dirs or page.image_dirs
    page.rooted_dirs = entry.rooted_dirs
    page.group = entry.group
    slug = page.meta.get("slug")
    page.slug_hint = slug if isinstance(slug, str) and slug.strip() else entry.slug
    if page.hero is None and entry.folder_images:
        page.hero_fallback = grav.folder_image(entry.path.parent, page.meta)
        page.hero_fallback_origin = "the first image in the page's folder"
    return page


def group(pages: list[Page], site: Site) -> tuple[list[Brochure], list[BuildWarning]]:
    """Pair translations into brochures.

    Files of one page by the site's layout (`Page.group`), or the same
    `translationKey`; in plain folders, loose pages that share a hero image too.
    """
    groups = Groups(len(pages))
    first_by_key: dict[tuple[str, ...], int] = {}
    for i, page in enumerate(pages):
        keys: list[tuple[str, ...]] = []
        tkey = page.meta.get("translationKey")
        if isinstance(tkey, str) and tkey.strip():
            keys.append(("tk", tkey.strip()))
        if page.group is not None:
            keys.append(page.group)
        for key in keys:
            if key in first_by_key:
                groups.union(first_by_key[key], i)
            else:
                first_by_key[key] = i
    if site.kind == "plain":
        plain.join_by_photo(pages, groups)

    preferred = tuple(dict.fromkeys((*(site.default_lang or "en",), *site.languages, "en")))
    brochures: list[Brochure] = []
    warnings: list[BuildWarning] = []
    for idxs in groups.members().values():
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
                brochures.append(
                    Brochure(slug=slug_for([page], preferred), pages={page.lang: page})
                )
                continue
            by_lang[page.lang] = page
        if site.languages:
            rank = {lang: n for n, lang in enumerate(site.languages)}
            by_lang = dict(sorted(by_lang.items(), key=lambda kv: rank.get(kv[0], len(rank))))
        brochures.append(Brochure(slug=slug_for(list(by_lang.values()), preferred), pages=by_lang))
    brochures.sort(key=lambda b: (b.slug, str(next(iter(b.pages.values())).path)))
    return brochures, warnings


def _selected(brochure: Brochure, paths: list[Path]) -> bool:
    wanted = [p.resolve() for p in paths]
    for page in brochure.pages.values():
        path = page.path.resolve()
        if any(path == w or path.is_relative_to(w) for w in wanted):
            return True
    return False


def collect(paths: list[Path]) -> Collection:
    """Find, read and pair every page under `paths` (for a site: the site's pages that lie
    under them, with their translations elsewhere in the site)."""
    site = find_site(paths)
    if site.kind == "grav":
        found = grav.find(site, paths)
    elif site.kind == "hugo":
        found = hugo.find(site, paths)
    else:
        found = plain.find(site, paths)
    collection = Collection(site=site, found=len(found.entries) + len(found.skipped))
    collection.skipped += found.skipped
    for entry in found.entries:
        try:
            page = _read(site, entry, collection)
        except Exception as exc:  # a bug met on one page: that page fails alone
            collection.failures.append(
                InternalError.from_exception(exc, "reading the page", entry.path)
            )
            continue
        if page is not None:
            collection.pages.append(page)
    _bodies(site, collection)
    brochures, warnings = group(collection.pages, site)
    if site.kind != "plain":
        # The whole site was read to find translations; keep what was asked for.
        wanted = list(paths)
        brochures = [b for b in brochures if _selected(b, wanted)]
        inside = {p.path for b in brochures for p in b.pages.values()}
        collection.pages = [p for p in collection.pages if p.path in inside]
        collection.skipped = [s for s in collection.skipped if _under(s.path, wanted)]
        collection.failures = [f for f in collection.failures if f.path and _under(f.path, wanted)]
        collection.found = (
            len(collection.pages) + len(collection.skipped) + len(collection.failures)
        )
        warnings = [w for w in warnings if w.path in inside]
    collection.warnings += warnings
    for page in collection.pages:
        collection.warnings += page.warnings
    _dedupe_slugs(brochures, collection)
    return collection


# Neither may scan past the next "[" or "<": on a line of thousands of "![" or "<img" a
# search from each would otherwise cost the line's length, squared.
_MD_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\(\s*(?:<([^>\n]+)>|([^\s)]+))")
_HTML_IMAGE = re.compile(r"<img\b[^<>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)


def _ref_index(pages: list[Page], site: Site) -> dict[str, list[Page]]:
    """Ways a Hugo `ref` may name a page: its path in the content folder, with or without
    the extension, and its bare name."""
    index: dict[str, list[Page]] = {}
    folders = folder_resolver()
    for page in pages:
        path = page.path.resolve()
        base = next(
            (d for d in site.content_dirs if path.is_relative_to(folders(d))), page.path.parent
        )
        relative = path.relative_to(folders(base)).as_posix()
        stem = relative.split(".")[0]
        for key in {relative, stem, stem.rsplit("/", 1)[-1], relative.rsplit("/", 1)[-1]}:
            index.setdefault(key.lower(), []).append(page)
        if stem.endswith("/index"):
            index.setdefault(stem.removesuffix("/index").lower(), []).append(page)
    return index


def _bodies(site: Site, collection: Collection) -> None:
    """Shortcodes rewritten, and the images the text shows found, once per page."""
    pages = list(collection.pages)
    index: dict[str, list[Page]] = {}

    def lookup() -> dict[str, list[Page]]:  # made when a page first names another (`ref`)
        if pages and not index:
            index.update(_ref_index(pages, site))
        return index

    for page in pages:
        try:
            _body(page, lookup, site)
        except Exception as exc:  # a bug met on one page: that page fails alone
            collection.failures.append(
                InternalError.from_exception(exc, "reading the page's text", page.path)
            )
            collection.pages.remove(page)


def _body(page: Page, lookup: Callable[[], dict[str, list[Page]]], site: Site) -> None:
    """One page's shortcodes rewritten and the images its text shows found; `lookup` gives
    the pages by the names a Hugo `ref` may use."""
    from .. import images, shortcodes

    def resolve(target: str, page: Page = page) -> str | None:
        key = target.split("#")[0].strip().strip("/").lower()
        index = lookup()
        found = index.get(key) or index.get(key.split(".")[0]) or []
        same = [p for p in found if p.lang == page.lang]
        return (same or found)[0].title if found else None

    result = shortcodes.expand(page.body, resolve, grav=site.kind == "grav")
    page.body = result.body
    if result.dropped:
        first = min(result.dropped.values())
        names = ", ".join(f"'{name}'" for name in result.dropped)
        page.warnings.append(
            BuildWarning(
                f"shortcode(s) {names} cannot be printed and are left out",
                path=page.path,
                line=page.body_line + first - 1,
                hint="nothing to do if the brochure reads well without them",
            )
        )
    _locate_images(page, images.locate)


def _locate_images(page: Page, locate: Any) -> None:

    body = page.body
    fences = [m.start() for m in _FENCE.finditer(body)]
    matches = sorted(
        [*_MD_IMAGE.finditer(body), *_HTML_IMAGE.finditer(body)], key=lambda m: m.start()
    )
    for match in matches:
        if sum(1 for f in fences if f < match.start()) % 2:
            continue  # inside a code block
        src = next(g for g in match.groups() if g)
        if src in page.body_images:
            continue
        line = page.body_line + body.count("\n", 0, match.start())
        markdown = match.re is _MD_IMAGE
        if "://" in src or src.startswith(("data:", "//")):
            if markdown:
                page.warnings.append(
                    BuildWarning(
                        f"image '{src}' is left out: brochure prints only images kept in the site",
                        path=page.path,
                        line=line,
                        hint="save the picture in the site and name the file instead",
                    )
                )
            continue
        name = unquote(src)
        try:
            path, warnings = locate(page, name, line, f"image '{name}'")
        except BrochureError as exc:
            page.warnings.append(
                BuildWarning(
                    f"{exc.message}; it is left out", path=page.path, line=line, hint=exc.hint
                )
            )
            continue
        page.body_images[src] = path
        page.body_images.setdefault(name, path)
        page.warnings += warnings
        if page.hero is None:  # the last resort: the first image the text shows that exists
            page.hero_fallback = name
            page.hero_fallback_origin = "the first image in the text"


def _under(path: Path, wanted: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == w.resolve() or resolved.is_relative_to(w.resolve()) for w in wanted)


def _dedupe_slugs(brochures: list[Brochure], collection: Collection) -> None:
    """Two brochures that would write the same files: the first is built, every other page
    of the others fails with a line naming what it collides with."""
    by_slug: dict[str, Brochure] = {}
    for brochure in brochures:
        kept = by_slug.get(brochure.slug)
        if kept is None:
            by_slug[brochure.slug] = brochure
            collection.brochures.append(brochure)
            continue
        first = next(iter(kept.pages.values())).path
        dropped = {id(p) for p in brochure.pages.values()}
        if _same_files(kept, brochure):
            # A copy of a page folder (Grav keeps both; its site shows one): built once.
            collection.warnings.append(
                BuildWarning(
                    f"the same page as {first.parent} (identical files); built once",
                    path=next(iter(brochure.pages.values())).path.parent,
                    hint="delete the copy from the site",
                )
            )
            collection.pages = [p for p in collection.pages if id(p) not in dropped]
            continue
        for page in brochure.pages.values():
            collection.failures.append(
                ContentError(
                    f"would write the same files as {first} (both are '{brochure.slug}')",
                    path=page.path,
                    hint="give one of them another file name or a 'slug:' in its front matter",
                )
            )
        collection.pages = [p for p in collection.pages if id(p) not in dropped]


def _same_files(a: Brochure, b: Brochure) -> bool:
    if a.langs != b.langs:
        return False
    try:
        return all(
            a.pages[lang].path.read_bytes() == b.pages[lang].path.read_bytes() for lang in a.langs
        )
    except OSError:
        return False


def unknown_keys_warning(collection: Collection) -> BuildWarning | None:
    """One line for every front-matter key brochure ignores, however many pages use it."""
    keys = collection.unknown_keys
    if not keys:
        return None
    first_key = next(iter(keys))
    first = keys[first_key][0]
    pages = {p.path for pages in keys.values() for p in pages}
    names = ", ".join(
        f"'{key}'" + (f" ({len(found)} pages)" if len(found) > 1 else "")
        for key, found in list(keys.items())[:8]
    )
    more = f" and {len(keys) - 8} more" if len(keys) > 8 else ""
    return BuildWarning(
        f"{len(keys)} front-matter key(s) that brochure does not use are ignored on "
        f"{len(pages)} page(s): {names}{more}",
        path=first.path,
        line=first.key_lines.get(first_key),
        hint="nothing to do if your site uses them; brochure reads the keys listed in "
        "docs/writing-pages.md",
    )
