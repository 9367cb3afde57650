"""Live preview: build, watch the sources, rebuild what changed, show thumbnails in a browser.

The page and its server are `web.py`; this module is the loop behind them.

The edit loop, in order:

1. The watcher thread collects what changed. Saves that arrive while a build runs are
   coalesced: one build follows the running one, however many saves there were.
2. One PDF is made first: the one the page last opened, when the change can touch it;
   otherwise the saved page's own (its language, single layout, A4, default profile).
3. As soon as that PDF is written, the first page's thumbnail is rendered and a `pdf`
   event tells the page, which swaps it in; the other PDFs follow as they are written
   (a `pdf` event each), then the rest of the first PDF's pages.
4. At the end one `build` event: the page fetches the whole list and replaces it.

Builds run in warm worker processes that live as long as the server, so a one-page
change costs only its own PDFs.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import catalogue
from .assets import builtin_dir
from .atomic import write_atomic
from .build import Output, Report, Target, build, worker_pool
from .errors import BrochureError, display_path
from .profiles import DEFAULT
from .safety import clean
from .web import Card, Server, State, make_server

THUMBS = ".thumbs"
THUMB_WIDTH = 150  # pixels


def thumbnails(pdf: Path, out: Path, pages: int | None = None) -> list[str]:
    """PNG thumbnails of every page of `pdf` (or its first `pages`), as paths relative to
    `out`; each is made only when it is older than the PDF."""
    from brochure import raster

    pdf = pdf.resolve()
    relative = pdf.relative_to(out)
    folder = out / THUMBS / relative.parent
    folder.mkdir(parents=True, exist_ok=True)
    stamp = pdf.stat().st_mtime_ns

    def png(index: int) -> Path:
        return folder / f"{relative.name}.{index + 1}.png"

    def stale(index: int) -> bool:
        return not png(index).exists() or png(index).stat().st_mtime_ns < stamp

    names: list[str] = []
    for index, image in enumerate(raster.pages(pdf, THUMB_WIDTH, pages, wanted=stale)):
        if image is not None:
            data = io.BytesIO()
            image.save(data, "PNG", compress_level=1)  # 2 ms, not 40: it is read locally
            write_atomic(png(index), data.getvalue(), "a thumbnail", sync=False)
        names.append(png(index).relative_to(out).as_posix())
    return names


def cards_from(report: Report, state: State) -> tuple[list[Card], list[str]]:
    """Group the run's PDFs by brochure; put each failure on the card of its page."""
    out = state.out
    for brochure in report.brochures:
        for lang, page in brochure.pages.items():
            state.page_slugs[page.path.resolve()] = brochure.slug
            state.page_langs[page.path.resolve()] = lang
    cards: dict[str, Card] = {}
    for brochure in report.brochures:
        first = next(iter(brochure.pages.values()))
        cards[brochure.slug] = Card(brochure.slug, first.title)
    made: list[Output] = list(report.outputs)
    targets = [o.target for o in made] + list(report.skipped)
    state.targets = {t.path.resolve(): t for t in targets}
    for target in sorted(targets, key=lambda t: str(t.path)):
        card = cards.get(target.brochure.slug)
        if card is None or not target.path.exists():
            continue
        card.pdfs.append(
            {
                "name": target.path.resolve().relative_to(out).as_posix(),
                "label": f"{'–'.join(target.langs)} · {target.size.upper()}"
                + ("" if target.profile == "office" else f" · {target.profile}"),
                "thumbs": thumbnails(target.path, out),
                "stamp": target.path.stat().st_mtime_ns,
            }
        )
    problems: list[str] = []
    for failure in report.failures:
        slug = state.page_slugs.get(failure.path.resolve()) if failure.path else None
        if slug and slug in cards:
            cards[slug].errors.append(str(failure))
        elif slug:
            cards[slug] = Card(slug, slug, errors=[str(failure)])
            cards[slug].pdfs = _last_good(state, slug)
        else:
            problems.append(str(failure))
    return sorted(cards.values(), key=lambda c: c.slug), problems


def _last_good(state: State, slug: str) -> list[dict[str, Any]]:
    """The PDFs of a brochure from the last good build (still in the output folder)."""
    for card in state.cards:
        if card.slug == slug:
            return card.pdfs
    return []


