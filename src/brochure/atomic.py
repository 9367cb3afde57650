"""The one way brochure writes a file: atomically; and the cleanup after a build that was killed.

Every file (PDFs, their HTML, prepared images, the manifest, preview thumbnails) is
written to `.<name>.<pid>-<random>.tmp` in its own folder, flushed, and renamed over
the old one: a reader never sees half a file, a full disk leaves the previous file in
place and no temporary behind. A build killed with `kill -9` leaves its temporaries;
the next build removes those whose process is gone, in every folder it writes.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import RenderError

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)[-.][A-Za-z0-9_]+\.tmp$")


def write_atomic(path: Path, data: bytes, what: str = "the PDF", sync: bool = True) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    Raises `RenderError` naming `what` when the folder cannot be made or the disk is
    full; the previous file stays until the new one is complete.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise RenderError(
            f"cannot write to the output folder ({exc.strerror})",
            path=path.parent,
            hint="check the folder exists and is writable, or pass --out DIR",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise RenderError(
                f"cannot write {what} ({exc.strerror})",
                path=path,
                hint="free some disk space or choose another --out folder",
            ) from None
        raise


def remove_stale_temporaries(folders: Path | Iterable[Path], pattern: str = ".*.tmp") -> list[Path]:
    """Delete temporary files (named like `pattern`) left by a killed build (its process is
    gone) in `folders`."""
    removed: list[Path] = []
    for folder in [folders] if isinstance(folders, Path) else folders:
        try:
            entries = list(folder.glob(pattern))
        except OSError:
            continue
        for tmp in entries:
            match = _TEMPORARY.match(tmp.name)
            if match is None or _alive(int(match["pid"])):
                continue
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
