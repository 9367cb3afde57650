"""The live preview's web side: what the page shows, and a small server that answers for it.

The server binds to 127.0.0.1 and serves four things only: its page, a stream of
server-sent events, files inside the output folder (PDFs, their thumbnails, the
catalogue's fonts), and `POST /focus`, by which the page names the PDF it last opened.
The page is the catalogue (`catalogue.py`, the same template as `<out>/index.html`) with
the live parts on top: the build summary, every page of every PDF, and a refresh in place.
It answers only requests addressed to itself (`Host: 127.0.0.1:PORT` or `localhost:PORT`;
421 otherwise), so a web page that rebinds its own name to 127.0.0.1 cannot read the PDFs
or the error lines; a client that goes away mid-answer is not an error. `State` is shared
with the builder (`serve.py`), which publishes builds and thumbnails to it.
"""

from __future__ import annotations

import collections
import contextlib
import http.server
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import __version__, catalogue
from .build import Target
from .safety import clean

SERVED = {  # the only kinds of file served from the output folder
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
}
FOCUS_BYTES = 1024  # the longest name `POST /focus` takes
EVENTS_KEPT = 64  # a client further behind than this misses `pdf` events, never the last `build`


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
        self.cards: list[Card] = []  # every page of every PDF, by brochure
        self.view: catalogue.View | None = None  # the catalogue of the last build
        self.problems: list[str] = []
        self.summary = "building…"
        self.page_slugs: dict[Path, str] = {}  # page file -> its brochure
        self.page_langs: dict[Path, str] = {}  # page file -> its language
        self.targets: dict[Path, Target] = {}  # every PDF of the last build, made or up to date
        self.focus: Path | None = None  # the PDF the page opened last (POST /focus)
        self.sequence = 0  # events so far
        self.events: collections.deque[tuple[int, str, str]] = collections.deque(maxlen=EVENTS_KEPT)
        self.changed = threading.Condition()

    def _post(self, name: str, data: str) -> None:
        """Queue an event for every open stream (the lock is held)."""
        self.sequence += 1
        self.events.append((self.sequence, name, data))
        self.changed.notify_all()

    def publish(
        self,
        cards: list[Card],
        problems: list[str],
        summary: str,
        view: catalogue.View | None = None,
    ) -> None:
        with self.changed:
            self.cards, self.problems, self.summary = cards, problems, summary
            if view is not None:
                self.view = view
            self.version += 1
            self._post("build", str(self.version))

    def refreshed(self, pdf: Path, thumbs: list[str]) -> None:
        """A PDF's thumbnails are written: a `pdf` event, so the page swaps them in at once."""
        data = {
            "name": pdf.relative_to(self.out).as_posix(),
            "stamp": pdf.stat().st_mtime_ns,
            "thumbs": thumbs,
        }
        with self.changed:
            self._post("pdf", json.dumps(data))

    def wait(self, seen: int, timeout: float) -> list[tuple[int, str, str]]:
        """The events after number `seen`, once there are any (none after `timeout`)."""
        with self.changed:
            self.changed.wait_for(lambda: self.sequence != seen, timeout=timeout)
            return [event for event in self.events if event[0] > seen]

    def focus_on(self, body: bytes) -> bool:
        """Remember the PDF the page opened, if `body` names a PDF inside the output folder."""
        try:
            name = body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        path = self.resolve(name)
        if path is None or path.suffix != ".pdf":
            return False
        self.focus = path
        return True

    def resolve(self, url_path: str) -> Path | None:
        """The file a `/files/...` URL names, only if it is of a SERVED kind inside the output."""
        relative = unquote(url_path)
        if "\0" in relative or relative.startswith("/") or "\\" in relative:
            return None
        try:
            path = (self.out / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not path.is_relative_to(self.out) or not path.is_file():
            return None
        return path if path.suffix in SERVED else None


class Handler(http.server.BaseHTTPRequestHandler):
    """`/`, `/events`, `/files/<path inside the output folder>` and `POST /focus`; nothing else."""

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

    def _names(self) -> set[str]:
        """`127.0.0.1:PORT`, `localhost:PORT` (and the address given to --host)."""
        address: Any = self.server.server_address
        host, port = address[0], address[1]
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
        if host not in ("", "0.0.0.0", "::"):
            allowed.add(f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}")
        return allowed

    def _addressed_to_us(self) -> bool:
        return self.headers.get("Host", "").strip().lower() in self._names()

    def _from_our_page(self) -> bool:
        """No `Origin` (not a browser), or our own: another site's page may not set the focus."""
        origin = self.headers.get("Origin")
        if origin is None:
            return True
        return origin.strip().lower() in {f"http://{name}" for name in self._names()}

    def do_POST(self) -> None:
        """`/focus`: the page names the PDF it opened (a path inside the output folder)."""
        if not self._addressed_to_us():
            self._send(421, b"misdirected request: use http://127.0.0.1:PORT/", "text/plain")
            return
        if urlsplit(self.path).path != "/focus":
            self._send(404, b"not found", "text/plain")
            return
        if not self._from_our_page():
            self._send(403, b"only the preview's own page may set the focus", "text/plain")
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or not 0 < int(length) <= FOCUS_BYTES:
            self._send(400, b"send the PDF's name inside the output folder", "text/plain")
            return
        if self.state.focus_on(self.rfile.read(int(length))):
            self._send(204, b"", "text/plain")
        else:
            self._send(404, b"not a PDF inside the output folder", "text/plain")

    def do_GET(self) -> None:
        if not self._addressed_to_us():
            self._send(421, b"misdirected request: use http://127.0.0.1:PORT/", "text/plain")
            return
        parts = urlsplit(self.path)
        state = self.state
        if parts.path == "/":
            view = state.view or catalogue.empty(state.out)
            live = catalogue.Live(
                summary=state.summary,
                build=state.version,
                problems=state.problems,
                previews={card.slug: card.pdfs for card in state.cards},
            )
            if parts.query == "part=main":
                main = catalogue.render(view, live, part=True)
                data = {"main": main, "summary": state.summary, "build": state.version}
                self._send(200, json.dumps(data).encode(), "application/json")
            else:
                page = catalogue.render(view, live)
                self._send(200, page.encode(), "text/html; charset=utf-8")
        elif parts.path == "/events":
            self._events()
        elif parts.path.startswith("/files/"):
            path = state.resolve(parts.path.removeprefix("/files/"))
            if path is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, path.read_bytes(), SERVED[path.suffix])
        else:
            self._send(404, b"not found", "text/plain")

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.state.sequence
        with contextlib.suppress(OSError):
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not getattr(self.server, "stopping", False):
                events = self.state.wait(seen, timeout=10)
                for _, name, data in events:
                    self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
                if events:
                    seen = events[-1][0]
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    stopping = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is normal; anything else is one line, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError) or error is None:
            return
        print(
            clean(f"brochure serve: error answering a request: {type(error).__name__}: {error}"),
            file=sys.stderr,
        )


def make_server(state: State, host: str = "127.0.0.1", port: int = 0) -> Server:
    handler = type("BoundHandler", (Handler,), {"state": state})
    return Server((host, port), handler)
