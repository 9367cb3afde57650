"""Which characters the bundled fonts can draw, and text cleared of those they cannot.

The brochure names only bundled fonts (PT Sans and PT Serif, with DejaVu Sans and Noto
Emoji as fallbacks), so a character none of them has would be drawn by whatever
font the machine happens to have, or as an empty box ("tofu"). Such a character is
left out, and the page is told which.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from .assets import builtin_dir

FONT_FILES = (
    "PTSans-Regular.ttf",
    "PTSans-Bold.ttf",
    "PTSerif-Bold.ttf",
    "DejaVuSans.ttf",
    "NotoEmoji-Regular.ttf",
)


@cache
def covered() -> frozenset[int]:
    """Code points the bundled fonts (with the fallback) have a glyph for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for name in FONT_FILES:
        font = TTFont(builtin_dir("styles") / "fonts" / name, lazy=True)
        points.update(font.getBestCmap() or {})
        font.close()
    return frozenset(points)


def _visible(char: str) -> bool:
    """Letters, digits, punctuation and symbols need a glyph; spaces and controls do not."""
    return unicodedata.category(char)[0] in "LNPS"


def strip(text: str, missing: set[str] | None = None) -> str:
    """`text` without the visible characters no bundled font has (recorded in `missing`)."""
    if text.isascii():
        return text
    have = covered()
    lacking = {c for c in set(text) if ord(c) not in have and _visible(c)}
    if not lacking:
        return text
    if missing is not None:
        missing |= lacking
    return "".join(c for c in text if c not in lacking)


def describe(chars: set[str]) -> str:
    """`'💯' (U+1F4AF), '★' (U+2605)`."""
    return ", ".join(f"'{c}' (U+{ord(c):04X})" for c in sorted(chars))
