"""Worker processes, and the time and memory budget every document is held to.

A document (one PDF) may take `Budget.seconds` and grow its process to
`Budget.memory_mb`. Past either, that brochure fails with one line and the others
go on:

- `Watch`, in the process doing the work (a worker, or the main process for small
  runs), checks the budget from a timer signal and raises `OverBudget` inside the
  render; it derives from BaseException, so no library's `except Exception` can
  swallow it. The worker reports the failure and is then replaced, since a render
  stopped half-way may leave its caches in any state.
- `Pool`, in the main process, watches its workers from outside: one that does not
  report within the budget and a grace (stuck in a C library, where Python signals
  wait) or whose memory runs past the budget is killed; one that dies (out of memory,
  a crash) is noticed. Its brochure fails with one line and a new worker takes its
  place; the run goes on.

Workers are started with `forkserver` (WeasyPrint is not fork-safe in every setting),
import WeasyPrint and parse the fonts once, and exit by themselves when the build that
started them is killed.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from . import limits

if TYPE_CHECKING:
    from .plan import Target
    from .tasks import Done, Task

TICK = 0.1  # seconds between two checks of the budget
WARM_UP_SECONDS = 120.0  # a new worker imports WeasyPrint and parses fonts before its first task


@dataclass(frozen=True)
class Budget:
    """What one document may cost."""

    seconds: float = limits.DOCUMENT_SECONDS
    memory_mb: int = limits.DOCUMENT_MEMORY_MB
    grace_seconds: float = limits.GRACE_SECONDS

    def over_time(self) -> str:
        return f"making it took longer than {self.seconds:g} s"

    def over_memory(self) -> str:
        return f"making it needed more than {self.memory_mb} MB of memory"


class OverBudget(BaseException):
    """Raised inside a render that has run past its budget; `str()` says which."""


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), in MB; 0 when unknown."""
    try:
        statm = Path(f"/proc/{pid or 'self'}/statm").read_bytes()
        return int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0.0


class Watch:
    """The current document's budget in this process, checked from a timer signal.

    Active only in the main thread (the only one Python delivers signals to); in any
    other thread it does nothing, and the process that owns the thread is watched
    from outside instead (the serve preview builds in worker processes).
    """

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.started: float | None = None
        self.active = False
        self.on_document: Callable[[], None] | None = None  # a worker tells its pool
        self._previous: Any = None

    def __enter__(self) -> Watch:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            self._previous = signal.signal(signal.SIGALRM, self._tick)
            signal.siginterrupt(signal.SIGALRM, False)  # restart interrupted system calls
            signal.setitimer(signal.ITIMER_REAL, TICK, TICK)
            self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)
            self.active = False
        self.started = None

    def document(self) -> None:
        """A document starts now: its clock starts."""
        self.started = time.monotonic()
        if self.on_document:
            self.on_document()

    def idle(self) -> None:
        """Between documents nothing is counted."""
        self.started = None

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        if self.started is None or sys.is_finalizing() or _in_finalizer(frame):
            return  # between documents, at exit, or where an exception would be lost
        if rss_mb() > self.budget.memory_mb:
            raise OverBudget(self.budget.over_memory())
        if time.monotonic() - self.started > self.budget.seconds:
            raise OverBudget(self.budget.over_time())


