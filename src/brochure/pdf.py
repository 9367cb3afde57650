"""WeasyPrint: the sandboxed URL fetcher, shared fonts and stylesheets, warnings as lines."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import mimetypes
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from . import color, imagecheck, limits, safety, tagging
from .compose import MEMORY_SCHEME
from .errors import BuildWarning, RenderError


class SandboxFetcher(URLFetcher):  # type: ignore[misc]
    """The only way WeasyPrint reads anything.

    Serves prepared images from memory (`brochure:` URLs) and files that lie under
    the allowed folders (the content root, first, and brochure's own assets), read
    through `safety.read_bytes`; the content folder's files have stable URLs
    (`safety.CONTENT_URL`). An image is checked by `imagecheck` before WeasyPrint
    may decode it. Everything else, every http(s) URL included, is refused. Each
    request is recorded in `requested`, each refusal in `refused`.
    """

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=["file", MEMORY_SCHEME])
        self.allowed = [p.resolve() for p in allowed]
        self.memory: dict[str, tuple[bytes, str]] = {}
        self.requested: list[str] = []
        self.refused: list[str] = []

    def put(self, name: str, data: bytes, mime: str) -> str:
        """Keep `data` in memory and return the URL that serves it."""
        url = f"{MEMORY_SCHEME}:{name}"
        self.memory[url] = (data, mime)
        return url

    def _refuse(self, url: str, why: str) -> ValueError:
        self.refused.append(url)
        return ValueError(f"refused {url}: {why}")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.requested.append(url)
        scheme = urlsplit(url).scheme.lower()
        if scheme == MEMORY_SCHEME:
            if url not in self.memory:
                raise self._refuse(url, "unknown in-memory resource")
            data, mime = self.memory[url]
            return URLFetcherResponse(url, data, {"Content-Type": mime})
        if scheme != "file":
            raise self._refuse(url, "only files inside the content folder may be read")
        path = safety.url_path(url, self.allowed[0])
        try:
            data = safety.read_bytes(path, self.allowed, limits.IMAGE_BYTES)
        except safety.Refused as exc:
            raise self._refuse(url, str(exc)) from None
        except OSError as exc:
            why = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
            raise self._refuse(url, str(why)) from None
        problem = imagecheck.problem(data, path.name)
        if problem is not None:
            raise self._refuse(url, problem)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": mime})


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _weasyprint_warnings(into: list[BuildWarning], path: Path) -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        into.extend(_friendly(message, path) for message in handler.messages)


_FAILED_IMAGE = re.compile(r"Failed to load image at '(?P<url>[^']*)'.*?refused \S+: (?P<why>.+)$")


def _friendly(message: str, path: Path) -> BuildWarning:
    """WeasyPrint's log line as a warning a page's author can act on."""
    match = _FAILED_IMAGE.search(message)
    if match:
        url = match["url"]
        shown = url
        if url.startswith(safety.CONTENT_URL):
            shown = unquote(url.removeprefix(safety.CONTENT_URL))
        elif url.startswith("file:"):
            shown = unquote(urlsplit(url).path)
        return BuildWarning(
            f"image '{shown}' is left out: {match['why']}",
            path=path,
            hint="use an image file inside the content folder",
        )
    return BuildWarning(f"WeasyPrint: {message}", path=path)


@contextlib.contextmanager
def _library_warnings(into: list[BuildWarning], path: Path) -> Iterator[None]:
    """Pillow's warnings while rendering (a body image or the logo: corrupt EXIF, a
    decompression bomb) become the page's warnings, never text on the terminal."""
    notes: list[str] = []
    with safety.pillow_warnings(notes):
        yield
    into.extend(
        BuildWarning(
            f"an image of the page or the logo: {note}",
            path=path,
            hint="export the image again (JPEG or PNG, without damaged metadata)",
        )
        for note in notes
    )


