"""Incremental builds: what went into each PDF, so an unchanged one is not made again.

The manifest (`<out>/.brochure-manifest.json`) records, per output file, one digest
over everything that went into it: the page files of its languages, their hero
images, `brochure.toml`, the logo, every template and stylesheet, the fonts, the
layout and size, and brochure's version. A file is hashed once per run; a file
whose size and modification time match the manifest's record keeps its recorded
hash without being read again. Only files inside the sandbox's folders are hashed
(a logo outside the content folder is never opened), and the digest names files
relative to their folder, so it is the same in every checkout: it is also the PDF's /ID.

It also keeps what the catalogue (`catalogue.py`) needs to list PDFs this run did not
touch: the `catalogue` section, whose shape that module owns. A manifest whose bytes would
not change is not written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import __version__, limits, safety
from .atomic import write_atomic
from .errors import BrochureError

MANIFEST_NAME = ".brochure-manifest.json"
_FORMAT = 1


def table(value: object) -> dict[str, Any]:
    """A manifest value that should be a table, or an empty one: the file may be older,
    or edited by hand."""
    return value if isinstance(value, dict) else {}


class Manifest:
    """The record of the last build in one output folder."""

    def __init__(self, out: Path, roots: dict[str, Path] | None = None) -> None:
        self.path = out / MANIFEST_NAME
        self.roots = {label: root.resolve() for label, root in (roots or {}).items()}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, list[Any]] = {}  # path -> [size, mtime_ns, sha256]
        self.catalogue: dict[str, Any] = {}  # owned by catalogue.py
        self._hashed: dict[str, str] = {}
        self._named: dict[Path, tuple[str, str]] = {}  # a path as given -> (stable name, hash)
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == _FORMAT and data.get("version") == __version__:
                self.outputs = dict(data["outputs"])
                self.files = dict(data["files"])
                self.catalogue = dict(data.get("catalogue", {}))

    def file_hash(self, path: Path) -> str:
        """sha256 of a file's bytes (or of its absence), computed at most once per run.

        A file outside the sandbox's folders is not opened: its "hash" says so.
        """
        key = str(path.resolve()) if path.exists() else str(path)
        if key in self._hashed:
            return self._hashed[key]
        if self.roots and not safety.inside(path, self.roots.values()):
            self._hashed[key] = "outside"
            return "outside"
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
                try:
                    digest = safety.sha256(
                        path, self.roots.values() or [path.parent.resolve()], limits.IMAGE_BYTES
                    )
                except (OSError, safety.Refused):
                    digest = "unreadable"
                self.files[key] = [info.st_size, info.st_mtime_ns, digest]
        self._hashed[key] = digest
        return digest

    def digest(self, parts: Iterable[str], files: Iterable[Path]) -> str:
        """One digest over some settings and the contents of some files.

        Files are named relative to their folder (`content:images/x.jpg`), never by
        their absolute path: two checkouts of the same content give the same digest.
        """
        sha = hashlib.sha256(f"brochure {__version__}\n".encode())
        for part in parts:
            sha.update(f"{part}\n".encode())
        for name, digest in sorted(dict(map(self._entry, files)).items()):
            sha.update(f"{name}={digest}\n".encode())
        return sha.hexdigest()

    def _entry(self, path: Path) -> tuple[str, str]:
        """A file's stable name and hash, worked out once per run for each path given
        (the templates, styles and fonts are inputs of every PDF)."""
        entry = self._named.get(path)
        if entry is None:
            entry = self._named[path] = (
                safety.stable_name(path, self.roots),
                self.file_hash(path),
            )
        return entry

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
        with contextlib.suppress(BrochureError):
            write_atomic(self.path, text.encode(), "the manifest", sync=False)
