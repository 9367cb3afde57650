"""Find hero images and prepare them with Pillow for the size they are printed at."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

from . import __version__, color, limits, safety
from .atomic import write_atomic
from .content import Page
from .errors import BrochureError, BuildWarning, ImageError, did_you_mean

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif")
FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")
MAX_FILE_BYTES = limits.IMAGE_BYTES
MAX_PIXELS = limits.IMAGE_PIXELS  # larger is refused as a likely decompression bomb
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class PreparedImage:
    """A hero ready to embed: JPEG bytes cropped and scaled to its box."""

    data: bytes
    width: int
    height: int
    source_size: tuple[int, int]
    dpi: float  # effective resolution at the printed size
    warnings: tuple[str, ...] = ()  # what Pillow warned about (corrupt EXIF, …), one line each

    @property
    def mime(self) -> str:
        return "image/jpeg"


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def locate_hero(page: Page) -> tuple[Path, list[BuildWarning]]:
    """Find the page's header photo (see `locate`); its errors name the front-matter key."""
    name = page.hero
    assert name is not None
    origin = page.hero_origin
    if origin == "hero_image":
        what = f"hero image '{name}'"
    elif page.hero_key is not None:
        what = f"header photo '{name}' (front-matter '{origin}')"
    else:
        what = f"header photo '{name}' ({origin})"
    return locate(page, name, hero_line(page), what)


def _candidates(page: Page, name: str) -> tuple[Path, list[Path]]:
    """The name as a relative path, and the folders it may be in, in order."""
    relative = Path(name.lstrip("/"))
    if not name.startswith("/"):
        bases = list(page.image_dirs) or [page.path.parent]
        return relative, bases
    bases = []
    for base in page.rooted_dirs or (page.root, page.root / "static"):
        bases.append(base)
        # Grav's "/user/pages/…" when the site's root is the user folder itself.
        if relative.parts and relative.parts[0] == base.name and len(relative.parts) > 1:
            bases.append(base.parent)
    return relative, bases


def locate(page: Page, name: str, line: int | None, what: str) -> tuple[Path, list[BuildWarning]]:
    """Find an image a page names: beside it, or where its content system keeps images.

    Relative names are looked for in the page's image folders (beside the page first),
    site-absolute ones ("/images/a.jpg") in the site's static folders. Nothing outside
    the site's root is used; a file whose name differs only in letter case is, with a
    warning. `what` names the image in messages ("hero_image 'a.jpg'").
    """
    longest = max(len(part) for part in name.replace("\\", "/").split("/"))
    if len(name) > limits.PATH_CHARS or longest > limits.FILE_NAME_CHARS:
        label = what.split("'")[0].strip() or "image"
        raise ImageError(
            f"{label} '{safety.shown_text(name, 40)}' names a file of {longest} characters; "
            f"file names have at most {limits.FILE_NAME_CHARS}",
            path=page.path,
            line=line,
            hint="rename the image to a short name and write that",
        )
    try:
        return _locate(page, name, line, what)
    except OSError as exc:  # a name the file system cannot even look up
        raise ImageError(
            f"{what} cannot be looked up ({exc.strerror})",
            path=page.path,
            line=line,
            hint="use a short, plain file name inside the content folder",
        ) from None


