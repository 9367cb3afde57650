"""Compare two languages of one page along the rows of the side-by-side PDF.

`read` takes a page's blocks as the PDF cuts and aligns them (`markdown.text_blocks`: the
blocks of `markdown.render_blocks` with their text alone), and the facts (`facts.py`) on each
block's source lines and the items of its lists, with their lines in the file. `compare`
aligns two pages with `align.rows` and reports, in each pair of rows, the numbers and
contacts one side has and the other lacks, lists of different lengths, and sections in one
language only (the rule is in `check.py` and docs/check.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import align, facts, markdown
from .check import KINDS, Finding
from .content import Page
from .errors import display_path
from .facts import Fact
from .markdown import Block, TextBlock


@dataclass
class Text:
    """A page's blocks as the PDF aligns them, with the facts and lists of each block."""

    page: Page
    blocks: list[TextBlock]
    facts: dict[int, list[Fact]]  # block.line -> facts on its lines
    lists: dict[int, list[tuple[int, int]]]  # block.line -> (items, file line) per list
    keys: set[str]  # every contact key on the page

    def line(self, body_line: int) -> int:
        return self.page.body_line + body_line - 1


def read(page: Page, regions: dict[str, str | None], langs: frozenset[str]) -> Text:
    """A page read for comparison; `regions` gives each language's phone region."""
    # Every image the text shows stands in the blocks, as it does in the PDF.
    blocks = markdown.text_blocks(page.body, page.lang, page.title, page.body_images)
    source = page.body.split("\n")
    region = regions.get(page.lang)
    found: dict[int, list[Fact]] = {}
    lists: dict[int, list[tuple[int, int]]] = {}
    keys: set[str] = set()
    for i, block in enumerate(blocks):
        end = blocks[i + 1].line if i + 1 < len(blocks) else len(source) + 1
        shown = facts.printable("\n".join(source[block.line - 1 : end - 1])).split("\n")
        mine: list[Fact] = []
        for number, text in enumerate(shown, start=page.body_line + block.line - 1):
            mine += facts.facts(text, page.lang, number, region, langs)
        found[block.line] = mine
        keys.update(f.key for f in mine if f.kind != "number")
        if block.lists:
            start = page.body_line - 1
            lists[block.line] = [(items, start + first) for items, first in block.lists]
    return Text(page, blocks, found, lists, keys)


def _meta_line(page: Page, key: str) -> int:
    """The line of `key:` in the front matter (for a title taken from a heading, the heading's)."""
    if key in page.key_lines:
        return page.key_lines[key]
    if key == "title":
        for number, line in enumerate(page.body.split("\n"), start=page.body_line):
            if line.lstrip().startswith("#"):
                return number
    return 1


@dataclass
class Ignored:
    """What `[check] ignore` lists: kinds, and values that may differ."""

    kinds: set[str] = field(default_factory=set)
    values: set[Decimal] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)

    @classmethod
    def from_config(
        cls, entries: Iterable[str], regions: Iterable[str | None], langs: frozenset[str]
    ) -> Ignored:
        out = cls()
        for entry in entries:
            if entry in KINDS:
                out.kinds.add(entry)
                continue
            phones = {facts.phone_key(entry, region) for region in (None, *regions)} - {None}
            if phones and sum(c.isdigit() for c in entry) >= 7 and re.search(r"[+()\s-]", entry):
                out.keys.update(p for p in phones if p)  # a phone number, not its digits
                continue
            for fact in facts.facts(entry, "en", 0, None, langs):
                if fact.kind == "number":
                    out.values.update(v for atom in fact.atoms for v in atom)
                else:
                    out.keys.add(fact.key)
        return out


@dataclass
class _Side:
    """One language's part of a pair of rows: where it stands and what it says."""

    text: Text
    line: int | None  # its first line (the heading) in the file
    name: str  # 'section "Prices"', 'the title', …
    facts: list[Fact]
    lists: list[tuple[int, int]]

    @property
    def path(self) -> Path:
        return self.text.page.path

    def at(self, line: int | None = None) -> str:
        line = line if line is not None else self.line
        return display_path(self.path) + (f":{line}" if line else "")


