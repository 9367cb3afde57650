"""Plan the outputs of a run, render each one, and report what happened.

One rule for failure: whatever goes wrong while reading a page or making a
brochure fails that page or brochure alone, with one line, and the run goes on;
only `brochure.toml` and the command line stop a run (exit code 2).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalogue, check, content, dates, fit, images, safety, sources
from .assets import builtin_dir, readable
from .atomic import remove_stale_temporaries
from .config import CONFIG_NAME, Config, load_config
from .content import Brochure, Page
from .errors import (
    BrochureError,
    BuildWarning,
    ConfigError,
    ContentError,
    InternalError,
)
from .geometry import LAYOUTS, SIZE_NAMES
from .manifest import Manifest
from .plan import (
    Target,
    assets,
    bilingual_order,
    bilingual_pair,
    dated_by,
    inputs,
    inside_output,
    logo_url,
    output_name,
    plan,
)
from .pool import Budget, Pool, Watch
from .profiles import PROFILES
from .sources import Site, Skipped
from .tasks import Done, Task

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Output", "Report", "Target", "build", "output_name", "plan"]

CACHE_DIR = ".brochure-cache"  # prepared hero images, inside the output folder
THUMBS_DIR = ".thumbs"  # the preview's page images, inside the output folder
# Up to this many PDFs are made in this process rather than by new workers. From a cold
# start (a command) the break-even is about 4 PDFs (benchmarks/edit_loop.py: 1 PDF 1.39 s
# here against 1.70 s in workers, 4 PDFs 2.92 s against 3.04 s); a process whose renderer
# is already warm (a script building twice) pays no import, only the pool's start.
SMALL_RUN = 3
WARM_SMALL_RUN = 12


@dataclass(frozen=True)
class Output:
    """One PDF written."""

    target: Target
    pages: int
    bytes: int
    seconds: float
    fitted: fit.Result | None = None  # what copyfitting did, when it did anything


@dataclass
class Report:
    """Everything a run did, for the summary and the exit code."""

    root: Path
    site: Site | None = None
    found: int = 0  # page files looked at
    skipped_pages: list[Skipped] = field(default_factory=list)  # drafts, no text, not pages
    pages: list[Page] = field(default_factory=list)
    brochures: list[Brochure] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    skipped: list[Target] = field(default_factory=list)  # up to date, not made again
    workers: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # pid: (rss, peak) KB
    requested: list[str] = field(default_factory=list)  # every URL WeasyPrint asked for
    refused: list[str] = field(default_factory=list)  # URLs and files the sandbox refused
    opened: list[str] = field(default_factory=list)  # every file the sandbox opened
    failures: list[BrochureError] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    catalogue: catalogue.View | None = None  # what <out>/index.html shows (catalogue.py)
    seconds: float = 0.0

    def warn(self, items: Sequence[BuildWarning]) -> None:
        for item in items:
            if item not in self.warnings:
                self.warnings.append(item)


Progress = Callable[[str, int, int], None]  # (message, done, total)


def _unknown_languages(brochures: list[Brochure]) -> list[BuildWarning]:
    """One warning per language brochure has no labels for (English ones are printed)."""
    from . import languages

    first: dict[str, Page] = {}
    for brochure in brochures:
        for lang, page in brochure.pages.items():
            first.setdefault(lang, page)
    return [
        BuildWarning(
            f"no labels for the language '{lang}': its brochures print English labels "
            '("Contact us", "Opening hours")',
            path=page.path,
            hint=f"add src/brochure/languages/{lang}.toml (see docs/writing-pages.md)",
        )
        for lang, page in first.items()
        if not languages.get(lang).known
    ]


def _logo_url(config: Config, report: Report) -> str | None:
    """The logo's stable URL; one outside the content folder is never opened (a warning)."""
    url = logo_url(config)
    if url is None and config.clinic.logo is not None:
        report.warn(
            [
                BuildWarning(
                    f"logo '{config.clinic.logo}' not found inside the content folder; "
                    "brochures have no logo",
                    path=config.path,
                    hint="check [clinic] logo in brochure.toml",
                )
            ]
        )
    return url


def _task_size(brochures: int, jobs: int) -> str:
    """Whole brochures per task when there are enough to keep every worker busy."""
    return "brochure" if brochures >= 2 * jobs else "target"


@dataclass
class _Run:
    """What every task of a run shares."""

    config: Config
    out: Path
    logo_url: str | None
    digests: dict[Path, str]
    dates: dict[Path, str]
    pdf_a: bool
    html: bool
    titles: dict[str, str]


