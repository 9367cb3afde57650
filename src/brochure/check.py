"""Compare the translations of each page, section by section, without laying anything out.

The rule (documented in docs/check.md):

1. Pages are read and paired as `brochure build` reads and pairs them (`gather`). A page
   in two or more languages is compared language by language against the first of its
   languages in `[bilingual] pair` order; a page in one language only, where other pages
   have more, is `untranslated` (informational).
2. Two texts are aligned into the rows of the side-by-side PDF (`align.rows`). A row with
   a section on one side only is a `structure` finding, named by its heading. Where one
   text has no headings the rows are single blocks; a block without a counterpart then
   joins the row before it, since translators split and join paragraphs freely.
3. In every pair of rows, and between the titles and the descriptions, the numbers
   (`numbers`) and the phone numbers, e-mail and web addresses (`contacts`) of one side
   must be found on the other, compared by value (`facts.py`): the same number written the
   other language's way is the same. A contact found elsewhere on the other page is not a
   difference. Lists in a pair of rows must have as many items (`structure`).
4. In a git checkout, the file whose last commit is on an earlier day than its
   translation's is `stale`. Outside git nothing is said: file times do not survive a clone.

Differences found on both sides are reported once, on the first language's file, naming
the other file and line; a fact on one side only is reported where it stands.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BrochureError, ConfigError, display_path

if TYPE_CHECKING:
    from .config import Config
    from .content import Brochure, Page
    from .facts import Fact
    from .markdown import Block

KINDS = ("numbers", "contacts", "structure", "stale", "untranslated")
INFORMATIONAL = frozenset({"untranslated"})
FORMATS = ("text", "json", "github")

_TAGS = re.compile(r"<(/?)(ul|ol|li)\b")
_ITEM = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|[0-9]{1,9}[.)])(?:\s|$)")


@dataclass(frozen=True)
class Finding:
    """One difference between translations, at the line where it stands."""

    kind: str  # one of KINDS
    path: Path
    line: int | None
    message: str  # what differs, naming the other file
    hint: str  # what to check
    other_path: Path | None = None
    other_line: int | None = None

    def __str__(self) -> str:
        where = display_path(self.path) + (f":{self.line}" if self.line else "")
        return f"{where}: warning: [{self.kind}] {self.message} — {self.hint}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": display_path(self.path),
            "line": self.line,
            "kind": self.kind,
            "message": f"{self.message} — {self.hint}",
            "other_path": display_path(self.other_path) if self.other_path else None,
            "other_line": self.other_line,
        }


@dataclass
class Gathered:
    """The brochures of a run, its configuration and the pages that could not be read."""

    brochures: list[Brochure]
    config: Config
    failures: list[BrochureError] = field(default_factory=list)


def gather(paths: Sequence[Path]) -> Gathered:
    """Read and pair the pages under `paths` as `brochure build` does.

    The one place that knows where brochures come from. Raises `ConfigError` for a
    missing path, a bad `brochure.toml` or no pages at all.
    """
    from . import content
    from .config import load_config

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ConfigError(
            "no such file or folder", path=missing[0], hint="check the path you gave to check"
        )
    config, _ = load_config(content.content_root(list(paths)))
    files = list(content.discover(paths))
    if not files:
        raise ConfigError(
            "no pages found (Markdown .md files, or .txt files that start with '---')",
            path=paths[0],
            hint="pass a folder or file that holds pages",
        )
    pages: list[Page] = []
    failures: list[BrochureError] = []
    for file in files:
        try:
            pages.append(content.read_page(file, config.root))
        except BrochureError as exc:
            failures.append(exc)
    brochures, _ = content.pair(pages)
    return Gathered(brochures, config, failures)


# --- one page, read for comparison ------------------------------------------


@dataclass
class _Text:
    """A page's blocks as the PDF aligns them, with the facts and lists of each block."""

    page: Page
    blocks: list[Block]
    facts: dict[int, list[Fact]]  # block.line -> facts on its lines
    lists: dict[int, list[tuple[int, int]]]  # block.line -> (items, file line) per list
    keys: set[str]  # every contact key on the page

    def line(self, body_line: int) -> int:
        return self.page.body_line + body_line - 1