class Renderer:
    """One WeasyPrint set-up (fonts, fetcher, parsed stylesheets) reused across documents."""

    def __init__(self, allowed: list[Path]) -> None:
        tagging.install()
        self.allowed = [p.resolve() for p in allowed]
        self.fetcher = SandboxFetcher(allowed)
        self.fonts = FontConfiguration()
        self._css: dict[tuple[Path, int, int], Any] = {}
        self._cmyk: Any = None
        self._css_text: dict[str, Any] = {}

    def stylesheet(self, path: Path) -> Any:
        """A parsed stylesheet, read through the sandbox; parsed again when the file changes."""
        try:
            info = path.stat()
        except OSError as exc:
            raise RenderError(f"cannot read the stylesheet ({exc.strerror})", path=path) from None
        key = (path.resolve(), info.st_mtime_ns, info.st_size)
        if key not in self._css:
            try:
                text = safety.read_text(path, self.allowed, limits.TEMPLATE_BYTES)
            except safety.Refused as exc:
                raise RenderError(
                    f"the stylesheet is refused: {exc}",
                    path=path,
                    hint="copy the stylesheet into the content folder instead of linking to it",
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise RenderError(
                    f"cannot read the stylesheet ({exc})",
                    path=path,
                    hint="save it as UTF-8 text",
                ) from None
            root = self.allowed[0]
            base = safety.content_url(path, root) if safety.inside(path, [root]) else None
            for old in [k for k in self._css if k[0] == key[0]]:
                del self._css[old]  # an earlier version of the file (a process that stays)
            self._css[key] = CSS(
                string=text,
                base_url=base or key[0].as_uri(),
                url_fetcher=self.fetcher,
                font_config=self.fonts,
            )
        return self._css[key]

    def cmyk_profile(self) -> Any:
        """The CMYK profile as WeasyPrint's `@color-profile device-cmyk` would load it."""
        if self._cmyk is None:
            from weasyprint.css import ColorProfile

            path = color.profile_path()
            with path.open("rb") as handle:
                self._cmyk = ColorProfile(
                    handle, path.as_uri(), "relative-colorimetric", ["c", "m", "y", "k"]
                )
        return self._cmyk

    def layout(
        self,
        html: str,
        base_url: Path | str,
        stylesheets: list[Path],
        extra_css: str = "",
        cmyk: bool = False,
        trial: bool = False,
    ) -> Any:
        """Lay HTML out into pages (a WeasyPrint Document), without writing a PDF.

        `extra_css` is a stylesheet applied after the others (copyfitting's overrides).
        `trial`: a layout copyfitting tries, which may not be written: the boxes'
        backgrounds, which place nothing, are laid out only if it is (`render`).
        """
        sheets = [self.stylesheet(p) for p in stylesheets]
        if extra_css:
            if extra_css not in self._css_text:
                # Parsing costs a tenth of a layout; the same few settings recur across
                # brochures (six notches per size and layout), so they are kept.
                if len(self._css_text) >= 48:
                    self._css_text.clear()
                self._css_text[extra_css] = CSS(string=extra_css, font_config=self.fonts)
            sheets.append(self._css_text[extra_css])
        base = base_url if isinstance(base_url, str) else str(base_url) + os.sep
        deferred: list[tuple[Any, Any]] = []
        with _backgrounds_into(deferred) if trial else contextlib.nullcontext():
            document = HTML(string=html, base_url=base, url_fetcher=self.fetcher).render(
                stylesheets=sheets,
                font_config=self.fonts,
                color_profiles={"device-cmyk": self.cmyk_profile()} if cmyk else None,
            )
        if deferred:
            document.brochure_backgrounds = deferred
        return document

    def replace_image(self, document: Any, old_url: str, new_url: str) -> Any:
        """`document` with the image at `new_url` drawn wherever the one at `old_url` was
        (copyfitting's lower hero): the boxes keep their size, so nothing moves. Reads
        WeasyPrint's boxes (a private API, pinned below 71).
        """
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.images import get_image_from_uri

        old_id = hashlib.md5(old_url.encode(), usedforsecurity=False).hexdigest()
        for page in document.pages:
            for box in page._page_box.descendants():
                image = getattr(box, "replacement", None)
                if getattr(image, "id", None) != old_id:
                    continue
                new = get_image_from_uri(
                    {}, self.fetcher, DEFAULT_OPTIONS, new_url,
                    orientation=box.style["image_orientation"],
                )  # fmt: skip
                if new is not None:
                    box.replacement = new
        return document

    def render(
        self,
        html: str,
        base_url: Path | str,
        stylesheets: list[Path],
        source: Path,
        variant: str | None = None,
        identifier: str = "brochure",
        cmyk: bool = False,
        choose: Callable[[Any], Any] | None = None,
    ) -> tuple[bytes, int, list[BuildWarning]]:
        """Render HTML to PDF bytes; returns (pdf, page count, warnings).

        `identifier` makes the PDF's /ID (and PDF/X's XMP document ID): the same
        inputs give the same bytes. `cmyk`: PDF/X's output intent is brochure's CMYK
        profile (`color.profile_path`), which also gives `device-cmyk()` colours meaning.
        `choose`, given the laid-out Document, returns the Document to write
        (copyfitting may lay out tighter settings).
        """
        intent = None
        if variant and variant.startswith("pdf/x"):
            # PDF/X needs an output intent: sRGB for the RGB brochures.
            intent = "device-cmyk" if cmyk else "srgb"
        warnings: list[BuildWarning] = []
        base = base_url if isinstance(base_url, str) else str(base_url) + os.sep
        with (
            _weasyprint_warnings(warnings, source),
            _library_warnings(warnings, source),
            _stable_uuid(identifier),
            _collect_after(),
        ):
            document = self.layout(html, base, stylesheets, cmyk=cmyk)
            if choose is not None:
                document = choose(document)
                _lay_out_backgrounds(document)
            data = document.write_pdf(
                pdf_identifier=hashlib.md5(identifier.encode()).hexdigest().encode(),
                pdf_variant=variant,
                output_intent=intent,
                pdf_tags=True,
                finisher=_show_title,
            )
        return data, len(document.pages), warnings


@contextlib.contextmanager
def _backgrounds_into(deferred: list[tuple[Any, Any]]) -> Iterator[None]:
    """WeasyPrint's last step of each page, laying out its backgrounds, kept for later
    (`_lay_out_backgrounds`): a tenth of a layout, and no box moves."""
    from weasyprint import layout

    original = layout.layout_backgrounds
    layout.layout_backgrounds = lambda page, get_image: deferred.append((page, get_image))
    try:
        yield
    finally:
        layout.layout_backgrounds = original


def _lay_out_backgrounds(document: Any) -> None:
    """The backgrounds a trial layout left out (`Renderer.layout`), before it is written."""
    from weasyprint.layout import layout_backgrounds

    for page, get_image in getattr(document, "brochure_backgrounds", ()):
        layout_backgrounds(page, get_image)
    document.brochure_backgrounds = []


def _show_title(document: Any, pdf: Any) -> None:
    """Viewers show the document's title, not its file name, in the title bar."""
    import pydyf

    preferences = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
    preferences["DisplayDocTitle"] = "true"  # pydyf writes strings as they are
    pdf.catalog["ViewerPreferences"] = preferences


@contextlib.contextmanager
def _collect_after() -> Iterator[None]:
    """No garbage collection while WeasyPrint lays out (about 10 % of its time), then a
    quick collection of the young generations: the same peak memory, less time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(1)


@contextlib.contextmanager
def _stable_uuid(seed: str) -> Iterator[None]:
    """WeasyPrint gives PDF/X-4 a random XMP document ID; derive it from `seed` instead."""
    from weasyprint.pdf import metadata

    original = metadata.uuid4
    metadata.uuid4 = lambda: uuid.uuid5(uuid.NAMESPACE_URL, f"brochure:{seed}")
    try:
        yield
    finally:
        metadata.uuid4 = original
