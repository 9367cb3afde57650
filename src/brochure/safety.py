"""The sandbox: which files brochure opens, which names it writes, how values are quoted back.

Every file brochure reads (pages, photos, body images, the logo, templates and
stylesheets, the files hashed for the manifest) goes through `read_bytes`: the path is
resolved (symlinks followed) and must lie inside one of the allowed folders, the
content folder or brochure's own `templates/` and `styles/`; a pipe, a device or a
file past its size limit is refused from its `stat`, before anything is opened.
Each file opened and each one refused is recorded in `JOURNAL`, which the tests read.

Output names are made only from validated parts (`valid_lang`, slugs), and every
path written is checked with `inside` against the output folder.

Inside WeasyPrint, files of the content folder have stable URLs under
`CONTENT_URL` (`file:///.brochure-content/images/x.png`) instead of their absolute
paths: the PDF (its image names in particular) is then the same wherever the
content folder lies.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import reprlib
import stat
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from . import limits

CONTENT_URL = "file:///.brochure-content/"
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Refused(Exception):
    """A file the sandbox will not open; the message says why, for the user."""


@dataclass
class Journal:
    """What this process opened and refused (resolved paths), since it was last cleared."""

    opened: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.opened.clear()
        self.refused.clear()


JOURNAL = Journal()


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether `path`, symlinks resolved, lies in one of `roots` (themselves resolved)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return any(real.is_relative_to(root) for root in roots)


def confine(path: Path, roots: Iterable[Path]) -> Path:
    """The resolved `path`, or `Refused` when it leads outside `roots`. Opens nothing."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):
        JOURNAL.refused.append(str(path))
        raise Refused("the path cannot be resolved (a loop of links?)") from None
    if not any(real.is_relative_to(root) for root in roots):
        JOURNAL.refused.append(str(real))
        raise Refused("outside the content folder")
    return real


def _open(path: Path) -> int:
    """Open for reading, never following a link and never blocking (tests replace this)."""
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)


def _checked_open(path: Path, roots: Iterable[Path], limit: int) -> tuple[Path, int]:
    """Resolve, check and open a file; returns (resolved path, descriptor)."""
    real = confine(path, roots)
    info = real.stat()
    if not stat.S_ISREG(info.st_mode):
        JOURNAL.refused.append(str(real))
        raise Refused("not a regular file (a device, a pipe or a folder)")
    if info.st_size > limit:
        JOURNAL.refused.append(str(real))
        raise Refused(f"the file is {_size(info.st_size)}; the limit is {_size(limit)}")
    fd = _open(real)
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
        os.close(fd)
        raise Refused("the file changed while it was being opened")
    JOURNAL.opened.append(str(real))
    return real, fd


def _chunks(fd: int, limit: int) -> Iterator[bytes]:
    size = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return
        size += len(chunk)
        if size > limit:
            raise Refused(f"the file grew past the limit of {_size(limit)}")
        yield chunk


def read_bytes(path: Path, roots: Iterable[Path], limit: int, head: int = 0) -> bytes:
    """The bytes of a regular file inside `roots` of at most `limit` bytes (or its first
    `head` bytes, whatever its size).

    Raises `Refused` (outside, not a regular file, too large) or `OSError`
    (missing, unreadable); in neither case is a file outside the roots opened.
    """
    _, fd = _checked_open(path, roots, (1 << 62) if head else limit)
    try:
        return os.read(fd, head) if head else b"".join(_chunks(fd, limit))
    finally:
        os.close(fd)


def sha256(path: Path, roots: Iterable[Path], limit: int) -> str:
    """The sha256 of a file, read under the same rules as `read_bytes`."""
    _, fd = _checked_open(path, roots, limit)
    digest = hashlib.sha256()
    try:
        for chunk in _chunks(fd, limit):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def read_text(path: Path, roots: Iterable[Path], limit: int) -> str:
    """`read_bytes` decoded as UTF-8 (a BOM is dropped); UnicodeDecodeError otherwise."""
    return read_bytes(path, roots, limit).decode("utf-8-sig")


def _size(n: int) -> str:
    if n >= limits.MB:
        return f"{n / limits.MB:.0f} MB"
    if n >= limits.KB:
        return f"{n / limits.KB:.0f} KB"
    return f"{n} bytes"


def stable_name(path: Path, roots: dict[str, Path]) -> str:
    """`path` named relative to the first root (by label) that holds it: same in every checkout."""
    real = path.resolve()
    for label, root in roots.items():
        if real.is_relative_to(root):
            return f"{label}:{real.relative_to(root).as_posix()}"
    return f"outside:{path.name}"


def content_url(path: Path, root: Path) -> str:
    """The stable URL WeasyPrint uses for a file (or, with a trailing slash, a folder)."""
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    return CONTENT_URL + quote("" if relative == "." else relative)


def folder_url(folder: Path, root: Path) -> str:
    url = content_url(folder, root)
    return url if url.endswith("/") else url + "/"


def url_path(url: str, root: Path) -> Path:
    """The file a `file:` URL names; a stable content URL is mapped into `root`."""
    path = unquote(urlsplit(url).path)
    prefix = urlsplit(CONTENT_URL).path
    if path.startswith(prefix):
        relative = PurePosixPath(path.removeprefix(prefix))
        return root.joinpath(*[p for p in relative.parts if p not in ("", "/")])
    return Path(path)


def valid_lang(code: str) -> bool:
    """A language code brochure accepts in a file name: `en`, `ru`, `pt-br`, `zh-hant`."""
    return _LANG.fullmatch(code) is not None


def clean(text: str) -> str:
    """Text safe to print on one line: surrogates and control characters escaped."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _Short(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxstring = limits.SHOWN_CHARS
        self.maxother = limits.SHOWN_CHARS
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 4

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 3 * limits.NUMBER_CHARS:
            return f"<a number of {x.bit_length() * 3 // 10} digits>"
        return super().repr_int(x, level)

    def repr_str(self, x: str, level: int) -> str:
        return super().repr_str(clean(x), level)


_SHORT = _Short()


def shown(value: object) -> str:
    """A short, printable rendering of any value for a message (never a huge number)."""
    try:
        return clean(_SHORT.repr(value))
    except Exception:
        return f"<{type(value).__name__}>"


@contextlib.contextmanager
def pillow_warnings(into: list[str]) -> Iterator[None]:
    """Collect what Pillow warns about (corrupt EXIF, a decompression bomb…) as lines of
    text, each once; any other library's warnings go on as they would have."""
    original = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        if f"{os.sep}PIL{os.sep}" in filename or category.__module__.startswith("PIL"):
            text = " ".join(str(message).split())
            if text not in into:
                into.append(text)
        else:
            original(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.filterwarnings("always", module=r"PIL(\..*)?$")
        warnings.showwarning = show
        yield


def shown_text(text: str, limit: int = limits.SHOWN_CHARS) -> str:
    """A user's text quoted back in a message: cleaned and cut to `limit` characters."""
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
