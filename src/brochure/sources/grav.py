"""Grav sites: one page per folder of `user/pages`, one file per language, whatever its template.

`user/pages/02.services/01.laser/item.ru.md` is the Russian version of the page
`laser`; `default.en.md` in the same folder is its English version, although it
names another template. A file without a language is in `languages.default_lang`
(else the first of `languages.supported`). Folders whose name starts with `_` are
the parts of a modular page and are not pages of their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .. import yamlbounds
from ..content import LANG_CODE, Source
from .base import Entry, Found, Site, Skipped
from .plain import is_page_file

_ORDER_PREFIX = re.compile(r"^\d+\.")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")


def user_dir(folder: Path) -> Path | None:
    """`folder/user` of a Grav install, or `folder` itself when it is a versioned `user/`."""
    for candidate in (folder / "user", folder):
        if (candidate / "config" / "system.yaml").is_file() and (candidate / "pages").is_dir():
            return candidate
    if (folder / "user" / "pages").is_dir() and (folder / "user" / "config").is_dir():
        return folder / "user"
    return None


def site(root: Path) -> Site:
    """Read the languages from `user/config/system.yaml`."""
    user = user_dir(root)
    assert user is not None
    config = user / "config" / "system.yaml"
    languages: tuple[str, ...] = ()
    default: str | None = None
    try:
        data: Any = (
            yamlbounds.load(config.read_text(encoding="utf-8-sig")) if config.is_file() else {}
        )
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError):
        data = {}
    section = data.get("languages") if isinstance(data, dict) else None
    if isinstance(section, dict):
        supported = section.get("supported")
        if isinstance(supported, list):
            languages = tuple(
                str(x).strip().lower() for x in supported if LANG_CODE.match(str(x).strip().lower())
            )
        value = section.get("default_lang")
        if isinstance(value, str) and LANG_CODE.match(value.strip().lower()):
            default = value.strip().lower()
    if default is None and languages:
        default = languages[0]
    return Site(
        "grav",
        root,
        config if config.is_file() else None,
        languages,
        default,
        (user / "pages",),
    )


def _lang(path: Path, site: Site) -> str | None:
    parts = path.name.split(".")
    if len(parts) >= 3:
        code = parts[-2].lower()
        if code in site.languages or (not site.languages and LANG_CODE.match(code)):
            return code
    return None


def find(site: Site, paths: list[Path]) -> Found:
    """Every page file under `user/pages`; modular parts are passed over."""
    found = Found()
    pages = site.content_dirs[0]
    user = pages.parent
    for path in sorted(pages.rglob("*.md")):
        relative = path.relative_to(pages)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if not is_page_file(path) and path.name.split(".")[0].lower() != "default":
            found.skipped.append(Skipped(path, "not a page: a README or notes file"))
            continue
        if any(part.startswith("_") for part in relative.parts[:-1]):
            found.skipped.append(Skipped(path, "a part of a modular page"))
            continue
        lang = _lang(path, site)
        source = "file name"
        if lang is None and site.default_lang:
            lang, source = site.default_lang, "site default"
        folder = path.parent
        name = _ORDER_PREFIX.sub("", folder.name) if folder != pages else "home"
        found.entries.append(
            Entry(
                path,
                lang,
                source,
                ("grav", relative.parent.as_posix()),
                slug=name,
                image_dirs=(folder,),
                rooted_dirs=(site.root, user),
                folder_images=True,
            )
        )
    return found


def skip(source: Source) -> str | None:
    """Why a Grav page file is not built, if it is not."""
    if source.meta.get("published") is False:
        return "unpublished (published: false)"
    return None


def folder_image(folder: Path, meta: dict[str, Any]) -> str | None:
    """The first image in a page's folder, in `media_order` when the page sets one."""
    try:
        images = sorted(
            p.name for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        )
    except OSError:
        return None
    order = meta.get("media_order")
    if isinstance(order, str):
        order = [x.strip() for x in order.split(",")]
    if isinstance(order, list):
        for name in order:
            if isinstance(name, str) and name in images:
                return name
    return images[0] if images else None
