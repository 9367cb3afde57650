"""Compare the translations of each page, section by section, without laying anything out.

The rule (documented in docs/check.md):

1. Pages are read and paired as `brochure build` reads and pairs them (`gather`). A page
   in two or more languages is compared language by language against the first of its
   languages in the order build chooses columns (`plan.bilingual_order`); a page in one
   language only, where other pages have more, is `untranslated` (informational).
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
import shutil
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import dates
from .errors import BrochureError, ConfigError, display_path

if TYPE_CHECKING:
    from .config import Config
    from .content import Brochure, Page

KINDS = ("numbers", "contacts", "structure", "stale", "untranslated")
INFORMATIONAL = frozenset({"untranslated"})
FORMATS = ("text", "json", "github")


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
    order: tuple[str, ...] = ("ru", "en")  # languages in column order, as build has them


def gather(paths: Sequence[Path]) -> Gathered:
    """Read and pair the pages under `paths` as `brochure build` does.

    The one place that knows where brochures come from. Raises `ConfigError` for a
    missing path, a bad `brochure.toml` or no pages at all.
    """
    from . import sources
    from .config import CONFIG_NAME, load_config
    from .plan import bilingual_order

    paths = list(paths)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ConfigError(
            "no such file or folder", path=missing[0], hint="check the path you gave to check"
        )
    collection = sources.collect(paths)
    config, _ = load_config(
        collection.site.root, sources.config_folder(collection.site, paths) / CONFIG_NAME
    )
    if not collection.pages and not collection.failures and not collection.skipped:
        raise ConfigError(
            "no pages found (Markdown .md files, or .txt files that start with '---')",
            path=paths[0],
            hint="pass a folder or file that holds pages",
        )
    order = tuple(bilingual_order(config, collection.site))
    return Gathered(collection.brochures, config, collection.failures, order)


# --- age --------------------------------------------------------------------


def commit_times(paths: Sequence[Path]) -> dict[Path, int]:
    """When the last commit touching each file was made; nothing outside a git checkout."""
    if not paths or shutil.which("git") is None:
        return {}

    def run(*args: str, cwd: Path) -> str | None:
        return dates.git(cwd, "--literal-pathspecs", *args)

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
    brochures: Sequence[Brochure],
    config: Config,
    ignore: Collection[str] = (),
    order: Sequence[str] | None = None,
) -> list[Finding]:
    """Every translation difference in `brochures`, sorted by file and line.

    `ignore` names kinds not to report, on top of those `[check] ignore` lists; `order`
    is the languages' column order (default: `[bilingual] pair`).
    """
    from . import facts
    from .compare import Ignored, Text, compare, read

    site = frozenset(lang for b in brochures for lang in b.langs)
    regions: dict[str, str | None] = {
        lang: facts.region_of(config.clinic_for(lang).phone) for lang in site
    }
    ignored = Ignored.from_config(config.check_ignore, set(regions.values()), site)
    skip = set(ignore) | ignored.kinds
    texts: dict[Path, Text] = {}

    def text(page: Page) -> Text:
        if page.path not in texts:
            texts[page.path] = read(page, regions, site)
        return texts[page.path]

    translated = [b for b in brochures if len(b.pages) > 1]
    times: dict[Path, int] = {}
    if "stale" not in skip:
        times = commit_times([p.path for b in translated for p in b.pages.values()])
    out: list[Finding] = []
    for brochure in brochures:
        langs = _languages(brochure, order or config.bilingual)
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


def _escape(text: str, in_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if in_property else text


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
