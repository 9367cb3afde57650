"""Plan the outputs of a run, render each one, and report what happened."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import align, content, images, markdown, render
from .assets import builtin_dir
from .config import Config, load_config
from .content import Brochure, Page
from .errors import BrochureError, BuildWarning, ConfigError, ContentError, ImageError
from .pdf import Renderer, remove_stale_temporaries, write_atomic

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
    requested: list[str] = field(default_factory=list)  # every URL WeasyPrint asked for
    refused: list[str] = field(default_factory=list)  # and those the sandbox refused
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
        pair = bilingual_pair(brochure, config.bilingual)
        if "bilingual" in layouts and pair is not None:
            for size in sizes:
                name = output_name(brochure.slug, pair, size)
                targets.append(Target(brochure, pair, size, "bilingual", out / name))
    return targets


def bilingual_pair(brochure: Brochure, preferred: tuple[str, str]) -> tuple[str, str] | None:
    """The two languages of a brochure's side-by-side PDF, in column order.

    The configured pair when the page has both; otherwise the page's two
    languages, a configured one first. None for one language, or for more than
    two without the configured pair.
    """
    langs = brochure.langs
    if all(lang in langs for lang in preferred):
        return preferred
    if len(langs) != 2:
        return None
    rank = {lang: i for i, lang in enumerate(preferred)}
    first, second = sorted(langs, key=lambda lang: (rank.get(lang, len(rank)), langs.index(lang)))
    return (first, second)


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
        self.rows: dict[tuple[str, ...], list[align.Row]] = {}
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

    def hero(self, langs: tuple[str, ...], size: render.PageSize) -> dict[str, object] | None:
        """The first of `langs` that has a hero, prepared for this size and layout."""
        lang = next((lang for lang in langs if self.hero_paths[lang] is not None), None)
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
    if config.path is None:
        report.warn(
            [
                BuildWarning(
                    "no brochure.toml: the brochures carry no clinic name, logo or contacts",
                    path=root,
                    hint="add brochure.toml (see docs/configuration.md)",
                )
            ]
        )

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
    if "bilingual" in layouts:
        for brochure in report.brochures:
            if bilingual_pair(brochure, config.bilingual) is None:
                langs = ", ".join(brochure.langs)
                report.notes.append(f"{brochure.slug}: no bilingual PDF (languages: {langs})")
    allowed = [root, builtin_dir("styles")]
    renderer = Renderer(allowed)
    remove_stale_temporaries(out)
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
    report.requested = list(renderer.fetcher.requested)
    report.refused = list(renderer.fetcher.refused)
    report.seconds = time.perf_counter() - started
    return report