def _lists(block: Block, source: list[str], first: int) -> list[tuple[int, int]]:
    """Item counts of a list block and the lists nested in it, with each one's first line."""
    counts: list[int] = []
    starts: list[int] = []  # index of each list's first item among all items
    stack: list[int] = []
    items = 0
    for closing, tag in ((m.group(1), m.group(2)) for m in _TAGS.finditer(block.html)):
        if tag != "li":
            if closing:
                stack.pop()
            else:
                stack.append(len(counts))
                counts.append(0)
                starts.append(items)
        elif not closing and stack:
            counts[stack[-1]] += 1
            items += 1
    markers = [first + i for i, text in enumerate(source) if _ITEM.match(text)]
    exact = len(markers) == items
    return [
        (count, markers[start] if exact and start < items else first)
        for count, start in zip(counts, starts, strict=True)
    ]


def _read(page: Page, regions: dict[str, str | None], langs: frozenset[str]) -> _Text:
    from . import facts, markdown

    blocks = markdown.render_blocks(page.body, page.lang, page.title)
    source = page.body.split("\n")
    region = regions.get(page.lang)
    found: dict[int, list[Fact]] = {}
    lists: dict[int, list[tuple[int, int]]] = {}
    keys: set[str] = set()
    for i, block in enumerate(blocks):
        end = blocks[i + 1].line if i + 1 < len(blocks) else len(source) + 1
        mine: list[Fact] = []
        for number in range(block.line, end):
            line = page.body_line + number - 1
            mine += facts.facts(source[number - 1], page.lang, line, region, langs)
        found[block.line] = mine
        keys.update(f.key for f in mine if f.kind != "number")
        if block.kind in ("bullet_list", "ordered_list"):
            lines = source[block.line - 1 : end - 1]
            lists[block.line] = _lists(block, lines, page.body_line + block.line - 1)
    return _Text(page, blocks, found, lists, keys)


def _front_line(page: Page, key: str) -> int | None:
    """The line of `key:` in the page's front matter."""
    from . import content

    try:
        text, _ = content.decode(page.path.read_bytes(), page.path)
    except (OSError, BrochureError):
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[: page.body_line - 1]
    for number, line in enumerate(lines, start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*:", line):
            return number
    return None


# --- comparing --------------------------------------------------------------


@dataclass
class _Ignored:
    """What `[check] ignore` lists: kinds, and values that may differ."""

    kinds: set[str] = field(default_factory=set)
    values: set[Decimal] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)

    @classmethod
    def from_config(
        cls, entries: Iterable[str], regions: Iterable[str | None], langs: frozenset[str]
    ) -> _Ignored:
        from . import facts

        out = cls()
        for entry in entries:
            if entry in KINDS:
                out.kinds.add(entry)
                continue
            phones = {facts.phone_key(entry, region) for region in (None, *regions)}
            out.keys.update(p for p in phones if p)
            for fact in facts.facts(entry, "en", 0, None, langs):
                out.keys.add(fact.key)
                out.values.update(v for atom in fact.atoms for v in atom)
        return out


@dataclass
class _Side:
    """One language's part of a pair of rows: where it stands and what it says."""

    text: _Text
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


def _side(text: _Text, blocks: Sequence[Block]) -> _Side:
    heading = next((b for b in blocks if b.kind == "heading"), None)
    name = f'section "{heading.text}"' if heading else "the text before the first heading"
    return _Side(
        text,
        text.line(blocks[0].line) if blocks else None,
        name,
        [f for b in blocks for f in text.facts.get(b.line, [])],
        [entry for b in blocks for entry in text.lists.get(b.line, [])],
    )