def _in_finalizer(frame: FrameType | None) -> bool:
    """Whether a `__del__` is running: an exception raised there is printed and dropped, so
    the timer waits for its next tick (it raises on every tick until the document ends)."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


Work = Callable[["Task", Callable[["Target"], None], Watch], "Done"]


def _worker_main(
    conn: Connection,
    allowed: list[Path],
    parent: int,
    budget: Budget,
    work: Work | None,
    warm: bool,
) -> None:
    """A worker process: warm up, then run one task at a time until told to stop."""
    from . import worker

    worker.warm_up(allowed, parent, warm)
    with Watch(budget) as watch:
        serve_tasks(conn, work or worker.run, watch)


def serve_tasks(conn: Connection, run: Work, watch: Watch) -> bool:
    """Run the tasks received on `conn`, one at a time, until told to stop or the other
    end is gone; False when this process should end (a render was stopped half-way and
    may have left its caches in any state)."""

    def say(message: tuple[str, object]) -> None:
        with contextlib.suppress(OSError, ValueError):  # the other end gone: see recv
            conn.send(message)

    watch.on_document = lambda: say(("begin", 0))  # the pool's clock starts too
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return True
        if task is None:
            return True

        def started(target: Target, task: Task = task) -> None:
            say(("start", task.targets.index(target)))

        done = run(task, started, watch)
        watch.idle()
        try:
            conn.send(("done", done))
        except (OSError, ValueError):
            return not done.replace
        if done.replace:
            return False


class _Worker:
    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.task: Task | None = None
        self.index = 0
        self.assigned = 0.0
        self.started: float | None = None  # the current document's start, once reported

    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(OSError, ValueError):
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class _Process:
    """A render process this run did not start (`warm.py`), watched through a pidfd: what
    the pool reads of a `multiprocessing.Process`."""

    exitcode = None  # not its parent: how it ended is not known here

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.sentinel = os.pidfd_open(pid)
        self.ended = False

    def is_alive(self) -> bool:
        self.ended = self.ended or bool(wait([self.sentinel], timeout=0))
        return not self.ended

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            signal.pidfd_send_signal(self.sentinel, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        wait([self.sentinel], timeout=timeout)
        self.is_alive()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.sentinel)


class _Attached(_Worker):
    """A warm render process that outlives the run: told the run is over, never waited for;
    killed only when stuck or over its budget, as any worker."""

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(OSError, ValueError):
            if kill:
                self.process.kill()
                self.process.join(timeout=5)
            else:
                self.conn.send(None)
        with contextlib.suppress(OSError):
            self.conn.close()
        self.process.close()


class Pool:
    """`jobs` warm worker processes, each document held to `budget`; reusable across runs."""

    def __init__(
        self,
        jobs: int,
        allowed: list[Path],
        budget: Budget | None = None,
        work: Work | None = None,
        warm: bool = True,
    ) -> None:
        self.jobs = max(1, jobs)
        self.allowed = [p.resolve() for p in allowed]
        self.budget = budget or Budget()
        self.work = work  # what a worker runs per task (worker.run; tests put in their own)
        self.warm = warm  # import WeasyPrint and parse the fonts before the first task
        self.context = multiprocessing.get_context("forkserver")
        self.workers: list[_Worker] = []
        self.replaced = 0

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(kill=worker.task is not None)
        self.workers = []

    def start(self) -> None:
        """Start every worker now (they warm up in the background), not at the first task."""
        while len(self.workers) < self.jobs:
            self._spawn()

    def attach(self, conn: Connection, pid: int) -> None:
        """Take a warm render process that is already running (`warm.py`) as a worker; if
        it goes, a worker of this pool takes its place."""
        self.workers.append(_Attached(_Process(pid), conn))

    def _spawn(self) -> _Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main,
            args=(theirs, self.allowed, os.getpid(), self.budget, self.work, self.warm),
            daemon=True,
            name="brochure-worker",
        )
        process.start()
        theirs.close()
        worker = _Worker(process, mine)
        self.workers.append(worker)
        return worker

    def _replace(self, worker: _Worker, kill: bool) -> None:
        worker.stop(kill=kill)
        self.workers.remove(worker)
        self.replaced += 1

    def run(
        self, tasks: list[Task], on_start: Callable[[Task, int], None] | None = None
    ) -> Iterator[tuple[Task, Done]]:
        """Run `tasks`, yielding each with what it made, in the order they finish."""
        pending = collections.deque(tasks)
        try:
            while pending or any(w.task is not None for w in self.workers):
                self._assign(pending)
                busy = [w for w in self.workers if w.task is not None]
                wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=TICK)
                for worker in busy:
                    yield from self._check(worker, on_start)
        except BaseException:
            for worker in [w for w in self.workers if w.task is not None]:
                self._replace(worker, kill=True)
            raise

    def _assign(self, pending: collections.deque[Task]) -> None:
        for worker in [w for w in self.workers if w.task is None and not w.alive()]:
            self._replace(worker, kill=True)
        while pending and len(self.workers) < self.jobs:
            self._spawn()
        for worker in self.workers:
            if not pending:
                return
            if worker.task is None:
                task = pending.popleft()
                worker.task, worker.index = task, 0
                worker.assigned, worker.started = time.monotonic(), None
                with contextlib.suppress(OSError, ValueError):  # a dead worker: see _check
                    worker.conn.send(task)

    def _check(
        self, worker: _Worker, on_start: Callable[[Task, int], None] | None
    ) -> Iterator[tuple[Task, Done]]:
        task = worker.task
        assert task is not None
        try:
            while worker.conn.poll():
                kind, value = worker.conn.recv()
                if kind == "begin":
                    worker.started = time.monotonic()
                elif kind == "start":
                    worker.index, worker.started = int(value), time.monotonic()
                    if on_start:
                        on_start(task, worker.index)
                elif kind == "done":
                    worker.task = None
                    if value.replace:
                        self._replace(worker, kill=False)
                    yield task, value
                    return
        except (EOFError, OSError):
            pass
        if not worker.alive():
            code = worker.process.exitcode
            if code is None:  # a warm renderer: not this run's child, how it ended is unknown
                why = "the worker process making it stopped"
            else:
                how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
                why = f"the worker process making it stopped ({how})"
            yield task, self._failed(worker, task, why)
        elif rss_mb(worker.process.pid) > self.budget.memory_mb * 1.25:
            yield task, self._failed(worker, task, self.budget.over_memory())
        elif self._late(worker):
            yield task, self._failed(worker, task, self.budget.over_time())

    def _late(self, worker: _Worker) -> bool:
        """Past the document's budget and the grace (or, before it starts, the warm-up)."""
        if worker.started is None:
            return time.monotonic() - worker.assigned > WARM_UP_SECONDS + self.budget.seconds
        limit = self.budget.seconds + self.budget.grace_seconds
        return time.monotonic() - worker.started > limit

    def _failed(self, worker: _Worker, task: Task, why: str) -> Done:
        from .tasks import over_budget

        done = over_budget(task, worker.index, why)
        done.pid = worker.process.pid or 0
        worker.task = None
        self._replace(worker, kill=True)
        return done
