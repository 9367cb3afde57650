"""Impose A5 pages two to an A4 sheet for a folded booklet.

An office printer without A5 paper can still make an A5 booklet: each side of an
A4 landscape sheet carries two A5 pages, in saddle-stitch order, so that printing
the result double-sided (flip on the short edge), stacking the sheets and folding
the stack in half gives the pages in reading order.

For ``n`` pages (padded with blank pages to a multiple of four) the sides are,
as (left, right): ``[n, 1]``, ``[2, n-1]``, ``[n-2, 3]``, ``[4, n-3]``, …

The pages are placed as vector content (fonts and images are kept, nothing is
rasterised) and the output is byte-identical for identical input: the file
identifier is derived from a hash of the input and no dates are added.
"""

from __future__ import annotations

import hashlib
import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject

from .geometry import SIZES

__all__ = ["impose"]

SIZE_TOLERANCE = 0.5  # points: pages this close in size count as equal
A5 = SIZES["a5"].points  # 419.53 × 595.28 pt
A4_LANDSCAPE = SIZES["a4"].points[::-1]  # 841.89 × 595.28 pt: 1 mm wider than two A5 pages
_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Creator", "/Producer", "/CreationDate", "/ModDate")
_CATALOG_KEYS = ("/Lang", "/ViewerPreferences")


def _booklet_order(pages: int) -> list[tuple[int | None, int | None]]:
    """The (left, right) page numbers (1-based) of each sheet side; None is a blank.

    `pages` is padded to a multiple of four (at least four).
    """
    if pages < 1:
        raise ValueError("a booklet needs at least one page")
    padded = -(-pages // 4) * 4

    def real(number: int) -> int | None:
        return number if number <= pages else None

    sides: list[tuple[int | None, int | None]] = []
    for sheet in range(padded // 4):
        front_right = 2 * sheet + 1
        sides.append((real(padded + 1 - front_right), real(front_right)))
        back_left = 2 * sheet + 2
        sides.append((real(back_left), real(padded + 1 - back_left)))
    return sides


def _page_size(reader: PdfReader) -> tuple[float, float]:
    """The common portrait size of all pages, or ValueError."""
    if len(reader.pages) == 0:
        raise ValueError("cannot impose a booklet: the PDF has no pages")
    sizes: list[tuple[float, float]] = []
    for page in reader.pages:
        box = page.cropbox
        width, height = float(box.width), float(box.height)
        if page.rotation % 180:
            width, height = height, width
        sizes.append((width, height))
    width, height = sizes[0]
    for number, (w, h) in enumerate(sizes, start=1):
        if w >= h:
            raise ValueError(
                f"cannot impose a booklet: page {number} is landscape or square "
                f"({w:.2f} × {h:.2f} pt); expected portrait A5 pages (419.53 × 595.28 pt)"
            )
        if abs(w - width) > SIZE_TOLERANCE or abs(h - height) > SIZE_TOLERANCE:
            raise ValueError(
                f"cannot impose a booklet: pages differ in size (page 1 is {width:.2f} × "
                f"{height:.2f} pt, page {number} is {w:.2f} × {h:.2f} pt); "
                "all pages must be the same portrait size"
            )
    return width, height


def _placement(page: PageObject, x: float, y: float) -> Transformation:
    """Put the page's visible box, upright (its /Rotate applied), with its lower left at (x, y)."""
    box = page.cropbox
    move = Transformation().translate(
        -float(box.left) - float(box.width) / 2, -float(box.bottom) - float(box.height) / 2
    )
    if page.rotation % 360:
        move = move.rotate(-(page.rotation % 360))  # /Rotate turns clockwise
    corners = [
        move.apply_on((float(cx), float(cy))) for cx, cy in (box.lower_left, box.upper_right)
    ]
    return move.translate(x - min(c[0] for c in corners), y - min(c[1] for c in corners))


def _sheet_size(width: float, height: float) -> tuple[float, float]:
    """A4 landscape for A5 pages; otherwise a sheet exactly two pages wide."""
    if abs(width - A5[0]) <= SIZE_TOLERANCE and abs(height - A5[1]) <= SIZE_TOLERANCE:
        return A4_LANDSCAPE
    return 2 * width, height


def _drop_internal_links(page: PageObject) -> None:
    """Remove links to places in the document: its destinations are not carried over."""
    annots = page.get("/Annots")
    if annots is None:
        return
    annots = annots.get_object()
    if not isinstance(annots, ArrayObject):
        return
    kept = ArrayObject()
    for ref in annots:
        annot = ref.get_object()
        action = annot.get("/A") if isinstance(annot, DictionaryObject) else None
        action = action.get_object() if action is not None else None
        internal = isinstance(annot, DictionaryObject) and (
            "/Dest" in annot
            or (isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo")
        )
        if not internal:
            kept.append(ref)
    page[NameObject("/Annots")] = kept


def _copy_metadata(reader: PdfReader, writer: PdfWriter) -> None:
    """Carry over the document info entries and the catalog's language and viewer settings."""
    source = reader.metadata
    target = writer._info
    if source is not None and target is not None:
        for key in _INFO_KEYS:
            if key in source:
                target[NameObject(key)] = source.raw_get(key).get_object().clone(writer)
    catalog = reader.root_object
    for key in _CATALOG_KEYS:
        value = catalog.get(key)
        value = value.get_object() if value is not None else None
        if value is not None:
            writer.root_object[NameObject(key)] = value.clone(writer)


def impose(a5_pdf: bytes) -> tuple[bytes, int]:
    """Impose `a5_pdf` (equal-sized portrait pages, normally A5) as a saddle-stitch booklet.

    Returns the PDF and its number of sheet sides. Each side carries two pages side
    by side, meeting at the centre fold. A5 pages go on A4 landscape (which is 1 mm
    wider than two A5 pages: 0.5 mm stays blank at each outer edge); other sizes go
    on a sheet exactly twice the page width by its height. Links within the document
    are dropped (their destinations are not carried over); web links are kept.
    Raises ValueError for a PDF that cannot be read or whose pages are landscape
    or of different sizes.
    """
    try:
        reader = PdfReader(io.BytesIO(a5_pdf))
        width, height = _page_size(reader)
        sources = list(reader.pages)
        for page in sources:
            _drop_internal_links(page)

        sheet_width, sheet_height = _sheet_size(width, height)
        fold = sheet_width / 2  # the pages meet at the fold, centred on the sheet
        bottom = (sheet_height - height) / 2

        writer = PdfWriter()
        writer.pdf_header = reader.pdf_header
        for left, right in _booklet_order(len(sources)):
            blank = PageObject.create_blank_page(writer, width=sheet_width, height=sheet_height)
            side = writer.add_page(blank)
            for number, offset in ((left, fold - width), (right, fold)):
                if number is None:
                    continue
                page = sources[number - 1]
                side.merge_transformed_page(page, _placement(page, offset, bottom))
            side.compress_content_streams()

        _copy_metadata(reader, writer)
        digest = ByteStringObject(hashlib.sha256(a5_pdf).digest()[:16])
        writer._ID = ArrayObject([digest, digest])

        out = io.BytesIO()
        writer.write(out)
    except PyPdfError as error:
        raise ValueError(f"cannot impose a booklet: not a readable PDF ({error})") from error
    return out.getvalue(), len(writer.pages)
