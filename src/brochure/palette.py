"""Screen colours from the clinic's two: text that stays readable on white, and light tints.

A clinic may choose a pale primary colour that prints well as a band but is unreadable as
text on a screen; the catalogue darkens it just enough to reach the WCAG contrast ratio
(4.5:1 for text, 3:1 for the focus ring), in steps of 5 % towards black.
"""

from __future__ import annotations


def rgb(color: str) -> tuple[int, int, int]:
    """`#1f5f66` or `#fc0` as (r, g, b)."""
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(color: str, other: str, amount: float) -> str:
    """`color` moved `amount` (0–1) of the way to `other`."""
    pairs = zip(rgb(color), rgb(other), strict=True)
    return "#" + "".join(f"{round(a + (b - a) * amount):02x}" for a, b in pairs)


def contrast(color: str, other: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(c: str) -> float:
        parts = [v / 255 for v in rgb(c)]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in parts]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(color), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(color: str, ratio: float) -> str:
    """`color`, darkened just enough to reach `ratio` against white."""
    step = 0
    while step < 20 and contrast(mix(color, "#000000", step / 20)) < ratio:
        step += 1
    return mix(color, "#000000", step / 20)


def palette(primary: str, accent: str) -> dict[str, str]:
    """The catalogue's colours: readable primary and accent, a darker ink, three tints."""
    ink = readable(primary, 4.5)
    return {
        "primary": ink,
        "accent": readable(accent, 3.0),
        "dark": mix(ink, "#000000", 0.25),
        "tint": mix(primary, "#ffffff", 0.9),
        "line": mix(primary, "#ffffff", 0.75),
        "page": mix(primary, "#ffffff", 0.95),
    }
