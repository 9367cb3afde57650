"""What the run sends to a worker and what comes back: `Task` (some targets of one
brochure and what they share) and `Done` (what was made, warnings, a failure).

Light on purpose: the run (`build.py`) and the pool (`pool.py`) use these without
importing the renderer, so a run whose PDFs are made in worker processes never imports
WeasyPrint, Pillow or Jinja in the main process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import fit
from .config import Config
from .content import Brochure
from .errors import BrochureError, BuildWarning, RenderError
from .plan import Target


@dataclass
class Task:
    """Work sent to a worker: some targets of one brochure."""

    brochure: Brochure
    targets: list[Target]
    config: Config
    heroes: dict[str, Path | None]  # language -> located hero image
    logo_url: str | None
    html: bool = False  # also write each PDF's HTML beside it
    digests: dict[Path, str] = field(default_factory=dict)  # output -> inputs digest
    dates: dict[Path, str] = field(default_factory=dict)  # output -> creation date (W3C)
    pdf_a: bool = False
    cache_dir: Path | None = None  # prepared images kept across runs
    out: Path | None = None  # the output folder: nothing is written outside it
    titles: dict[str, str] = field(default_factory=dict)  # page path -> title, for links


@dataclass
class Done:
    """What a task made: (index in task.targets, pages, bytes, seconds) per PDF."""

    outputs: list[tuple[int, int, int, float]] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)
    failure: BrochureError | None = None
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)  # files the sandbox opened
    pid: int = 0
    rss_kb: int = 0  # resident memory after the task
    peak_kb: int = 0
    replace: bool = False  # stopped half-way: the worker should be replaced
    fitted: dict[int, fit.Result] = field(default_factory=dict)  # index -> what fitting did


def over_budget(task: Task, index: int, why: str) -> Done:
    """What a task that ran past its budget (or whose worker died) made: one failure."""
    target = task.targets[min(index, len(task.targets) - 1)]
    page = task.brochure.pages[target.langs[0]]
    return Done(
        failure=RenderError(
            f"{target.path.name}: {why}",
            path=page.path,
            hint="the page holds something very slow or large to lay out (a huge table, "
            "an enormous image); simplify it or split the page",
        ),
        replace=True,
    )
