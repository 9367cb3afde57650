"""One PDF to make, and its file name, made only from validated parts.

Both the run (`build.py`) and the workers (`worker.py`) use `Target`; keeping it here
means neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import safety
from .content import Brochure
from .profiles import DEFAULT

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Target:
    """One PDF to make."""

    brochure: Brochure
    langs: tuple[str, ...]
    size: str
    layout: str
    path: Path
    profile: str = DEFAULT


def output_name(slug: str, langs: Sequence[str], size: str) -> str:
    """`hair.en.a4.pdf`: a slug, language codes and a size, each checked, never a path."""
    if not _SLUG.fullmatch(slug) or not all(safety.valid_lang(lang) for lang in langs):
        raise ValueError(f"not a valid output name: {safety.shown([slug, *langs])}")
    if not _SLUG.fullmatch(size):
        raise ValueError(f"not a valid paper size: {safety.shown(size)}")
    return f"{slug}.{'-'.join(langs)}.{size}.pdf"


def inside_output(path: Path, out: Path) -> bool:
    """Whether a path to be written lies inside the output folder (links resolved)."""
    try:
        return path.parent.resolve().is_relative_to(out.resolve()) and path.name not in (
            "",
            ".",
            "..",
        )
    except (OSError, RuntimeError):
        return False
