"""Output profiles on the seed page: print shop, office, e-mail, booklet; accessible,
archival and reproducible PDFs; the QR code."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from brochure import profiles
from brochure.build import build

from .conftest import Run, make_content, make_photo

MM = 72 / 25.4
A4 = (595.28, 841.89)
A5 = (419.53, 595.28)
BOOKING = "https://lumen-clinic.example/book"


def pdf(runs: dict[str, Run], relative: str, which: str = "first") -> Path:
    return runs[which].out / relative


def test_each_profile_writes_into_its_folder(profiled: dict[str, Run]) -> None:
    out = profiled["first"].out
    found = sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf"))
    singles = [f"hair-mesotherapy.{x}.{s}.pdf" for x in ("en", "ru", "ru-en") for s in ("a4", "a5")]
    expected = sorted(
        singles
        + [f"print/{n}" for n in singles]
        + [f"email/{n}" for n in singles]
        + [f"booklet/hair-mesotherapy.{x}.a5.pdf" for x in ("en", "ru", "ru-en")]
    )
    assert found == expected


def _boxes(path: Path) -> list[dict[str, tuple[float, ...]]]:
    reader = pypdf.PdfReader(path)
    return [
        {
            "media": tuple(float(v) for v in page.mediabox),
            "trim": tuple(float(v) for v in page.trimbox),
            "bleed": tuple(float(v) for v in page.bleedbox),
        }
        for page in reader.pages
    ]


@pytest.mark.parametrize(("size", "trim"), [("a4", A4), ("a5", A5)])
def test_print_has_3mm_bleed_and_a_trim_box(
    profiled: dict[str, Run], size: str, trim: tuple[float, float]
) -> None:
    for box in _boxes(pdf(profiled, f"print/hair-mesotherapy.en.{size}.pdf")):
        x0, y0, x1, y1 = box["trim"]
        assert (x1 - x0, y1 - y0) == pytest.approx(trim, abs=0.5)
        bx0, by0, bx1, by1 = box["bleed"]
        assert (bx1 - bx0, by1 - by0) == pytest.approx(
            (trim[0] + 6 * MM, trim[1] + 6 * MM), abs=0.5
        )
        assert x0 - bx0 == pytest.approx(3 * MM, abs=0.3)
        # brochure draws the marks in a slug of 6 mm outside the bleed: media = bleed + 12 mm.
        mx0, my0, mx1, my1 = box["media"]
        assert (mx1 - mx0, my1 - my0) == pytest.approx(
            (bx1 - bx0 + 12 * MM, by1 - by0 + 12 * MM), abs=0.5
        )


def test_office_pages_have_no_bleed(profiled: dict[str, Run]) -> None:
    for box in _boxes(pdf(profiled, "hair-mesotherapy.en.a4.pdf")):
        assert box["media"] == box["trim"]


def test_crop_marks_outside_the_trim_box(profiled: dict[str, Run]) -> None:
    path = pdf(profiled, "print/hair-mesotherapy.en.a4.pdf")
    page = pdfium.PdfDocument(path)[1]  # page 2: nothing else reaches the bleed
    scale = 2
    image = page.render(scale=scale).to_pil().convert("L")
    bleed = round(3 * MM * scale)
    inside = image.crop((bleed + 2, bleed + 2, image.width - bleed - 2, image.height - bleed - 2))
    outside_dark = image.histogram()[:128]
    inside_dark = inside.histogram()[:128]
    marks = sum(outside_dark) - sum(inside_dark)
    assert marks > 20, "no crop marks drawn outside the trim box"


def test_print_hero_runs_into_the_bleed_at_300_dpi(profiled: dict[str, Run]) -> None:
    path = pdf(profiled, "print/hair-mesotherapy.en.a4.pdf")
    with pdfplumber.open(path) as doc:
        hero = doc.pages[0].images[0]
    bleed_left, _, bleed_right, _ = _boxes(path)[0]["bleed"]
    assert hero["x0"] == pytest.approx(bleed_left, abs=0.5)  # -3 mm: the bleed
    assert hero["x1"] == pytest.approx(bleed_right, abs=0.5)
    assert hero["srcsize"][0] / (hero["width"] / 72) >= 299.5


def test_print_text_stays_in_the_safe_zone(profiled: dict[str, Run]) -> None:
    with pdfplumber.open(pdf(profiled, "print/hair-mesotherapy.ru.a5.pdf")) as doc:
        for page in doc.pages:
            trim_left, trim_right = 0, 420  # the trim box starts at 0
            for char in page.chars:
                assert char["x0"] >= trim_left + 5 * MM and char["x1"] <= trim_right - 5 * MM


def test_print_is_pdf_x4(profiled: dict[str, Run]) -> None:
    with pikepdf.open(pdf(profiled, "print/hair-mesotherapy.en.a4.pdf")) as doc:
        meta = doc.open_metadata()
        assert meta.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        assert "/OutputIntents" in doc.Root


def test_print_warns_about_a_small_photo(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    make_photo(root / "images" / "mezoterapiya-volos.JPG", (1200, 800), format="JPEG")
    report = build(
        [root], tmp_path / "out", layouts=("single",), sizes=("a5",), profiles=("print",)
    )
    messages = sorted(w.message for w in report.warnings)
    assert messages[0] == (
        "hair-mesotherapy.en.a5.pdf: hero image 'mezoterapiya-volos.JPG' prints at 198 dpi,"
        " below the 300 dpi a print shop needs"
    )
    assert (
        report.warnings[0].hint == "use a photo of at least 1819×780 pixels (this one is 1200×800)"
    )


def test_email_fits_the_budget_at_150_dpi(profiled: dict[str, Run]) -> None:
    path = pdf(profiled, "email/hair-mesotherapy.en.a4.pdf")
    assert len(pypdf.PdfReader(path).pages) == 2
    assert path.stat().st_size < 400 * 1024
    with pdfplumber.open(path) as doc:
        hero = doc.pages[0].images[0]
        assert hero["srcsize"][0] / (hero["width"] / 72) == pytest.approx(150, abs=1)
        links = [a.get("uri") for p in doc.pages for a in p.annots]
    assert "tel:+442079460321" in links
    assert "mailto:hello@lumen-clinic.example" in links


def test_email_over_budget_names_the_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = replace(profiles.PROFILES["email"], budget_kb_per_page=5)
    monkeypatch.setitem(profiles.PROFILES, "email", small)
    root = make_content(tmp_path / "content")
    report = build(
        [root], tmp_path / "out", layouts=("single",), sizes=("a5",), profiles=("email",)
    )
    assert report.warnings
    warning = report.warnings[0]
    assert warning.message.startswith("hair-mesotherapy.en.a5.pdf is ")
    assert " KB e-mail budget; its hero image 'mezoterapiya-volos.JPG' takes " in warning.message
    assert warning.hint == "crop or simplify the photo, or send the office PDF instead"


def test_booklet_imposes_a5_pages_on_a4_sheets(profiled: dict[str, Run]) -> None:
    a5 = pypdf.PdfReader(pdf(profiled, "hair-mesotherapy.en.a5.pdf"))
    booklet = pypdf.PdfReader(pdf(profiled, "booklet/hair-mesotherapy.en.a5.pdf"))
    sheets = -(-len(a5.pages) // 4)
    assert len(booklet.pages) == 2 * sheets
    for page in booklet.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            (A4[1], A4[0]), abs=0.5
        )
    with pdfplumber.open(pdf(profiled, "booklet/hair-mesotherapy.en.a5.pdf")) as doc:
        first = doc.pages[0]
        right = first.crop((first.width / 2, 0, first.width, first.height)).extract_text()
    assert "Hair mesotherapy" in right  # page 1 on the front's right half


ALL = [
    "hair-mesotherapy.en.a4.pdf",
    "hair-mesotherapy.ru-en.a5.pdf",
    "print/hair-mesotherapy.ru.a4.pdf",
    "email/hair-mesotherapy.en.a5.pdf",
    "booklet/hair-mesotherapy.ru-en.a5.pdf",
]


@pytest.mark.parametrize("name", ALL)
def test_tagged_with_language_and_title_shown(profiled: dict[str, Run], name: str) -> None:
    with pikepdf.open(pdf(profiled, name)) as doc:
        if not name.startswith("booklet/"):  # imposition keeps the pages, not the tags
            assert "/StructTreeRoot" in doc.Root
        assert str(doc.Root.Lang) in ("en", "ru")
        assert bool(doc.Root.ViewerPreferences.DisplayDocTitle)
        assert str(doc.docinfo.Title)


def test_hero_has_alternative_text(profiled: dict[str, Run]) -> None:
    with pikepdf.open(pdf(profiled, "hair-mesotherapy.en.a4.pdf")) as doc:
        alts = []
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure":
                alts.append(str(obj.get("/Alt", "")))
    assert "Hair mesotherapy" in alts


@pytest.mark.parametrize("name", [*ALL, "print/hair-mesotherapy.en.a5.pdf"])
def test_reproducible_across_builds_and_workers(profiled: dict[str, Run], name: str) -> None:
    assert pdf(profiled, name).read_bytes() == pdf(profiled, name, "second").read_bytes()


def test_pdf_a(profiled: dict[str, Run]) -> None:
    with pikepdf.open(pdf(profiled, "hair-mesotherapy.en.a4.pdf", "pdfa")) as doc:
        meta = doc.open_metadata()
        assert meta.get("pdfaid:part") == "3"
        assert meta.get("pdfaid:conformance") == "U"
        assert "/OutputIntents" in doc.Root
        assert "/Encrypt" not in doc.trailer
        for page in doc.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor


def test_qr_code_decodes_to_the_booking_page(profiled: dict[str, Run]) -> None:
    for name in ("hair-mesotherapy.en.a4.pdf", "hair-mesotherapy.ru-en.a5.pdf"):
        document = pdfium.PdfDocument(pdf(profiled, name))
        found = []
        for page in document:
            image = page.render(scale=300 / 72).to_pil()
            found += [r.text for r in zxingcpp.read_barcodes(image)]
        assert found == [BOOKING], name
        text = "".join(
            pdfplumber.open(io.BytesIO(pdf(profiled, name).read_bytes())).pages[-1].extract_text()
        )
        assert "lumen-clinic.example/book" in text


def test_qr_code_prefers_the_page_address(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    seed = root / "000_47d77d7bc2ab0bf7.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace(
            "hero_image:", "url: https://lumen-clinic.example/hair\n    hero_image:"
        ),
        encoding="utf-8",
    )
    build([root], tmp_path / "out", layouts=("single",), sizes=("a5",))
    document = pdfium.PdfDocument(tmp_path / "out" / "hair-mesotherapy.en.a5.pdf")
    found = [
        r.text
        for page in document
        for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())
    ]
    assert found == ["https://lumen-clinic.example/hair"]


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2023-05-06T07:08:09Z",
        "GIT_COMMITTER_DATE": "2023-05-06T07:08:09Z",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd),
    }
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


def test_two_clones_in_two_folders_make_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No absolute path and no checkout time reaches a PDF: its /ID comes from the contents
    and relative names, its date from the last commit of its sources."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = make_content(tmp_path / "repo")
    make_photo(repo / "images" / "body.png", (300, 200), format="PNG")
    seed = repo / "000_47d77d7bc2ab0bf7.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8") + "\n\n![A body image](images/body.png)\n\n"
        "See [the Russian page](002_c6f757d758559312.txt).\n",
        encoding="utf-8",
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "content")
    made: list[bytes] = []
    for where in ("one/clone", "two/deeper/clone"):
        _git(tmp_path, "clone", "-q", str(repo), where)
        clone = tmp_path / where
        report = build([clone], tmp_path / where / "dist", layouts=("single",), sizes=("a5",))
        assert not report.failures and not report.warnings
        made.append((tmp_path / where / "dist" / "hair-mesotherapy.en.a5.pdf").read_bytes())
    assert made[0] == made[1]
    with pikepdf.open(io.BytesIO(made[0])) as doc:
        assert str(doc.docinfo["/CreationDate"]) == "D:20230506070809Z"
        images = [
            name
            for page in doc.pages
            for name, obj in page.Resources.get("/XObject", {}).items()
            if obj.get("/Subtype") == "/Image"
        ]
    assert len(images) >= 2  # the hero and the body image, both in the same bytes
