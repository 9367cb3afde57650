"""Locate the built-in templates, styles and fonts, and a content repo's overrides."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """The built-in `templates` or `styles` folder.

    A wheel carries them under `brochure/_assets/`; a source checkout (editable
    install) keeps them at the top of the repository.
    """
    for candidate in (_PACKAGE / "_assets" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"brochure is installed without its {name}/ folder")


def readable(root: Path) -> list[Path]:
    """What a renderer may read for the content folder `root`: that folder and brochure's
    styles (fonts included)."""
    return [root.resolve(), builtin_dir("styles")]
