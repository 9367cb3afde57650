"""The print profile as a prepress check sees it: CMYK PDF/X-4 for FOGRA39, black text in black
ink, marks in registration colour outside the bleed; RGB for the office and e-mail; colours
that survive the trip from RGB to CMYK and back to a screen."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageCms, ImageDraw, ImageMath

from brochure import color
from brochure.build import build

from .conftest import SEED_EN, Run, make_content

MM = 72 / 25.4
PRINT = [f"print/hair-mesotherapy.{x}.{s}.pdf" for x in ("en", "ru", "ru-en") for s in ("a4", "a5")]
SCREEN = [
    f"{p}hair-mesotherapy.{x}.{s}.pdf"
    for p in ("", "email/")
    for x in ("en", "ru-en")
    for s in ("a4", "a5")
]
# In-gamut colours of photographs: skin, hair, the brand's teal and copper, foliage, sky, red, grey.
BANDS = [
    (224, 172, 140),
    (141, 85, 36),
    (198, 134, 66),
    (31, 95, 102),
    (181, 121, 79),
    (120, 150, 90),
    (70, 90, 140),
    (200, 70, 60),
    (128, 128, 128),
    (230, 220, 200),
]


def _path(profiled: dict[str, Run], name: str) -> Path:
    return profiled["first"].out / name


def _contents(doc: pikepdf.Pdf) -> Iterator[tuple[str, list[object], pikepdf.Object]]:
    """Every operator of every content stream (pages, forms, tiling patterns), with its
    operands and the resources it is drawn with."""
    seen: set[tuple[int, int]] = set()

    def walk(
        owner: pikepdf.Object, resources: pikepdf.Object
    ) -> Iterator[tuple[str, list[object], pikepdf.Object]]:
        for instruction in pikepdf.parse_content_stream(owner):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                yield "BI", [], resources
                continue
            operator = str(instruction.operator)
            yield operator, list(instruction.operands), resources
            if operator == "Do":
                xobject = resources.XObject[str(instruction.operands[0])]
                if xobject.Subtype == "/Form" and xobject.objgen not in seen:
                    seen.add(xobject.objgen)
                    yield from walk(xobject, xobject.get("/Resources", resources))
        for pattern in resources.get("/Pattern", pikepdf.Dictionary()).values():
            if pattern.get("/PatternType") == 1 and pattern.objgen not in seen:
                seen.add(pattern.objgen)
                yield from walk(pattern, pattern.get("/Resources", resources))

    for page in doc.pages:
        yield from walk(page.obj, page.Resources)


def _images(doc: pikepdf.Pdf) -> Iterator[pikepdf.Stream]:
    """Every image XObject drawn on a page or in a form (soft masks are not drawn)."""
    for _, operands, resources in _contents(doc):
        if operands and isinstance(operands[0], pikepdf.Name) and "/XObject" in resources:
            xobject = resources.XObject.get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Image":
                yield xobject


def _components(space: pikepdf.Object) -> int:
    if space == "/DeviceCMYK":
        return 4
    if space == "/DeviceRGB":
        return 3
    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased":
        return int(space[1].N)
    return 0


@pytest.mark.parametrize("name", PRINT)
def test_output_intent_is_fogra39_with_a_cmyk_profile(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(_path(profiled, name)) as doc:
        assert doc.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        (intent,) = doc.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        data = profile.read_bytes()
        assert data == color.profile_path().read_bytes()
        assert data[12:20] == b"prtrCMYK"  # an output profile for CMYK


@pytest.mark.parametrize("name", PRINT)
def test_every_image_is_cmyk(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(_path(profiled, name)) as doc:
        images = list(_images(doc))
        assert images, "the hero is drawn"
        for image in images:
            assert _components(image.ColorSpace) == 4, image.ColorSpace


@pytest.mark.parametrize("name", PRINT)
def test_no_rgb_or_grey_colour_left(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(_path(profiled, name)) as doc:
        used = Counter(op for op, _, _ in _contents(doc))
        for operator in ("rg", "RG", "g", "G", "sc", "SC", "BI", "sh"):
            assert used[operator] == 0, operator
        spaces = {str(o[0]) for op, o, _ in _contents(doc) if op in ("cs", "CS")}
        assert spaces == {"/Registration"}  # the marks; everything else is k and K
        assert used["k"] > 100


def test_black_text_is_black_ink_only(profiled: dict[str, Run]) -> None:
    brand = {color.parse("#1f5f66").for_print(), color.parse("#b5794f").for_print()}
    with pdfplumber.open(_path(profiled, "print/hair-mesotherapy.en.a4.pdf")) as doc:
        fills = Counter(tuple(c["non_stroking_color"]) for p in doc.pages for c in p.chars)
        (sentence,) = doc.pages[0].search("Mesotherapy for hair is a procedure")
        body = sentence["chars"]
    assert fills.most_common(1)[0][0] == (0, 0, 0, 1)
    assert {tuple(c["non_stroking_color"]) for c in body} == {(0, 0, 0, 1)}
    for fill in fills:
        assert len(fill) == 4
        cyan, magenta, yellow, _ = fill
        # Text is black ink alone (greys included), or one of the brand colours.
        assert cyan == magenta == yellow == 0 or fill in {
            tuple(round(v, 4) for v in b) for b in brand
        }
    with pikepdf.open(_path(profiled, "print/hair-mesotherapy.en.a4.pdf")) as doc:
        assert any(
            op == "k" and [float(v) for v in o] == [0, 0, 0, 1] for op, o, _ in _contents(doc)
        )


@pytest.mark.parametrize("name", PRINT)
def test_total_ink_is_at_most_300_percent(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(_path(profiled, name)) as doc:
        inks = [sum(float(v) for v in o) for op, o, _ in _contents(doc) if op in ("k", "K")]
        assert max(inks) <= color.MAX_INK
        for image in _images(doc):
            pixels = pikepdf.PdfImage(image).as_pil_image()
            assert pixels.mode == "CMYK"
            c, m, y, k = (band.convert("I") for band in pixels.split())
            total = ImageMath.lambda_eval(
                lambda ink: ink["c"] + ink["m"] + ink["y"] + ink["k"], c=c, m=m, y=y, k=k
            )
            assert isinstance(total, Image.Image)
            assert total.getextrema()[1] <= 255 * color.MAX_INK


def test_marks_in_registration_colour_outside_the_bleed(profiled: dict[str, Run]) -> None:
    path = _path(profiled, "print/hair-mesotherapy.en.a4.pdf")
    with pikepdf.open(path) as doc:
        page = doc.pages[1]
        media, bleed, trim = (
            [float(v) for v in page[key]] for key in ("/MediaBox", "/BleedBox", "/TrimBox")
        )
        registration = page.Resources.ColorSpace.Registration
        assert [str(v) for v in registration[:3]] == ["/Separation", "/All", "/DeviceCMYK"]
        assert [float(v) for v in registration[3].C1] == [1, 1, 1, 1]  # every plate
    assert bleed[0] - media[0] == pytest.approx(6 * MM, abs=0.1)
    assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.1)
    scale = 3
    image = pdfium.PdfDocument(path)[1].render(scale=scale).to_pil().convert("L")

    def dark(box: list[float]) -> int:
        left, top = (box[0] - media[0]) * scale, (media[3] - box[3]) * scale
        right, bottom = (box[2] - media[0]) * scale, (media[3] - box[1]) * scale
        return sum(
            image.crop((round(left), round(top), round(right), round(bottom))).histogram()[:128]
        )

    in_slug = dark(media) - dark(bleed)
    in_bleed = dark(bleed) - dark([trim[0] - 0.5, trim[1] - 0.5, trim[2] + 0.5, trim[3] + 0.5])
    assert in_slug > 200, "crop marks and registration targets in the slug"
    assert in_bleed == 0, "page 2 has nothing in the bleed, marks included"


def _every_dictionary(doc: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Indirect dictionaries and the direct ones nested in them (resources hold ExtGStates
    as direct dictionaries)."""
    todo: list[object] = list(doc.objects)
    while todo:
        obj = todo.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            yield obj
            todo += [v for v in obj.values() if isinstance(v, pikepdf.Object) and not v.is_indirect]
        elif isinstance(obj, pikepdf.Array):
            todo += [v for v in obj if isinstance(v, pikepdf.Object) and not v.is_indirect]


