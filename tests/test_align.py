"""The pairing rule of the side-by-side layout (docs/bilingual.md), on Markdown texts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brochure.align import Row, align, rows, sections
from brochure.markdown import Block, render_blocks


def _rows(left: str, right: str) -> list[Row]:
    return rows(render_blocks(left, "ru"), render_blocks(right, "en"))


def _shape(result: list[Row]) -> list[tuple[str, str]]:
    def side(blocks: tuple[Block, ...]) -> str:
        return " ".join(b.text or b.kind for b in blocks) if blocks else "-"

    return [(side(r.left), side(r.right)) for r in result]


def test_same_structure_pairs_section_by_section() -> None:
    text = "Intro.\n\n## A\n\nOne.\n\n- x\n\n## B\n\nTwo.\n"
    assert _shape(_rows(text, text)) == [
        ("paragraph", "paragraph"),
        ("A paragraph bullet_list", "A paragraph bullet_list"),
        ("B paragraph", "B paragraph"),
    ]


def test_extra_section_on_one_side_gets_a_row_of_its_own() -> None:
    left = "## A\n\nОдин раз.\n\n## B\n\nКурс из 10 сеансов.\n"
    right = (
        "## A\n\nOne time.\n\n## Prices\n\n| Session | Price |\n|---|--:|\n| One | 90 |\n\n"
        "## B\n\nA course of 10 sessions.\n"
    )
    assert _shape(_rows(left, right)) == [
        ("A paragraph", "A paragraph"),
        ("-", "Prices table"),
        ("B paragraph", "B paragraph"),
    ]


def test_extra_paragraph_and_table_stay_inside_their_section() -> None:
    left = "## A\n\nОдин.\n\nЕщё.\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n## B\n\nДва.\n"
    right = "## A\n\nOne.\n\n## B\n\nTwo.\n"
    assert _shape(_rows(left, right)) == [
        ("A paragraph paragraph table", "A paragraph"),
        ("B paragraph", "B paragraph"),
    ]


def test_headings_at_different_levels_still_pair_in_order() -> None:
    left = "## A\n\nx\n\n## B\n\ny\n"
    right = "### A\n\nx\n\n### B\n\ny\n"
    assert _shape(_rows(left, right)) == [
        ("A paragraph", "A paragraph"),
        ("B paragraph", "B paragraph"),
    ]


def test_same_level_is_preferred_over_another_level() -> None:
    left = "## A\n\nx\n\n## B\n\ny\n"
    right = "## A\n\nx\n\n### A.1\n\nz\n\n## B\n\ny\n"
    assert _shape(_rows(left, right)) == [
        ("A paragraph", "A paragraph"),
        ("-", "A.1 paragraph"),
        ("B paragraph", "B paragraph"),
    ]


def test_texts_without_headings_pair_block_by_block() -> None:
    left = "Первый.\n\n- а\n- б\n\nВторой.\n"
    right = "First.\n\nExtra.\n\n- a\n- b\n\nSecond.\n"
    assert _shape(_rows(left, right)) == [
        ("paragraph", "paragraph"),
        ("-", "paragraph"),
        ("bullet_list", "bullet_list"),
        ("paragraph", "paragraph"),
    ]


def test_headings_on_one_side_only() -> None:
    left = "Текст.\n\nЕщё текст.\n"
    right = "Text.\n\n## Section\n\nMore text.\n"
    assert _shape(_rows(left, right)) == [
        ("paragraph", "paragraph"),
        ("paragraph", "-"),
        ("-", "Section paragraph"),
    ]


def test_sections_cut_at_every_heading() -> None:
    found = sections(render_blocks("Intro\n\n# One\n\n## Two\n\ntext\n", "en"))
    assert [(s.heading.text if s.heading else None, len(s.blocks)) for s in found] == [
        (None, 1),
        ("One", 0),
        ("Two", 1),
    ]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abc", "abc", [("a", "a"), ("b", "b"), ("c", "c")]),
        ("abc", "ac", [("a", "a"), ("b", None), ("c", "c")]),
        ("", "ab", [(None, "a"), (None, "b")]),
    ],
)
def test_align_is_an_order_keeping_diff(
    a: str, b: str, expected: list[tuple[object, object]]
) -> None:
    assert align(list(a), list(b), lambda x, y: 1.0 if x == y else 0.0) == expected


_markdown = st.lists(
    st.sampled_from(["## H2", "### H3", "Paragraph.", "- item", "> quote", "| a |\n|---|\n| 1 |"]),
    max_size=12,
).map(
    lambda parts: "\n\n".join(f"{p} {i}" if p.startswith("#") else p for i, p in enumerate(parts))
)


@settings(max_examples=150, deadline=None)
@given(_markdown, _markdown)
def test_nothing_is_dropped_duplicated_or_reordered(left: str, right: str) -> None:
    a, b = render_blocks(left, "ru"), render_blocks(right, "en")
    result = rows(a, b)
    assert [x for r in result for x in r.left] == a
    assert [y for r in result for y in r.right] == b
    for row in result:
        assert row.left or row.right
        # a heading only ever opens a row
        assert all(x.kind != "heading" for x in row.left[1:])
        assert all(y.kind != "heading" for y in row.right[1:])
