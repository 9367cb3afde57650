"""Incremental builds: what went into each PDF, so an unchanged one is not made again.

The manifest (`<out>/.brochure-manifest.json`) records, per output file, one digest
over everything that went into it: the page files of its languages, their hero
images, `brochure.toml`, the logo, every template and stylesheet, the fonts, the
layout and size, and brochure's version. A file is hashed once per run; a file
whose size and modification time match the manifest's record keeps its recorded
hash without being read again.

It also keeps what the catalogue (`catalogue.py`) needs to list PDFs this run did not
touch: the `catalogue` section, whose shape that module owns. A manifest whose bytes would
not change is not written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import __version__

MANIFEST_NAME = ".brochure-manifest.json"
_FORMAT = 1


class Manifest:
    """The record of the last build in one output folder."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST_NAME
        self.outputs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, list[Any]] = {}  # path -> [size, mtime_ns, sha256]
        self.catalogue: dict[str, Any] = {}  # owned by catalogue.py
        self._hashed: dict[str, str] = {}
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == _FORMAT and data.get("version") == __version__:
                self.outputs = dict(data["outputs"])
                self.files = dict(data["files"])
                self.catalogue = dict(data.get("catalogue", {}))

    def file_hash(self, path: Path) -> str:
        """sha256 of a file's bytes (or of its absence), computed at most once per run."""
        key = str(path.resolve()) if path.exists() else str(path)
        if key in self._hashed:
            return self._hashed[key]
        try:
            info = path.stat()
        except OSError:
            digest = "missing"
        else:
            if not stat.S_ISREG(info.st_mode):  # never open a pipe or a device: it may block
                digest = f"special:{info.st_mode:o}"
                self._hashed[key] = digest
                return digest
            known = self.files.get(key)
            if known and known[0] == info.st_size and known[1] == info.st_mtime_ns:
                digest = str(known[2])
            else:
                sha = hashlib.sha256()
                try:
                    with path.open("rb") as handle:
                        for chunk in iter(lambda: handle.read(1 << 20), b""):
                            sha.update(chunk)
                    digest = sha.hexdigest()
                except OSError:
                    digest = "unreadable"
                self.files[key] = [info.st_size, info.st_mtime_ns, digest]
        self._hashed[key] = digest
        return digest

    def digest(self, parts: Iterable[str], files: Iterable[Path]) -> str:
        """One digest over some settings and the contents of some files."""
        sha = hashlib.sha256(f"brochure {__version__}\n".encode())
        for part in parts:
            sha.update(f"{part}\n".encode())
        for path in sorted({str(p.resolve()) for p in files}):
            sha.update(f"{path}={self.file_hash(Path(path))}\n".encode())
        return sha.hexdigest()

    def fresh(self, output: Path, digest: str) -> bool:
        """Whether `output` exists and was made from exactly these inputs."""
        record = self.outputs.get(self._key(output))
        if not record or record.get("digest") != digest:
            return False
        try:
            return output.stat().st_size == record.get("bytes")
        except OSError:
            return False

    def record(self, output: Path, digest: str, size: int) -> None:
        self.outputs[self._key(output)] = {"digest": digest, "bytes": size}

    def note(self, output: Path, key: str, value: Any) -> None:
        """Keep something about how a recorded output was made (copyfitting's setting)."""
        record = self.outputs.get(self._key(output))
        if record is not None:
            record[key] = value

    def forget(self, output: Path) -> None:
        self.outputs.pop(self._key(output), None)

    def _key(self, output: Path) -> str:
        try:
            return output.relative_to(self.path.parent).as_posix()
        except ValueError:
            return output.as_posix()

    def save(self) -> None:
        """Write the manifest atomically when it changed; a build that cannot save it succeeded."""
        data = {
            "format": _FORMAT,
            "version": __version__,
            "outputs": dict(sorted(self.outputs.items())),
            "files": dict(sorted(self.files.items())),
            "catalogue": self.catalogue,
        }
        text = json.dumps(data, indent=1, sort_keys=True)
        with contextlib.suppress(OSError, ValueError):
            if self.path.read_text(encoding="utf-8") == text:
                return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f"{MANIFEST_NAME}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                Path(tmp).replace(self.path)
            finally:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()