def _numbers(a: _Side, b: _Side, ignored: _Ignored) -> list[Finding]:
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
            out.append(
                Finding(
                    "numbers",
                    here.path,
                    fact.line,
                    f'"{fact.text}" here, no such number in {there.name} at {there.at()}',
                    "check that the translation gives it too",
                    there.path,
                    there.line,
                )
            )
    return out


def _contacts(a: _Side, b: _Side, ignored: _Ignored) -> list[Finding]:
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


def _missing(here: _Text, there: _Text, blocks: Sequence[Block], before: int | None) -> Finding:
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


def compare(a: _Text, b: _Text, ignored: _Ignored) -> list[Finding]:
    """Every difference between two languages of one page."""
    from . import align, facts

    out: list[Finding] = []
    for key in ("title", "description"):
        text_a = a.page.title if key == "title" else a.page.description
        text_b = b.page.title if key == "title" else b.page.description
        if not (text_a and text_b):
            continue
        line_a, line_b = _front_line(a.page, key) or 1, _front_line(b.page, key) or 1
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
    if carry[0] or carry[1]:
        units.append(carry)
    for left, right in units:
        side_a, side_b = _side(a, left), _side(b, right)
        out += _numbers(side_a, side_b, ignored)
        out += _contacts(side_a, side_b, ignored)
        out += _structure(side_a, side_b)
    return out


# --- age --------------------------------------------------------------------


def commit_times(paths: Sequence[Path]) -> dict[Path, int]:
    """When the last commit touching each file was made; nothing outside a git checkout."""
    git = shutil.which("git")
    if not paths or git is None:
        return {}

    def run(*args: str, cwd: Path) -> str | None:
        try:
            done = subprocess.run(
                [git, "--literal-pathspecs", *args],
                cwd=cwd,
                capture_output=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None

    top = run("rev-parse", "--show-toplevel", cwd=paths[0].resolve().parent)
    if not top:
        return {}
    toplevel = Path(top.strip()).resolve()
    wanted: dict[str, Path] = {}
    for path in paths:
        try:
            wanted[path.resolve().relative_to(toplevel).as_posix()] = path
        except ValueError:
            continue
    log = run("log", "--format=%x01%ct", "--name-only", "-z", "--", *wanted, cwd=toplevel)
    times: dict[Path, int] = {}
    for entry in (log or "").split("\x01")[1:]:  # "<time>\0\n<name>\0<name>\0…"
        stamp, *names = (part.strip("\n") for part in entry.split("\x00"))
        for name in names:
            found = wanted.get(name)
            if found is not None and stamp.isdigit():
                times[found] = max(times.get(found, 0), int(stamp))
    return times


def _day(stamp: int) -> str:
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).date().isoformat()


def _stale(a: Page, b: Page, times: dict[Path, int]) -> list[Finding]:
    if a.path not in times or b.path not in times:
        return []
    old, new = (a, b) if times[a.path] < times[b.path] else (b, a)
    day_old, day_new = _day(times[old.path]), _day(times[new.path])
    if day_old >= day_new:
        return []
    return [
        Finding(
            "stale",
            old.path,
            None,
            f"last committed on {day_old}, its translation {display_path(new.path)} on {day_new}",
            f"check what changed in {display_path(new.path)} since and bring this file up to date",
            new.path,
            None,
        )
    ]


# --- the run ----------------------------------------------------------------


def _languages(brochure: Brochure, preferred: Sequence[str]) -> list[str]:
    rank = {lang: i for i, lang in enumerate(preferred)}
    langs = brochure.langs
    return sorted(langs, key=lambda lang: (rank.get(lang, len(rank)), langs.index(lang)))


