"""Render the first page of the seed brochure, A4 and A5, to docs/preview-*.png, and a
screenshot of the catalogue to docs/preview-catalogue.png.

Run with `make previews`. The pictures in the README come from here. The catalogue is built
from the seed and a few generated pages (benchmarks/corpus.py, with the seed's photo), for
the office and for e-mail, and shown in Debian's Chromium through playwright.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from brochure.build import build
from brochure.catalogue import INDEX

REPO = Path(__file__).resolve().parent.parent
PREVIEWS = {
    "preview-a4.png": ("hair-mesotherapy.en.a4.pdf", 64),
    "preview-a5.png": ("hair-mesotherapy.en.a5.pdf", 80),
    "preview-bilingual-a4.png": ("hair-mesotherapy.ru-en.a4.pdf", 64),
}
CATALOGUE_PAGES = (2, 3, 8)  # generated services beside the seed: peel, laser, acne
CATALOGUE_SIZE = (1280, 1040)  # CSS pixels of the screenshot


def catalogue_content(folder: Path) -> Path:
    """The seed content and a few generated two-language pages that use the seed's photo."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import page_texts

    shutil.copytree(REPO / "content", folder)
    shutil.copy(folder / "images" / "mezoterapiya-volos.JPG", folder / "images" / "photo.jpg")
    for index in CATALOGUE_PAGES:
        slug, texts = page_texts(index)
        for lang, text in texts.items():
            lines = [
                "hero_image: photo.jpg" if x.startswith("hero_image:") else x
                for x in text.split("\n")
            ]
            (folder / f"{slug}.{lang}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


def screenshot(index: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as manager:
        browser = manager.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        width, height = CATALOGUE_SIZE
        page = browser.new_page(locale="en-GB", viewport={"width": width, "height": height})
        page.goto(index.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(png))
        browser.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = build([REPO / "content"], Path(tmp) / "seed")
        root = catalogue_content(Path(tmp) / "content")
        shown = build([root], Path(tmp) / "dist", profiles=("office", "email"), jobs=2)
        failures = report.failures + shown.failures
        for failure in failures:
            print(failure, file=sys.stderr)
        if failures:
            return 1
        for png, (pdf_name, dpi) in PREVIEWS.items():
            pdf = pdfium.PdfDocument(Path(tmp) / "seed" / pdf_name)
            image = pdf[0].render(scale=dpi / 72).to_pil()
            image = image.convert("P", palette=1, colors=192)  # small files, no visible loss
            image.save(REPO / "docs" / png, optimize=True)
            print(f"docs/{png}: {image.width}×{image.height}")
            pdf.close()
        target = REPO / "docs" / "preview-catalogue.png"
        screenshot(Path(tmp) / "dist" / INDEX, target)
        from PIL import Image

        with Image.open(target) as shot:
            small = shot.convert("RGB").quantize(colors=128)
            small.save(target, optimize=True)
            print(f"docs/preview-catalogue.png: {small.width}×{small.height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
