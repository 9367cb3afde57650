"""Templates: the Jinja2 environment (autoescaped, strict, overrides read through the
sandbox), the stylesheets of a size and layout, and errors in an override reported at
its template and line. What the templates are given is `compose.py`'s business."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from . import limits, links, safety
from .assets import builtin_dir
from .errors import RenderError


class SandboxLoader(jinja2.BaseLoader):
    """Templates from the content folder's `templates/` first, then brochure's own; read
    through the sandbox, so an override that is a link out of the content folder is
    refused, never opened."""

    def __init__(self, root: Path) -> None:
        builtin = builtin_dir("templates").resolve()
        self.searchpath = [(root / "templates", root.resolve()), (builtin, builtin)]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder, allowed in self.searchpath:
            path = folder.joinpath(*pieces)
            if not path.is_file():
                continue
            try:
                source = safety.read_text(path, [allowed], limits.TEMPLATE_BYTES)
                mtime = path.stat().st_mtime_ns
            except safety.Refused as exc:
                raise RenderError(
                    f"the template is refused: {exc}",
                    path=path,
                    hint="copy the template into templates/ instead of linking to it",
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise RenderError(
                    f"cannot read the template ({exc})", path=path, hint="save it as UTF-8"
                ) from None

            def fresh(path: Path = path, mtime: int = mtime) -> bool:
                try:
                    return path.stat().st_mtime_ns == mtime
                except OSError:
                    return False

            return source, str(path), fresh
        raise jinja2.TemplateNotFound(template)


@lru_cache(maxsize=8)
def environment(root: Path) -> jinja2.Environment:
    """Templates from the content repo's `templates/` first, then the built-in ones."""
    env = jinja2.Environment(
        loader=SandboxLoader(root),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["display_url"] = links.display
    env.filters["tel_href"] = links.tel_href
    return env


def stylesheets(root: Path, size: str, layout: str) -> list[Path]:
    """`base.css`, the size's and the layout's sheets; a content repo's copy wins."""
    names = ["base.css", f"{size}.css", f"{layout}.css"]
    out = []
    for name in names:
        override = root / "styles" / name
        builtin = builtin_dir("styles") / name
        if override.is_file():
            out.append(override)
        elif builtin.is_file():
            out.append(builtin)
    return out


def render(name: str, root: Path, **context: Any) -> str:
    """Template `name` (an override in `root/templates/` first) rendered with `context`.

    An error in an override is a `RenderError` at its template and line; one in
    brochure's own templates is a bug and raised as it is.
    """
    try:
        return environment(root).get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"template error: {exc.message}",
            path=exc.filename,
            line=exc.lineno,
            hint=_TEMPLATE_HINT,
        ) from None
    except (RenderError, RecursionError, MemoryError):
        raise
    except Exception as exc:
        where = _template_frame(exc, root / "templates")
        if where is None:
            raise  # not in an override: a bug in brochure, reported as one
        raise RenderError(
            f"template error: {type(exc).__name__}: {exc}",
            path=where[0],
            line=where[1],
            hint=_TEMPLATE_HINT,
        ) from None


_TEMPLATE_HINT = "fix the template in templates/, or delete it to use brochure's own"


def _template_frame(exc: BaseException, overrides: Path) -> tuple[Path, int] | None:
    """The innermost line of a template override the error passed through (Jinja puts
    template file names and lines into the traceback)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if frame.lineno and path.suffix == ".j2" and safety.inside(path, [overrides.resolve()]):
            return path, frame.lineno
    return None
