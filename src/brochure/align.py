"""Pair the blocks of two languages into rows for the side-by-side layout.

The rule (documented in docs/bilingual.md):

1. Each text is cut into sections: one before the first heading (the preamble,
   possibly empty), then one per heading, whatever its level.
2. The two lists of sections are aligned in order, like a diff: a pair of
   headings of the same level is the best match, headings of different levels
   match less well, a heading never pairs with the preamble, and a section may
   stand alone when the other language has nothing for it.
3. Each aligned pair is one row: its two headings start at the same height and
   the row ends before the next pair starts. A section on one side only gets a
   row with an empty cell on the other. Where the structure alone leaves a
   choice (two sections of the same level could pair), the sections that look
   more alike win: the same sequence of block kinds, the same numbers, a
   similar length.
4. When one of the texts has no headings at all, headings cannot guide, so the
   parts without a heading are aligned further, block by block, in the same way:
   blocks of the same kind (paragraph, list, table, quote…) pair up, and each
   pair is a row. (Where both texts have headings, the preamble is one row, so
   each column reads straight through without gaps between its paragraphs.)

Alignment never drops, duplicates or reorders a block: reading either column from
top to bottom gives back that language's text exactly.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .markdown import Block

T = TypeVar("T")
_TAGS = re.compile(r"<[^>]+>")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Section:
    """A heading (or none, for the preamble) and the blocks up to the next heading."""

    heading: Block | None
    blocks: tuple[Block, ...]

    @property
    def level(self) -> int:
        return self.heading.level if self.heading else 0

    @property
    def all_blocks(self) -> tuple[Block, ...]:
        return ((self.heading,) if self.heading else ()) + self.blocks


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side layout: the blocks of each language."""

    left: tuple[Block, ...] = field(default_factory=tuple)
    right: tuple[Block, ...] = field(default_factory=tuple)


def sections(blocks: Sequence[Block]) -> list[Section]:
    """Cut a text into sections at its headings; the first is the preamble."""
    out: list[Section] = []
    heading: Block | None = None
    current: list[Block] = []
    for block in blocks:
        if block.kind == "heading":
            out.append(Section(heading, tuple(current)))
            heading, current = block, []
        else:
            current.append(block)
    out.append(Section(heading, tuple(current)))
    if out[0].heading is None and not out[0].blocks and len(out) > 1:
        out = out[1:]  # no preamble
    return out


def align(
    a: Sequence[T], b: Sequence[T], score: Callable[[T, T], float]
) -> list[tuple[T | None, T | None]]:
    """Order-keeping alignment of two sequences (Needleman–Wunsch, gap cost 0).

    `score(x, y)` > 0 means x and y may be paired; a higher score is a better
    pair. Ties prefer pairing to leaving items alone.
    """
    n, m = len(a), len(b)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            s = score(a[i], b[j])
            options = [best[i + 1][j], best[i][j + 1]]
            if s > 0:
                options.append(best[i + 1][j + 1] + s)
            best[i][j] = max(options)
    pairs: list[tuple[T | None, T | None]] = []
    i = j = 0
    while i < n and j < m:
        s = score(a[i], b[j])
        if s > 0 and best[i][j] == best[i + 1][j + 1] + s:
            pairs.append((a[i], b[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((a[i], None))
            i += 1
        else:
            pairs.append((None, b[j]))
            j += 1
    pairs += [(x, None) for x in a[i:]]
    pairs += [(None, y) for y in b[j:]]
    return pairs


def _plain(blocks: Sequence[Block]) -> str:
    return " ".join(_TAGS.sub("", b.html) for b in blocks)


def _likeness(a: Sequence[Block], b: Sequence[Block]) -> float:
    """How alike two runs of blocks look across languages, from 0 to 1.

    Translations keep their shape (the sequence of paragraphs, lists and tables),
    their numbers (prices, doses, session counts) and roughly their length.
    """
    shape = difflib.SequenceMatcher(None, [x.kind for x in a], [y.kind for y in b]).ratio()
    text_a, text_b = _plain(a), _plain(b)
    digits_a, digits_b = set(_DIGITS.findall(text_a)), set(_DIGITS.findall(text_b))
    numbers = len(digits_a & digits_b) / len(digits_a | digits_b) if digits_a or digits_b else 1.0
    longer = max(len(text_a), len(text_b)) or 1
    length = min(len(text_a), len(text_b)) / longer
    return 0.5 * shape + 0.25 * numbers + 0.25 * length


def _section_score(x: Section, y: Section) -> float:
    if (x.heading is None) != (y.heading is None):
        return 0.0
    if x.heading is None:
        return 4.0  # preamble with preamble
    alike = _likeness(x.blocks, y.blocks)
    return 2.0 + alike if x.level == y.level else 0.5 + 0.5 * alike


def _block_score(x: Block, y: Block) -> float:
    if x.kind != y.kind:
        return 0.3
    return 1.0 + _likeness((x,), (y,))


def rows(left: Sequence[Block], right: Sequence[Block]) -> list[Row]:
    """The rows of the side-by-side layout for two texts."""
    out: list[Row] = []
    # Paragraph by paragraph only where headings cannot guide: a text without any.
    unguided = not any(x.kind == "heading" for x in left) or not any(
        y.kind == "heading" for y in right
    )
    for a, b in align(sections(left), sections(right), _section_score):
        headless = (a is None or a.heading is None) and (b is None or b.heading is None)
        if unguided and headless and a is not None and b is not None:
            for x, y in align(a.blocks, b.blocks, _block_score):
                out.append(Row((x,) if x else (), (y,) if y else ()))
        else:
            out.append(Row(a.all_blocks if a else (), b.all_blocks if b else ()))
    return [r for r in out if r.left or r.right]
