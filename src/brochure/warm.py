"""Warm renderers that outlive the command, for the edit loop.

A person editing a page saves and runs `brochure build` again and again. A fresh command
pays WeasyPrint's import, the fonts and a first, cold layout before its first PDF: more than
the four PDFs of one page take to render. So `brochure build`, run by a person at a
terminal, leaves render processes behind when it has made something, one per core (up to
`RENDERERS`), and the next run hands them its PDFs (when they are few:
`build.WARM_SMALL_RUN`); a bigger run starts its own workers as before.

Each process renders what it is sent exactly as a pool worker does (`pool.serve_tasks`),
one run at a time (a run that finds it busy renders without it), and ends by itself after
`IDLE_SECONDS` without work, when its socket is removed, after a render stopped half-way or
once grown past half the memory budget. The run watches it from outside as it watches its
workers: stuck or over the memory budget, it is killed and a worker of the run takes over.

Where they live: sockets in a folder only this user can enter (`$XDG_RUNTIME_DIR/brochure`,
else `/tmp/brochure-<uid>`, refused unless it is ours with mode 0700), named after a digest
of brochure's code and assets, the interpreter and the environment the fonts depend on, so
that a changed brochure never renders with old code. Both ends check that the other runs as
the same user. They are never used in CI (`CI` set), without a terminal, or when
`BROCHURE_WARM=off`; `BROCHURE_WARM=on` uses them without a terminal (a script, `make bench`).
Linux only (a pidfd watches a process this one did not start); elsewhere runs render as
before.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import queue
import socket
import stat
import struct
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .pool import Budget, Pool

IDLE_SECONDS = 600.0  # a warm renderer with no work for this long ends
RENDERERS = 4  # at most this many stay warm: one per core (--jobs), up to this
SOCKET_PATH = 107  # bytes a Unix socket's path may have (Linux's sun_path, less its NUL)
READY_SECONDS = 10.0  # how long a run waits for a renderer still warming up
ENVIRONMENT = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "PANGOCAIRO_BACKEND")
_OFF = {"0", "off", "no", "false"}
_ON = {"1", "on", "yes", "true"}
_spawned: list[int] = []  # renderers this process started (reaped once they end)


def wanted(stream: TextIO | None = None) -> bool:
    """Whether a run should use (and leave) a warm renderer: a person at a terminal, on a
    system that can watch a process it did not start (Linux's pidfd) and tell who is at
    the other end of a socket (SO_PEERCRED)."""
    if not _supported():
        return False
    setting = os.environ.get("BROCHURE_WARM", "").strip().lower()
    if setting in _OFF:
        return False
    if setting in _ON:
        return True
    if os.environ.get("CI"):
        return False
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@functools.cache
def _supported() -> bool:
    if not hasattr(os, "pidfd_open") or not hasattr(socket, "SO_PEERCRED"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:  # a kernel older than 5.3
        return False
    return True


def folder() -> Path | None:
    """This user's private folder for the renderer's socket; None when it is not safe."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "brochure" if runtime else None
    if base is None or not base.parent.is_dir():
        import tempfile

        base = Path(tempfile.gettempdir()) / f"brochure-{os.getuid()}"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        info = base.lstat()
    except OSError:
        return None
    private = info.st_uid == os.getuid() and info.st_mode & 0o077 == 0
    return base if private and stat.S_ISDIR(info.st_mode) else None  # lstat: no link


def stamp() -> str:
    """A digest of what a render depends on besides its task: brochure's code, its own
    templates, styles and fonts, the interpreter, WeasyPrint's version and the font
    environment."""
    from .assets import builtin_dir

    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent
    for place in (package, builtin_dir("templates"), builtin_dir("styles")):
        for path in sorted(place.rglob("*")):
            if "__pycache__" not in path.parts and path.is_file():
                info = path.stat()
                digest.update(f"{path}\0{info.st_mtime_ns}\0{info.st_size}\0".encode())
    from importlib.util import find_spec

    spec = find_spec("weasyprint")  # its version is in its __init__.py; not imported here
    if spec is not None and spec.origin:
        info = Path(spec.origin).stat()
        digest.update(f"{spec.origin}\0{info.st_mtime_ns}\0{info.st_size}\0".encode())
    for name in ENVIRONMENT:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    return digest.hexdigest()[:20]


def addresses(count: int, base: Path | None = None) -> list[Path]:
    """The sockets of the first `count` warm renderers for this code; none when the folder
    is not safe."""
    base = base or folder()
    if base is None or len(os.fsencode(base)) > SOCKET_PATH - 30:
        return []  # a socket's path is short (sun_path): a deep folder gets no renderer
    name = stamp()
    return [base / f"{name}-{index}.sock" for index in range(count)]


def _same_user(sock: socket.socket) -> bool:
    """Whether the process at the other end of a Unix socket runs as this user."""
    try:
        credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return False
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def attach(allowed: list[Path], budget: Budget, paths: list[Path]) -> Pool | None:
    """A pool whose workers are the warm renderers at `paths` that are free; None when
    there is none, and the run renders as it would without them. `allowed` and `budget`
    are the pool's, for a worker that takes a renderer's place."""
    if not _supported():
        return None
    asked: list[Connection] = []
    for path in paths:
        conn = _connect(path)
        if conn is None:
            continue
        try:
            conn.send(("run", str(Path.cwd()), budget))
            asked.append(conn)
        except (OSError, ValueError):
            conn.close()
    found: list[tuple[Connection, int]] = []
    deadline = time.monotonic() + READY_SECONDS  # one still warming up is waited for
    for conn in asked:
        try:
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError
            kind, pid = conn.recv()
            if kind != "ready":
                raise ConnectionRefusedError  # busy with another run
            found.append((conn, int(pid)))
        except (OSError, EOFError, ValueError, TypeError):
            conn.close()
    if not found:
        return None
    from .pool import Pool

    pool = Pool(len(found), allowed, budget)
    for conn, pid in found:
        try:
            pool.attach(conn, pid)
        except OSError:  # gone since it answered
            conn.close()
    if not pool.workers:
        return None
    pool.jobs = len(pool.workers)
    return pool


def _connect(path: Path) -> Connection | None:
    """A connection to the renderer listening at `path`, checked to run as this user; None
    when there is none (no such socket, nobody listening, another user)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(1.0)
        sock.connect(str(path))
        sock.settimeout(None)
        if _same_user(sock):
            return Connection(sock.detach())
    except OSError:
        pass
    sock.close()
    return None


def _alive(path: Path) -> bool:
    """Whether a renderer of this user listens at `path` (warm or still warming up)."""
    conn = _connect(path)
    if conn is None:
        return False
    conn.close()
    return True


def running(path: Path, wait: float = 0.0) -> int | None:
    """The process id of the warm renderer at `path` once it is warm (it answers only
    then), waiting up to `wait` seconds for it; None when there is none."""
    deadline = time.monotonic() + wait
    while True:
        conn = _connect(path)
        if conn is not None:
            with conn, contextlib.suppress(OSError, EOFError, ValueError):
                conn.send(("ping",))
                if conn.poll(max(0.5, deadline - time.monotonic())):
                    kind, pid = conn.recv()
                    if kind == "pong":
                        return int(pid)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def spawn(
    root: Path, paths: list[Path], idle: float | None = None, pages: Sequence[Path] = ()
) -> list[int]:
    """Start a warm renderer at each of `paths` where none listens, in the background, in
    its own session, with nothing of this process's terminal or pipes, warmed up for the
    content folder `root` by making the brochure of `pages` once (the one the person is
    editing); each ends by itself (see the module's docstring)."""
    if not _supported():
        return []
    for pid in list(_spawned):  # renderers started earlier that have ended
        try:
            ended = os.waitpid(pid, os.WNOHANG)[0] != 0
        except ChildProcessError:
            ended = True
        if ended:
            _spawned.remove(pid)
    idle = IDLE_SECONDS if idle is None else idle
    package = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package, env.get("PYTHONPATH")) if p)
    null = os.devnull
    started: list[int] = []
    for path in paths:
        if _alive(path):
            continue
        try:
            pid = os.posix_spawn(
                sys.executable,
                [
                    sys.executable,
                    "-m",
                    "brochure.warm",
                    str(path),
                    str(idle),
                    str(root.resolve()),
                    *(str(page.resolve()) for page in pages),
                ],
                env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, null, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, null, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, null, os.O_WRONLY, 0),
                ],
                setsid=True,
            )
        except OSError:
            continue
        _spawned.append(pid)
        started.append(pid)
    return started


