"""The catalogue's files beside its page: a thumbnail of each brochure's cover, and the fonts.

They live in `<out>/.brochure-catalogue/`. A thumbnail is the first page of the cover PDF,
THUMB_WIDTH pixels wide, a small WebP named after that PDF's digest in the manifest: made once,
again only when the PDF is made from other inputs, deleted when no card uses it. Its size in
pixels is kept in the manifest, so a run that draws nothing opens no image. The fonts are the
brochures' own faces, copied unmodified with their licence.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import remove_stale_temporaries, write_atomic
from .errors import BrochureError, BuildWarning
from .manifest import Manifest, table

if TYPE_CHECKING:
    from .catalogue import View

FOLDER = ".brochure-catalogue"  # thumbnails and fonts, beside index.html
THUMB_WIDTH = 240  # pixels: sharp at 120 CSS pixels on a high-density screen
THUMB_QUALITY = 55
THUMB_EFFORT = 2  # WebP method: 3 ms a picture; 6 saves 0.3 KB for 25 ms more
# (family, weight, file in styles/fonts): the brochures' faces, copied unmodified.
FONTS = (
    ("PT Sans", 400, "PTSans-Regular.ttf"),
    ("PT Sans", 700, "PTSans-Bold.ttf"),
    ("PT Serif", 700, "PTSerif-Bold.ttf"),
)


def make_thumbnails(
    view: View, out: Path, manifest: Manifest, create: bool = True
) -> list[BuildWarning]:
    """Point each card at its thumbnail; with `create`, make the missing ones and delete the
    ones no card uses."""
    folder = out / FOLDER / "thumbs"
    if create:
        remove_stale_temporaries(folder, ".*.tmp")
    warnings: list[BuildWarning] = []
    used: set[str] = set()
    for card in view.cards:
        digest = table(manifest.outputs.get(card.cover.key)).get("digest") if card.cover else None
        if card.cover is None or not isinstance(digest, str) or not digest:
            continue
        thumb = folder / f"{digest[:20]}.webp"
        if create and not thumb.is_file():
            try:
                write_atomic(thumb, thumbnail(out / card.cover.key), what="a thumbnail")
            except Exception as exc:  # a PDF pdfium cannot read: the card shows no picture
                warnings.append(
                    BuildWarning(
                        f"no thumbnail for the catalogue ({type(exc).__name__}: {exc})",
                        path=out / card.cover.key,
                        hint="the PDF may be damaged; build again with --force",
                    )
                )
                continue
        if thumb.is_file():
            used.add(thumb.name)
            card.thumb = thumb.relative_to(out).as_posix()
            card.thumb_size = image_size(thumb, manifest)
    if create and folder.is_dir():
        for old in folder.glob("*.webp"):
            if old.name not in used:
                old.unlink(missing_ok=True)
        sizes = table(manifest.catalogue.get("sizes"))
        manifest.catalogue["sizes"] = {k: v for k, v in sizes.items() if k in used}
    return warnings


def thumbnail(pdf: Path) -> bytes:
    """The first page of `pdf`, THUMB_WIDTH pixels wide, as WebP bytes."""
    from brochure import raster

    drawn = raster.pages(pdf, THUMB_WIDTH, limit=1)
    image = drawn[0] if drawn else None
    if image is None:
        raise ValueError("the PDF has no pages")
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=THUMB_QUALITY, method=THUMB_EFFORT)
    return buffer.getvalue()


def image_size(path: Path, manifest: Manifest) -> tuple[int, int]:
    """A thumbnail's size in pixels, read once and kept in the manifest (it is named by
    the PDF's digest: another PDF, another name)."""
    sizes = manifest.catalogue.setdefault("sizes", {})
    known = sizes.get(path.name)
    if isinstance(known, list) and len(known) == 2:
        return (int(known[0]), int(known[1]))
    from PIL import Image

    with Image.open(path) as image:
        sizes[path.name] = list(image.size)
        return image.size


def make_fonts(out: Path, create: bool = True) -> list[tuple[str, int, str]]:
    """The page's faces beside it, unmodified and with their licence (as ParaType's licence
    asks); with `create`, copied when missing or different. None when they cannot be had:
    the page then uses the system's faces."""
    from .assets import builtin_dir

    source = builtin_dir("styles") / "fonts"
    folder = out / FOLDER / "fonts"
    try:
        for name in (*(file for _, _, file in FONTS), "LICENSE.txt"):
            data = (source / name).read_bytes()
            target = folder / name
            if create and (not target.is_file() or target.read_bytes() != data):
                write_atomic(target, data, what="a font")
            if not target.is_file():
                return []
    except (OSError, BrochureError):
        return []
    return [(family, weight, f"{FOLDER}/fonts/{name}") for family, weight, name in FONTS]
