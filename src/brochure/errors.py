"""Errors and warnings a user can cause, each naming the file, the line and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def display_path(path: Path | str | None) -> str:
    """Show a path relative to the working directory when it lies below it."""
    if path is None:
        return "brochure"
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def _location(path: Path | str | None, line: int | None) -> str:
    where = display_path(path)
    return f"{where}:{line}" if line else where


class BrochureError(Exception):
    """An error the user can fix; printed as one line, never as a traceback."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __reduce__(self) -> tuple[object, ...]:
        # Keep path, line and hint when an error travels back from a worker process.
        return (_rebuild, (type(self), self.message, self.path, self.line, self.hint))

    def __str__(self) -> str:
        text = f"{_location(self.path, self.line)}: error: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


def _rebuild(
    cls: type[BrochureError], message: str, path: Path | None, line: int | None, hint: str | None
) -> BrochureError:
    return cls(message, path=path, line=line, hint=hint)


class ConfigError(BrochureError):
    """`brochure.toml` or the command line is wrong (exit code 2)."""


class ContentError(BrochureError):
    """A page cannot be read or understood."""


class ImageError(BrochureError):
    """A hero or logo image is missing, unsafe or unusable."""


class RenderError(BrochureError):
    """The HTML could not be turned into a PDF, or the PDF not written."""


@dataclass(frozen=True)
class BuildWarning:
    """A problem that does not stop the build, printed as `path:line: warning: …`."""

    message: str
    path: Path | None = None
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{_location(self.path, self.line)}: warning: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text
