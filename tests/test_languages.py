"""Accessibility of every profile's PDFs: each passage tagged in its own language (the
structure tree, as a screen reader reads it), layout tables not tagged as data tables, and the
`pdfua` package's PDF/UA-1 checks."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from pdfplumber.structure import PDFStructElement, PDFStructTree
from pdfua import validate

from brochure.build import build

from .conftest import SEED_EN, SEED_RU, Run, make_content

# The tagging does not depend on the profile: the side-by-side PDFs of two profiles, and a
# single-language PDF in each language.
TAGGED = [
    "hair-mesotherapy.ru-en.a4.pdf",
    "print/hair-mesotherapy.ru-en.a5.pdf",
    "email/hair-mesotherapy.ru.a5.pdf",
    "print/hair-mesotherapy.en.a4.pdf",
]
ADDRESS = re.compile(r"\S+@\S+|(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?")


def _texts(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """The catalog's language, and (structure type, nearest /Lang, text) for every
    structure element that marks text or carries alternative text."""
    with pikepdf.open(path) as doc:
        root = str(doc.Root.Lang)
    with pdfplumber.open(path) as pdf:
        by_mcid: dict[tuple[int, int], str] = defaultdict(str)
        for page in pdf.pages:
            for char in page.chars:
                if char.get("mcid") is not None:
                    by_mcid[(page.page_number, char["mcid"])] += char["text"]
        found: list[tuple[str, str, str]] = []

        def walk(element: PDFStructElement, lang: str) -> None:
            lang = element.lang or lang
            own = "".join(by_mcid.get((element.page_number or 0, m), "") for m in element.mcids)
            text = own + (element.alt_text or "")
            if text.strip():
                found.append((element.type, lang, text))
            for child in element.children:
                walk(child, lang)

        for element in PDFStructTree(pdf):
            walk(element, root)
    return root, found


def _script(text: str) -> str | None:
    """ "ru" for Cyrillic text, "en" for Latin text, None for neither (addresses, numbers)."""
    text = ADDRESS.sub("", text)
    cyrillic = len(re.findall(r"[а-яё]", text, re.IGNORECASE))
    latin = len(re.findall(r"[a-z]", text, re.IGNORECASE))
    if cyrillic > latin:
        return "ru"  # "QR-код" is Russian with a Latin abbreviation
    if latin and not cyrillic:
        return "en"
    return None if not latin else "mixed"


@pytest.mark.parametrize("name", TAGGED)
def test_every_passage_is_tagged_with_its_language(profiled: dict[str, Run], name: str) -> None:
    _, found = _texts(profiled["first"].out / name)
    assert len(found) > 30
    wrong = [(kind, lang, text) for kind, lang, text in found if _script(text) not in (None, lang)]
    assert not wrong


def test_each_column_carries_its_own_language(profiled: dict[str, Run]) -> None:
    path = profiled["first"].out / "hair-mesotherapy.ru-en.a4.pdf"
    root, found = _texts(path)
    assert root == "ru"
    assert {lang for _, lang, _ in found} == {"ru", "en"}
    with pdfplumber.open(path) as pdf:
        columns = [e.lang for e in PDFStructTree(pdf).find_all("Div") if e.lang in ("ru", "en")]
        tables = list(PDFStructTree(pdf).find_all(re.compile("Table|TR|TD|TH")))
    # Both columns of every row, the titles and the contact band say their language.
    assert columns.count("ru") >= 6 and columns.count("en") >= 6
    assert tables == []  # the side-by-side table is layout, tagged /Div


def test_a_data_table_in_a_column_stays_a_table(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    for seed, head in ((SEED_EN, "| Sessions | Price |"), (SEED_RU, "| Сеансы | Цена |")):
        page = root / seed.name
        table = f"\n\n{head}\n| --- | ---: |\n| 1 | 50 |\n| 10 | 400 |\n"
        page.write_text(page.read_text(encoding="utf-8") + table, encoding="utf-8")
    report = build([root], tmp_path / "out", layouts=("bilingual",), sizes=("a5",))
    assert not report.failures and not report.warnings
    with pdfplumber.open(tmp_path / "out" / "hair-mesotherapy.ru-en.a5.pdf") as pdf:
        tables = list(PDFStructTree(pdf).find_all("Table"))
        headers = list(PDFStructTree(pdf).find_all("TH"))
    assert len(tables) == 2 and len(headers) == 4
    assert validate(str(tmp_path / "out" / "hair-mesotherapy.ru-en.a5.pdf")).findings == ()


def test_a_passage_in_another_language_is_tagged_with_it(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    page = root / SEED_EN.name
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace(
            "Mesotherapy for hair is a procedure",
            'Mesotherapy for hair (<span lang="ru">мезотерапия волос</span>) is a procedure',
        ),
        encoding="utf-8",
    )
    report = build([page], tmp_path / "out", layouts=("single",), sizes=("a5",))
    assert not report.failures and not report.warnings
    root_lang, found = _texts(tmp_path / "out" / "hair-mesotherapy.en.a5.pdf")
    assert root_lang == "en"
    passage = [(kind, lang) for kind, lang, text in found if "мезотерапия" in text]
    assert passage == [("Span", "ru")]
    assert all(_script(text) in (None, lang) for _, lang, text in found)


CHECKED = [
    "hair-mesotherapy.en.a4.pdf",
    "hair-mesotherapy.ru-en.a5.pdf",
    "print/hair-mesotherapy.ru.a4.pdf",
    "print/hair-mesotherapy.ru-en.a4.pdf",
    "email/hair-mesotherapy.ru-en.a4.pdf",
    "email/hair-mesotherapy.en.a5.pdf",
]
# pdfua 0.1.3's empty-heading rule reads `getattr(kid, "is_integer", False)` on a /K array;
# pikepdf answers an unknown attribute of an array with ValueError, not AttributeError, so
# the rule is skipped on every tagged PDF. test_headings_have_text checks the same thing.
SKIPPED_BY_PDFUA_BUG = {"UA-14-001"}


@pytest.mark.parametrize("name", CHECKED)
def test_pdfua_checks_pass(profiled: dict[str, Run], name: str) -> None:
    report = validate(str(profiled["first"].out / name))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert {o.rule_id for o in report.skipped} <= SKIPPED_BY_PDFUA_BUG
    assert len(report.outcomes) - len(report.skipped) >= 11


def test_pdfua_on_pdf_a(profiled: dict[str, Run]) -> None:
    report = validate(str(profiled["pdfa"].out / "hair-mesotherapy.en.a4.pdf"))
    # PDF/A-3u replaces the PDF/UA variant: the XMP claims PDF/A, not PDF/UA.
    assert [f.rule_id for f in report.findings] == ["UA-28-004"]


def test_pdfua_on_the_booklet_names_what_imposition_loses(profiled: dict[str, Run]) -> None:
    report = validate(str(profiled["first"].out / "booklet/hair-mesotherapy.ru-en.a5.pdf"))
    # Imposed with pypdf, the sheets keep the pages but not the structure tree, the
    # MarkInfo and the XMP packet (docs/profiles.md): a known gap, outside the print profile.
    assert sorted(f.rule_id for f in report.findings) == ["UA-01-002", "UA-01-005", "UA-28-004"]


@pytest.mark.parametrize(
    "name", ["hair-mesotherapy.ru-en.a4.pdf", "print/hair-mesotherapy.en.a5.pdf"]
)
def test_headings_have_text(profiled: dict[str, Run], name: str) -> None:
    with pdfplumber.open(profiled["first"].out / name) as pdf:
        headings = list(PDFStructTree(pdf).find_all(re.compile("H[1-6]")))
        texts = defaultdict(str)
        for page in pdf.pages:
            for char in page.chars:
                texts[(page.page_number, char.get("mcid"))] += char["text"]
    assert len(headings) >= 4
    for heading in headings:
        marked = [texts[(page or 0, mcid)] for page, mcid in heading.all_mcids()]
        assert "".join(marked).strip(), heading.type
