"""PDF pages drawn as pictures, through PDFium, one thread at a time.

PDFium is not thread-safe, not even across documents: two threads in it at once can crash
the process. The live preview does exactly that if left alone, drawing page thumbnails in
one thread while its build draws the catalogue's in another. So every PDFium call in
brochure goes through `pages` here, under one lock, and every PDFium object (bitmap, page,
document) is closed before the lock is released: none is left for the garbage collector to
close later, in whichever thread it happens to run. The pictures handed back are Pillow
copies that own their pixels; encoding them happens outside the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

LOCK = threading.Lock()


def _every(index: int) -> bool:
    return True


def pages(
    pdf: Path, width: int, limit: int | None = None, wanted: Callable[[int], bool] = _every
) -> list[Image | None]:
    """One entry per page of `pdf` (its first `limit`): the page drawn `width` pixels wide,
    in RGB, where `wanted(index)` says so, else None (the caller already has that one)."""
    import pypdfium2 as pdfium

    drawn: list[Image | None] = []
    with LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            count = len(document) if limit is None else min(limit, len(document))
            for index in range(count):
                if not wanted(index):
                    drawn.append(None)
                    continue
                page = document[index]
                try:
                    bitmap = page.render(scale=width / page.get_width())
                    try:
                        drawn.append(bitmap.to_pil().convert("RGB"))  # a copy of the pixels
                    finally:
                        bitmap.close()
                finally:
                    page.close()
        finally:
            document.close()
    return drawn
