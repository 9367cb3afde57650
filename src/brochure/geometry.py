"""Page geometry: the paper sizes, their margins and frames, and the layouts.

The one place that knows how big a page is. Templates read it through `PageSize`;
imposition (`booklet.py`), figures in the text (`compose.py`) and copyfitting
(`fit.py`) derive their measures from it. Imports nothing heavy: the command line
builds its choices from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class PageSize:
    """Geometry of one paper size (millimetres); the type scale lives in `styles/<name>.css`."""

    name: str
    width_mm: float
    height_mm: float
    margin_top: float
    margin_side: float
    margin_bottom: float
    hero_height_mm: float
    hero_height_bilingual_mm: float
    aside_mm: float  # width of the first page's contact column (0: none)
    gutter_mm: float

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - 2 * self.margin_side

    @property
    def column_mm(self) -> float:
        """The text column of a one-language page: beside the contact column, if any."""
        return self.text_width_mm - (self.aside_mm + self.gutter_mm if self.aside_mm else 0)

    @property
    def text_height_mm(self) -> float:
        return self.height_mm - self.margin_top - self.margin_bottom

    @property
    def points(self) -> tuple[float, float]:
        """Width and height in PDF points."""
        return (self.width_mm * MM, self.height_mm * MM)


SIZES: dict[str, PageSize] = {
    "a4": PageSize("a4", 210, 297, 18, 16, 18, 104, 78, 44, 8),
    "a5": PageSize("a5", 148, 210, 13, 15, 14, 66, 56, 0, 5),
}
SIZE_NAMES = tuple(SIZES)
LAYOUTS = ("single", "bilingual")

# An image in the text: at most the A4 text column wide and 110 mm high (never upscaled);
# smaller pages scale it down in CSS.
FIGURE_BOX_MM = (SIZES["a4"].column_mm, 110.0)