def _watched(paths: Sequence[Path], root: Path) -> list[Path]:
    folders = [p for p in paths if p.exists()] + [root, builtin_dir("templates")]
    folders.append(builtin_dir("styles"))
    unique: list[Path] = []
    for folder in (p.resolve() for p in folders):
        if not any(folder.is_relative_to(u) for u in unique):
            unique = [u for u in unique if not u.is_relative_to(folder)] + [folder]
    return unique


class Refresh:
    """One build's thumbnails, made as its PDFs are written, in the order the page wants.

    The prioritized PDF's first page comes first; PDFs written before it wait for it; the
    rest of its pages come last. The thumbnails are drawn in a thread of their own, so the
    builder goes on handing out work to the pool meanwhile.
    """

    def __init__(self, state: State, priority: Path | None) -> None:
        self.state = state
        self.priority = priority
        self.expected = False  # the prioritized PDF is among those this build makes
        self.arrived = False
        self.held: list[Path] = []
        self.drawer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brochure-thumbs")

    def first(self, target: Target) -> bool:
        """`build(first=...)`: it asks about each PDF it is going to make."""
        mine = self.priority is not None and target.path.resolve() == self.priority
        self.expected = self.expected or mine
        return mine

    def output(self, output: Output) -> None:
        """`build(on_output=...)`: a PDF is written."""
        pdf = output.target.path.resolve()
        if pdf == self.priority:
            self.arrived = True
            self._draw(pdf, pages=1)
            for held in self.held:
                self._draw(held)
            self.held = []
        elif self.expected and not self.arrived:
            self.held.append(pdf)
        else:
            self._draw(pdf)

    def finish(self) -> None:
        """Draw what is left and wait for every thumbnail."""
        for held in self.held:
            self._draw(held)
        if self.arrived and self.priority is not None:
            self._draw(self.priority)
        self.held = []
        self.drawer.shutdown(wait=True)

    def _draw(self, pdf: Path, pages: int | None = None) -> None:
        self.drawer.submit(self._thumbnails, pdf, pages)

    def _thumbnails(self, pdf: Path, pages: int | None) -> None:
        try:
            self.state.refreshed(pdf, thumbnails(pdf, self.state.out, pages))
        except Exception:  # drawn again after the build (cards_from), where it is reported
            return


