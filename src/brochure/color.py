"""Colours for the screen (sRGB) and for the print shop's presses (CMYK, FOGRA39).

One CMYK profile, `styles/color/brochure-fogra39.icc`, does every conversion: photos and
brand colours go through it with the relative colorimetric intent and black-point
compensation. Near-neutral colours (greys, near-black text) are printed in black ink alone,
at the lightness the profile gives them: grey text stays sharp on a press whose plates are
a hair out of register, and black text is 0/0/0/100. The profile limits total ink to 300 %;
a colour given in CMYK must keep to that limit too.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageCms

from .assets import builtin_dir

PROFILE_NAME = "brochure-fogra39.icc"
OUTPUT_CONDITION = "FOGRA39"
OUTPUT_CONDITION_TEXT = (
    "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = "
    "coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)"
)
REGISTRY = "http://www.color.org"
MAX_INK = 3.0  # total ink, 300 %
NEUTRAL_CHROMA = 6.0  # CIELAB chroma below which a colour prints in black ink alone

RGB = tuple[int, int, int]
CMYK = tuple[float, float, float, float]  # each 0…1

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NUMBER = r"\s*(\d+(?:\.\d+)?)(%?)\s*"
_CMYK = re.compile(rf"^cmyk\({_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}\)$", re.IGNORECASE)


def profile_path() -> Path:
    """The CMYK profile shipped with brochure."""
    return builtin_dir("styles") / "color" / PROFILE_NAME


@dataclass(frozen=True)
class Colour:
    """A colour from `brochure.toml`: sRGB always, CMYK when it was given in CMYK."""

    rgb: RGB
    cmyk: CMYK | None = None

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    def for_print(self) -> CMYK:
        """Its CMYK values: as given, else converted through the profile."""
        return self.cmyk if self.cmyk is not None else to_cmyk(self.rgb)


def parse(text: str) -> Colour:
    """`#rgb`, `#rrggbb` or `cmyk(c, m, y, k)` (percentages, or fractions of 1).

    Raises ValueError with what is wrong.
    """
    text = text.strip()
    if _HEX.match(text):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return Colour((int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)))
    match = _CMYK.match(text)
    if not match:
        raise ValueError("not a colour")
    values = []
    for number, percent in zip(match.groups()[::2], match.groups()[1::2], strict=True):
        value = float(number) / (100 if percent else 1)
        if value > 1:
            raise ValueError(f"an ink of {value * 100:.0f} %, over 100 %")
        values.append(value)
    cmyk = (values[0], values[1], values[2], values[3])
    if sum(cmyk) > MAX_INK + 1e-9:
        raise ValueError(
            f"{sum(cmyk) * 100:.0f} % total ink, over the {MAX_INK * 100:.0f} % a print shop allows"
        )
    return Colour(to_rgb(cmyk), cmyk)


def css(colour: Colour, cmyk: bool) -> str:
    """The colour as CSS: hex for the screen, `device-cmyk()` for the press."""
    if not cmyk:
        return colour.hex
    return "device-cmyk({:.4g} {:.4g} {:.4g} {:.4g})".format(*colour.for_print())


@cache
def _profiles() -> tuple[ImageCms.ImageCmsProfile, ImageCms.ImageCmsProfile]:
    from PIL import ImageCms  # Pillow only when a colour is separated

    return ImageCms.ImageCmsProfile(str(profile_path())), ImageCms.ImageCmsProfile(
        ImageCms.createProfile("sRGB")
    )


@cache
def _transform(source: str, target: str) -> ImageCms.ImageCmsTransform:
    from PIL import ImageCms

    cmyk, srgb = _profiles()
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB", 5000))
    spaces = {"RGB": srgb, "CMYK": cmyk, "LAB": lab}
    return ImageCms.buildTransform(
        spaces[source],
        spaces[target],
        source,
        target,
        ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def image_to_cmyk(image: Image.Image) -> Image.Image:
    """An sRGB image separated for the press (relative colorimetric, black-point compensation)."""
    from PIL import ImageCms

    converted = ImageCms.applyTransform(image.convert("RGB"), _transform("RGB", "CMYK"))
    assert converted is not None
    return converted


def _pixel(mode: str, value: tuple[int, ...], target: str) -> tuple[int, ...]:
    from PIL import Image, ImageCms

    image = ImageCms.applyTransform(Image.new(mode, (1, 1), value), _transform(mode, target))
    assert image is not None
    pixel = image.getpixel((0, 0))
    assert isinstance(pixel, tuple)
    return tuple(int(v) for v in pixel)


def _lab(cmyk: tuple[int, ...]) -> tuple[float, float, float]:
    """CIELAB (D50) of 8-bit CMYK values, L in 0…100."""
    lab = _pixel("CMYK", cmyk, "LAB")
    # Pillow's LAB mode (lcms's 8-bit Lab): L 0…255 for 0…100, a and b offset by 128.
    return lab[0] * 100 / 255, float(lab[1] - 128), float(lab[2] - 128)


@cache
def _black_ramp() -> list[float]:
    """L* of black ink alone at each of 256 levels, darkest first (for bisect)."""
    return [_lab((0, 0, 0, k))[0] for k in range(255, -1, -1)]


@cache
def to_cmyk(rgb: RGB) -> CMYK:
    """An sRGB colour separated for the press; near-neutrals in black ink alone."""
    separated = _pixel("RGB", rgb, "CMYK")
    lightness, a, b = _lab(separated)
    if (a * a + b * b) ** 0.5 >= NEUTRAL_CHROMA:
        c, m, y, k = separated
        return (c / 255, m / 255, y / 255, k / 255)
    ramp = _black_ramp()  # increasing L*: index 0 is 100 % black
    index = bisect.bisect_left(ramp, lightness)
    if index == 0:
        return (0.0, 0.0, 0.0, 1.0)
    if index >= len(ramp):
        return (0.0, 0.0, 0.0, 0.0)
    low, high = ramp[index - 1], ramp[index]
    level = index - 1 + ((lightness - low) / (high - low) if high > low else 0.0)
    return (0.0, 0.0, 0.0, round(1 - level / 255, 4))


@cache
def to_rgb(cmyk: CMYK) -> RGB:
    """CMYK values as the sRGB colour a screen shows for them."""
    r, g, b = _pixel("CMYK", tuple(round(v * 255) for v in cmyk), "RGB")
    return (r, g, b)


def lab_to_cmyk(lab: tuple[float, float, float]) -> CMYK:
    """A CIELAB (D50) colour separated for the press."""
    lightness, a, b = lab
    value = (
        max(0, min(255, round(lightness * 255 / 100))),
        max(0, min(255, round(a) + 128)),
        max(0, min(255, round(b) + 128)),
    )
    c, m, y, k = _pixel("LAB", value, "CMYK")
    return (c / 255, m / 255, y / 255, k / 255)
