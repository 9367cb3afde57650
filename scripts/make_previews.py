"""Render the first page of the seed brochure, A4 and A5, to docs/preview-*.png.

Run with `make previews`. The pictures in the README come from here.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from brochure.build import build

REPO = Path(__file__).resolve().parent.parent
PREVIEWS = {
    "preview-a4.png": ("hair-mesotherapy.en.a4.pdf", 64),
    "preview-a5.png": ("hair-mesotherapy.en.a5.pdf", 80),
    "preview-bilingual-a4.png": ("hair-mesotherapy.ru-en.a4.pdf", 64),
}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = build([REPO / "content"], Path(tmp))
        if report.failures:
            for failure in report.failures:
                print(failure, file=sys.stderr)
            return 1
        for png, (pdf_name, dpi) in PREVIEWS.items():
            pdf = pdfium.PdfDocument(Path(tmp) / pdf_name)
            image = pdf[0].render(scale=dpi / 72).to_pil()
            image = image.convert("P", palette=1, colors=192)  # small files, no visible loss
            image.save(REPO / "docs" / png, optimize=True)
            print(f"docs/{png}: {image.width}×{image.height}")
            pdf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
