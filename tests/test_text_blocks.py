"""`markdown.text_blocks`, the check's reading of a page, against `render_blocks`, the PDF's.

`brochure check` reads pages without typography, font coverage, image URLs or (but for raw
HTML) sanitizing, and must still compare the sections the side-by-side PDF lines up. On
every page under tests/fixtures and the seed, both readings must give the same blocks
(kinds, lines, levels, headings), the same printed text but for what typography and the
fonts change, the same lists, and the same rows of the side-by-side layout for every pair
of languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brochure import align, fonts
from brochure.check import gather
from brochure.content import Page
from brochure.markdown import Block, render_blocks, text_blocks

from .conftest import CONTENT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOLDERS = [
    CONTENT,
    FIXTURES / "markup",
    *sorted(p for p in (FIXTURES / "sites").iterdir() if p.is_dir()),
    *sorted(p for p in (FIXTURES / "check").iterdir() if p.is_dir()),
    FIXTURES / "catalogue",
    FIXTURES / "fit",
]
_TAGS = re.compile(r"<[^>]+>")
_LIST_TAGS = re.compile(r"<(/?)(ul|ol|li)\b")


def _pages(folder: Path) -> list[list[Page]]:
    """The pages of each brochure under `folder`, in column order."""
    gathered = gather([folder])
    rank = {lang: i for i, lang in enumerate(gathered.order)}
    return [
        sorted(b.pages.values(), key=lambda p: rank.get(p.lang, len(rank)))
        for b in gathered.brochures
    ]


def _printing(page: Page) -> list[Block]:
    """The page's blocks as the PDF has them (every image the text shows found)."""
    found = {name: f"brochure:figure/{n}" for n, name in enumerate(page.body_images)}
    return render_blocks(page.body, page.lang, page.title, found)


def _plain(text: str) -> str:
    """Text as typography leaves it out of account: no invisible joins or breaks, one
    kind of space and of dash; no character the fonts lack."""
    text = fonts.strip(text).replace("\u2060", "").replace("\u200b", "")
    text = re.sub(r"[\u00a0\u202f ]+", " ", text)
    return re.sub(r"[‐‑‒–—-]", "-", text)


def _lists(html: str) -> list[int]:
    """Item counts of every list in a block's HTML, in order of their opening tags."""
    counts: list[int] = []
    stack: list[int] = []
    for closing, tag in _LIST_TAGS.findall(html):
        if tag != "li":
            if closing:
                stack.pop()
            else:
                stack.append(len(counts))
                counts.append(0)
        elif not closing and stack:
            counts[stack[-1]] += 1
    return counts


def _where(row: align.Row) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(b.line for b in row.left), tuple(b.line for b in row.right)


PAGES = [
    pytest.param(pages, id=str(pages[0].path.relative_to(FIXTURES.parent.parent)))
    for folder in FOLDERS
    for pages in _pages(folder)
]


def test_every_fixture_folder_gives_pages_in_two_languages() -> None:
    # The comparison below means something only if there are pairs to align.
    assert sum(len(pages) > 1 for pages in (p.values[0] for p in PAGES)) >= 15  # type: ignore[arg-type]
    assert all(any(len(pages) > 1 for pages in _pages(f)) for f in FOLDERS[:3])


@pytest.mark.parametrize("pages", PAGES)
def test_the_check_reads_the_blocks_the_pdf_prints(pages: list[Page]) -> None:
    for page in pages:
        printed, read = (
            _printing(page),
            text_blocks(page.body, page.lang, page.title, page.body_images),
        )
        assert [(b.kind, b.line, b.level) for b in read] == [
            (b.kind, b.line, b.level) for b in printed
        ], page.path
        for x, y in zip(printed, read, strict=True):
            assert _plain(y.text) == _plain(x.text), (page.path, x.line)
            assert _plain(y.html) == _plain(_TAGS.sub("", x.html)), (page.path, x.line)
            assert [items for items, _ in y.lists] == (
                _lists(x.html) if x.kind in ("bullet_list", "ordered_list") else []
            ), (page.path, x.line)
            lines = page.body.split("\n")
            for _, first in y.lists:  # each list's first item stands on its line
                assert re.match(r"\s*(?:[-*+]|[0-9]+[.)])(?:\s|$)", lines[first - 1]), first


@pytest.mark.parametrize("pages", [p for p in PAGES if len(p.values[0]) > 1])  # type: ignore[arg-type]
def test_the_check_aligns_the_rows_the_pdf_lines_up(pages: list[Page]) -> None:
    first = pages[0]
    for other in pages[1:]:
        printed = align.rows(_printing(first), _printing(other))
        read = align.rows(
            text_blocks(first.body, first.lang, first.title, first.body_images),
            text_blocks(other.body, other.lang, other.title, other.body_images),
        )
        assert [_where(r) for r in read] == [_where(r) for r in printed], other.path


def test_the_markup_pair_has_every_kind_of_block() -> None:
    (ru, en) = _pages(FIXTURES / "markup")[0]
    for page in (ru, en):
        read = text_blocks(page.body, page.lang, page.title, page.body_images)
        kinds = {b.kind for b in read}
        assert kinds >= {
            "paragraph",
            "heading",
            "bullet_list",
            "ordered_list",
            "blockquote",
            "alert",
            "table",
            "dl",
            "html_block",
            "fence",
            "hr",
            "footnote_block",
        }, kinds
        texts = " ".join(b.html for b in read)
        # Comments and scripts print nothing: neither a block of their own nor text.
        assert "note" not in texts and "never printed" not in texts and "alert" not in texts
        assert "9:00" in texts and "&lt;kept&gt; &amp;" in texts  # raw HTML that prints
        # What prints besides the words: addresses a link's text hides, a caption, a
        # footnote's mark, the alert's title in the page's language.
        caption, alert = {
            "en": ("The room, floor 2", "Warning"),
            "ru": ("Кабинет, 2 этаж", "Внимание"),
        }[page.lang]
        for printed in ("(desk@example.com)", "(example.com/", "[1]", caption, alert):
            assert printed in texts, printed
        nested = next(b for b in read if b.lists)
        assert [items for items, _ in nested.lists] == [3, 2]
