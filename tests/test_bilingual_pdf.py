"""Side-by-side brochures: sections lined up, every word in its own column."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from brochure.build import build
from brochure.config import load_config
from brochure.content import read_page

from .conftest import ORDERS, SEED_EN, SEED_RU, Pair, letters, make_photo, words

MM = 72 / 25.4
MARGINS = {"a4": (18 * MM, 18 * MM), "a5": (13 * MM, 14 * MM)}
CASES = [(order, size) for order in ORDERS for size in ("a4", "a5")]
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


def _column_chars(pair: Pair) -> list[tuple[int, list[dict[str, object]], list[dict[str, object]]]]:
    """Per page, the characters of the text area, split at the middle of the page."""
    top_margin, bottom_margin = MARGINS[pair.size]
    pages = []
    with pdfplumber.open(pair.path) as pdf:
        for page in pdf.pages:
            start = top_margin
            if page.page_number == 1:
                start = page.images[0]["bottom"]  # below the hero: the masthead spans both
            # The contacts band at the end spans both columns, like the masthead.
            band = [w["top"] for w in page.extract_words() if w["text"] in ("КОНТАКТЫ", "CONTACT")]
            end = min([page.height - bottom_margin, *band])
            chars = [c for c in page.chars if c["top"] > start and c["bottom"] < end]
            mid = page.width / 2
            pages.append(
                (
                    page.page_number,
                    [c for c in chars if c["x1"] <= mid],
                    [c for c in chars if c["x0"] >= mid],
                )
            )
            straddling = [c["text"] for c in chars if c["x0"] < mid < c["x1"]]
            assert not straddling, f"page {page.page_number}: text crosses the gutter"
    return pages


def _headings(chars: list[dict[str, object]]) -> list[tuple[float, str]]:
    """(top, text) of each heading line, in reading order."""
    lines: dict[float, list[dict[str, object]]] = {}
    for c in chars:
        if str(c["fontname"]).endswith("PT-Serif-Bold"):
            lines.setdefault(round(float(c["top"]), 1), []).append(c)
    return [(top, "".join(str(c["text"]) for c in cs)) for top, cs in sorted(lines.items())]


@pytest.mark.parametrize(("order", "size"), CASES)
def test_section_headings_start_level(
    bilingual: dict[tuple[tuple[str, str], str], Pair], order: tuple[str, str], size: str
) -> None:
    pair = bilingual[(order, size)]
    worst = 0.0
    count = 0
    for _, left, right in _column_chars(pair):
        # the first line of each heading: a heading line whose top is not 1 line below another
        lh, rh = _heading_starts(left), _heading_starts(right)
        assert len(lh) == len(rh), (lh, rh)
        for (ltop, _), (rtop, _) in zip(lh, rh, strict=True):
            worst = max(worst, abs(ltop - rtop))
            count += 1
    assert count == 4  # the title and three sections
    assert worst <= 1.0


def _heading_starts(chars: list[dict[str, object]]) -> list[tuple[float, str]]:
    starts: list[tuple[float, str]] = []
    previous = -100.0
    for top, text in _headings(chars):
        if top - previous > 25:  # a new heading, not the second line of the last one
            starts.append((top, text))
        previous = top
    return starts


@pytest.mark.parametrize(("order", "size"), CASES)
def test_every_word_in_its_own_column(
    bilingual: dict[tuple[tuple[str, str], str], Pair], order: tuple[str, str], size: str
) -> None:
    pair = bilingual[(order, size)]
    top_margin, bottom_margin = MARGINS[pair.size]
    texts: dict[str, str] = {pair.left: "", pair.right: ""}
    with pdfplumber.open(pair.path) as pdf:
        for page in pdf.pages:
            start = page.images[0]["bottom"] if page.page_number == 1 else top_margin
            end = page.height - bottom_margin
            mid = page.width / 2
            for lang, box in (
                (pair.left, (0, start, mid, end)),
                (pair.right, (mid, start, page.width, end)),
            ):
                texts[lang] += page.crop(box).extract_text() or ""
    columns = {lang: letters(text) for lang, text in texts.items()}
    for lang, path in (("en", SEED_EN), ("ru", SEED_RU)):
        page = read_page(path, path.parent)
        position = 0
        for word in words(page.body):  # its "# title" is the printed title
            found = columns[lang].find(word, position)
            assert found >= 0, f"{lang}: {word!r} missing from its column after {position}"
            position = found + len(word)


@pytest.mark.parametrize(("order", "size"), CASES)
def test_no_letter_in_the_other_languages_column(
    bilingual: dict[tuple[tuple[str, str], str], Pair], order: tuple[str, str], size: str
) -> None:
    pair = bilingual[(order, size)]
    config, _ = load_config(pair.path.parent.parent / "content")
    allowed_latin = set()  # Latin words the Russian side itself contains
    ru_source = read_page(SEED_RU, SEED_RU.parent)
    clinic = config.clinic_for("ru")
    for text in (ru_source.body, clinic.website, clinic.email, clinic.booking_url):
        allowed_latin |= {letters(w) for w in re.findall(r"\S*[A-Za-z]\S*", text)}
    for number, left, right in _column_chars(pair):
        cols = {pair.left: left, pair.right: right}
        assert not [c for c in cols["en"] if CYRILLIC.match(str(c["text"]))], f"page {number}"
        latin_in_ru = "".join(str(c["text"]) for c in cols["ru"] if LATIN.match(str(c["text"])))
        assert set(latin_in_ru) <= set("".join(allowed_latin)), latin_in_ru


def test_long_words_and_urls_stay_in_their_column(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (1200, 800), format="JPEG")
    url = "https://example.com/" + "very-long-path-segment" * 6
    word = "Supercalifragilistic" * 5
    (root / "long-words.en.md").write_text(
        f"---\ntitle: Long\nhero_image: p.jpg\n---\n{word} and <{url}> end.\n", encoding="utf-8"
    )
    (root / "long-words.ru.md").write_text(
        f"---\ntitle: Длинно\nhero_image: p.jpg\n---\n{'Мезотерапевтический' * 5} конец.\n",
        encoding="utf-8",
    )
    report = build([root], tmp_path / "out", layouts=("bilingual",), sizes=("a5",))
    assert not report.failures
    with pdfplumber.open(tmp_path / "out" / "long-words.ru-en.a5.pdf") as pdf:
        for page in pdf.pages:
            mid = page.width / 2
            for c in page.chars:
                assert c["x0"] >= 0 and c["x1"] <= page.width
                assert not (c["x0"] < mid - 1 < c["x1"]), c["text"]


def test_mismatched_structure_keeps_every_word_and_pairs_what_corresponds(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (1200, 800), format="JPEG")
    en = (
        "Intro text.\n\n## Indications\n\nFor hair loss.\n\n## Prices\n\n"
        "| Session | Price |\n|---|--:|\n| One | 90 |\n\n## Aftercare\n\nNo sauna for 48 hours.\n"
    )
    ru = (
        "Вводный текст.\n\nЕщё абзац.\n\n## Показания\n\nПри выпадении волос.\n\n"
        "## Уход после процедуры\n\nНе посещать сауну 48 часов.\n"
    )
    (root / "hair-care.en.md").write_text(
        f"---\ntitle: Hair\nhero_image: p.jpg\n---\n{en}", encoding="utf-8"
    )
    (root / "hair-care.ru.md").write_text(
        f"---\ntitle: Волосы\nhero_image: p.jpg\n---\n{ru}", encoding="utf-8"
    )
    report = build([root], tmp_path / "out", layouts=("bilingual",), sizes=("a4",))
    assert not report.failures
    with pdfplumber.open(tmp_path / "out" / "hair-care.ru-en.a4.pdf") as pdf:
        page = pdf.pages[0]
        mid = page.width / 2
        below = page.images[0]["bottom"]
        chars = [c for c in page.chars if c["top"] > below]
        left = [c for c in chars if c["x1"] <= mid]
        right = [c for c in chars if c["x0"] >= mid]
        lh = {text: top for top, text in _headings(left)}
        rh = {text: top for top, text in _headings(right)}
    assert lh["Показания"] == pytest.approx(rh["Indications"], abs=1)
    assert lh["Уход после процедуры"] == pytest.approx(rh["Aftercare"], abs=1)
    assert rh["Prices"] < lh["Уход после процедуры"]  # the extra section has its own row
    assert letters("Ещё абзац") in letters("".join(str(c["text"]) for c in left))