def _tasks(
    targets: list[Target],
    heroes: dict[int, dict[str, Path | None]],
    jobs: int,
    run: _Run,
) -> list[Task]:
    by_brochure: dict[int, list[Target]] = {}
    for target in targets:
        by_brochure.setdefault(id(target.brochure), []).append(target)
    tasks: list[Task] = []
    whole = _task_size(len(by_brochure), jobs) == "brochure"
    for key, mine in by_brochure.items():
        groups = [mine] if whole else [[t] for t in mine]
        for group in groups:
            tasks.append(
                Task(
                    group[0].brochure,
                    group,
                    run.config,
                    heroes[key],
                    run.logo_url,
                    html=run.html,
                    digests={t.path: run.digests[t.path] for t in group},
                    dates={t.path: run.dates[t.path] for t in group},
                    pdf_a=run.pdf_a,
                    cache_dir=run.out / CACHE_DIR,
                    out=run.out,
                    titles=run.titles,
                )
            )
    return tasks


def _roots(config: Config) -> dict[str, Path]:
    """The sandbox's folders, by the label stable names use."""
    return {
        "content": config.root,
        "templates": builtin_dir("templates").resolve(),
        "styles": builtin_dir("styles").resolve(),
    }


def _heroes(report: Report) -> dict[int, dict[str, Path | None]]:
    """Each brochure's heroes, found once per page: a missing one fails its brochure early."""
    heroes: dict[int, dict[str, Path | None]] = {}
    for brochure in list(report.brochures):
        found: dict[str, Path | None] = {}
        try:
            for lang, page in brochure.pages.items():
                if page.hero is None:
                    report.warn(
                        [
                            BuildWarning(
                                "no header photo (hero_image, image, cover … or an image in "
                                "the text); the brochure is made without one",
                                path=page.path,
                                hint="add 'hero_image: photo.jpg' to the front matter",
                            )
                        ]
                    )
                    found[lang] = None
                else:
                    found[lang], warnings = images.locate_hero(page)
                    report.warn(warnings)
        except BrochureError as exc:
            report.failures.append(exc)
            report.brochures.remove(brochure)
            continue
        except Exception as exc:
            path = next(iter(brochure.pages.values())).path
            report.failures.append(InternalError.from_exception(exc, "finding its photo", path))
            report.brochures.remove(brochure)
            continue
        heroes[id(brochure)] = found
    return heroes


def _named_inside(report: Report, out: Path) -> None:
    """A brochure whose file names would not be plain names inside --out fails alone."""
    for brochure in list(report.brochures):
        try:
            for paper in SIZE_NAMES:
                name = output_name(brochure.slug, brochure.langs, paper)
                if not inside_output(out / name, out):
                    raise ValueError(name)
        except ValueError:
            page = next(iter(brochure.pages.values()))
            report.failures.append(
                ContentError(
                    "its file name would not be a plain name inside the output folder",
                    path=page.path,
                    hint="give it a 'slug:' of letters, digits and hyphens",
                )
            )
            report.brochures.remove(brochure)


def _temporary_folders(out: Path) -> list[Path]:
    """Every folder a build writes into (for the cleanup after a killed build)."""
    folders = [out, out / CACHE_DIR, out / THUMBS_DIR]
    folders += [out / p.folder for p in PROFILES.values() if p.folder]
    folders += [out / THUMBS_DIR / p.folder for p in PROFILES.values() if p.folder]
    return folders


