"""The Jinja2 environment, page geometry and the HTML for one brochure target."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from . import __version__, color, fonts, languages, limits, links, safety, typography
from .align import Row
from .assets import builtin_dir
from .config import Clinic, Config
from .content import Page
from .errors import RenderError
from .markdown import Block, plain_inline
from .profiles import DEFAULT, PROFILES, Profile


@dataclass(frozen=True)
class PageSize:
    """Geometry of one paper size; the type scale lives in `styles/<name>.css`."""

    name: str
    width_mm: float
    height_mm: float
    margin_top: float
    margin_side: float
    margin_bottom: float
    hero_height_mm: float
    hero_height_bilingual_mm: float
    aside_mm: float  # width of the first page's contact column (0: none)
    gutter_mm: float

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - 2 * self.margin_side


SIZES: dict[str, PageSize] = {
    "a4": PageSize("a4", 210, 297, 18, 16, 18, 104, 78, 44, 8),
    "a5": PageSize("a5", 148, 210, 13, 15, 14, 66, 56, 0, 5),
}


def labels_for(lang: str) -> dict[str, str]:
    """The printed labels of a language, from its data file (English when it has none)."""
    return languages.get(lang).labels


display_url = links.display
tel_href = links.tel_href


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
    env.filters["display_url"] = display_url
    env.filters["tel_href"] = tel_href
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


@dataclass(frozen=True)
class Column:
    """One language's text as the templates see it."""

    lang: str
    title: str
    description: str
    blocks: list[Block]
    clinic: Clinic
    labels: dict[str, str]
    source: Page


def column(
    page: Page, blocks: list[Block], config: Config, missing: set[str] | None = None
) -> Column:
    return Column(
        lang=page.lang,
        title=typography.breakable(fonts.strip(plain_inline(page.title, page.lang), missing)),
        description=typography.breakable(
            fonts.strip(plain_inline(page.description, page.lang), missing)
        ),
        blocks=blocks,
        clinic=config.clinic_for(page.lang),
        labels=labels_for(page.lang),
        source=page,
    )


@dataclass(frozen=True)
class PageInfo:
    """What a target adds to its HTML: the profile, the creation date, the QR code, and
    whether its colours are the print shop's CMYK."""

    profile: Profile
    created: str = "2000-01-01T00:00:00Z"
    qr: dict[str, str] | None = None
    cmyk: bool = False


def _render(
    name: str,
    config: Config,
    size: PageSize,
    hero: dict[str, Any] | None,
    logo_url: str | None,
    page: PageInfo | None,
    **context: Any,
) -> str:
    try:
        template = environment(config.root).get_template(name)
        page = page or PageInfo(PROFILES[DEFAULT])
        return template.render(
            size=size,
            colors={
                "primary": color.css(color.parse(config.primary), page.cmyk),
                "accent": color.css(color.parse(config.accent), page.cmyk),
            },
            hero=hero,
            logo_url=logo_url,
            version=__version__,
            page=page,
            **context,
        )
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
        where = _template_frame(exc, config.root / "templates")
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


def html_single(
    col: Column,
    size: PageSize,
    config: Config,
    hero: dict[str, Any] | None,
    logo_url: str | None,
    page: PageInfo | None = None,
) -> str:
    """The HTML of a one-language brochure."""
    return _render("single.html.j2", config, size, hero, logo_url, page, col=col, lang=col.lang)


def html_bilingual(
    left: Column,
    right: Column,
    rows: list[Row],
    size: PageSize,
    config: Config,
    hero: dict[str, Any] | None,
    logo_url: str | None,
    page: PageInfo | None = None,
) -> str:
    """The HTML of a side-by-side brochure, `left` in the left column."""
    return _render(
        "bilingual.html.j2",
        config,
        size,
        hero,
        logo_url,
        page,
        left=left,
        right=right,
        rows=rows,
        lang=left.lang,
    )
