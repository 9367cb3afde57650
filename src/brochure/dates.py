"""When the sources of a PDF last changed: the date written into it, never the clock.

In order: `SOURCE_DATE_EPOCH` when set; else, in a git checkout, the time of the
last commit that touched each source, for every source that is committed and
unchanged since (a fresh clone resets modification times, commits stay the same);
else the file's modification time. A PDF's date is the latest of its sources'.

git is asked twice per run whatever the number of pages (`git log` over all the
sources, `git ls-tree` for their committed contents), with settings that keep a
content repository's own configuration from running anything.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from . import limits, safety
from .errors import ConfigError

MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z
_GIT = [
    "git",
    "--no-pager",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "core.quotePath=false",
]


def source_date_epoch() -> int | None:
    """`SOURCE_DATE_EPOCH` as a number of seconds, None when unset; ConfigError when wrong."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_EPOCH:
        raise ConfigError(
            f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, got '{raw[:40]}'",
            path="SOURCE_DATE_EPOCH",
            hint="set it to a Unix time such as $(git log -1 --format=%ct), or unset it",
        )
    return int(raw)


def w3c(stamp: int) -> str:
    """A Unix time as the W3C date WeasyPrint writes into a PDF."""
    when = datetime.datetime.fromtimestamp(max(0, min(stamp, MAX_EPOCH)), tz=datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def git(root: Path, *args: str) -> str | None:
    """Run git in `root` with settings that keep a repository's own configuration from
    running anything (fsmonitor, signature checks); its output, or None on any failure."""
    environment = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "LC_ALL": "C",
    }
    try:
        done = subprocess.run(
            [*_GIT, "-C", str(root), *args],
            capture_output=True,
            env=environment,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def _blob_id(path: Path, length: int, root: Path) -> str | None:
    """The id git gives a file's current contents (sha1, or sha256 in a sha256 repository)."""
    try:
        data = safety.read_bytes(path, [root.resolve()], limits.IMAGE_BYTES)
    except (OSError, safety.Refused):
        return None
    digest = hashlib.sha256 if length == 64 else hashlib.sha1
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


def commit_times(root: Path, files: Iterable[Path]) -> dict[Path, int]:
    """The last commit time of each file that git has and that is unchanged since; the
    others are left out (the caller uses their modification time)."""
    wanted = {p.resolve() for p in files}
    top_text = git(root, "rev-parse", "--show-toplevel")
    if not wanted or top_text is None:
        return {}
    top = Path(top_text.strip()).resolve()
    relative = {p.relative_to(top).as_posix(): p for p in wanted if p.is_relative_to(top)}
    if not relative:
        return {}
    names = sorted(relative)
    tree = git(top, "ls-tree", "-r", "-z", "HEAD", "--", *names)
    log = git(top, "log", "--format=%x01%ct", "--name-only", "--no-renames", "--", *names)
    if tree is None or log is None:
        return {}
    committed: dict[str, str] = {}  # name -> blob id at HEAD
    for entry in tree.split("\0"):
        meta, _, name = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob":
            committed[name] = parts[2]
    times: dict[Path, int] = {}
    stamp = 0
    for line in log.splitlines():
        if line.startswith("\x01"):
            with contextlib.suppress(ValueError):
                stamp = int(line[1:])
        elif line in relative and relative[line] not in times and line in committed:
            blob = committed[line]
            if _blob_id(relative[line], len(blob), root) == blob:  # unchanged since the commit
                times[relative[line]] = stamp
    return times


def source_dates(root: Path, groups: dict[Path, list[Path]]) -> dict[Path, str]:
    """For each output, the W3C date of the latest change to its sources."""
    epoch = source_date_epoch()
    if epoch is not None:
        return {output: w3c(epoch) for output in groups}
    every = {p.resolve() for sources in groups.values() for p in sources}
    committed = commit_times(root, every)
    dates: dict[Path, str] = {}
    for output, sources in groups.items():
        stamps = []
        for source in sources:
            real = source.resolve()
            if real in committed:
                stamps.append(committed[real])
            else:
                with contextlib.suppress(OSError):
                    stamps.append(int(real.stat().st_mtime))
        dates[output] = w3c(max(stamps, default=0))
    return dates
