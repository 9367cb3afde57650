"""Plan the outputs of a run, render each one, and report what happened."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import content, images, markdown, render
from .assets import builtin_dir
from .config import Config, load_config
from .content import Brochure, Page
from .errors import BrochureError, BuildWarning, ConfigError, ContentError
from .pdf import Renderer, write_atomic

LAYOUTS = ("single", "bilingual")
SIZE_NAMES = ("a4", "a5")


@dataclass(frozen=True)
class Target:
    """One PDF to make."""

    brochure: Brochure
    langs: tuple[str, ...]
    size: str
    layout: str
    path: Path


@dataclass(frozen=True)
class Output:
    """One PDF written."""

    target: Target
    pages: int
    bytes: int
    seconds: float


@dataclass
class Report:
    """Everything a run did, for the summary and the exit code."""

    root: Path
    pages: list[Page] = field(default_factory=list)
    brochures: list[Brochure] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    failures: list[BrochureError] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def warn(self, items: Sequence[BuildWarning]) -> None:
        for item in items:
            if item not in self.warnings:
                self.warnings.append(item)


Progress = Callable[[str, int, int], None]  # (message, done, total)


def output_name(slug: str, langs: Sequence[str], size: str) -> str:
    return f"{slug}.{'-'.join(langs)}.{size}.pdf"


def plan(
    brochures: list[Brochure],
    out: Path,
    layouts: Sequence[str],
    sizes: Sequence[str],
    config: Config,
) -> list[Target]:
    """Every output of the run, in a stable order."""
    targets: list[Target] = []
    for brochure in brochures:
        if "single" in layouts:
            for lang in brochure.langs:
                for size in sizes:
                    name = output_name(brochure.slug, [lang], size)
                    targets.append(Target(brochure, (lang,), size, "single", out / name))
    return targets


def _logo_url(config: Config, report: Report) -> str | None:
    logo = config.clinic.logo
    if logo is None:
        return None
    if not logo.is_file() or not logo.resolve().is_relative_to(config.root):
        report.warn(
            [
                BuildWarning(
                    f"logo '{logo}' not found inside the content folder; brochures have no logo",
                    path=config.path,
                    hint="check [clinic] logo in brochure.toml",
                )
            ]
        )
        return None
    return logo.resolve().as_uri()


class _BrochureJob:
    """The shared work for one brochure: blocks per language, heroes per size."""

    def __init__(self, brochure: Brochure, config: Config, renderer: Renderer) -> None:
        self.brochure = brochure
        self.config = config
        self.renderer = renderer
        self.warnings: list[BuildWarning] = []
        self.columns: dict[str, render.Column] = {}
        self.hero_paths: dict[str, Path | None] = {}
        for lang, page in brochure.pages.items():
            blocks = markdown.render_blocks(page.body, lang, page.title)
            self.columns[lang] = render.column(page, blocks, config)
            if page.hero is None:
                self.warnings.append(
                    BuildWarning(
                        "no hero_image; the brochure is made without a photo",
                        path=page.path,
                        hint="add 'hero_image: photo.jpg' to the front matter",
                    )
                )
                self.hero_paths[lang] = None
            else:
                path, warnings = images.locate_hero(page)
                self.hero_paths[lang] = path
                self.warnings += warnings

    def hero(self, lang: str, size: render.PageSize) -> dict[str, object] | None:
        path = self.hero_paths[lang]
        if path is None:
            return None
        box = (size.text_width_mm, size.hero_height_mm)
        prepared = images.prepare(path, box, dpi=300)
        url = self.renderer.fetcher.put(
            f"hero/{self.brochure.slug}/{lang}/{size.name}.jpg", prepared.data, prepared.mime
        )
        return {"url": url, "alt": self.columns[lang].source.hero_alt, "dpi": prepared.dpi}

    def html(self, target: Target, logo_url: str | None) -> str:
        size = render.SIZES[target.size]
        lang = target.langs[0]
        return render.html_single(
            self.columns[lang], size, self.config, self.hero(lang, size), logo_url
        )


def build(
    paths: Sequence[Path],
    out: Path,
    layouts: Sequence[str] = LAYOUTS,
    sizes: Sequence[str] = SIZE_NAMES,
    progress: Progress | None = None,
) -> Report:
    """Build every brochure found under `paths` into `out`.

    A page that fails is reported in `Report.failures`; the others still build.
    Configuration problems raise `ConfigError` before anything is written.
    """
    started = time.perf_counter()
    paths = list(paths)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ConfigError(
            "no such file or folder", path=missing[0], hint="check the path you gave to build"
        )
    root = content.content_root(paths)
    config, config_warnings = load_config(root)
    report = Report(root=root)
    report.warn(config_warnings)

    files = list(content.discover(paths))
    if not files:
        raise ConfigError(
            "no pages found (Markdown .md files, or .txt files that start with '---')",
            path=paths[0],
            hint="pass a folder or file that holds pages",
        )
    for file in files:
        try:
            page = content.read_page(file, root)
        except BrochureError as exc:
            report.failures.append(exc)
            continue
        report.pages.append(page)
        report.warn(page.warnings)

    brochures, pair_warnings = content.pair(report.pages)
    report.warn(pair_warnings)
    by_slug: dict[str, Brochure] = {}
    for brochure in brochures:
        if brochure.slug in by_slug:
            first = next(iter(by_slug[brochure.slug].pages.values())).path
            page = next(iter(brochure.pages.values()))
            report.failures.append(
                ContentError(
                    f"would write the same files as {first} (both are '{brochure.slug}')",
                    path=page.path,
                    hint="give one of them another file name or a 'slug:' in its front matter",
                )
            )
            continue
        by_slug[brochure.slug] = brochure
        report.brochures.append(brochure)

    targets = plan(report.brochures, out, layouts, sizes, config)
    allowed = [root, builtin_dir("styles")]
    renderer = Renderer(allowed)
    logo_url = _logo_url(config, report)
    done = 0
    total = len(targets)
    for brochure in report.brochures:
        mine = [t for t in targets if t.brochure is brochure]
        try:
            job = _BrochureJob(brochure, config, renderer)
            report.warn(job.warnings)
            for target in mine:
                if progress:
                    progress(target.path.name, done, total)
                began = time.perf_counter()
                html = job.html(target, logo_url)
                source = brochure.pages[target.langs[0]].path
                data, pages, warnings = renderer.render(
                    html,
                    base_url=brochure.pages[target.langs[0]].path.parent,
                    stylesheets=render.stylesheets(root, target.size, target.layout),
                    source=source,
                )
                write_atomic(target.path, data)
                report.warn(warnings)
                report.outputs.append(Output(target, pages, len(data), time.perf_counter() - began))
                done += 1
        except BrochureError as exc:
            report.failures.append(exc)
            done += len(mine) - sum(1 for o in report.outputs if o.target.brochure is brochure)
    if progress:
        progress("done", total, total)
    report.seconds = time.perf_counter() - started
    return report
