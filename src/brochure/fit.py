"""Copyfitting: a brochure over its page limit is tightened in designed steps until it fits.

A PDF is laid out at the design's setting first; one that fits is written as it is,
untouched. One that does not is tightened along one scale, t from 0 (the design) to
1 (the tightest the design allows), which runs through four steps in order, each
reaching its floor before the next begins (`FLOORS`):

1. the spacing between blocks (vertical margins and paddings);
2. the hero's height;
3. the leading of text set on a fixed line height (body, contacts);
4. the type size, never below the floor of that paper size's own design.

Pages fall as t rises (all but always: a block kept together can jump a page), so the
loosest t that fits is found by a search on that one scale (a guess from a model of what
the steps save, then the next notch, then interpolating how full the last page is, kept
safe by bisection) in a few layouts, not by trying every step; only the chosen layout is
written. The steps are a stylesheet generated from the brochure's own (`fitcss.py`),
which also lowers the hero's box; the layouts tried keep the design's photo in it and skip
WeasyPrint's backgrounds, and only the one written gets the photo prepared for the lower
box and its backgrounds (`pdf.Renderer.replace_image`, `Renderer.layout(trial=True)`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BuildWarning
from .profiles import PROFILES

if TYPE_CHECKING:
    from .config import Config
    from .plan import Target

NOTCHES = 6  # t moves in steps of 1/6: a step and a half per notch (two without a hero)
MAX_PROBES = 4  # layouts beyond the design's when searching
WIDOW_FILL = 0.2  # a last page filled less than this holds only a few lines
FOLD = 4  # A5 pages on one folded A4 sheet
# Roughly what each step saves at its floor, as a share of the pages: the search's first
# guess. Chosen on the test pages and the benchmark's corpus (39 fitted PDFs, single and side
# by side), where what a step saves varies a lot (spacing 2–25 %, most of it in its first
# notch). With these, and the next notch tried after a near miss, the search takes 1.8
# layouts besides the design's on average for the benchmark's 19 fitted PDFs and 1.6 for
# the 7 test pages that need it, at most 2 (it took up to 3 before that step).
# The hero's saving is known exactly.
SAVES = {"spacing": 0.12, "leading": 0.04, "type": 0.08}


@dataclass(frozen=True)
class Floors:
    """How far each step may go on one paper size, as a share of the design's value."""

    spacing: float
    hero: float
    leading: float
    type: float


FLOORS: dict[str, Floors] = {
    "a4": Floors(spacing=0.5, hero=0.6, leading=0.92, type=0.9),
    "a5": Floors(spacing=0.5, hero=0.6, leading=0.93, type=0.93),
}
STEPS = ("spacing", "hero", "leading", "type")


@dataclass(frozen=True)
class Setting:
    """One point on the scale: each step's share of the design's value."""

    t: float = 0.0
    spacing: float = 1.0
    hero: float = 1.0
    leading: float = 1.0
    type: float = 1.0

    def describe(self) -> str:
        """`spacing 50 %, hero 72 %`: the steps in use."""
        moved = [(name, getattr(self, name)) for name in STEPS if getattr(self, name) < 1.0]
        return ", ".join(f"{name} {value * 100:.0f} %" for name, value in moved) or "the design"


def setting(notch: int, floors: Floors, has_hero: bool = True) -> Setting:
    """The setting at t = notch / NOTCHES; without a hero its step is left out of the scale."""
    steps = [s for s in STEPS if has_hero or s != "hero"]
    t = notch / NOTCHES
    share = 1.0 / len(steps)
    values: dict[str, float] = {}
    for index, name in enumerate(steps):
        progress = min(max((t - index * share) / share, 0.0), 1.0)
        values[name] = round(1.0 - (1.0 - getattr(floors, name)) * progress, 4)
    return Setting(t, **values)


# --- what a PDF must fit ------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """What one PDF must fit: a page limit, or without one only tidiness."""

    limit: int | None  # the most pages; None: pull back a widow page, fold A5 by fours
    fold: bool = False  # folded A5 (side by side, or a booklet): pages by fours


def goal(config: Config, target: Target) -> Goal | None:
    """The goal of a target: the page's `fit:` wins over `[fit]`; None without either."""
    pages = [target.brochure.pages[lang] for lang in target.langs]
    fold = target.size == "a5" and (
        target.layout == "bilingual" or PROFILES[target.profile].imposed
    )
    own = [page.fit for page in pages if page.fit is not None]
    if own:
        return Goal(min(own), fold)
    if config.fit is None:
        return None
    return Goal(config.fit.limit(target.size), fold)