def build(
    paths: Sequence[Path],
    out: Path,
    layouts: Sequence[str] = LAYOUTS,
    sizes: Sequence[str] = SIZE_NAMES,
    progress: Progress | None = None,
    jobs: int = 1,
    force: bool = False,
    html: bool = False,
    profiles: Sequence[str] | None = None,
    pdf_a: bool | None = None,
    pool: Pool | None = None,
    budget: Budget | None = None,
    first: Callable[[Target], bool] | None = None,
    on_output: Callable[[Output], None] | None = None,
    keep_warm: bool = False,
) -> Report:
    """Build every brochure found under `paths` into `out`.

    A page that fails is reported in `Report.failures`; the others still build.
    Configuration problems raise `ConfigError` before anything is written. PDFs whose
    inputs have not changed since the last build are skipped unless `force`.
    `jobs` > 1 renders in that many warm worker processes (or in `pool`). Each
    document is held to `budget`. `html` also writes each PDF's HTML beside it.
    Targets for which `first` is true are made before the others; `on_output` is
    called as each PDF is written (the live preview shows it at once). `keep_warm` hands
    a small run to the warm renderers a person's earlier run left (`warm.py`), and
    leaves them for the next run (one per core, up to `warm.RENDERERS`).
    """
    started = time.perf_counter()
    safety.JOURNAL.clear()
    paths = list(paths)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ConfigError(
            "no such file or folder", path=missing[0], hint="check the path you gave to build"
        )
    dates.source_date_epoch()  # a wrong SOURCE_DATE_EPOCH is a usage error, before any work
    collection = sources.collect(paths)
    root = collection.site.root
    config, config_warnings = load_config(
        root, sources.config_folder(collection.site, paths) / CONFIG_NAME
    )
    report = Report(root=root, site=collection.site)
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
    if not collection.pages and not collection.failures and not collection.skipped:
        raise ConfigError(
            "no pages found (Markdown .md files, or .txt files that start with '---')",
            path=paths[0],
            hint="pass a folder or file that holds pages",
        )
    report.warn(content.unreadable_folders(paths))
    report.pages = collection.pages
    report.found = collection.found
    report.skipped_pages = collection.skipped
    report.failures += collection.failures
    report.warn(collection.warnings)
    unknown = sources.unknown_keys_warning(collection)
    if unknown is not None:
        report.warn([unknown])
    report.brochures = collection.brochures
    _named_inside(report, out)
    report.warn(_unknown_languages(report.brochures))
    columns = bilingual_order(config, collection.site)

    if "bilingual" in layouts:
        for brochure in report.brochures:
            if bilingual_pair(brochure, columns) is None:
                langs = ", ".join(brochure.langs)
                report.notes.append(f"{brochure.slug}: no bilingual PDF (languages: {langs})")

    heroes = _heroes(report)
    profiles = list(profiles or config.profiles)
    pdf_a = config.pdf_a if pdf_a is None else pdf_a
    targets = plan(report.brochures, out, layouts, sizes, config, profiles, columns)
    if "booklet" in profiles and "a5" not in sizes:
        report.notes.append("booklet: made from A5 pages; add --size a5 (or all) to get it")
    remove_stale_temporaries(_temporary_folders(out))
    manifest = Manifest(out, _roots(config))
    digests: dict[Path, str] = {}
    todo: list[Target] = []
    shared = assets(config)
    for target in targets:
        parts = [target.layout, target.size, target.profile, f"pdf-a={pdf_a}"]
        parts += [*target.langs, target.brochure.slug, os.environ.get("SOURCE_DATE_EPOCH", "")]
        parts.append(fit.digest_part(config, target))
        digest = manifest.digest(parts, inputs(target, config, heroes[id(target.brochure)], shared))
        digests[target.path] = digest
        stale_html = html and not target.path.with_suffix(".html").exists()
        if not force and not stale_html and manifest.fresh(target.path, digest):
            report.skipped.append(target)
        else:
            todo.append(target)

    if first is not None:
        todo.sort(key=lambda t: not first(t))  # stable: the rest keep their order

    # Workers, when this run uses them, start now: they import WeasyPrint and read the
    # fonts while this process compares translations, dates the sources and plans tasks.
    with contextlib.ExitStack() as stack:
        attached = None
        if pool is None and todo and keep_warm and len(todo) <= WARM_SMALL_RUN and not _warm():
            from . import warm

            wanted = warm.addresses(min(jobs, warm.RENDERERS, len(todo)))
            attached = warm.attach(readable(config.root), budget or Budget(), wanted)
            pool = stack.enter_context(attached) if attached is not None else None
        if pool is None and todo and jobs > 1 and len(todo) > _small_run():
            pool = stack.enter_context(
                worker_pool(min(jobs, _task_count(todo, jobs)), config.root, budget)
            )
            pool.start()
        run = _Run(
            config=config,
            out=out,
            logo_url=_logo_url(config, report),
            digests=digests,
            dates=dates.source_dates(
                config.root,
                {t.path: dated_by(t, config, heroes[id(t.brochure)]) for t in todo},
            ),
            pdf_a=pdf_a,
            html=html,
            titles={str(p.path.resolve()): p.title for p in report.pages},
        )
        tasks = _tasks(todo, heroes, jobs, run) if todo else []
        total = len(todo)
        made = list({id(t.brochure): t.brochure for t in todo}.values())
        # (Not for the live preview, whose first PDF comes before anything else.)
        aside = None
        if made and pool is not None and first is None:
            aside = _aside(stack, made, config, list(columns))
        if todo:
            for task, done in _run(tasks, progress, total, pool, budget):
                for index, pages, size, seconds in done.outputs:
                    target = task.targets[index]
                    fitted = done.fitted.get(index)
                    report.outputs.append(Output(target, pages, size, seconds, fitted))
                    if on_output is not None:
                        on_output(report.outputs[-1])
                    manifest.record(target.path, digests[target.path], size)
                    if fitted is not None:
                        manifest.note(target.path, "fit", fitted.record())
                if done.failure is not None and str(done.failure) not in map(str, report.failures):
                    report.failures.append(done.failure)
                if done.failure is not None:
                    for target in task.targets:
                        manifest.forget(target.path)
                report.warn(done.warnings)
                report.requested += done.requested
                report.refused += done.refused
                report.opened += done.opened
                report.workers.setdefault(done.pid, []).append((done.rss_kb, done.peak_kb))
        if progress:
            progress("done", total, total)
    # The translations of what was made are compared while other processes render, or
    # after this one has (the live preview's first PDF does not wait); one line.
    if aside is not None:
        differences = aside.result()
    else:
        differences = check.differences(check.check(made, config, order=columns)) if made else 0
    if differences:
        report.notes.append(check.summary_line(differences))
    catalogue.write(report, out, config, manifest)
    if report.outputs or manifest.path.exists():
        manifest.save()
    report.opened += safety.JOURNAL.opened
    report.refused += safety.JOURNAL.refused
    order = {t.path: i for i, t in enumerate(targets)}
    report.outputs.sort(key=lambda o: order[o.target.path])
    report.notes += [
        f"{o.target.path.relative_to(out).as_posix()}: {o.fitted.note}"
        for o in report.outputs
        if o.fitted and o.fitted.note
    ]
    if keep_warm and todo:
        from . import warm

        # For the next run (this one is over): one per core, those not running already,
        # each rehearsing with a brochure this run made (likely the one being edited).
        rehearsal = [page.path for page in made[0].pages.values()]
        warm.spawn(config.root, warm.addresses(min(jobs, warm.RENDERERS)), pages=rehearsal)
    report.seconds = time.perf_counter() - started
    return report


