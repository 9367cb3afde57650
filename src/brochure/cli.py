"""The `brochure` command: a thin layer that turns results into lines and exit codes.

Exit codes: 0 everything built, 1 some page failed (the others were built; with
`--strict`, also any warning), 2 bad usage or configuration. Known errors are one line
each; anything else is a bug, reported in one line with the traceback kept behind
`--debug`.

Text is printed as it is: never read as rich markup or emoji codes, so a `[clinic]` in a
message stays visible and a `[/]` in a file name is harmless.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from . import __version__
from .check import FORMATS, KINDS
from .errors import BrochureError, ConfigError, display_path
from .geometry import LAYOUTS, SIZE_NAMES
from .profiles import PROFILES
from .safety import clean

if TYPE_CHECKING:
    from .build import Progress, Report

EXAMPLES = """
\b
Examples:
  brochure build                      every page under content/ into dist/
  brochure build content/hair.en.md   one page (and its translations)
  brochure build --size a5 --out out  A5 only, into out/
  brochure build --force --jobs 1     rebuild everything in one process
  brochure build -p print -p email    for the print shop and for e-mail
"""


def _choices(value: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    return allowed if value == "all" else (value,)


def _console(stderr: bool = False) -> Console:
    """A console that prints text as text: no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, highlight=False, markup=False, emoji=False)


def _say(console: Console, text: str, style: str | None = None) -> None:
    """Messages, one a line, printed as they are (surrogates and control characters escaped)."""
    for line in text.split("\n"):
        console.print(clean(line), style=style, highlight=False, markup=False, soft_wrap=True)


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="brochure")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn a clinic's Markdown service pages into print-ready PDF brochures."""
    ctx.obj = {"debug": debug}


@contextmanager
def _progress(console: Console, quiet: bool) -> Iterator[Progress | None]:
    """A progress bar on a terminal; plain lines when output is piped."""
    if quiet:
        yield None
        return
    if not console.is_terminal:

        def plain(message: str, done: int, total: int) -> None:
            if message != "done":
                _say(console, f"[{done + 1}/{total}] {message}")

        yield plain
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("building", total=None)

        def update(message: str, done: int, total: int) -> None:
            bar.update(task, total=total, completed=done, description=clean(message)[:48])

        yield update


def _summary(report: Report, console: Console, err: Console, debug: bool = False) -> None:
    for warning in report.warnings:
        _say(err, str(warning), "yellow")
    for failure in report.failures:
        if debug and failure.details:
            _say(err, failure.details.rstrip())
        _say(err, str(failure), "red")
    # Brochures whose languages were found the same way share one entry: a site of many
    # pages gets a line, not a page of them.
    found_as: dict[str, list[str]] = {}
    for brochure in report.brochures:
        pages = sorted(brochure.pages.values(), key=lambda p: p.lang)
        key = " ".join(f"{p.lang} ({p.lang_source})" for p in pages)
        found_as.setdefault(key, []).append(brochure.slug)
    langs = "; ".join(
        f"{', '.join(slugs) if len(slugs) <= 3 else f'{len(slugs)} brochures'}: {key}"
        for key, slugs in found_as.items()
    )
    size = sum(o.bytes for o in report.outputs)
    reasons: dict[str, list[str]] = {}
    for skipped in report.skipped_pages:
        reasons.setdefault(skipped.reason, []).append(display_path(skipped.path))
    for reason, shown in reasons.items():
        _say(console, f"skipped, {reason}: {', '.join(shown)}")
    found = ""
    if report.skipped_pages:
        why = "; ".join(f"{len(v)} {k.split(' (')[0]}" for k, v in reasons.items())
        found = f"{report.found} file(s) found, {len(report.skipped_pages)} skipped ({why}); "
    line = (
        found + f"{len(report.pages)} page(s) in {len(report.brochures)} brochure(s); "
        f"{len(report.outputs)} PDF(s) written ({size / 1024:.0f} KB)"
        + (f", {len(report.skipped)} up to date; " if report.skipped else "; ")
        + f"{len(report.warnings)} warning(s); {len(report.failures)} failed; "
        f"{report.seconds:.1f} s"
    )
    if langs:
        _say(console, f"languages: {langs}")
    for note in report.notes:
        _say(console, note)
    _say(console, line, "bold red" if report.failures else "bold")
    if report.failures:
        failed = ", ".join(display_path(f.path) for f in report.failures if f.path)
        _say(console, f"failed: {failed}", "red")


OUT_OPTION = click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dist"),
    show_default=True,
    help="Folder the PDFs are written to.",
)


@main.command(epilog=EXAMPLES)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@OUT_OPTION
@click.option(
    "--layout",
    type=click.Choice([*LAYOUTS, "all"]),
    default="all",
    show_default=True,
    help="One language per PDF, side by side, or both.",
)
@click.option(
    "--size",
    type=click.Choice([*SIZE_NAMES, "all"]),
    default="all",
    show_default=True,
    help="Paper size.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core).",
)
@click.option(
    "--profile",
    "-p",
    "profiles",
    type=click.Choice(list(PROFILES)),
    multiple=True,
    help="Output profile; repeat for several (default: [output] profiles in brochure.toml, "
    "else office). Other than office, PDFs go into OUT/<profile>/.",
)
@click.option(
    "--pdf-a/--no-pdf-a",
    "pdf_a",
    default=None,
    help="Archival PDF/A-3u (default: [output] pdf_a in brochure.toml).",
)
@click.option("--force", is_flag=True, help="Rebuild every PDF, even those already up to date.")
@click.option(
    "--strict", is_flag=True, help="Warnings fail the run (exit code 1), for a clinic's CI."
)
@click.option(
    "--html",
    is_flag=True,
    help="Also write each PDF's HTML beside it (for template authors; it renders to the "
    "same pages).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings, errors and the summary.")
