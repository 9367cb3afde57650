"""Writing output files atomically, and cleaning up after a build that was killed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import RenderError


def write_atomic(path: Path, data: bytes, what: str = "the PDF") -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    A reader never sees a half-written PDF, and the previous file stays until the
    new one is complete. `what` names the file in the error.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
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


def remove_stale_temporaries(folder: Path, pattern: str = ".*.pdf.*.tmp") -> list[Path]:
    """Delete temporary files left by a build that was killed (its process is gone)."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for tmp in folder.glob(pattern):
        pid = tmp.name.rsplit(".", 3)[-3] if tmp.name.count(".") >= 4 else ""
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