def stop(paths: list[Path] | None = None) -> int:
    """End the warm renderers for this code (or those at `paths`): removing its socket ends
    one within seconds. Returns how many there were."""
    if paths is None:
        base = folder()
        paths = sorted(base.glob(f"{stamp()}-*.sock")) if base is not None else []
    count = 0
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
            count += 1
    return count


# The renderer's side.


def _bind(path: Path) -> socket.socket | None:
    """Listen at `path`; None when another renderer already does."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
    except OSError:
        if _alive(path):
            sock.close()
            return None
        with contextlib.suppress(OSError):  # left by one that was killed
            path.unlink()
        try:
            sock.bind(str(path))
        except OSError:
            sock.close()
            return None
    sock.listen(8)
    return sock


class _Renderer:
    """The warm render process: one run at a time, in this process's main thread (the
    budget's timer signal needs it); connections are taken by a thread."""

    def __init__(self, sock: socket.socket, path: Path, idle: float) -> None:
        self.sock = sock
        self.path = path
        self.idle = idle
        self.inode = path.stat().st_ino
        self.busy = threading.Lock()
        self.runs: queue.Queue[tuple[Connection, str, Budget]] = queue.Queue()
        self.last = time.monotonic()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if not _same_user(client):
                client.close()
                continue
            conn = Connection(client.detach())
            try:
                if not conn.poll(5.0):
                    raise TimeoutError
                message = conn.recv()
                if message == ("ping",):
                    conn.send(("pong", os.getpid()))
                    conn.close()
                    continue
                kind, cwd, budget = message
                if kind != "run" or not isinstance(cwd, str):
                    raise ValueError(kind)
                if not self.busy.acquire(blocking=False):
                    conn.send(("busy", os.getpid()))
                    conn.close()
                    continue
            except Exception:  # anything unreadable: that run renders without it
                conn.close()
                continue
            self.runs.put((conn, cwd, budget))

    def ours(self) -> bool:
        """Whether the socket file is still this renderer's (removing it ends it)."""
        try:
            return self.path.stat().st_ino == self.inode
        except OSError:
            return False

    def serve(self) -> None:
        from . import worker
        from .pool import Watch, rss_mb, serve_tasks

        threading.Thread(target=self.accept, daemon=True, name="brochure-accept").start()
        while self.ours():
            try:
                conn, cwd, budget = self.runs.get(timeout=min(5.0, self.idle))
            except queue.Empty:
                if time.monotonic() - self.last > self.idle:
                    return
                continue
            try:
                os.chdir(cwd)  # the run's relative paths are relative to where it runs
                conn.send(("ready", os.getpid()))
                with Watch(budget) as watch:
                    keep = serve_tasks(conn, worker.run, watch)
            except (OSError, EOFError, ValueError):
                keep = True
            finally:
                with contextlib.suppress(OSError):
                    conn.close()
                os.chdir("/")
                self.last = time.monotonic()
                self.busy.release()
            if not keep or rss_mb() > budget.memory_mb / 2:
                return  # a render stopped half-way, or grown: the next run starts afresh

    def close(self) -> None:
        if self.ours():
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.sock.close()


