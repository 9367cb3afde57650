"""Hugo sites: translations by content directory or by file name, bundles, drafts, static files.

The languages and their order come from the site's configuration (`hugo.toml`,
`config.toml`, … or `config/_default/`). With `languages.<lang>.contentDir`, the
pages of one language live in their own folder and are paired by their path inside
it; otherwise `name.<lang>.md` names the language and a file without one is in
`defaultContentLanguage` (English when unset), never a guess. `index.md` is a leaf
bundle (its images beside it); `_index.md` a section page, built only when it has
text. Only the content folders are read: `archetypes/`, `layouts/`, `themes/`,
`i18n/` and `data/` never hold pages.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml

from .. import yamlbounds
from ..content import LANG_CODE, PAGE_SUFFIXES, Source
from .base import Entry, Found, Site, Skipped
from .plain import is_page_file

CONFIG_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)


def config_files(folder: Path) -> list[Path]:
    """The site's configuration files in `folder`, in the order Hugo merges them."""
    files = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
    default = folder / "config" / "_default"
    if default.is_dir():
        files += sorted(
            p for p in default.iterdir() if p.suffix in (".toml", ".yaml", ".yml", ".json")
        )
    return files


def is_site(folder: Path) -> bool:
    """A Hugo site root: `hugo.*`, or `config.*` beside Hugo's folders, or `config/_default/`."""
    if any((folder / f"hugo.{ext}").is_file() for ext in ("toml", "yaml", "yml", "json")):
        return True
    if (folder / "config" / "_default").is_dir():
        return True
    has_config = any((folder / f"config.{e}").is_file() for e in ("toml", "yaml", "yml", "json"))
    hugo_dirs = ("content", "archetypes", "layouts", "themes")
    return has_config and sum((folder / d).is_dir() for d in hugo_dirs) >= 2


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yamlbounds.load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError):
        return {}
    return _lower(data) if isinstance(data, dict) else {}


def _lower(data: dict[str, Any]) -> dict[str, Any]:
    """Hugo's configuration keys are case-insensitive."""
    return {str(k).lower(): _lower(v) if isinstance(v, dict) else v for k, v in data.items()}


def read_config(root: Path) -> dict[str, Any]:
    """The merged configuration; `config/_default/languages.toml` holds `languages`."""
    merged: dict[str, Any] = {}
    for path in config_files(root):
        data = _parse(path)
        stem = path.stem.lower()
        if path.parent.name == "_default" and stem not in ("hugo", "config"):
            data = {stem: data}
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged.setdefault(key, value)
    return merged


def site(root: Path) -> Site:
    config = read_config(root)
    raw = config.get("languages")
    langs: list[tuple[float, str, dict[str, Any]]] = []
    if isinstance(raw, dict):
        for code, settings in raw.items():
            code = str(code).lower()
            if not LANG_CODE.match(code):
                continue
            settings = settings if isinstance(settings, dict) else {}
            weight = settings.get("weight", 0)
            langs.append((weight if isinstance(weight, int | float) else 0, code, settings))
    langs.sort(key=lambda item: (item[0] or float("inf"), item[1]))
    default = config.get("defaultcontentlanguage")
    default = str(default).lower() if isinstance(default, str) and default.strip() else "en"
    base_dir = config.get("contentdir") if isinstance(config.get("contentdir"), str) else "content"
    dirs: list[Path] = []
    for _, _, settings in langs:
        folder = settings.get("contentdir")
        if isinstance(folder, str) and folder.strip():
            dirs.append(root / folder.strip())
    if not dirs:
        dirs = [root / str(base_dir)]
    languages = tuple(code for _, code, _ in langs) or (default,)
    files = config_files(root)
    return Site("hugo", root, files[0] if files else None, languages, default, tuple(dirs))


def _language_dirs(site: Site, config: dict[str, Any]) -> dict[Path, str]:
    """Content folders that belong to one language (`languages.<lang>.contentDir`)."""
    raw = config.get("languages")
    out: dict[Path, str] = {}
    if isinstance(raw, dict):
        for code, settings in raw.items():
            if isinstance(settings, dict) and isinstance(settings.get("contentdir"), str):
                out[(site.root / settings["contentdir"].strip()).resolve()] = str(code).lower()
    return out


def _static_dirs(site: Site, config: dict[str, Any]) -> tuple[Path, ...]:
    raw = config.get("staticdir", "static")
    names = [raw] if isinstance(raw, str) else [x for x in raw if isinstance(x, str)]
    if not names:
        names = ["static"]
    return (*(site.root / n for n in names), site.root / "assets")


def _split_name(path: Path, site: Site) -> tuple[str, str | None]:
    """`massage.ru.md` → ("massage", "ru") when ru is one of the site's languages."""
    parts = path.name.split(".")
    if len(parts) >= 3 and parts[-2].lower() in site.languages:
        return ".".join(parts[:-2]), parts[-2].lower()
    return ".".join(parts[:-1]), None


def find(site: Site, paths: list[Path]) -> Found:
    found = Found()
    config = read_config(site.root)  # read once for the whole walk
    by_dir = _language_dirs(site, config)
    static = _static_dirs(site, config)
    for folder in dict.fromkeys(site.content_dirs):
        if not folder.is_dir():
            continue
        folder_lang = by_dir.get(folder.resolve())
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.suffix.lower() not in PAGE_SUFFIXES or not path.is_file():
                continue
            if any(part.startswith(".") for part in relative.parts):
                continue
            if not is_page_file(path):
                found.skipped.append(Skipped(path, "not a page: a README or notes file"))
                continue
            stem, lang = _split_name(path, site)
            source = "file name"
            if lang is None and folder_lang is not None:
                lang, source = folder_lang, "folder"
            elif lang is None:
                lang, source = site.default_lang, "site default"
            bundle = stem in ("index", "_index")
            where = relative.parent / stem if not bundle else relative.parent / f"({stem})"
            slug = path.parent.name if bundle else stem
            if stem == "_index" and relative.parent == Path():
                slug = "home"
            found.entries.append(
                Entry(
                    path,
                    lang,
                    source,
                    ("hugo", where.as_posix()),
                    slug=slug,
                    image_dirs=(path.parent, *static),
                    rooted_dirs=(
                        *static,
                        *((path.parent,) if bundle else ()),
                        *site.content_dirs,
                    ),
                )
            )
    return found


def skip(source: Source) -> str | None:
    """Why a Hugo page file is not built, if it is not."""
    meta = source.meta
    if meta.get("draft") is True or str(meta.get("draft")).lower() == "true":
        return "draft (draft: true)"
    if meta.get("headless") is True:
        return "headless bundle"
    build = meta.get("build") or meta.get("_build")
    if isinstance(build, dict) and str(build.get("render", "")).lower() in ("never", "false"):
        return "not rendered (build.render: never)"
    return None