def _aside(
    stack: contextlib.ExitStack, made: list[Brochure], config: Config, columns: list[str]
) -> Future[int]:
    """While other processes render, this one compares the translations of what they
    make and gets the catalogue's libraries ready; the number of differences comes back."""
    from concurrent.futures import ThreadPoolExecutor

    def work() -> int:
        catalogue.prepare(config.root)
        return check.differences(check.check(made, config, order=columns))

    executor = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="brochure-aside"))
    return executor.submit(work)


def worker_pool(jobs: int, root: Path, budget: Budget | None = None) -> Pool:
    """Warm worker processes for the content folder `root`, reusable across runs."""
    return Pool(jobs, readable(root), budget)


def _warm() -> bool:
    """Whether this process has a warm renderer (it has made a PDF)."""
    worker = sys.modules.get(f"{__package__}.worker")
    return getattr(worker, "_RENDERER", None) is not None


def _small_run() -> int:
    """SMALL_RUN, or WARM_SMALL_RUN once this process has a warm renderer."""
    return WARM_SMALL_RUN if _warm() else SMALL_RUN


def _task_count(todo: list[Target], jobs: int) -> int:
    brochures = len({id(t.brochure) for t in todo})
    return brochures if _task_size(brochures, jobs) == "brochure" else len(todo)


def _run(
    tasks: list[Task],
    progress: Progress | None,
    total: int,
    pool: Pool | None = None,
    budget: Budget | None = None,
) -> Iterator[tuple[Task, Done]]:
    """Run tasks in `pool`, or in this process when there is none.

    Starting workers costs about as much as rendering a PDF (importing WeasyPrint,
    reading the fonts), so a run of SMALL_RUN PDFs or fewer is made here, under the same
    budget; `make bench` measures where the pool starts to pay.
    """
    count = 0

    def started(name: str) -> None:
        nonlocal count
        if progress:
            progress(name, count, total)
        count += 1

    if pool is not None:
        yield from pool.run(tasks, lambda task, i: started(task.targets[i].path.name))
        return
    from . import worker  # only here: a run in workers never imports WeasyPrint

    collect = len(tasks) > WARM_SMALL_RUN  # many in a row: memory kept flat, as in a worker
    with Watch(budget or Budget()) as watch:
        for task in tasks:
            yield task, worker.run(task, lambda t: started(t.path.name), watch, collect)
