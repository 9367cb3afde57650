"""Rendering in worker processes: each keeps WeasyPrint, fonts and stylesheets warm.

A task is one brochure's targets (or a single target when there are few brochures).
The same function runs in the main process for `--jobs 1`.
"""

from __future__ import annotations

import atexit
import gc
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import align, images, markdown, render
from .assets import builtin_dir
from .atomic import write_atomic
from .config import Config
from .content import Brochure
from .errors import BrochureError, BuildWarning, ImageError

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


_RENDERER: Renderer | None = None


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


def warm_up(allowed: list[Path]) -> None:
    """Pool initializer: import WeasyPrint and parse fonts before the first task."""
    renderer(allowed)


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
        self.columns: dict[str, render.Column] = {}
        self.rows: dict[tuple[str, ...], list[align.Row]] = {}
        self.urls: list[str] = []
        for lang, page in self.brochure.pages.items():
            blocks = markdown.render_blocks(page.body, lang, page.title)
            self.columns[lang] = render.column(page, blocks, self.config)

    def hero(self, langs: tuple[str, ...], size: render.PageSize) -> dict[str, object] | None:
        """The first of `langs` that has a hero, prepared for this size and layout."""
        lang = next((lang for lang in langs if self.hero_paths.get(lang) is not None), None)
        if lang is None:
            return None
        path = self.hero_paths[lang]
        assert path is not None
        height = size.hero_height_mm if len(langs) == 1 else size.hero_height_bilingual_mm
        page = self.brochure.pages[lang]
        try:
            prepared = images.prepare(path, (size.text_width_mm, height), dpi=300)
        except ImageError as exc:
            raise ImageError(
                f"hero image '{page.hero}': {exc.message}",
                path=page.path,
                line=images.hero_line(page),
                hint=exc.hint,
            ) from None
        url = self.renderer.fetcher.put(
            f"hero/{self.brochure.slug}/{lang}/{size.name}-{height:g}.jpg",
            prepared.data,
            prepared.mime,
        )
        self.urls.append(url)
        alt = self.columns[lang].source.hero_alt
        return {"url": url, "alt": alt, "dpi": prepared.dpi, "height_mm": height}

    def html(self, target: Target, logo_url: str | None) -> str:
        size = render.SIZES[target.size]
        hero = self.hero(target.langs, size)
        if target.layout == "single":
            return render.html_single(
                self.columns[target.langs[0]], size, self.config, hero, logo_url
            )
        left, right = (self.columns[lang] for lang in target.langs)
        rows = self.rows.get(target.langs)
        if rows is None:
            rows = self.rows[target.langs] = align.rows(left.blocks, right.blocks)
        return render.html_bilingual(left, right, rows, size, self.config, hero, logo_url)

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
        for index, target in enumerate(task.targets):
            if on_start:
                on_start(target)
            began = time.perf_counter()
            html = work.html(target, task.logo_url)
            css = render.stylesheets(task.config.root, target.size, target.layout)
            page = task.brochure.pages[target.langs[0]]
            data, pages, warnings = warm.render(html, page.path.parent, css, page.path)
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
    done.requested = list(warm.fetcher.requested)
    done.refused = list(warm.fetcher.refused)
    done.rss_kb = _rss_kb()
    done.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return done
