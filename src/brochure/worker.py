"""Rendering in worker processes: each keeps WeasyPrint, fonts and stylesheets warm.

A task is one brochure's targets (or a single target when there are few brochures).
The same function runs in the main process for `--jobs 1`.
"""

from __future__ import annotations

import atexit
import gc
import os
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import align, booklet, color, fit, fonts, images, markdown, prepress, qr, render
from .assets import builtin_dir
from .atomic import write_atomic
from .config import Config
from .content import Brochure, Page
from .errors import BrochureError, BuildWarning, ImageError
from .profiles import PDF_A, PROFILES, Profile, uses_cmyk

if TYPE_CHECKING:
    from .build import Target
    from .pdf import Renderer


@dataclass
class Task:
    """Work sent to a worker: some targets of one brochure."""

    brochure: Brochure
    targets: list[Target]
    config: Config
    heroes: dict[str, Path | None]  # language -> located hero image
    logo_url: str | None
    html_dir: Path | None = None
    digests: dict[Path, str] = field(default_factory=dict)  # output -> inputs digest
    dates: dict[Path, str] = field(default_factory=dict)  # output -> creation date (W3C)
    pdf_a: bool = False
    cache_dir: Path | None = None  # prepared images kept across runs


@dataclass
class Done:
    """What a task made: (index in task.targets, pages, bytes, seconds) per PDF."""

    outputs: list[tuple[int, int, int, float]] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)
    failure: BrochureError | None = None
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    pid: int = 0
    rss_kb: int = 0  # resident memory after the task
    peak_kb: int = 0
    fitted: dict[int, fit.Result] = field(default_factory=dict)  # index -> what fitting did


_RENDERER: Renderer | None = None
FIGURE_BOX_MM = (126.0, 110.0)  # an image in the text: at most the A4 text width, never upscaled


def fetcher_scheme() -> str:
    from .pdf import MEMORY_SCHEME

    return MEMORY_SCHEME


def renderer(allowed: list[Path]) -> Renderer:
    """This process's warm renderer (created once, reused for every document)."""
    global _RENDERER
    if _RENDERER is None or _RENDERER.allowed != [p.resolve() for p in allowed]:
        from .pdf import Renderer

        if _RENDERER is None:
            atexit.register(_drop_renderer)
        _RENDERER = Renderer(allowed)
    return _RENDERER


def _drop_renderer() -> None:
    # Free WeasyPrint's font configuration while the interpreter is still whole: its
    # destructor fails noisily when it runs during shutdown.
    global _RENDERER
    _RENDERER = None
    gc.collect()


def warm_up(allowed: list[Path], parent: int | None = None) -> None:
    """Pool initializer: import WeasyPrint and parse fonts before the first task.

    A worker whose build was killed (no clean shutdown) notices and exits.
    """
    renderer(allowed)
    if parent is not None:
        threading.Thread(target=_orphan_watch, args=(parent,), daemon=True).start()