@pytest.mark.parametrize("name", PRINT)
def test_no_live_transparency(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(_path(profiled, name)) as doc:
        states = 0
        for obj in _every_dictionary(doc):
            assert float(obj.get("/ca", 1)) == 1 and float(obj.get("/CA", 1)) == 1
            assert str(obj.get("/BM", "/Normal")) == "/Normal"
            if "/ca" in obj or "/CA" in obj:
                states += 1
                assert "/SMask" not in obj or obj.SMask == "/None"
        assert states, "the graphics states were looked at"


@pytest.mark.parametrize("name", SCREEN)
def test_office_and_email_stay_rgb(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(_path(profiled, name)) as doc:
        assert "/OutputIntents" not in doc.Root
        assert doc.open_metadata().get("pdfuaid:part") == "1"
        used = Counter(op for op, _, _ in _contents(doc))
        assert used["rg"] > 10 and used["k"] == used["K"] == 0
        for image in _images(doc):
            assert _components(image.ColorSpace) == 3
        for page in doc.pages:
            assert [float(v) for v in page.MediaBox] == [float(v) for v in page.TrimBox]


def _bands_content(folder: Path) -> Path:
    root = make_content(folder)
    photo = Image.new("RGB", (3000, 2000))
    draw = ImageDraw.Draw(photo)
    for i, band in enumerate(BANDS):
        draw.rectangle((i * 300, 0, i * 300 + 299, 1999), fill=band)
    photo.save(root / "images" / "mezoterapiya-volos.JPG", quality=95)
    return root


@pytest.fixture(scope="module")
def bands(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English seed page, office and print, with a hero of flat colour bands."""
    base = tmp_path_factory.mktemp("bands")
    root = _bands_content(base / "content")
    report = build(
        [root / SEED_EN.name],
        base / "out",
        layouts=("single",),
        sizes=("a4",),
        profiles=("office", "print"),
    )
    assert not report.failures and not report.warnings
    return base / "out"


def _lab(rgb: tuple[int, ...]) -> tuple[float, float, float]:
    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB", 6500), "RGB", "LAB"
    )
    lab = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb[:3]), transform)
    assert lab is not None
    lightness, a, b = lab.getpixel((0, 0))  # type: ignore[misc]
    return lightness * 100 / 255, a - 128.0, b - 128.0


def delta_e(one: tuple[int, ...], two: tuple[int, ...]) -> float:
    """CIE76: the distance between two sRGB colours in CIELAB."""
    return sum((p - q) ** 2 for p, q in zip(_lab(one), _lab(two), strict=True)) ** 0.5


def _render(path: Path, scale: float) -> tuple[Image.Image, float, float]:
    """Page 1 as pixels, and where the trim box's top-left corner is in them (points)."""
    with pikepdf.open(path) as doc:
        media = [float(v) for v in doc.pages[0].MediaBox]
        trim = [float(v) for v in doc.pages[0].get("/TrimBox", doc.pages[0].MediaBox)]
    image = pdfium.PdfDocument(path)[0].render(scale=scale).to_pil().convert("RGB")
    return image, trim[0] - media[0], media[3] - trim[3]


def _mean(image: Image.Image, x: float, y: float, scale: float) -> tuple[int, ...]:
    left, top = round(x * scale) - 2, round(y * scale) - 2
    patch = image.crop((left, top, left + 5, top + 5))
    pixel = patch.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(pixel, tuple)
    return pixel


def test_colours_survive_the_round_trip(bands: Path) -> None:
    """The print PDF, rendered to pixels, shows the office PDF's colours within a small ΔE."""
    office, print_ = (
        bands / "hair-mesotherapy.en.a4.pdf",
        bands / "print/hair-mesotherapy.en.a4.pdf",
    )
    with pdfplumber.open(office) as doc:
        hero = doc.pages[0].images[0]
        logo = max(
            (c for c in doc.pages[0].curves if c["top"] < 80), key=lambda c: c["x1"] - c["x0"]
        )
    scale = 200 / 72
    screen, sx, sy = _render(office, scale)
    press, px, py = _render(print_, scale)
    middle = (hero["top"] + hero["bottom"]) / 2
    width = hero["x1"] - hero["x0"]
    bleed_width = width + 2 * (hero["x0"] + 3 * MM)  # the print hero spans the bleed
    hero_de = []
    for i, _ in enumerate(BANDS):
        office_x = hero["x0"] + (i + 0.5) * width / len(BANDS)
        print_x = -3 * MM + (i + 0.5) * bleed_width / len(BANDS)
        hero_de.append(
            delta_e(
                _mean(screen, sx + office_x, sy + middle, scale),
                _mean(press, px + print_x, py + middle, scale),
            )
        )
    size = logo["x1"] - logo["x0"]
    brand_de = [
        delta_e(
            _mean(screen, sx + logo["x0"] + u * size, sy + logo["top"] + v * size, scale),
            _mean(press, px + logo["x0"] + u * size, py + logo["top"] + v * size, scale),
        )
        for u, v in ((32 / 64, 6 / 64), (29 / 64, 32 / 64))  # the logo's teal disc, its copper leaf
    ]
    print(
        "hero ΔE76:", [round(d, 2) for d in hero_de], "brand ΔE76:", [round(d, 2) for d in brand_de]
    )
    assert max(hero_de) <= 6 and sum(hero_de) / len(hero_de) <= 3
    assert max(brand_de) <= 5


def test_rgb_print_keeps_srgb_pdf_x4(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    toml = root / "brochure.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[output]\nprint_color = "rgb"\n', encoding="utf-8"
    )
    report = build(
        [root / SEED_EN.name],
        tmp_path / "out",
        layouts=("single",),
        sizes=("a5",),
        profiles=("print",),
    )
    assert not report.failures and not report.warnings
    with pikepdf.open(tmp_path / "out" / "print/hair-mesotherapy.en.a5.pdf") as doc:
        assert doc.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        assert int(doc.Root.OutputIntents[0].DestOutputProfile.N) == 3
        used = Counter(op for op, _, _ in _contents(doc))
        assert used["rg"] > 10 and used["k"] == 0
        assert {_components(i.ColorSpace) for i in _images(doc)} == {3}
        page = doc.pages[0]
        media, trim = [float(v) for v in page.MediaBox], [float(v) for v in page.TrimBox]
        assert trim[0] - media[0] == pytest.approx(3 * MM, abs=0.1)  # WeasyPrint's marks, as before


def test_transparency_in_custom_styles_is_reported(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    (root / "styles").mkdir()
    (root / "styles" / "single.css").write_text(".title { opacity: 0.5; }\n", encoding="utf-8")
    report = build(
        [root / SEED_EN.name],
        tmp_path / "out",
        layouts=("single",),
        sizes=("a5",),
        profiles=("print",),
    )
    assert not report.failures
    assert [str(w) for w in report.warnings] == [
        f"{root / SEED_EN.name}: warning: hair-mesotherapy.en.a5.pdf: transparency (an opacity "
        "below 1) in the print shop's PDF — a print shop may flatten or convert it; avoid it in "
        "custom styles and images"
    ]
    assert (tmp_path / "out" / "print/hair-mesotherapy.en.a5.pdf").is_file()