def _locate(page: Page, name: str, line: int | None, what: str) -> tuple[Path, list[BuildWarning]]:
    root = page.root.resolve()
    relative, bases = _candidates(page, name)
    if "://" in name or name.startswith(("data:", "file:")):
        raise ImageError(
            f"{what} is not a file in the site",
            path=page.path,
            line=line,
            hint="put the image in the content folder and give a relative path",
        )
    if (Path(name).is_absolute() and not name.startswith("/")) or ".." in relative.parts:
        raise ImageError(
            f"{what} points outside the content folder",
            path=page.path,
            line=line,
            hint="put the image in the content folder and give a relative path",
        )
    seen: list[Path] = []
    for base in bases:
        candidate = base / relative
        if any(candidate.parent.resolve() == s.resolve() for s in seen):
            continue
        seen.append(candidate.parent)
        if candidate.exists() or candidate.is_symlink():
            if not _inside(candidate, root):
                raise ImageError(
                    f"{what} leads outside the content folder",
                    path=page.path,
                    line=line,
                    hint="copy the image into the content folder instead of linking to it",
                )
            return candidate, []
    for folder in seen:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.lower() == relative.name.lower() and _inside(entry, root):
                warning = BuildWarning(
                    f"{what} matched '{entry.name}' only when ignoring letter case",
                    path=page.path,
                    line=line,
                    hint=f"rename the file or write {entry.name}",
                )
                return entry, [warning]
    if name.startswith("/") and Path(name).exists():
        raise ImageError(
            f"{what} points outside the content folder",
            path=page.path,
            line=line,
            hint="put the image in the content folder and give a relative path",
        )
    candidates: list[str] = []
    for folder in seen:
        try:
            candidates += [p.name for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
        except OSError:
            continue
    hint = did_you_mean(
        relative.name,
        list(dict.fromkeys(candidates)),
        cutoff=0.5,
        many=3,
        otherwise="put it beside the page, in an images/ folder beside it, "
        "or in the content folder's images/",
    )
    raise ImageError(f"{what} not found", path=page.path, line=line, hint=hint)


def hero_line(page: Page) -> int | None:
    """The line of the key that names the hero in the page's front matter."""
    return page.hero_line


def _open(path: Path, roots: Sequence[Path] = ()) -> Image.Image:
    """Open an image file safely: inside the sandbox, a regular file, a known format, not a
    bomb."""
    from PIL import Image, UnidentifiedImageError

    try:
        info = path.stat()
    except OSError as exc:
        raise ImageError(f"cannot read the image ({exc.strerror})", path=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise ImageError(
            "not a regular file (a device, a pipe or a folder)",
            path=path,
            hint="point hero_image at a JPEG, PNG or WebP file",
        )
    if info.st_size > MAX_FILE_BYTES:
        raise ImageError(
            f"the image is {info.st_size // (1024 * 1024)} MB; the limit is "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
            path=path,
            hint="export a smaller JPEG (3000 px wide is plenty)",
        )
    try:
        data = safety.read_bytes(path, roots or [path.parent.resolve()], MAX_FILE_BYTES)
    except safety.Refused as exc:
        raise ImageError(
            f"the image is refused: {exc}",
            path=path,
            hint="copy the image into the content folder instead of linking to it",
        ) from None
    except OSError as exc:
        raise ImageError(
            f"cannot read the image ({exc.strerror})",
            path=path,
            hint="check the file's permissions: the build must be able to read it",
        ) from None
    try:
        # Our own limit below is stricter than Pillow's and gives a clearer message.
        pillow_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        finally:
            Image.MAX_IMAGE_PIXELS = pillow_limit
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageError(
                f"the image claims {width}×{height} pixels, more than the "
                f"{MAX_PIXELS // 1_000_000} megapixels allowed",
                path=path,
                hint="this looks like a damaged or hostile file; export the photo again",
            )
        return image
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError(
            "not a JPEG, PNG, WebP or AVIF image (or the file is damaged)",
            path=path,
            hint="export the image again as JPEG or PNG",
        ) from None
    except Image.DecompressionBombError:
        raise ImageError(
            "the image is too large to decode safely",
            path=path,
            hint="this looks like a damaged or hostile file; export the photo again",
        ) from None


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert to sRGB, honouring an embedded ICC profile (CMYK, Display P3…)."""
    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(
                image, source, target, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to a plain conversion
    return image.convert("RGB")


def _flatten(image: Image.Image, background: str) -> Image.Image:
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        page = Image.new("RGBA", rgba.size, background)
        page.alpha_composite(rgba)
        return page.convert("RGB")
    if image.mode not in ("RGB", "CMYK"):
        return image.convert("RGB")
    return image


@lru_cache(maxsize=64)
def _prepare_cached(
    path: str,
    mtime_ns: int,
    size: int,
    box_mm: tuple[float, float],
    dpi: int,
    background: str,
    quality: int,
    fit: bool = False,
    cmyk: bool = False,
    roots: tuple[Path, ...] = (),
) -> PreparedImage:
    """`_prepare`, with Pillow's warnings (corrupt EXIF…) kept as lines of the result."""
    notes: list[str] = []
    with safety.pillow_warnings(notes):
        prepared = _prepare(Path(path), box_mm, dpi, background, quality, fit, cmyk, roots)
    return PreparedImage(
        prepared.data,
        prepared.width,
        prepared.height,
        prepared.source_size,
        prepared.dpi,
        tuple(notes),
    )


def _prepare(
    file: Path,
    box_mm: tuple[float, float],
    dpi: int,
    background: str,
    quality: int,
    fit: bool,
    cmyk: bool,
    roots: tuple[Path, ...],
) -> PreparedImage:
    from PIL import Image, ImageFile, ImageOps

    image = _open(file, roots)
    box_w = round(box_mm[0] / MM_PER_INCH * dpi)
    box_h = round(box_mm[1] / MM_PER_INCH * dpi)
    source_size = image.size
    # WeasyPrint lets Pillow accept truncated files; a hero must decode completely.
    truncated_ok, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        orientation = image.getexif().get(0x0112, 1)
        if image.format == "JPEG":
            # Let libjpeg decode at the smallest scale still larger than the box: fast.
            want = (box_h, box_w) if orientation in (5, 6, 7, 8) else (box_w, box_h)
            image.draft("RGB" if image.mode != "CMYK" else "CMYK", want)
        image.load()
        image = ImageOps.exif_transpose(image) or image
        image = _flatten(image, background)
        image = _to_srgb(image)
        # Crop to the box's shape around the centre ("cover"), then scale down, never up;
        # or (fit) keep the whole picture and scale it down into the box.
        target_ratio = box_w / box_h
        width, height = image.size
        if fit:
            scale = min(box_w / width, box_h / height, 1.0)
            if scale < 1.0:
                shrunk = (max(1, round(width * scale)), max(1, round(height * scale)))
                image = image.resize(shrunk, Image.Resampling.LANCZOS, reducing_gap=3.0)
        elif width / height > target_ratio:
            new_w = round(height * target_ratio)
            left = (width - new_w) // 2
            image = image.crop((left, 0, left + new_w, height))
        else:
            new_h = round(width / target_ratio)
            top = (height - new_h) // 2
            image = image.crop((0, top, width, top + new_h))
        if not fit and image.width > box_w:
            image = image.resize((box_w, box_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if cmyk:
            image = color.image_to_cmyk(image)  # for the press, last: after every RGB step
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=False)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        reason = "the file is truncated" if "truncated" in str(exc) else f"({exc})"
        raise ImageError(
            f"the image cannot be decoded: {reason}",
            path=file,
            hint="the file is damaged or incomplete; copy or export it again",
        ) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    effective_dpi = image.width / (box_mm[0] / MM_PER_INCH) if not fit else float(dpi)
    return PreparedImage(out.getvalue(), image.width, image.height, source_size, effective_dpi)


def prepare(
    path: Path,
    box_mm: tuple[float, float],
    dpi: int = 300,
    background: str = "#ffffff",
    quality: int = 86,
    cache_dir: Path | None = None,
    fit: bool = False,
    cmyk: bool = False,
    roots: Sequence[Path] = (),
) -> PreparedImage:
    """Crop `path` to fill a box of `box_mm` and scale it to `dpi` (`fit`: the whole picture,
    scaled down to fit inside the box; for images in the text); `cmyk`: then separate it for
    the press through brochure's CMYK profile (`color.image_to_cmyk`).

    Read only inside `roots` (the sandbox; default: the image's own folder). Cached in
    memory per process, and in `cache_dir` (when given) across runs and workers: a
    rebuild after a text change does not decode the photo again.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise ImageError(f"cannot read the image ({exc.strerror})", path=path) from None
    key = (
        str(path.resolve()),
        info.st_mtime_ns,
        info.st_size,
        box_mm,
        dpi,
        background,
        quality,
        fit,
        cmyk,
    )
    sandbox = tuple(r.resolve() for r in roots)
    if cache_dir is None:
        return _prepare_cached(*key, sandbox)
    name = hashlib.sha256(repr((__version__, *key)).encode()).hexdigest()[:32]
    jpeg, meta = cache_dir / f"{name}.jpg", cache_dir / f"{name}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads(meta.read_text(encoding="utf-8"))
        return PreparedImage(
            jpeg.read_bytes(),
            data["width"],
            data["height"],
            (int(data["source_size"][0]), int(data["source_size"][1])),
            data["dpi"],
            tuple(str(w) for w in data.get("warnings", [])),
        )
    prepared = _prepare_cached(*key, sandbox)
    record = {
        "width": prepared.width,
        "height": prepared.height,
        "source_size": list(prepared.source_size),
        "dpi": prepared.dpi,
        "warnings": list(prepared.warnings),
    }
    with contextlib.suppress(BrochureError):
        write_atomic(jpeg, prepared.data, "a prepared image", sync=False)
        write_atomic(meta, json.dumps(record).encode(), "a prepared image", sync=False)
    return prepared
