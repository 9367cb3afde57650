"""A target's HTML, from typed data: the columns of text, the hero, the QR code, labels.

`Composer` does the work one brochure shares between its PDFs: each language's Markdown
parsed once into a `Column`, the images of the text prepared, heroes prepared per size
and profile, the side-by-side rows aligned once per pair. `Composer.html` gives the HTML
of one target and the `Hero` it shows; nothing here lays out or renders a PDF, so the
HTML can be made (and compared with the golden files in `tests/golden/`) without
WeasyPrint. Prepared images are handed to a `Store`, which serves them to the renderer
under `brochure:` URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import (
    __version__,
    align,
    color,
    fonts,
    images,
    languages,
    links,
    markdown,
    qr,
    typography,
)
from .config import Clinic, Config
from .content import Brochure, Page
from .errors import BuildWarning, ImageError
from .geometry import FIGURE_BOX_MM, SIZES, PageSize
from .markdown import Block, plain_inline
from .plan import Target
from .profiles import PROFILES, Profile, uses_cmyk
from .templating import render

MEMORY_SCHEME = "brochure"  # URLs of images held in memory


class Store(Protocol):
    """Where prepared images are kept for the renderer (`pdf.SandboxFetcher` is one)."""

    memory: dict[str, tuple[bytes, str]]

    def put(self, name: str, data: bytes, mime: str) -> str: ...


class MemoryStore:
    """A `Store` that only keeps what it is given: for HTML made without a renderer."""

    def __init__(self) -> None:
        self.memory: dict[str, tuple[bytes, str]] = {}

    def put(self, name: str, data: bytes, mime: str) -> str:
        url = f"{MEMORY_SCHEME}:{name}"
        self.memory[url] = (data, mime)
        return url


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


@dataclass(frozen=True)
class Hero:
    """The header photo as placed on one target: its URL and frame, and what the
    profile's warnings need (resolution, bytes, the photo's own pixels)."""

    url: str
    alt: str
    page: Page  # the page whose photo it is
    source: str  # the name the page gives it
    width_mm: float
    height_mm: float
    dpi: float
    bytes: int
    pixels: tuple[int, int]


@dataclass(frozen=True)
class QR:
    """A QR code to a web address, with the address as printed beside it."""

    src: str
    url: str
    label: str


@dataclass(frozen=True)
class PageInfo:
    """What a target adds to its HTML: the profile, the creation date, the QR code, and
    whether its colours are the print shop's CMYK."""

    profile: Profile
    created: str = "2000-01-01T00:00:00Z"
    qr: QR | None = None
    cmyk: bool = False


def column(
    page: Page, blocks: list[Block], config: Config, missing: set[str] | None = None
) -> Column:
    """A page's column: title and description with the body's typography and fonts."""
    return Column(
        lang=page.lang,
        title=typography.breakable(fonts.strip(plain_inline(page.title, page.lang), missing)),
        description=typography.breakable(
            fonts.strip(plain_inline(page.description, page.lang), missing)
        ),
        blocks=blocks,
        clinic=config.clinic_for(page.lang),
        labels=languages.get(page.lang).labels,
        source=page,
    )


def html_single(
    col: Column,
    size: PageSize,
    config: Config,
    hero: Hero | None,
    logo_url: str | None,
    page: PageInfo,
) -> str:
    """The HTML of a one-language brochure."""
    return _html("single.html.j2", config, size, hero, logo_url, page, col=col, lang=col.lang)


