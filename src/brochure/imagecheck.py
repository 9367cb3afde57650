"""What the sandbox checks in an image before WeasyPrint may decode or draw it.

WeasyPrint draws an SVG element by element, expanding every `<use>` (a copy of the
element it names) and every `url(#…)` reference: ten nested groups of ten `<use>`
each are a billion shapes from a 2 KB file, and the build never ends. A raster
image's header can claim gigapixels that Pillow would try to allocate. Both are
measured here, from the file's bytes, in time linear in its size:

- an SVG is parsed (expat refuses entity expansion bombs) and the number of shapes it
  would draw is counted with each reference expanded at the size of what it names,
  memoised, so counting never expands anything; past `limits.SVG_ELEMENTS` (or
  nested past `limits.STRUCTURE_DEPTH` levels, or referring to itself) it is refused;
- a raster image's pixel count is read from its header (Pillow opens lazily) and
  refused past `limits.IMAGE_PIXELS`.

Anything else (stylesheets, fonts, files Pillow does not know) is left to WeasyPrint.
"""

from __future__ import annotations

import io
import re
import warnings
from xml.etree import ElementTree

from . import limits

_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_URL_REF = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")
_NUMBER = re.compile(r"[-+]?(?:\d*\.\d+|\d+)(?:[eE][-+]?\d+)?")
_NOT_IMAGES = (".css", ".ttf", ".otf", ".woff", ".woff2")


class _TooMuch(Exception):
    pass


def problem(data: bytes, name: str) -> str | None:
    """Why an image file must not reach WeasyPrint, or None when it may."""
    if name.lower().endswith(_NOT_IMAGES):
        return None
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or name.lower().endswith((".svg", ".svgz")):
        return svg_problem(data)
    return raster_problem(data)


def raster_problem(data: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Image.DecompressionBombError:
            return "the image claims too many pixels to decode safely"
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            return None  # not an image Pillow knows: WeasyPrint will say so itself
    if width * height > limits.IMAGE_PIXELS:
        return (
            f"the image claims {width}×{height} pixels, more than the "
            f"{limits.IMAGE_PIXELS // 1_000_000} megapixels allowed"
        )
    return None


def svg_problem(data: bytes) -> str | None:
    if len(data) > limits.SVG_BYTES:
        return f"the SVG is over {limits.SVG_BYTES // limits.MB} MB"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"not a valid SVG ({exc})"
    try:
        shapes = _Counter(root).total()
    except _TooMuch as exc:
        return str(exc)
    if shapes > limits.SVG_ELEMENTS:
        return _too_many()
    return None


def _too_many() -> str:
    return (
        f"it would draw more than {limits.SVG_ELEMENTS} shapes once its <use> and "
        "url(#…) references are expanded"
    )


class _Counter:
    """Shapes an SVG draws, references expanded by their memoised size."""

    def __init__(self, root: ElementTree.Element) -> None:
        self.root = root
        self.by_id: dict[str, ElementTree.Element] = {}
        for element in root.iter():
            ident = element.get("id")
            if ident and ident not in self.by_id:
                self.by_id[ident] = element
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()
        self.elements = sum(1 for _ in root.iter())
        styles = " ".join(
            e.text or "" for e in root.iter() if _local(e.tag) == "style"
        )  # a rule in <style> may apply to every element: count it once per element
        self.style_refs = _URL_REF.findall(styles)

    def total(self) -> int:
        shapes = self.size(self.root, 0)
        for ref in self.style_refs:
            shapes += self.elements * self.reference(ref, 0)
            self.check(shapes)
        return shapes

    def check(self, shapes: int) -> None:
        if shapes > limits.SVG_ELEMENTS:
            raise _TooMuch(_too_many())

    def reference(self, ident: str, depth: int) -> int:
        target = self.by_id.get(ident)
        return 0 if target is None else self.size(target, depth + 1)

    def size(self, element: ElementTree.Element, depth: int) -> int:
        key = id(element)
        if key in self.sizes:
            return self.sizes[key]
        if depth > limits.STRUCTURE_DEPTH * 4:
            raise _TooMuch(f"it nests more than {limits.STRUCTURE_DEPTH * 4} levels deep")
        if key in self.open:
            raise _TooMuch(f"a <{_local(element.tag)}> refers to itself")
        self.open.add(key)
        shapes = 1
        tag = _local(element.tag)
        href = element.get("href") or element.get(_XLINK_HREF) or ""
        if tag == "use" and href.startswith("#"):
            shapes += self.reference(href[1:], depth)
        elif tag == "image":
            shapes += 100  # another image drawn here, perhaps an SVG of its own
        points = element.get("d") or element.get("points") or ""
        for name, value in element.attrib.items():
            for ident in _URL_REF.findall(value):
                times = len(_NUMBER.findall(points)) // 2 + 1 if "marker" in name else 1
                shapes += times * self.reference(ident, depth)
                self.check(shapes)
        for child in element:
            shapes += self.size(child, depth + 1)
            self.check(shapes)
        self.open.discard(key)
        self.sizes[key] = shapes
        return shapes


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]
