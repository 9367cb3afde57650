"""Render copyfitting's before and after to docs/fit-*.png (40 dpi, every page side by side).

Run with `make previews`. Before: the design's setting (the PDF built without `[fit]`);
after: the PDF fitted to its limit. docs/design.md shows them.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from brochure.build import build

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "fit"
DPI = 40
GAP, BETWEEN = 6, 40  # pixels between pages, and between before and after

# png: (content folder, the page to build (None: all), bilingual pair, PDF)
PREVIEWS = {
    "fit-bilingual-a4.png": (
        REPO / "content",
        None,
        '["en", "ru"]',
        "hair-mesotherapy.en-ru.a4.pdf",
    ),
    "fit-type-a4.png": (FIXTURES, "sun-protection.en.md", None, "sun-protection.en.a4.pdf"),
}


def pages(pdf_path: Path) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        return [page.render(scale=DPI / 72).to_pil() for page in pdf]
    finally:
        pdf.close()


def side_by_side(before: list[Image.Image], after: list[Image.Image]) -> Image.Image:
    width = sum(p.width for p in before + after) + GAP * (len(before) + len(after) - 2) + BETWEEN
    height = max(p.height for p in before + after)
    sheet = Image.new("RGB", (width, height), (200, 205, 207))
    x = 0
    for group in (before, after):
        for page in group:
            sheet.paste(page, (x, 0))
            x += page.width + GAP
        x += BETWEEN - GAP
    return sheet


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for png, (source, page, pair, name) in PREVIEWS.items():
            made = []
            for kind in ("before", "after"):
                root = Path(tmp) / f"{png}-{kind}"
                shutil.copytree(source, root, ignore=shutil.ignore_patterns("*.pdf"))
                toml = root / "brochure.toml"
                text = toml.read_text(encoding="utf-8")
                if pair:
                    text = text.replace('pair = ["ru", "en"]', f"pair = {pair}")
                if kind == "before":
                    text = re.sub(r"\n\[fit\][^\[]*", "\n", text)
                toml.write_text(text, encoding="utf-8")
                path = root / page if page else root
                report = build([path], Path(tmp) / f"{png}-{kind}-out", sizes=("a4",))
                if report.failures:
                    for failure in report.failures:
                        print(failure, file=sys.stderr)
                    return 1
                made.append(pages(Path(tmp) / f"{png}-{kind}-out" / name))
                note = [n for n in report.notes if n.startswith(name)]
                print(f"{kind}: {len(made[-1])} pages" + (f"; {note[0]}" if note else ""))
            image = side_by_side(*made).convert("P", palette=1, colors=128)
            image.save(REPO / "docs" / png, optimize=True)
            print(f"docs/{png}: {image.width}×{image.height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