def html_bilingual(
    left: Column,
    right: Column,
    rows: list[align.Row],
    size: PageSize,
    config: Config,
    hero: Hero | None,
    logo_url: str | None,
    page: PageInfo,
) -> str:
    """The HTML of a side-by-side brochure, `left` in the left column."""
    return _html(
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


def _html(
    name: str,
    config: Config,
    size: PageSize,
    hero: Hero | None,
    logo_url: str | None,
    page: PageInfo,
    **context: object,
) -> str:
    return render(
        name,
        config.root,
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


class Composer:
    """The HTML of one brochure's targets; what they share is made once."""

    def __init__(
        self,
        brochure: Brochure,
        config: Config,
        heroes: dict[str, Path | None],
        store: Store,
        cache_dir: Path | None = None,
        pdf_a: bool = False,
        titles: dict[str, str] | None = None,
    ) -> None:
        self.brochure = brochure
        self.config = config
        self.store = store
        self.hero_paths = heroes
        self.cache_dir = cache_dir
        self.pdf_a = pdf_a
        self.columns: dict[str, Column] = {}
        self.rows: dict[tuple[str, ...], list[align.Row]] = {}
        self.urls: list[str] = []  # what this brochure put into the store
        self.figures: dict[str, Path] = {}  # URL of an image in the text -> its file
        self.warnings: list[BuildWarning] = []
        for lang, page in brochure.pages.items():
            found = self._figures(page, lang)
            missing: set[str] = set()
            blocks = markdown.render_blocks(
                page.body,
                lang,
                page.title,
                found,
                missing,
                base=page.path.parent,
                titles=titles or {},
            )
            self.columns[lang] = column(page, blocks, config, missing)
            if missing:
                self.warnings.append(
                    BuildWarning(
                        f"{fonts.describe(missing)} cannot be printed with the brochure's fonts "
                        "and is left out",
                        path=page.path,
                        hint="write it in words, or leave it out of the page",
                    )
                )

    def _figures(self, page: Page, lang: str) -> dict[str, str]:
        """URLs for the images a page's text shows; one that cannot be decoded is left out."""
        out: dict[str, str] = {}
        for n, (name, path) in enumerate(page.body_images.items()):
            url = next((u for u, p in self.figures.items() if p == path), None)
            if url is None:
                try:
                    images.prepare(
                        path,
                        FIGURE_BOX_MM,
                        cache_dir=self.cache_dir,
                        fit=True,
                        quality=86,
                        roots=[self.config.root],
                    )
                except ImageError as exc:
                    self.warnings.append(
                        BuildWarning(
                            f"image '{name}': {exc.message}; it is left out",
                            path=page.path,
                            hint=exc.hint,
                        )
                    )
                    continue
                url = f"{MEMORY_SCHEME}:figure/{self.brochure.slug}/{lang}/{n}"
                self.figures[url] = path
            out[name] = url
        return out

    def put_figures(self, profile: Profile) -> None:
        """The text's images at the profile's resolution, under the URLs the blocks use."""
        for url, path in self.figures.items():
            prepared = images.prepare(
                path,
                FIGURE_BOX_MM,
                dpi=profile.hero_dpi,
                quality=profile.jpeg_quality,
                cache_dir=self.cache_dir,
                fit=True,
                cmyk=self.cmyk(profile),
                roots=[self.config.root],
            )
            self.store.memory[url] = (prepared.data, prepared.mime)
            if url not in self.urls:
                self.urls.append(url)

    def cmyk(self, profile: Profile) -> bool:
        return uses_cmyk(profile, self.config.print_color, self.pdf_a)

    def hero(
        self,
        langs: tuple[str, ...],
        size: PageSize,
        profile: Profile,
        scale: float = 1.0,
    ) -> Hero | None:
        """The first of `langs` that has a hero, prepared for this size, layout and profile.

        With a bleed the photo runs past the trim on both sides, into the bleed.
        Copyfitting lowers the box to `scale` of its height.
        """
        lang = next((lang for lang in langs if self.hero_paths.get(lang) is not None), None)
        if lang is None:
            return None
        path = self.hero_paths[lang]
        assert path is not None
        full = size.hero_height_mm if len(langs) == 1 else size.hero_height_bilingual_mm
        height = full if scale == 1.0 else round(full * scale, 1)
        width = size.width_mm + 2 * profile.bleed_mm if profile.bleed_mm else size.text_width_mm
        page = self.brochure.pages[lang]
        try:
            prepared = images.prepare(
                path,
                (width, height),
                dpi=profile.hero_dpi,
                quality=profile.jpeg_quality,
                cache_dir=self.cache_dir,
                cmyk=self.cmyk(profile),
                roots=[self.config.root],
            )
        except ImageError as exc:
            raise ImageError(
                f"hero image '{page.hero}': {exc.message}",
                path=page.path,
                line=images.hero_line(page),
                hint=exc.hint,
            ) from None
        for note in prepared.warnings:
            warning = BuildWarning(
                f"hero image '{page.hero}': {note}",
                path=page.path,
                line=images.hero_line(page),
                hint="export the photo again (its metadata is damaged)",
            )
            if warning not in self.warnings:
                self.warnings.append(warning)
        url = self.store.put(
            f"hero/{self.brochure.slug}/{lang}/{size.name}-{width:g}x{height:g}-"
            f"{profile.hero_dpi}-{profile.jpeg_quality}{'-cmyk' if self.cmyk(profile) else ''}.jpg",
            prepared.data,
            prepared.mime,
        )
        self.urls.append(url)
        return Hero(
            url=url,
            alt=self.columns[lang].source.hero_alt,
            page=page,
            source=page.hero or "",
            width_mm=width,
            height_mm=height,
            dpi=prepared.dpi,
            bytes=len(prepared.data),
            pixels=prepared.source_size,
        )

    def qr(self, target: Target) -> QR | None:
        """A QR code to the page's web address, else the clinic's booking page."""
        page = self.brochure.pages[target.langs[0]]
        url = page.url or self.config.clinic_for(page.lang).booking_url
        if not url:
            return None
        src = self.store.put(f"qr/{url}", qr.svg(url), "image/svg+xml")
        if src not in self.urls:
            self.urls.append(src)
        return QR(src=src, url=url, label=links.display(url))

    def html(
        self,
        target: Target,
        logo_url: str | None,
        created: str,
        hero_scale: float = 1.0,
    ) -> tuple[str, Hero | None]:
        """The HTML of one target and the hero it shows (copyfitting lowers the hero to
        `hero_scale` of its height)."""
        size = SIZES[target.size]
        profile = PROFILES[target.profile]
        self.put_figures(profile)
        hero = self.hero(target.langs, size, profile, hero_scale)
        page = PageInfo(
            profile=profile, created=created, qr=self.qr(target), cmyk=self.cmyk(profile)
        )
        if target.layout == "single":
            col = self.columns[target.langs[0]]
            return html_single(col, size, self.config, hero, logo_url, page), hero
        left, right = (self.columns[lang] for lang in target.langs)
        rows = self.rows.get(target.langs)
        if rows is None:
            rows = self.rows[target.langs] = align.rows(left.blocks, right.blocks)
        return html_bilingual(left, right, rows, size, self.config, hero, logo_url, page), hero

    def release(self) -> None:
        """Drop this brochure's images from the store, so memory stays flat."""
        for url in self.urls:
            self.store.memory.pop(url, None)
