"""Output profiles: one source page made for the office printer, the print shop or e-mail."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How the PDFs of one use differ: paper edge, image resolution, PDF variant, size budget."""

    name: str
    description: str
    bleed_mm: float = 0.0  # paper beyond the trim on every side, with crop marks
    hero_dpi: int = 300  # resolution the hero is prepared at, at its printed size
    jpeg_quality: int = 86
    pdf_variant: str | None = "pdf/ua-1"  # tagged, accessible PDF where nothing else is needed
    min_dpi: int | None = None  # warn when the hero is below this at its printed size
    budget_kb_per_page: int | None = None  # warn when a PDF is larger
    imposed: bool = False  # A5 pages two to an A4 sheet
    press: bool = False  # CMYK for the press (FOGRA39) unless `print_color = "rgb"`

    @property
    def folder(self) -> str:
        """Where its PDFs go inside the output folder ("" for the default profile)."""
        return "" if self.name == DEFAULT else self.name


DEFAULT = "office"

PROFILES: dict[str, Profile] = {
    "office": Profile(
        "office",
        "office printers: margins of 12 mm or more, RGB, no marks",
    ),
    "print": Profile(
        "print",
        "a print shop: 3 mm bleed and crop marks, 300 dpi images, CMYK PDF/X-4 (FOGRA39)",
        bleed_mm=3.0,
        pdf_variant="pdf/x-4",
        min_dpi=300,
        jpeg_quality=92,
        press=True,
    ),
    "email": Profile(
        "email",
        "patient e-mail: images at 150 dpi, compact, clickable links",
        hero_dpi=150,
        jpeg_quality=72,
        budget_kb_per_page=200,
    ),
    "booklet": Profile(
        "booklet",
        "A5 pages imposed two to an A4 sheet, for folding",
        imposed=True,
    ),
}

PDF_A = "pdf/a-3u"


def uses_cmyk(profile: Profile, print_color: str, pdf_a: bool) -> bool:
    """Whether a profile's PDFs are separated into CMYK: the print profile, unless
    `[output] print_color = "rgb"` or archival PDF/A (an RGB format here) is asked for."""
    return profile.press and print_color == "cmyk" and not pdf_a
