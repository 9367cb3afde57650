"""Hero images: found where pages keep them, oriented, true colours, sized to print."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from brochure import images
from brochure.content import read_page
from brochure.errors import ImageError

from .conftest import make_photo

A4_BOX = (178.0, 104.0)


def _page(root: Path, hero: str, where: str = "page.md") -> Path:
    path = root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: Botox\nhero_image: {hero}\n---\nText.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("hero", "image_at", "page_at"),
    [
        ("photo.jpg", "photo.jpg", "page.md"),  # beside the page
        ("photo.jpg", "images/photo.jpg", "page.md"),  # in images/ beside it
        ("photo.jpg", "images/photo.jpg", "services/page.md"),  # in the root's images/
        ("photo.jpg", "services/botox/photo.jpg", "services/botox/index.en.md"),  # bundle
        ("/images/photo.jpg", "images/photo.jpg", "services/page.md"),  # site-absolute
    ],
)
def test_hero_is_found(tmp_path: Path, hero: str, image_at: str, page_at: str) -> None:
    make_photo(tmp_path / image_at, (300, 200), format="JPEG")
    page = read_page(_page(tmp_path, hero, page_at), tmp_path)
    path, warnings = images.locate_hero(page)
    assert path.resolve() == (tmp_path / image_at).resolve()
    assert warnings == []


def test_hero_differing_in_letter_case_is_used_with_a_warning(tmp_path: Path) -> None:
    make_photo(tmp_path / "images" / "mezoterapiya-volos.jpg", (300, 200), format="JPEG")
    page = read_page(_page(tmp_path, "mezoterapiya-volos.JPG"), tmp_path)
    path, warnings = images.locate_hero(page)
    assert path.name == "mezoterapiya-volos.jpg"
    assert [w.message for w in warnings] == [
        "hero image 'mezoterapiya-volos.JPG' matched 'mezoterapiya-volos.jpg' "
        "only when ignoring letter case"
    ]
    assert warnings[0].line == 3


def test_missing_hero_names_similar_files(tmp_path: Path) -> None:
    make_photo(tmp_path / "images" / "mezoterapia-volos.jpg", (300, 200), format="JPEG")
    page = read_page(_page(tmp_path, "mezoterapiya-volos.JPG"), tmp_path)
    with pytest.raises(ImageError) as caught:
        images.locate_hero(page)
    assert caught.value.message == "hero image 'mezoterapiya-volos.JPG' not found"
    assert caught.value.hint == "did you mean 'mezoterapia-volos.jpg'?"
    assert caught.value.line == 3


@pytest.mark.parametrize("hero", ["../outside.jpg", "/etc/passwd/../x.jpg"])
def test_hero_outside_the_content_folder_is_refused(tmp_path: Path, hero: str) -> None:
    root = tmp_path / "content"
    make_photo(tmp_path / "outside.jpg", (300, 200), format="JPEG")
    page = read_page(_page(root, hero), root)
    with pytest.raises(ImageError, match="outside the content folder"):
        images.locate_hero(page)


def test_symlink_out_of_the_content_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "content"
    outside = make_photo(tmp_path / "secret.jpg", (300, 200), format="JPEG")
    (root / "images").mkdir(parents=True)
    (root / "images" / "photo.jpg").symlink_to(outside)
    page = read_page(_page(root, "photo.jpg"), root)
    with pytest.raises(ImageError, match="leads outside the content folder"):
        images.locate_hero(page)


def _decode(prepared: images.PreparedImage) -> Image.Image:
    return Image.open(io.BytesIO(prepared.data))


def test_large_photo_is_downsampled_to_300_dpi_at_its_printed_size(tmp_path: Path) -> None:
    source = make_photo(tmp_path / "big.jpg", (4000, 3000), format="JPEG")
    prepared = images.prepare(source, A4_BOX)
    assert (prepared.width, prepared.height) == (2102, 1228)
    assert prepared.dpi == pytest.approx(300, abs=1)
    assert len(prepared.data) < 1_500_000


def test_small_photo_is_never_upscaled(tmp_path: Path) -> None:
    source = make_photo(tmp_path / "small.jpg", (800, 600), format="JPEG")
    prepared = images.prepare(source, A4_BOX)
    assert prepared.width == 800
    assert prepared.height == round(800 / (178 / 104))
    assert prepared.dpi == pytest.approx(800 / (178 / 25.4), abs=0.5)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Stored landscape, red on the left; EXIF 6 says "rotate 90° clockwise to view".
    stored = Image.new("RGB", (600, 400), "blue")
    stored.paste((255, 0, 0), (0, 0, 300, 400))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    stored.save(path, "JPEG", exif=exif, quality=95)
    prepared = _decode(images.prepare(path, (100.0, 150.0)))  # a portrait box
    assert prepared.height > prepared.width
    top = prepared.getpixel((prepared.width // 2, 5))
    bottom = prepared.getpixel((prepared.width // 2, prepared.height - 5))
    assert top[0] > 200 and top[2] < 60  # viewed upright, the red half is on top
    assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.parametrize("inverted", [False, True])
def test_cmyk_jpeg_keeps_its_true_colours(tmp_path: Path, inverted: bool) -> None:
    # Pillow writes Adobe CMYK JPEGs (inverted values with an APP14 marker) and
    # undoes the inversion on reading; both paths must end as the same cyan.
    cyan = Image.new("CMYK", (400, 300), (255, 0, 0, 0))
    path = tmp_path / "cmyk.jpg"
    cyan.save(path, "JPEG", quality=95)
    with Image.open(path) as check:
        assert check.mode == "CMYK"
        assert b"Adobe" in path.read_bytes()[:200] or not inverted
    pixel = _decode(images.prepare(path, (40.0, 30.0))).getpixel((10, 10))
    assert pixel[0] < 40 and pixel[1] > 200 and pixel[2] > 200, pixel


def test_transparency_sits_on_the_page_colour(tmp_path: Path) -> None:
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((200, 30, 30, 255), (0, 0, 200, 300))
    path = tmp_path / "logo.png"
    image.save(path)
    prepared = _decode(images.prepare(path, (40.0, 30.0)))
    assert prepared.mode == "RGB"
    right = prepared.getpixel((prepared.width - 3, prepared.height // 2))
    assert min(right) > 245  # transparent → white paper, not black


def test_not_an_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("<html>not a photo</html>")
    with pytest.raises(ImageError) as caught:
        images.prepare(path, A4_BOX)
    assert str(caught.value).endswith(
        "photo.jpg: error: not a JPEG, PNG, WebP or AVIF image (or the file is damaged)"
        " — export the image again as JPEG or PNG"
    )


def test_photo_for_the_press_is_separated_after_every_other_step(tmp_path: Path) -> None:
    photo = tmp_path / "teal.png"
    Image.new("RGB", (1200, 600), (31, 95, 102)).save(photo)
    box = (100.0, 50.0)
    screen = images.prepare(photo, box, dpi=150, cache_dir=tmp_path / "cache")
    press = images.prepare(photo, box, dpi=150, cache_dir=tmp_path / "cache", cmyk=True)
    assert Image.open(io.BytesIO(screen.data)).mode == "RGB"
    separated = Image.open(io.BytesIO(press.data))
    assert separated.mode == "CMYK" and separated.size == (screen.width, screen.height)
    cyan, magenta, yellow, black = (round(v / 2.55) for v in separated.getpixel((300, 150)))
    # The brand teal through the FOGRA39 profile: cyan and black, no magenta (± JPEG).
    assert (cyan, magenta, yellow, black) == pytest.approx((64, 0, 22, 63), abs=2)
    # Two entries in the cache: the colour mode is part of its key.
    assert len(list((tmp_path / "cache").glob("*.jpg"))) == 2
    again = images.prepare(photo, box, dpi=150, cache_dir=tmp_path / "cache", cmyk=True)
    assert again.data == press.data