@click.pass_context
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path,
    layout: str,
    size: str,
    jobs: int | None,
    profiles: tuple[str, ...],
    pdf_a: bool | None,
    force: bool,
    strict: bool,
    html: bool,
    quiet: bool,
) -> None:
    """Build brochures from PATHS (files or folders; default: content/)."""
    from . import warm
    from .build import build as run

    console = _console()
    err = _console(stderr=True)
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    try:
        with _progress(console, quiet) as progress:
            report = run(
                list(paths) or [Path("content")],
                out,
                layouts=_choices(layout, LAYOUTS),
                sizes=_choices(size, SIZE_NAMES),
                progress=progress,
                jobs=jobs or os.cpu_count() or 1,
                force=force,
                html=html,
                profiles=profiles or None,
                pdf_a=pdf_a,
                keep_warm=warm.wanted(),
            )
    except ConfigError as exc:
        _say(err, str(exc), "red")
        sys.exit(2)
    except BrochureError as exc:
        _say(err, str(exc), "red")
        sys.exit(1)
    except KeyboardInterrupt:
        _say(err, "brochure: interrupted; no partial files were left", "yellow")
        sys.exit(130)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _say(
            err,
            f"brochure: internal error: {type(exc).__name__}: {str(exc)[:300]} — this is a bug; "
            "please report it with the output of 'brochure --debug build …'",
            "red",
        )
        sys.exit(3)
    _summary(report, console, err, debug)
    if strict and report.warnings and not report.failures:
        _say(
            err,
            f"brochure: --strict: {len(report.warnings)} warning(s) fail the run "
            "(the PDFs were written)",
            "red",
        )
        sys.exit(1)
    sys.exit(1 if report.failures else 0)


@main.command(
    epilog="""
\b
Examples:
  brochure check                      every page under content/
  brochure check --format github      annotations for a GitHub Actions run
  brochure check --ignore stale       without comparing the files' ages
"""
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="One line per finding, a JSON array, or GitHub Actions annotations.",
)
@click.option(
    "--ignore",
    type=click.Choice(KINDS),
    multiple=True,
    help="A kind of finding not to report; repeat for several.",
)
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], fmt: str, ignore: tuple[str, ...]) -> None:
    """Compare the translations of each page in PATHS (default: content/); build nothing.

    Exit codes: 0 no differences (untranslated pages are only listed), 1 differences or a
    page that cannot be read, 2 bad usage or configuration.
    """
    from . import check as checking

    err = _console(stderr=True)
    try:
        gathered = checking.gather(list(paths) or [Path("content")])
        findings = checking.check(gathered.brochures, gathered.config, ignore, gathered.order)
    except ConfigError as exc:
        _say(err, str(exc), "red")
        sys.exit(2)
    except Exception as exc:
        if ctx.obj and ctx.obj.get("debug"):
            traceback.print_exc()
        _say(
            err,
            f"brochure: internal error: {type(exc).__name__}: {str(exc)[:300]} — this is a bug; "
            "please report it with the output of 'brochure --debug check …'",
            "red",
        )
        sys.exit(3)
    if fmt == "github":
        for line in checking.github((), gathered.failures):
            click.echo(line)
    else:
        for failure in gathered.failures:
            _say(err, str(failure), "red")
    click.echo(checking.render(findings, fmt, checking.pairs(gathered.brochures)))
    sys.exit(checking.exit_code(findings, gathered.failures))


@main.command(
    epilog="""
\b
Examples:
  brochure serve                 preview content/ at the address it prints
  brochure serve --open          and open it in the browser
"""
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@OUT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port (default: a free one)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the browser.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.pass_context
def serve(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path,
    host: str,
    port: int,
    open_browser: bool,
    jobs: int | None,
) -> None:
    """Build PATHS, watch them, rebuild what changes, and preview every brochure in a browser."""
    from .serve import serve as run

    err = _console(stderr=True)
    console = _console()
    sources = list(paths) or [Path("content")]
    missing = [p for p in sources if not p.exists()]
    if missing:
        _say(
            err,
            f"{missing[0]}: error: no such file or folder — check the path you gave to serve",
            "red",
        )
        sys.exit(2)
    try:
        run(
            sources,
            out,
            host,
            port,
            open_browser,
            jobs or os.cpu_count() or 1,
            lambda line: _say(console, line),
        )
    except OSError as exc:
        _say(err, f"brochure serve: error: cannot listen on {host}:{port} ({exc.strerror})")
        sys.exit(2)
    except Exception as exc:
        if ctx.obj and ctx.obj.get("debug"):
            traceback.print_exc()
        _say(err, f"brochure: internal error: {type(exc).__name__}: {exc} — this is a bug")
        sys.exit(3)