def _side(text: Text, blocks: Sequence[Block]) -> _Side:
    heading = next((b for b in blocks if b.kind == "heading"), None)
    name = f'section "{heading.text}"' if heading else "the text before the first heading"
    return _Side(
        text,
        text.line(blocks[0].line) if blocks else None,
        name,
        [f for b in blocks for f in text.facts.get(b.line, [])],
        [entry for b in blocks for entry in text.lists.get(b.line, [])],
    )


def _shown(atom: frozenset[Decimal]) -> str:
    """One value of a number part, written plainly (72, 1.5)."""
    return format(min(atom).normalize(), "f")


def _numbers(a: _Side, b: _Side, ignored: Ignored) -> list[Finding]:
    def values(side: _Side) -> set[Decimal]:
        return {v for f in side.facts if f.kind == "number" for atom in f.atoms for v in atom}

    def unmatched(side: _Side, other: set[Decimal]) -> list[Fact]:
        return [
            f
            for f in side.facts
            if f.kind == "number"
            and any(not (atom & other) and not (atom & ignored.values) for atom in f.atoms)
        ]

    left, right = unmatched(a, values(b)), unmatched(b, values(a))
    out: list[Finding] = []
    for i in range(max(len(left), len(right))):
        x = left[i] if i < len(left) else None
        y = right[i] if i < len(right) else None
        if x is not None and y is not None:
            out.append(
                Finding(
                    "numbers",
                    a.path,
                    x.line,
                    f'"{x.text}" here, "{y.text}" in {b.at(y.line)} ({a.name})',
                    "check which is right and make both say the same",
                    b.path,
                    y.line,
                )
            )
        else:
            here, there, fact = (a, b, x) if x is not None else (b, a, y)
            assert fact is not None
            found = values(there)
            lost = [atom for atom in fact.atoms if not (atom & found)]
            what = (
                "no such number"
                if len(lost) == len(fact.atoms)
                else "no " + " or ".join(_shown(atom) for atom in lost)
            )
            out.append(
                Finding(
                    "numbers",
                    here.path,
                    fact.line,
                    f'"{fact.text}" here, {what} in {there.name} at {there.at()}',
                    "check that the translation gives it too",
                    there.path,
                    there.line,
                )
            )
    return out


def _contacts(a: _Side, b: _Side, ignored: Ignored) -> list[Finding]:
    """Contacts of one side given nowhere on the other page.

    Each is shown beside the contact of the same kind that differs in the other side's
    rows, when there is one (the same number with two digits swapped, say).
    """

    def differing(side: _Side, other: _Side, kind: str) -> list[Fact]:
        near = {f.key for f in other.facts} | ignored.keys
        out: dict[str, Fact] = {}
        for f in side.facts:
            if f.kind == kind and f.key not in near:
                out.setdefault(f.key, f)
        return list(out.values())

    out: list[Finding] = []
    for kind in ("phone", "email", "url"):
        xs, ys = differing(a, b, kind), differing(b, a, kind)
        lost_x = [x for x in xs if x.key not in b.text.keys]
        lost_y = [y for y in ys if y.key not in a.text.keys]
        # Partners in order: the other side's lost contacts, then those it gives elsewhere.
        partners_x = lost_y + [y for y in ys if y not in lost_y]
        partners_y = [x for x in xs if x not in lost_x]
        pairs: list[tuple[_Side, Fact, _Side, Fact | None]] = [
            (a, x, b, partners_x[i] if i < len(partners_x) else None) for i, x in enumerate(lost_x)
        ]
        pairs += [
            (b, y, a, partners_y[j] if j < len(partners_y) else None)
            for j, y in enumerate(lost_y[len(lost_x) :])
        ]
        for here, fact, there, partner in pairs:
            if partner is not None:
                out.append(
                    Finding(
                        "contacts",
                        here.path,
                        fact.line,
                        f'{fact.label} "{fact.text}" here, "{partner.text}" in'
                        f" {there.at(partner.line)} ({here.name})",
                        "check the digits: both languages must give the same number"
                        if kind == "phone"
                        else "check which is right and make both the same",
                        there.path,
                        partner.line,
                    )
                )
            else:
                out.append(
                    Finding(
                        "contacts",
                        here.path,
                        fact.line,
                        f'{fact.label} "{fact.text}" here, nowhere in {display_path(there.path)}'
                        f" (compare {there.name}, line {there.line})",
                        "check that the translation gives it too",
                        there.path,
                        there.line,
                    )
                )
    return out