def digest_part(config: Config, target: Target) -> str:
    """What copyfitting adds to a target's digest: its goal and the floors and notches."""
    wanted = goal(config, target)
    if wanted is None:
        return "fit=off"
    return f"fit={wanted.limit}/{wanted.fold}/{FLOORS[target.size]}/{NOTCHES}/{WIDOW_FILL}"


# --- measuring a layout -----------------------------------------------------


def fill(document: Any) -> float:
    """Pages used, fractionally: the last page counts as far as its text reaches.

    Pages fit a limit exactly when this is at most the limit. Reads WeasyPrint's page
    boxes; a version without them gives the whole page count (the search then bisects).
    """
    pages = len(document.pages)
    try:
        box = document.pages[-1]._page_box
        root = next(c for c in box.children if getattr(c, "element_tag", None) == "html")
        used = float((root.position_y + root.margin_height() - box.content_box_y()) / box.height)
    except (AttributeError, StopIteration, TypeError, ZeroDivisionError, IndexError):
        return float(pages)
    return pages - 1 + min(max(used, 0.01), 1.0)


def _text_boxes(document: Any, first: int) -> Iterator[Any]:
    for page in document.pages[first:]:
        for child in page._page_box.children:
            if getattr(child, "element_tag", None) != "html":
                continue  # running header and page numbers
            for box in child.descendants():
                if isinstance(getattr(box, "text", None), str):
                    yield box


def words_from(document: Any, first: int) -> dict[str, int]:
    """Words on the pages from index `first` on, per language."""
    counts: dict[str, int] = {}
    try:
        for box in _text_boxes(document, first):
            lang = str(box.style["lang"] or "")
            counts[lang] = counts.get(lang, 0) + len(box.text.split())
    except (AttributeError, KeyError, TypeError):
        return {}
    return counts


def _pages(count: int) -> str:
    return f"{count} page{'s' if count != 1 else ''}"


def _about(count: int) -> int:
    if count < 20:
        return count
    return round(count, -1) if count < 1000 else round(count, -2)


# --- the search -------------------------------------------------------------


def saving(notch: int, start: float, floors: Floors, hero_share: float) -> tuple[float, float]:
    """Roughly how many pages a notch saves, as (known, modelled): the hero's lost height
    exactly (`hero_share`: its height as a share of a page's), and a share of the text for
    each other step (`SAVES`)."""
    chosen = setting(notch, floors, hero_share > 0)
    modelled = 0.0
    for name, share in SAVES.items():
        floor = getattr(floors, name)
        modelled += start * share * (1.0 - getattr(chosen, name)) / (1.0 - floor)
    return hero_share * (1.0 - chosen.hero), modelled


def search(
    probe: Callable[[int], float],
    limit: int,
    start: float,
    saved: Callable[[int], tuple[float, float]],
    budget: int = MAX_PROBES,
) -> int | None:
    """The loosest notch whose layout fits `limit` pages, or None when NOTCHES does not.

    `probe(n)` lays out at notch n and returns its `fill`; `start` is the fill at notch
    0, which does not fit. `saved(n)` (`saving`) says roughly how much notch n saves, as
    a known and a modelled part. The first guess is where that reaches the limit; if it
    fits, the notch below is tried (unless it is the design's). If it does not fit, the
    next notch is: pages fall in lumps (a block kept together jumps back a page), so a
    guess that ran a little over is most often one notch short; then the tightest notch
    (nothing fits if it does not). Within the bracket the fill falls nearly in a straight
    line against the saving (its modelled part scaled to what the failed guesses saved),
    so each guess interpolates it there (regula falsi), falling back to halving when a
    guess did not halve the bracket. The answer is the loosest notch known to fit when the
    bracket closes or the `budget` of probes runs out.
    """
    fills = {0: start}
    lo, hi = 0, None
    width = 2 * NOTCHES  # the first interpolation is trusted
    scale = 1.0  # what the modelled part saved, measured over modelled

    def x(notch: int) -> float:
        known, modelled = saved(notch)
        return known + scale * modelled

    for used in range(budget):
        if hi is None:
            if used >= 2 or used == budget - 1:
                n = NOTCHES  # two guesses failed: whether anything fits at all
            elif used == 1:
                n = lo + 1  # the guess ran a little over: the next notch, as pages fall in lumps
            else:  # a guess from the model
                n = next((k for k in range(1, NOTCHES) if x(k) >= start - limit), NOTCHES)
        else:
            if hi - lo <= 1:
                break
            over = (fills[lo] - limit) / max(fills[lo] - fills[hi], 1e-6)
            target = x(lo) + (x(hi) - x(lo)) * over
            n = next((k for k in range(lo + 1, hi) if x(k) >= target), hi - 1)
            if hi - lo > width / 2:  # the last guess did not halve the bracket: halve it
                n = (lo + hi) // 2
            width = hi - lo
        fills[n] = probe(n)
        if fills[n] <= limit:
            hi = n
        elif n == NOTCHES:
            return None
        else:
            lo = n
            known, modelled = saved(n)
            if modelled > 0:
                scale = min(max((start - fills[n] - known) / modelled, 0.25), 4.0)
    return hi