def _rehearse(root: Path, pages: list[Path]) -> None:
    """Make a brochure of the content folder once, into a folder that is then deleted, so
    that the first run finds everything its PDFs need ready: the pages' languages
    (hyphenation), Markdown, the QR code, the templates, fonts and stylesheets, fitting,
    the PDF writer. Without pages there is nothing to rehearse with: the fonts are read."""
    import tempfile

    from .build import build

    if not pages:
        return
    with (
        tempfile.TemporaryDirectory(prefix="brochure-rehearsal-") as scratch,
        contextlib.suppress(Exception),  # a page that fails fails again in a real run
    ):
        build(pages, Path(scratch), jobs=1, force=True)


def main(argv: list[str]) -> int:
    """`python -m brochure.warm SOCKET IDLE ROOT [PAGE...]`: listen, warm up for the
    content folder ROOT (rehearsing with the brochure of PAGEs), render until idle."""
    path, idle, root = Path(argv[0]), float(argv[1]), Path(argv[2])
    pages = [Path(arg) for arg in argv[3:]]
    os.chdir("/")
    sock = _bind(path)
    if sock is None:
        return 0
    renderer = _Renderer(sock, path, idle)
    try:
        from . import worker
        from .assets import readable

        worker.warm_up(readable(root), fonts=True)
        _rehearse(root, pages)
        renderer.serve()
    finally:
        renderer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