def _structure(a: _Side, b: _Side) -> list[Finding]:
    if len(a.lists) != len(b.lists):

        def lists(n: int) -> str:
            return f"{n} list{'s' if n != 1 else ''}" if n else "no list"

        first = a.lists[0][1] if a.lists else a.line
        other = b.lists[0][1] if b.lists else b.line
        return [
            Finding(
                "structure",
                a.path,
                first,
                f"{lists(len(a.lists))} here, {lists(len(b.lists))} in {b.at(other)} ({a.name})",
                "check for a list left out, or split or joined in translation",
                b.path,
                other,
            )
        ]
    return [
        Finding(
            "structure",
            a.path,
            line_a,
            f"a list of {count_a} items here, {count_b} in {b.at(line_b)} ({a.name})",
            "check for an item left out, added or merged",
            b.path,
            line_b,
        )
        for (count_a, line_a), (count_b, line_b) in zip(a.lists, b.lists, strict=True)
        if count_a != count_b
    ]


def _missing(here: Text, there: Text, blocks: Sequence[Block], before: int | None) -> Finding:
    side = _side(here, blocks)
    what = (
        side.name
        if blocks[0].kind == "heading"
        else "the text before the first heading (" + blocks[0].kind.replace("_", " ") + ")"
    )
    where = f"it would stand before line {before}" if before else "it would stand at the end"
    return Finding(
        "structure",
        here.page.path,
        side.line,
        f"{what} is in {here.page.lang} only; {display_path(there.page.path)} has nothing"
        f" for it ({where})",
        "translate it, or remove it if it is out of date",
        there.page.path,
        before,
    )


def compare(a: Text, b: Text, ignored: Ignored) -> list[Finding]:
    """Every difference between two languages of one page."""
    out: list[Finding] = []
    for key in ("title", "description"):
        text_a = a.page.title if key == "title" else a.page.description
        text_b = b.page.title if key == "title" else b.page.description
        if not (text_a and text_b) or not re.search("[0-9]", text_a + text_b):
            continue
        line_a, line_b = _meta_line(a.page, key), _meta_line(b.page, key)
        side_a = _Side(a, line_a, f"the {key}", facts.numbers(text_a, a.page.lang, line_a), [])
        side_b = _Side(b, line_b, f"the {key}", facts.numbers(text_b, b.page.lang, line_b), [])
        out += _numbers(side_a, side_b, ignored)

    rows = align.rows(a.blocks, b.blocks)
    unguided = not any(x.kind == "heading" for x in a.blocks) or not any(
        y.kind == "heading" for y in b.blocks
    )
    units: list[tuple[list[Block], list[Block]]] = []
    carry: tuple[list[Block], list[Block]] = ([], [])
    for i, row in enumerate(rows):
        if row.left and row.right:
            units.append((carry[0] + list(row.left), carry[1] + list(row.right)))
            carry = ([], [])
            continue
        blocks = row.left or row.right
        if unguided and blocks[0].kind != "heading":
            if units:  # an extra paragraph stays with the pair before it
                units[-1][0].extend(row.left)
                units[-1][1].extend(row.right)
            else:
                carry = (carry[0] + list(row.left), carry[1] + list(row.right))
            continue
        here, there = (a, b) if row.left else (b, a)
        later = [r.right if row.left else r.left for r in rows[i + 1 :]]
        before = next((there.line(x[0].line) for x in later if x), None)
        out.append(_missing(here, there, blocks, before))
    if carry[0] and carry[1]:
        units.append(carry)
    elif carry[0] or carry[1]:  # text before the headings of one side, nothing on the other
        here, there = (a, b) if carry[0] else (b, a)
        first = there.line(there.blocks[0].line) if there.blocks else None
        out.append(_missing(here, there, carry[0] or carry[1], first))
    for left, right in units:
        side_a, side_b = _side(a, left), _side(b, right)
        out += _numbers(side_a, side_b, ignored)
        out += _contacts(side_a, side_b, ignored)
        out += _structure(side_a, side_b)
    return out