class Preview:
    """Builds, watches and publishes; `run()` blocks until `stop()`."""

    def __init__(
        self,
        paths: Sequence[Path],
        out: Path,
        jobs: int = 2,
        on_build: Callable[[Report | BrochureError], None] | None = None,
    ) -> None:
        from .sources import find_site

        self.paths = list(paths)
        self.out = out
        self.jobs = jobs
        self.root = find_site(self.paths).root
        self.state = State(out)
        self.stop_event = threading.Event()
        self.on_build = on_build
        self.pending: set[Path] = set()  # changed since the last build began
        self.wanted = threading.Event()  # a build is due
        self.lock = threading.Lock()

    def changed(self, paths: Iterable[Path]) -> None:
        """Sources changed: one build after the running one, however many saves arrive."""
        with self.lock:
            self.pending.update(paths)
            self.wanted.set()

    def priority(self, changed: set[Path]) -> Path | None:
        """The PDF to make first: the one the page opened last, when this change can touch
        it (a page of its brochure, or any file that is not a page); otherwise the saved
        page's own: its language, single layout, A4, the default profile."""
        state = self.state
        if not changed:
            return None
        slugs = {state.page_slugs.get(path) for path in changed}
        opened = state.targets.get(state.focus) if state.focus else None
        if opened and opened.path.is_file() and {None, opened.brochure.slug} & slugs:
            return opened.path.resolve()
        for path in sorted(p for p in changed if p in state.page_slugs):
            slug, lang = state.page_slugs[path], state.page_langs[path]
            own = [
                t
                for t in state.targets.values()
                if t.brochure.slug == slug
                and t.langs == (lang,)
                and t.layout == "single"
                and t.size == "a4"
            ]
            if own:
                return min(own, key=lambda t: t.profile != DEFAULT).path.resolve()
        return None

    def build_once(self, pool: Any, changed: set[Path] | None = None) -> None:
        began = time.perf_counter()
        refresh = Refresh(self.state, self.priority(changed or set()))
        try:
            try:
                report = build(
                    self.paths,
                    self.out,
                    jobs=self.jobs,
                    pool=pool,
                    first=refresh.first,
                    on_output=refresh.output,
                )
            finally:
                refresh.finish()
            cards, _ = cards_from(report, self.state)  # failures are on the catalogue's cards
            view = report.catalogue or catalogue.empty(self.root)
        except BrochureError as exc:  # configuration: show it, keep the last good PDFs
            self.state.publish(self.state.cards, [str(exc)], "configuration error")
            if self.on_build:
                self.on_build(exc)
            return
        except Exception as exc:  # a bug: say so in the page and keep watching
            message = f"internal error: {type(exc).__name__}: {exc} — this is a bug"
            self.state.publish(self.state.cards, [message], "internal error")
            if self.on_build:
                self.on_build(BrochureError(message))
            return
        took = time.perf_counter() - began
        summary = (
            f"{len(report.outputs)} PDF(s) made, {len(report.skipped)} up to date, "
            f"{len(report.failures)} failed, {took:.1f} s"
        )
        self.state.publish(cards, [], summary, view)
        if self.on_build:
            self.on_build(report)

    def _relevant(self, changes: set[tuple[Any, str]]) -> set[Path]:
        """The changed sources: not the output folder, not hidden files (editors' backups)."""
        out = self.out.resolve()
        relevant: set[Path] = set()
        for _, name in changes:
            path = Path(name)
            if path.is_relative_to(out) or any(p.startswith(".") for p in path.parts):
                continue
            relevant.add(path.resolve())
        return relevant

    def watch(self) -> None:
        """The watcher thread: tells the builder what changed, until `stop()`."""
        from watchfiles import watch

        try:
            for changes in watch(
                *_watched(self.paths, self.root),
                stop_event=self.stop_event,
                debounce=400,
                step=30,
                yield_on_timeout=False,
                raise_interrupt=False,
            ):
                relevant = self._relevant(changes)
                if relevant:
                    self.changed(relevant)
        except Exception as exc:  # a watched folder removed, too many watches: one line
            message = f"brochure serve: stopped watching for changes: {type(exc).__name__}: {exc}"
            print(clean(message), file=sys.stderr)

    def run(self) -> None:
        """The builder: the first build, then one build per batch of changes until `stop()`."""
        watcher = threading.Thread(target=self.watch, name="brochure-watcher", daemon=True)
        with worker_pool(self.jobs, self.root) as pool:
            watcher.start()  # saves made during the first build are not lost
            self.build_once(pool)
            while True:
                self.wanted.wait()
                if self.stop_event.is_set():
                    break
                with self.lock:
                    changed, self.pending = self.pending, set()
                    self.wanted.clear()
                self.build_once(pool, changed)
        watcher.join(timeout=5)

    def stop(self) -> None:
        self.stop_event.set()
        self.wanted.set()


@contextlib.contextmanager
def running(preview: Preview, host: str = "127.0.0.1", port: int = 0) -> Iterator[Server]:
    """The server and the builder thread, both stopped cleanly on exit."""
    server = make_server(preview.state, host, port)
    builder = threading.Thread(target=preview.run, name="brochure-builder", daemon=True)
    builder.start()
    web = threading.Thread(target=server.serve_forever, name="brochure-web", daemon=True)
    web.start()
    try:
        yield server
    finally:
        server.stopping = True
        preview.stop()
        with preview.state.changed:
            preview.state.changed.notify_all()
        server.shutdown()
        server.server_close()
        builder.join(timeout=30)


def serve(
    paths: Sequence[Path],
    out: Path,
    host: str,
    port: int,
    open_browser: bool,
    jobs: int,
    echo: Callable[[str], None],
) -> None:
    """`brochure serve`: runs until Ctrl-C."""

    def report(result: Report | BrochureError) -> None:
        if isinstance(result, BrochureError):
            echo(str(result))
            return
        for failure in result.failures:
            echo(str(failure))
        echo(
            f"built: {len(result.outputs)} PDF(s) made, {len(result.skipped)} up to date, "
            f"{len(result.failures)} failed ({display_path(out)})"
        )

    preview = Preview(paths, out, jobs=jobs, on_build=report)
    with running(preview, host, port) as server:
        address = f"http://{host}:{server.server_address[1]}/"
        echo(f"serving {address} — Ctrl-C to stop")
        if open_browser:
            webbrowser.open(address)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            echo("stopping…")