# --- one PDF ----------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What copyfitting did to one PDF: kept in the manifest, told in the summary."""

    before: int  # pages at the design's setting
    after: int  # pages written
    setting: Setting | None  # the setting written; None: the design's
    note: str  # the summary line, after the file name
    layouts: int = 1  # layouts made, the design's included

    def record(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "setting": asdict(self.setting) if self.setting else None,
            "layouts": self.layouts,
        }


@dataclass
class Fitting:
    """Copyfitting for one target, as the `choose` step of `Renderer.render`.

    `lay_out(setting)` lays the target out at a setting (its hero's box lowered, the
    design's photo in it); the layout chosen is the one written, after `finish(layout,
    setting)` has put in the photo prepared for the lower box.
    """

    wanted: Goal
    target: Target
    source: Path  # the page the warnings name
    hero_share: float  # the hero's height as a share of a page's text height (0: none)
    lay_out: Callable[[Setting], Any]
    finish: Callable[[Any, Setting], Any] = lambda laid, chosen: laid
    result: Result | None = None
    warnings: list[BuildWarning] = field(default_factory=list)

    def __call__(self, document: Any) -> Any:
        before = len(document.pages)
        aim, why = self._aim(document)
        if aim is None:
            return document
        floors = FLOORS[self.target.size]
        loosest: dict[int, Any] = {}  # the loosest layout that fits so far
        tightest: list[Any] = []
        layouts = 1

        def probe(notch: int) -> float:
            nonlocal layouts
            laid = self.lay_out(setting(notch, floors, self.hero_share > 0))
            layouts += 1
            pages = fill(laid)
            if pages <= aim:
                loosest.clear()
                loosest[notch] = laid
            elif notch == NOTCHES:
                tightest.append(laid)
            return pages

        start = fill(document)
        notch = search(probe, aim, start, lambda n: saving(n, start, floors, self.hero_share))
        if notch is None:
            note = self._not_fitted(before, aim, why, tightest[0] if tightest else None)
            self.result = Result(before, before, None, note, layouts)
            return document
        laid = loosest[notch]
        chosen = setting(notch, floors, self.hero_share > 0)
        after = len(laid.pages)
        what = {
            "limit": f"fitted to {_pages(after)} (from {before})",
            "fold": f"fitted to {_pages(after)} to fold by fours (from {before})",
            "widow": f"last page of a few lines pulled back: {_pages(after)} (from {before})",
        }[why]
        self.result = Result(before, after, chosen, f"{what}, {chosen.describe()}", layouts)
        return self.finish(laid, chosen)

    def _aim(self, document: Any) -> tuple[int | None, str]:
        """The page count to reach and why, or None: the design's layout is kept."""
        pages = len(document.pages)
        limit = self.wanted.limit
        if limit is not None:
            return (limit, "limit") if pages > limit else (None, "")
        if self.wanted.fold and pages % FOLD:
            if pages > FOLD:
                return pages - pages % FOLD, "fold"
            blank = FOLD - pages
            self.result = Result(
                pages,
                pages,
                None,
                f"{_pages(pages)}, not a multiple of 4 for folding: too little text to fill "
                f"a folded sheet, {_pages(blank)} of it blank",
            )
            return None, ""
        if pages > 1 and fill(document) - (pages - 1) < WIDOW_FILL:
            return pages - 1, "widow"
        return None, ""

    def _not_fitted(self, before: int, aim: int, why: str, tightest: Any) -> str:
        """Over a limit even at the tightest setting: a warning; a fold: a summary line."""
        need = len(tightest.pages) if tightest is not None else aim + 1
        if why == "fold":
            return (
                f"{_pages(before)}, not a multiple of 4 for folding: {aim} would need more "
                f"than the floors allow, {_pages(-before % FOLD)} of the last sheet blank"
            )
        if why != "limit":
            return ""
        words = words_from(tightest, aim) if tightest is not None else {}
        over = (
            f"{self.target.path.name} needs {need} {self.target.size.upper()} pages, {aim} allowed"
        )
        if words and len(self.target.langs) > 1:
            over += f"; about {_about(max(words.values()))} words too many in each language"
        elif words:
            over += f"; about {_about(sum(words.values()))} words too many"
        self.warnings.append(
            BuildWarning(
                over,
                path=self.source,
                hint=f"shorten the text, or allow {need} pages ('fit: {need}' in its front "
                f"matter); it is built at the normal setting, on {before} pages",
            )
        )
        return ""
