"""A stand-in for `worker.run` in pool tests: each brochure's name says what goes wrong.

Kept apart, with few imports, because every worker process imports it to run it.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any


def stand_in(task: Any, on_start: Any, watch: Any) -> Any:
    from brochure import markdown, worker
    from brochure.pool import OverBudget

    slug = task.brochure.slug
    if slug == "slow":  # Python code: the worker's own timer stops it
        on_start(task.targets[0])
        watch.document()
        try:
            time.sleep(60)
        except OverBudget as exc:
            watch.idle()
            return worker.over_budget(task, 0, str(exc))
    elif slug == "stuck":  # deaf to its own timer, as inside a C library: killed from outside
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        on_start(task.targets[0])
        time.sleep(60)
    elif slug == "greedy":  # memory past the budget: its own timer, or the pool, stops it
        on_start(task.targets[0])
        watch.document()
        hoard = []
        try:
            for _ in range(20):  # few, large steps, past 400 MB
                watch.document()  # each step restarts the clock: only memory can stop it,
                hoard.append(b"\x01" * (150 << 20))  # however slow a busy machine is
        except OverBudget as exc:
            watch.idle()
            return worker.over_budget(task, 0, str(exc))
    elif slug == "dies":  # as the kernel's out-of-memory killer would
        os.kill(os.getpid(), signal.SIGKILL)
    elif slug == "buggy":  # a genuine bug inside the real worker.run
        markdown.render_blocks = planted  # type: ignore[assignment]
        return worker.run(task, on_start, watch)
    return worker.Done(outputs=[(0, 1, 1, 0.0)], pid=os.getpid())


def planted(body: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError("a planted bug")
