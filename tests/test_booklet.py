"""Booklet imposition: A5 pages two to an A4 landscape side, in saddle-stitch order."""

from __future__ import annotations

import io
from functools import cache
from typing import cast

import pdfplumber
import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject

from brochure.booklet import impose

A4_LANDSCAPE = (841.89, 595.28)
A5 = (419.53, 595.28)
TOLERANCE = 0.5


@cache
def a5_pdf(pages: int, size: str = "A5", extra_css: str = "") -> bytes:
    """`pages` pages, each with one big word naming it: PAGE1, PAGE2, …"""
    body = "".join(f'<p class="n">PAGE{i}</p>' for i in range(1, pages + 1))
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Booklet test</title>
<meta name="author" content="Brochure tests">
<style>
  @page {{ size: {size}; margin: 20mm }}
  {extra_css}
  body {{ font-family: sans-serif; margin: 0 }}
  .n {{ font-size: 40pt; margin: 0; break-after: page }}
  .n:last-child {{ break-after: auto }}
</style></head><body>{body}</body></html>"""
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


def expected_sides(pages: int) -> list[tuple[str, str]]:
    """The booklet order written out by hand from the rule [n, 1], [2, n-1], [n-2, 3], …"""
    padded = max(4, -(-pages // 4) * 4)

    def word(number: int) -> str:
        return f"PAGE{number}" if number <= pages else ""

    sides: list[tuple[str, str]] = []
    for k in range(padded // 2):
        if k % 2 == 0:  # front of a sheet: last-but-k on the left
            left, right = padded - k, k + 1
        else:  # back of a sheet: even page on the left
            left, right = k + 1, padded - k
        sides.append((word(left), word(right)))
    return sides


def halves(pdf: bytes) -> list[tuple[str, str]]:
    """The text in the left and right half of each page."""
    found: list[tuple[str, str]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            middle = float(page.width) / 2
            left = page.crop((0, 0, middle, page.height)).extract_text() or ""
            right = page.crop((middle, 0, page.width, page.height)).extract_text() or ""
            found.append((left.strip(), right.strip()))
    return found


def test_expected_order_matches_the_rule() -> None:
    # The helper itself, against the sequence spelled out for 8 pages.
    assert expected_sides(8) == [
        ("PAGE8", "PAGE1"),
        ("PAGE2", "PAGE7"),
        ("PAGE6", "PAGE3"),
        ("PAGE4", "PAGE5"),
    ]


@pytest.mark.parametrize("pages", [1, 2, 3, 4, 6, 8])
def test_impose_places_pages_in_booklet_order(pages: int) -> None:
    source = a5_pdf(pages)
    assert len(PdfReader(io.BytesIO(source)).pages) == pages

    out, sides = impose(source)

    padded = max(4, -(-pages // 4) * 4)
    assert sides == padded // 2
    reader = PdfReader(io.BytesIO(out))
    assert len(reader.pages) == sides
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_LANDSCAPE[0], abs=TOLERANCE)
        assert float(page.mediabox.height) == pytest.approx(A4_LANDSCAPE[1], abs=TOLERANCE)
    assert halves(out) == expected_sides(pages)


def test_output_is_reproducible_and_keeps_metadata() -> None:
    source = a5_pdf(6)
    first, _ = impose(source)
    second, _ = impose(source)
    assert first == second

    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata is not None
    assert reader.metadata.title == "Booklet test"
    assert reader.metadata.author == "Brochure tests"
    assert "/CreationDate" not in reader.metadata
    assert "/ModDate" not in reader.metadata
    assert reader.root_object.get("/Lang") == "en"
    ids = cast(ArrayObject, reader.trailer["/ID"])
    assert ids[0] == ids[1]
    # A different input gets a different identifier.
    other = cast(ArrayObject, PdfReader(io.BytesIO(impose(a5_pdf(8))[0])).trailer["/ID"])
    assert other[0] != ids[0]


def test_viewer_preferences_survive() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(a5_pdf(2)))
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    buffer = io.BytesIO()
    writer.write(buffer)

    out, sides = impose(buffer.getvalue())

    assert sides == 2
    catalog = PdfReader(io.BytesIO(out)).root_object
    preferences = cast(DictionaryObject, catalog["/ViewerPreferences"].get_object())
    assert preferences["/DisplayDocTitle"] == BooleanObject(True)


def test_text_stays_text_and_pages_meet_at_the_fold() -> None:
    out, _ = impose(a5_pdf(4))
    with pdfplumber.open(io.BytesIO(out)) as document:
        first = document.pages[0]  # [4, 1]
        middle = float(first.width) / 2
        words = {w["text"]: w for w in first.extract_words()}
        # Each A5 page keeps its 20 mm margin, measured from its own edge at the fold.
        margin = 20 * 72 / 25.4
        assert words["PAGE1"]["x0"] == pytest.approx(middle + margin, abs=1.5)
        assert words["PAGE4"]["x0"] == pytest.approx(middle - A5[0] + margin, abs=1.5)
        assert first.chars, "the text must not be rasterised"
        assert not first.images


def test_other_portrait_sizes_go_on_a_sheet_twice_as_wide() -> None:
    out, sides = impose(a5_pdf(3, size="A6"))
    assert sides == 2
    page = PdfReader(io.BytesIO(out)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(2 * 297.64, abs=TOLERANCE)
    assert float(page.mediabox.height) == pytest.approx(419.53, abs=TOLERANCE)
    assert halves(out) == expected_sides(3)


def test_landscape_input_is_refused() -> None:
    with pytest.raises(ValueError, match="landscape"):
        impose(a5_pdf(2, size="A5 landscape"))


def test_mixed_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in size"):
        impose(a5_pdf(3, extra_css="@page :first { size: A6 }"))


def test_garbage_is_refused() -> None:
    with pytest.raises(ValueError, match="not a readable PDF"):
        impose(b"%PDF-1.7\nthis is not really a PDF\n")
