"""Errors and warnings a user can cause, each naming the file, the line and the fix."""

from __future__ import annotations

import difflib
import os
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .safety import clean, shown_text


def display_path(path: Path | str | None) -> str:
    """Show a path relative to the working directory when it lies below it.

    A link is shown as the link, never as the file it points to.
    """
    if path is None:
        return "brochure"
    p = Path(path)
    try:
        cwd = Path.cwd()
        plain = Path(os.path.normpath(cwd / p))  # links left as they are
        for shown, base in ((plain, cwd), (p.resolve(), cwd.resolve())):
            if shown.is_relative_to(base):
                return clean(str(shown.relative_to(base)) or ".")
    except (ValueError, OSError, RuntimeError):
        pass
    return clean(str(p))


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
        details: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.details = details  # a traceback, shown with --debug

    def __reduce__(self) -> tuple[object, ...]:
        # Keep path, line, hint and details when an error travels back from a worker.
        return (
            _rebuild,
            (type(self), self.message, self.path, self.line, self.hint, self.details),
        )

    def __str__(self) -> str:
        text = f"{_location(self.path, self.line)}: error: {clean(self.message)}"
        if self.hint:
            text += f" — {clean(self.hint)}"
        return text


def _rebuild(
    cls: type[BrochureError],
    message: str,
    path: Path | None,
    line: int | None,
    hint: str | None,
    details: str = "",
) -> BrochureError:
    return cls(message, path=path, line=line, hint=hint, details=details)


class ConfigError(BrochureError):
    """`brochure.toml` or the command line is wrong (exit code 2)."""


class ConfigErrors(ConfigError):
    """Every problem found in `brochure.toml` at once; printed one line each."""

    def __init__(self, errors: list[ConfigError]) -> None:
        first = errors[0]
        super().__init__(first.message, path=first.path, line=first.line, hint=first.hint)
        self.errors = errors

    def __reduce__(self) -> tuple[object, ...]:
        return (ConfigErrors, (self.errors,))

    def __str__(self) -> str:
        return "\n".join(ConfigError.__str__(e) for e in self.errors)


class ContentError(BrochureError):
    """A page cannot be read or understood."""


class ImageError(BrochureError):
    """A hero or logo image is missing, unsafe or unusable."""


class RenderError(BrochureError):
    """The HTML could not be turned into a PDF, or the PDF not written."""


class InternalError(BrochureError):
    """A bug in brochure met while reading or making one brochure: that brochure fails alone."""

    @classmethod
    def from_exception(
        cls, exc: BaseException, doing: str, path: Path | str | None = None
    ) -> InternalError:
        """One line for the user; the traceback kept in `details` for --debug."""
        return cls(
            f"internal error while {doing}: {type(exc).__name__}: {shown_text(str(exc), 200)}",
            path=path,
            hint="this is a bug in brochure; please report it with the output of "
            "'brochure --debug build …'",
            details="".join(traceback.format_exception(exc)),
        )


def closest(name: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name closest to `name`, if one is close enough."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(
    name: str,
    known: Iterable[str],
    *,
    cutoff: float = 0.6,
    many: int = 1,
    otherwise: str | None = None,
) -> str:
    """The hint for an unknown name: the closest known ones, else `otherwise` (or the list)."""
    choices = list(known)
    close = difflib.get_close_matches(name, choices, n=many, cutoff=cutoff)
    if close:
        quoted = [f"'{c}'" for c in close]
        listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
        return f"did you mean {listed}?"
    return otherwise if otherwise is not None else f"known keys: {', '.join(choices)}"


@dataclass(frozen=True)
class BuildWarning:
    """A problem that does not stop the build, printed as `path:line: warning: …`."""

    message: str
    path: Path | None = None
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{_location(self.path, self.line)}: warning: {clean(self.message)}"
        if self.hint:
            text += f" — {clean(self.hint)}"
        return text