def _orphan_watch(parent: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass


def _rss_kb() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


class _Brochure:
    """The shared work for one brochure: blocks per language, heroes per size."""

    def __init__(self, task: Task, renderer: Renderer) -> None:
        self.brochure = task.brochure
        self.config = task.config
        self.renderer = renderer
        self.hero_paths = task.heroes
        self.cache_dir = task.cache_dir
        self.pdf_a = task.pdf_a
        self.columns: dict[str, render.Column] = {}
        self.rows: dict[tuple[str, ...], list[align.Row]] = {}
        self.urls: list[str] = []
        self.figures: dict[str, Path] = {}  # URL of an image in the text -> its file
        self.warnings: list[BuildWarning] = []
        for lang, page in self.brochure.pages.items():
            found = self._figures(page, lang)
            missing: set[str] = set()
            blocks = markdown.render_blocks(page.body, lang, page.title, found, missing)
            self.columns[lang] = render.column(page, blocks, self.config, missing)
            if missing:
                self.warnings.append(
                    BuildWarning(
                        f"{fonts.describe(missing)} cannot be printed with the brochure's fonts "
                        "and is left out",
                        path=page.path,
                        hint="write it in words, or leave it out of the page",
                    )
                )

    def _figures(self, page: Page, lang: str) -> dict[str, str]:
        """URLs for the images a page's text shows; one that cannot be decoded is left out."""
        out: dict[str, str] = {}
        for n, (name, path) in enumerate(page.body_images.items()):
            url = next((u for u, p in self.figures.items() if p == path), None)
            if url is None:
                try:
                    images.prepare(
                        path, FIGURE_BOX_MM, cache_dir=self.cache_dir, fit=True, quality=86
                    )
                except ImageError as exc:
                    self.warnings.append(
                        BuildWarning(
                            f"image '{name}': {exc.message}; it is left out",
                            path=page.path,
                            hint=exc.hint,
                        )
                    )
                    continue
                url = f"{fetcher_scheme()}:figure/{self.brochure.slug}/{lang}/{n}"
                self.figures[url] = path
            out[name] = url
        return out

    def put_figures(self, profile: Profile) -> None:
        """The text's images at the profile's resolution, under the URLs the blocks use."""
        for url, path in self.figures.items():
            prepared = images.prepare(
                path,
                FIGURE_BOX_MM,
                dpi=profile.hero_dpi,
                quality=profile.jpeg_quality,
                cache_dir=self.cache_dir,
                fit=True,
                cmyk=self.cmyk(profile),
            )
            self.renderer.fetcher.memory[url] = (prepared.data, prepared.mime)
            if url not in self.urls:
                self.urls.append(url)

    def cmyk(self, profile: Profile) -> bool:
        return uses_cmyk(profile, self.config.print_color, self.pdf_a)

    def hero(
        self,
        langs: tuple[str, ...],
        size: render.PageSize,
        profile: Profile,
        scale: float = 1.0,
    ) -> dict[str, Any] | None:
        """The first of `langs` that has a hero, prepared for this size, layout and profile.

        With a bleed the photo runs past the trim on both sides, into the bleed.
        Copyfitting lowers the box to `scale` of its height.
        """
        lang = next((lang for lang in langs if self.hero_paths.get(lang) is not None), None)
        if lang is None:
            return None
        path = self.hero_paths[lang]
        assert path is not None
        full = size.hero_height_mm if len(langs) == 1 else size.hero_height_bilingual_mm
        height = full if scale == 1.0 else round(full * scale, 1)
        width = size.width_mm + 2 * profile.bleed_mm if profile.bleed_mm else size.text_width_mm
        page = self.brochure.pages[lang]
        try:
            prepared = images.prepare(
                path,
                (width, height),
                dpi=profile.hero_dpi,
                quality=profile.jpeg_quality,
                cache_dir=self.cache_dir,
                cmyk=self.cmyk(profile),
            )
        except ImageError as exc:
            raise ImageError(
                f"hero image '{page.hero}': {exc.message}",
                path=page.path,
                line=images.hero_line(page),
                hint=exc.hint,
            ) from None
        url = self.renderer.fetcher.put(
            f"hero/{self.brochure.slug}/{lang}/{size.name}-{width:g}x{height:g}-"
            f"{profile.hero_dpi}-{profile.jpeg_quality}{'-cmyk' if self.cmyk(profile) else ''}.jpg",
            prepared.data,
            prepared.mime,
        )
        self.urls.append(url)
        alt = self.columns[lang].source.hero_alt
        return {
            "url": url,
            "alt": alt,
            "dpi": prepared.dpi,
            "height_mm": height,
            "bytes": len(prepared.data),
            "source": page.hero,
            "page": page,
            "pixels": prepared.source_size,
            "width_mm": width,
        }

    def qr(self, target: Target) -> dict[str, str] | None:
        """A QR code to the page's web address, else the clinic's booking page."""
        page = self.brochure.pages[target.langs[0]]
        url = page.url or self.config.clinic_for(page.lang).booking_url
        if not url:
            return None
        src = self.renderer.fetcher.put(f"qr/{url}", qr.svg(url), "image/svg+xml")
        return {"src": src, "label": render.display_url(url), "url": url}

    def html(
        self,
        target: Target,
        logo_url: str | None,
        created: str,
        hero_scale: float = 1.0,
    ) -> tuple[str, dict[str, Any] | None]:
        size = render.SIZES[target.size]
        profile = PROFILES[target.profile]
        self.put_figures(profile)
        hero = self.hero(target.langs, size, profile, hero_scale)
        page = render.PageInfo(
            profile=profile, created=created, qr=self.qr(target), cmyk=self.cmyk(profile)
        )
        if target.layout == "single":
            html = render.html_single(
                self.columns[target.langs[0]], size, self.config, hero, logo_url, page
            )
            return html, hero
        left, right = (self.columns[lang] for lang in target.langs)
        rows = self.rows.get(target.langs)
        if rows is None:
            rows = self.rows[target.langs] = align.rows(left.blocks, right.blocks)
        html = render.html_bilingual(left, right, rows, size, self.config, hero, logo_url, page)
        return html, hero

    def release(self) -> None:
        """Drop this brochure's images from the fetcher, so memory stays flat."""
        for url in self.urls:
            self.renderer.fetcher.memory.pop(url, None)


def _keep_html(task: Task, target: Target, html: str, work: _Brochure, css: list[Path]) -> None:
    """Save a standalone copy of the HTML (hero as a file, stylesheets linked): for benchmarks."""
    assert task.html_dir is not None
    task.html_dir.mkdir(parents=True, exist_ok=True)
    stem = target.path.name.removesuffix(".pdf")
    for url in work.urls:
        if url in html:
            data, _ = work.renderer.fetcher.memory[url]
            (task.html_dir / f"{stem}.hero.jpg").write_bytes(data)
            html = html.replace(url, f"{stem}.hero.jpg")
    links = "".join(f'<link rel="stylesheet" href="{p.resolve().as_uri()}">' for p in css)
    (task.html_dir / f"{stem}.html").write_text(
        html.replace("<head>", "<head>" + links, 1), encoding="utf-8"
    )


def _profile_warnings(
    profile: Profile, target: Target, hero: dict[str, Any] | None, size: int, pages: int
) -> list[BuildWarning]:
    """Print shops want 300 dpi; e-mail wants a small file. Say which image is to blame."""
    out: list[BuildWarning] = []
    if hero is None:
        return out
    page = hero["page"]
    if profile.min_dpi and hero["dpi"] < profile.min_dpi - 0.5:
        need_w = round(hero["width_mm"] / 25.4 * profile.min_dpi)
        need_h = round(hero["height_mm"] / 25.4 * profile.min_dpi)
        out.append(
            BuildWarning(
                f"{target.path.name}: hero image '{hero['source']}' prints at "
                f"{hero['dpi']:.0f} dpi, below the {profile.min_dpi} dpi a print shop needs",
                path=page.path,
                line=images.hero_line(page),
                hint=f"use a photo of at least {need_w}×{need_h} pixels "
                f"(this one is {hero['pixels'][0]}×{hero['pixels'][1]})",
            )
        )
    if profile.budget_kb_per_page:
        budget = profile.budget_kb_per_page * max(pages, 2) * 1024
        if size > budget:
            out.append(
                BuildWarning(
                    f"{target.path.name} is {size // 1024} KB, over the {budget // 1024} KB "
                    f"e-mail budget; its hero image '{hero['source']}' takes "
                    f"{hero['bytes'] // 1024} KB",
                    path=page.path,
                    line=images.hero_line(page),
                    hint="crop or simplify the photo, or send the office PDF instead",
                )
            )
    return out


def _brand_cmyk(config: Config) -> dict[color.RGB, color.CMYK]:
    """The brand colours' CMYK, wherever their RGB appears (the logo, for one)."""
    brand = (color.parse(config.primary), color.parse(config.accent))
    return {c.rgb: c.for_print() for c in brand}


def _press_warnings(target: Target, source: Path, problems: list[str]) -> list[BuildWarning]:
    return [
        BuildWarning(
            f"{target.path.name}: {problem} in the print shop's PDF",
            path=source,
            hint="a print shop may flatten or convert it; avoid it in custom styles and images",
        )
        for problem in problems
    ]


def _fitting(
    task: Task,
    target: Target,
    work: _Brochure,
    warm: Renderer,
    css: list[Path],
    created: str,
    hero: dict[str, Any] | None,
) -> fit.Fitting | None:
    """Copyfitting for a target with a page limit (or `[fit]`); None leaves it alone."""
    wanted = fit.goal(task.config, target)
    if wanted is None:
        return None
    source = task.brochure.pages[target.langs[0]].path
    profile = PROFILES[target.profile]

    def lay_out(setting: fit.Setting) -> Any:
        html, _ = work.html(target, task.logo_url, created, setting.hero)
        extra = fit.override_css(css, setting)
        return warm.layout(html, source.parent, css, extra, cmyk=work.cmyk(profile))

    size = render.SIZES[target.size]
    text_mm = size.height_mm - size.margin_top - size.margin_bottom
    share = hero["height_mm"] / text_mm if hero else 0.0
    return fit.Fitting(wanted, target, source, share, lay_out)


def run(task: Task, on_start: Callable[[Target], None] | None = None) -> Done:
    """Render every target of a task; the first error stops this brochure only."""
    allowed = [task.config.root, builtin_dir("styles")]
    warm = renderer(allowed)
    warm.fetcher.requested.clear()
    warm.fetcher.refused.clear()
    done = Done(pid=os.getpid())
    work: _Brochure | None = None
    try:
        work = _Brochure(task, warm)
        done.warnings += work.warnings
        for index, target in enumerate(task.targets):
            if on_start:
                on_start(target)
            began = time.perf_counter()
            profile = PROFILES[target.profile]
            created = task.dates.get(target.path, "2000-01-01T00:00:00Z")
            html, hero = work.html(target, task.logo_url, created)
            css = render.stylesheets(task.config.root, target.size, target.layout)
            page = task.brochure.pages[target.langs[0]]
            variant = PDF_A if task.pdf_a else profile.pdf_variant
            identifier = task.digests.get(target.path, target.path.name)
            cmyk = work.cmyk(profile)
            fitting = _fitting(task, target, work, warm, css, created, hero)
            data, pages, warnings = warm.render(
                html,
                page.path.parent,
                css,
                page.path,
                variant,
                identifier,
                cmyk=cmyk,
                choose=fitting,
            )
            if fitting is not None and fitting.result is not None:
                done.fitted[index] = fitting.result
                done.warnings += fitting.warnings
                chosen = fitting.result.setting
                if chosen is not None and chosen.hero < 1.0:
                    _, hero = work.html(target, task.logo_url, created, chosen.hero)
            if profile.press and not task.pdf_a:
                data, problems = prepress.finish(data, cmyk, _brand_cmyk(task.config))
                warnings += _press_warnings(target, page.path, problems)
            if profile.imposed:
                data, _ = booklet.impose(data)
            done.warnings += _profile_warnings(profile, target, hero, len(data), pages)
            write_atomic(target.path, data)
            if task.html_dir is not None:
                _keep_html(task, target, html, work, css)
            done.warnings += warnings
            done.outputs.append((index, pages, len(data), time.perf_counter() - began))
    except BrochureError as exc:
        done.failure = exc
    finally:
        if work is not None:
            work.release()
        gc.collect()  # renders skip the collector; a full pass per task keeps memory flat
    done.requested = list(warm.fetcher.requested)
    done.refused = list(warm.fetcher.refused)
    done.rss_kb = _rss_kb()
    done.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return done
