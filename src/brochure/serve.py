"""Live preview: build, watch the sources, rebuild what changed, show thumbnails in a browser.

The server binds to 127.0.0.1 and serves three things only: its page, a stream of
server-sent events that tells the page a build finished, and files inside the output
folder (PDFs and their thumbnails). Builds run in warm worker processes that live as
long as the server, so a one-page change costs only its own PDFs.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from . import __version__
from .assets import builtin_dir
from .build import Output, Report, build, worker_pool
from .errors import BrochureError, display_path

THUMBS = ".thumbs"
THUMB_WIDTH = 150  # pixels


@dataclass
class Card:
    """One brochure on the page: its PDFs with thumbnails, or the error that stopped it."""

    slug: str
    title: str
    pdfs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class State:
    """What the page shows; updated by the builder thread, read by request handlers."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.version = 0
        self.cards: list[Card] = []
        self.problems: list[str] = []
        self.summary = "building…"
        self.page_slugs: dict[Path, str] = {}
        self.changed = threading.Condition()

    def publish(self, cards: list[Card], problems: list[str], summary: str) -> None:
        with self.changed:
            self.cards, self.problems, self.summary = cards, problems, summary
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def resolve(self, url_path: str) -> Path | None:
        """The file a `/files/...` URL names, only if it is a PDF or PNG inside the output."""
        relative = unquote(url_path)
        if "\0" in relative or relative.startswith("/") or "\\" in relative:
            return None
        try:
            path = (self.out / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not path.is_relative_to(self.out) or not path.is_file():
            return None
        return path if path.suffix in (".pdf", ".png") else None


def thumbnails(pdf: Path, out: Path) -> list[str]:
    """PNG thumbnails of every page of `pdf`, as paths relative to `out` (made when stale)."""
    import pypdfium2 as pdfium

    pdf = pdf.resolve()
    relative = pdf.relative_to(out)
    folder = out / THUMBS / relative.parent
    folder.mkdir(parents=True, exist_ok=True)
    stamp = pdf.stat().st_mtime_ns
    names: list[str] = []
    document = pdfium.PdfDocument(pdf)
    try:
        for index, page in enumerate(document):
            png = folder / f"{relative.name}.{index + 1}.png"
            if not png.exists() or png.stat().st_mtime_ns < stamp:
                width = page.get_width()
                image = page.render(scale=THUMB_WIDTH / width).to_pil()
                tmp = png.with_suffix(".tmp.png")
                image.save(tmp, optimize=True)
                tmp.replace(png)
            names.append(png.relative_to(out).as_posix())
    finally:
        document.close()
    return names


def cards_from(report: Report, state: State) -> tuple[list[Card], list[str]]:
    """Group the run's PDFs by brochure; put each failure on the card of its page."""
    out = state.out
    for brochure in report.brochures:
        for page in brochure.pages.values():
            state.page_slugs[page.path.resolve()] = brochure.slug
    cards: dict[str, Card] = {}
    for brochure in report.brochures:
        first = next(iter(brochure.pages.values()))
        cards[brochure.slug] = Card(brochure.slug, first.title)
    made: list[Output] = list(report.outputs)
    targets = [o.target for o in made] + list(report.skipped)
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


PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brochure preview</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f3f5f5; color: #222; }
header { background: #1f5f66; color: #fff; padding: 10px 20px; position: sticky; top: 0; }
main { padding: 12px 20px 40px; }
.card { background: #fff; border-radius: 6px; margin: 14px 0; padding: 12px 16px;
        box-shadow: 0 1px 2px #0002; }
.card h2 { margin: 0 0 8px; font-size: 17px; }
.pdfs { display: flex; flex-wrap: wrap; gap: 18px; }
.pdf a.name { display: block; font-weight: 600; margin-bottom: 4px; color: #1f5f66; }
.thumbs { display: flex; gap: 4px; }
.thumbs img { width: 150px; border: 1px solid #ccd; background: #fff; }
.error { color: #a11; background: #fdecec; padding: 6px 10px; border-radius: 4px;
         font-family: ui-monospace, monospace; white-space: pre-wrap; margin: 6px 0; }
</style></head>
<body><header>brochure {{ version }} preview · <span id="summary">{{ summary }}</span></header>
<main id="main">{{ body }}</main>
<script>
const events = new EventSource("/events");
events.addEventListener("build", async () => {
  const response = await fetch("/?part=main", {cache: "no-store"});
  const data = await response.json();
  document.getElementById("main").innerHTML = data.main;
  document.getElementById("summary").textContent = data.summary;
  document.body.dataset.build = data.build;
});
</script>
</body></html>"""
)

MAIN = jinja2.Environment(autoescape=True).from_string(
    """{% for problem in problems %}<div class="error problem">{{ problem }}</div>{% endfor %}
{% for card in cards %}<section class="card" id="{{ card.slug }}"><h2>{{ card.title }}</h2>
{% for error in card.errors %}<div class="error">{{ error }}</div>{% endfor %}
<div class="pdfs">{% for pdf in card.pdfs %}<div class="pdf">
<a class="name" href="/files/{{ pdf.name }}?v={{ pdf.stamp }}">{{ pdf.label }}</a>
{% if not card.errors %}<div class="thumbs">{% for t in pdf.thumbs %}
<a href="/files/{{ pdf.name }}?v={{ pdf.stamp }}#page={{ loop.index }}">
<img class="thumb" src="/files/{{ t }}?v={{ pdf.stamp }}" alt="page {{ loop.index }}"></a>
{% endfor %}</div>{% endif %}
</div>{% endfor %}</div></section>
{% endfor %}"""
)


class Handler(http.server.BaseHTTPRequestHandler):
    """`/`, `/events` and `/files/<path inside the output folder>`; nothing else."""

    state: State
    server_version = f"brochure/{__version__}"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: no access log
        return

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        state = self.state
        if parts.path == "/":
            main = MAIN.render(cards=state.cards, problems=state.problems)
            if parts.query == "part=main":
                data = {"main": main, "summary": state.summary, "build": state.version}
                self._send(200, json.dumps(data).encode(), "application/json")
            else:
                page = PAGE.render(
                    body=Markup(main),
                    summary=state.summary,
                    version=__version__,
                )
                self._send(200, page.encode(), "text/html; charset=utf-8")
        elif parts.path == "/events":
            self._events()
        elif parts.path.startswith("/files/"):
            path = state.resolve(parts.path.removeprefix("/files/"))
            if path is None:
                self._send(404, b"not found", "text/plain")
            else:
                kind = "application/pdf" if path.suffix == ".pdf" else "image/png"
                self._send(200, path.read_bytes(), kind)
        else:
            self._send(404, b"not found", "text/plain")

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.state.version
        with contextlib.suppress(OSError):
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not getattr(self.server, "stopping", False):
                version = self.state.wait(seen, timeout=10)
                if version != seen:
                    seen = version
                    self.wfile.write(f"event: build\ndata: {version}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    stopping = False


def make_server(state: State, host: str = "127.0.0.1", port: int = 0) -> Server:
    handler = type("BoundHandler", (Handler,), {"state": state})
    return Server((host, port), handler)


def _watched(paths: Sequence[Path], root: Path) -> list[Path]:
    folders = [p for p in paths if p.exists()] + [root, builtin_dir("templates")]
    folders.append(builtin_dir("styles"))
    unique: list[Path] = []
    for folder in (p.resolve() for p in folders):
        if not any(folder.is_relative_to(u) for u in unique):
            unique = [u for u in unique if not u.is_relative_to(folder)] + [folder]
    return unique


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

    def build_once(self, pool: Any) -> None:
        began = time.perf_counter()
        try:
            report = build(self.paths, self.out, jobs=self.jobs, pool=pool)
            cards, problems = cards_from(report, self.state)
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
        self.state.publish(cards, problems, summary)
        if self.on_build:
            self.on_build(report)

    def _relevant(self, changes: set[tuple[Any, str]]) -> bool:
        out = self.out.resolve()
        for _, name in changes:
            path = Path(name)
            if path.is_relative_to(out) or any(p.startswith(".") for p in path.parts):
                continue
            return True
        return False

    def run(self) -> None:
        from watchfiles import watch

        with worker_pool(self.jobs, self.root) as pool:
            self.build_once(pool)
            for changes in watch(
                *_watched(self.paths, self.root),
                stop_event=self.stop_event,
                debounce=400,
                step=30,
                yield_on_timeout=False,
                raise_interrupt=False,
            ):
                if self._relevant(changes):
                    self.build_once(pool)

    def stop(self) -> None:
        self.stop_event.set()


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