def check(
    brochures: Sequence[Brochure], config: Config, ignore: Collection[str] = ()
) -> list[Finding]:
    """Every translation difference in `brochures`, sorted by file and line.

    `ignore` names kinds not to report, on top of those `[check] ignore` lists.
    """
    from . import facts

    site = frozenset(lang for b in brochures for lang in b.langs)
    regions: dict[str, str | None] = {
        lang: facts.region_of(config.clinic_for(lang).phone) for lang in site
    }
    ignored = _Ignored.from_config(config.check_ignore, set(regions.values()), site)
    skip = set(ignore) | ignored.kinds
    texts: dict[Path, _Text] = {}

    def text(page: Page) -> _Text:
        if page.path not in texts:
            texts[page.path] = _read(page, regions, site)
        return texts[page.path]

    translated = [b for b in brochures if len(b.pages) > 1]
    times: dict[Path, int] = {}
    if "stale" not in skip:
        times = commit_times([p.path for b in translated for p in b.pages.values()])
    out: list[Finding] = []
    for brochure in brochures:
        langs = _languages(brochure, config.bilingual)
        if len(langs) == 1:
            page = brochure.pages[langs[0]]
            others = sorted(site - {page.lang})
            if others and "untranslated" not in skip:
                out.append(
                    Finding(
                        "untranslated",
                        page.path,
                        None,
                        f"this page is in {page.lang} only; other pages are also in "
                        + ", ".join(others),
                        "add a translation if the brochure should have one",
                    )
                )
            continue
        base = brochure.pages[langs[0]]
        for lang in langs[1:]:
            other = brochure.pages[lang]
            if {"numbers", "contacts", "structure"} - skip:
                out += compare(text(base), text(other), ignored)
            out += _stale(base, other, times)
    out = [f for f in out if f.kind not in skip]
    return sorted(out, key=lambda f: (display_path(f.path), f.line or 0, KINDS.index(f.kind)))


def differences(findings: Iterable[Finding]) -> int:
    """How many findings are differences (not merely informational)."""
    return sum(f.kind not in INFORMATIONAL for f in findings)


def summary_line(count: int) -> str:
    """The line `brochure build` prints when translations differ."""
    noun = "difference" if count == 1 else "differences"
    return f"{count} translation {noun}: run brochure check"


# --- output -----------------------------------------------------------------


def _escape(text: str, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def github(findings: Iterable[Finding], failures: Iterable[BrochureError] = ()) -> list[str]:
    """GitHub Actions workflow commands: one annotation per finding and per unread page."""
    lines = []
    for failure in failures:
        where = f" file={_escape(display_path(failure.path), True)}" if failure.path else ""
        if where and failure.line:
            where += f",line={failure.line}"
        message = failure.message + (f" — {failure.hint}" if failure.hint else "")
        lines.append(f"::error{where}::{_escape(message)}")
    for f in findings:
        level = "notice" if f.kind in INFORMATIONAL else "warning"
        props = f"file={_escape(display_path(f.path), True)}"
        if f.line:
            props += f",line={f.line}"
        props += f",title={_escape(f'brochure check: {f.kind}', True)}"
        lines.append(f"::{level} {props}::{_escape(f'{f.message} — {f.hint}')}")
    return lines


def render(findings: Sequence[Finding], fmt: str, pairs: int) -> str:
    """The findings in one of FORMATS (`pairs`: how many page pairs were compared)."""
    if fmt == "json":
        return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)
    lines = github(findings) if fmt == "github" else [str(f) for f in findings]
    count = differences(findings)
    untranslated = len(findings) - count
    said = f"{count} difference{'s' if count != 1 else ''}" if count else "no differences"
    if untranslated:
        said += f", {untranslated} page{'s' if untranslated != 1 else ''} untranslated"
    lines.append(f"{pairs} page pair{'s' if pairs != 1 else ''} checked: {said}")
    return "\n".join(lines)


def pairs(brochures: Iterable[Brochure]) -> int:
    """How many pairs of languages `check` compares."""
    return sum(len(b.pages) - 1 for b in brochures if len(b.pages) > 1)


def exit_code(findings: Iterable[Finding], failures: Sequence[BrochureError]) -> int:
    """0 when nothing but untranslated pages was found, else 1."""
    return 1 if failures or differences(findings) else 0
