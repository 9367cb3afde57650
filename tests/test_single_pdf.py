"""The seed page rendered to single-language PDFs, checked on the PDFs themselves."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from brochure import __version__
from brochure.content import read_page

from .conftest import SEED_EN, SEED_RU, Built, letters, pdf_text, words

SIZES_PT = {"a4": (595.28, 841.89), "a5": (419.53, 595.28)}
OUTPUTS = [(lang, size) for lang in ("en", "ru") for size in ("a4", "a5")]
TITLES = {"en": "Hair mesotherapy", "ru": "Мезотерапия волос"}
SEEDS = {"en": SEED_EN, "ru": SEED_RU}


def name(lang: str, size: str) -> str:
    return f"hair-mesotherapy.{lang}.{size}.pdf"


def test_the_four_pdfs_are_written_with_readable_names(seed_build: Built) -> None:
    assert not seed_build.report.failures
    assert sorted(p.name for p in seed_build.out.glob("*.pdf")) == sorted(
        name(lang, size) for lang, size in OUTPUTS
    )
    assert [b.slug for b in seed_build.report.brochures] == ["hair-mesotherapy"]
    assert not seed_build.report.warnings, [str(w) for w in seed_build.report.warnings]


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_page_size(seed_build: Built, lang: str, size: str) -> None:
    reader = pypdf.PdfReader(seed_build.pdf(name(lang, size)))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(SIZES_PT[size], abs=0.5)


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_every_word_of_the_page_is_printed_in_order(
    seed_build: Built, lang: str, size: str
) -> None:
    page = read_page(SEEDS[lang], SEEDS[lang].parent)
    # A4 sets the contacts in a column beside the text: read the text column alone.
    aside = (16 + 44 + 4) / 25.4 * 72 if size == "a4" else 0
    with pdfplumber.open(seed_build.pdf(name(lang, size))) as pdf:
        text = letters(
            "".join(
                p.crop((0, 0, p.width - aside, p.height)).extract_text() or "" for p in pdf.pages
            )
        )
    position = 0
    for word in words(page.body):
        found = text.find(word, position)
        assert found >= 0, f"{word!r} missing (or out of order) after position {position}"
        position = found + len(word)


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_headings_in_order_in_the_display_face(seed_build: Built, lang: str, size: str) -> None:
    page = read_page(SEEDS[lang], SEEDS[lang].parent)
    expected = [
        line.lstrip("#").strip() for line in page.body.splitlines() if line.startswith("## ")
    ]
    with pdfplumber.open(seed_build.pdf(name(lang, size))) as pdf:
        lines = [
            line["text"]
            for p in pdf.pages
            for line in p.extract_text_lines()
            if line["chars"][0]["fontname"].endswith("PT-Serif-Bold")
        ]
    joined = letters(" ".join(lines))
    assert letters(TITLES[lang]) in joined
    positions = [joined.find(letters(h)) for h in expected]
    assert all(p >= 0 for p in positions), (expected, lines)
    assert positions == sorted(positions)


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_hero_on_page_one_large_and_sharp(seed_build: Built, lang: str, size: str) -> None:
    with pdfplumber.open(seed_build.pdf(name(lang, size))) as pdf:
        first = pdf.pages[0]
        assert len(first.images) == 1
        hero = first.images[0]
        assert sum(len(p.images) for p in pdf.pages[1:]) == 0
        dpi = hero["srcsize"][0] / (hero["width"] / 72)
        assert dpi >= 150
        assert hero["height"] >= 0.3 * first.height  # 35 % of the page, give or take
        assert hero["top"] < 0.2 * first.height
        title = next(w for w in first.extract_words() if w["text"] == TITLES[lang].split()[0])
        assert title["top"] > hero["bottom"]  # the title comes after the hero


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_only_bundled_fonts_embedded_and_subset(seed_build: Built, lang: str, size: str) -> None:
    reader = pypdf.PdfReader(seed_build.pdf(name(lang, size)))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            base = str(font["/BaseFont"])
            prefix, _, family = base.lstrip("/").partition("+")
            assert len(prefix) == 6 and prefix.isupper(), f"{base} is not subset"
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"], f"{base} is not embedded"
            seen.add(family)
    assert seen <= {"PT-Sans", "PT-Sans-Bold", "PT-Sans-Italic", "PT-Serif-Bold", "PT-Serif-Italic"}
    assert {"PT-Sans", "PT-Serif-Bold"} <= seen


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_metadata(seed_build: Built, lang: str, size: str) -> None:
    reader = pypdf.PdfReader(seed_build.pdf(name(lang, size)))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == TITLES[lang]  # trailing space of the seed trimmed
    assert meta.author == {"en": "Lumen Clinic", "ru": "Клиника «Люмен»"}[lang]
    assert meta["/Creator"] == f"brochure {__version__}"
    assert reader.trailer["/Root"]["/Lang"] == lang


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_page_numbers_and_running_header_from_page_two(
    seed_build: Built, lang: str, size: str
) -> None:
    pages = pdf_text(seed_build.pdf(name(lang, size)))
    assert len(pages) >= 2
    total = len(pages)
    assert f"1 / {total}" not in pages[0]
    assert TITLES[lang] not in pages[0].splitlines()[0]
    for number, text in enumerate(pages[1:], start=2):
        lines = text.splitlines()
        assert f"{number} / {total}" in text
        assert TITLES[lang] in lines[0]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_contacts_on_every_brochure(seed_build: Built, lang: str) -> None:
    for size in ("a4", "a5"):
        text = "\n".join(pdf_text(seed_build.pdf(name(lang, size))))
        assert "+44 20 7946 0321" in text
        assert "lumen-clinic.example" in text
        assert ("Пн–Пт 9:00–20:00" if lang == "ru" else "Mon–Fri 9:00–20:00") in text
    with pdfplumber.open(seed_build.pdf(name(lang, "a4"))) as pdf:
        phone = [c for p in pdf.pages for c in p.chars if c["text"] == "+"]
        assert phone and phone[0]["size"] >= 11  # readable at arm's length


def _body_size(path: Path) -> float:
    with pdfplumber.open(path) as pdf:
        sizes = Counter(
            round(c["size"], 1)
            for p in pdf.pages
            for c in p.chars
            if c["fontname"].endswith("PT-Sans")
        )
    return sizes.most_common(1)[0][0]


def test_a5_has_its_own_type_scale(seed_build: Built) -> None:
    a4 = _body_size(seed_build.pdf(name("en", "a4")))
    a5 = _body_size(seed_build.pdf(name("en", "a5")))
    assert a4 == 10.5
    assert a5 == 10.0  # A5 scaled from A4 would be 10.5 × 0.707 ≈ 7.4 pt


@pytest.mark.parametrize(("lang", "size"), OUTPUTS)
def test_text_stays_inside_the_margins(seed_build: Built, lang: str, size: str) -> None:
    with pdfplumber.open(seed_build.pdf(name(lang, size))) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= 5 / 25.4 * 72 and char["x1"] <= page.width - 5 / 25.4 * 72
                assert (
                    char["top"] >= 5 / 25.4 * 72 and char["bottom"] <= page.height - 5 / 25.4 * 72
                )


def test_no_heading_is_left_alone_at_a_page_end(seed_build: Built) -> None:
    for lang, size in OUTPUTS:
        with pdfplumber.open(seed_build.pdf(name(lang, size))) as pdf:
            for page in pdf.pages[:-1]:
                body = [
                    line
                    for line in page.extract_text_lines()
                    if line["chars"][0]["size"] >= 9 and line["bottom"] < page.height - 40
                ]
                last = body[-1]
                assert not last["chars"][0]["fontname"].endswith("PT-Serif-Bold"), (
                    f"{lang} {size}: heading {last['text']!r} ends page {page.page_number}"
                )
