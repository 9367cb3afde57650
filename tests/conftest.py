"""Shared fixtures: the seed content built once per session, and small helpers."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageDraw

from brochure.build import Report, build

# No test leaves a warm renderer behind unless it starts one itself (tests/test_warm.py).
os.environ["BROCHURE_WARM"] = "off"

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
SEED_EN = CONTENT / "000_47d77d7bc2ab0bf7.txt"
SEED_RU = CONTENT / "002_c6f757d758559312.txt"


def make_photo(path: Path, size: tuple[int, int] = (3000, 2000), **save: object) -> Path:
    """A photo-like test image: a gradient with shapes, so scaling is visible."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 4):
        shade = int(200 - 120 * y / height)
        draw.rectangle((0, y, width, y + 4), fill=(shade, 150, 120 + shade // 3))
    for i in range(12):
        x = width * (i + 1) // 13
        draw.ellipse((x - 60, height // 2 - 60, x + 60, height // 2 + 60), fill=(30, 95, 102))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **save)  # type: ignore[arg-type]
    return path


def make_content(folder: Path) -> Path:
    """A content folder with the real seed pages, the example brochure.toml and a test hero."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (SEED_EN, SEED_RU, CONTENT / "brochure.toml"):
        shutil.copy(source, folder / source.name)
    (folder / "images").mkdir(exist_ok=True)
    shutil.copy(CONTENT / "images" / "logo.svg", folder / "images" / "logo.svg")
    make_photo(folder / "images" / "mezoterapiya-volos.JPG", format="JPEG", quality=90)
    return folder


@dataclass
class Built:
    root: Path
    out: Path
    report: Report

    def pdf(self, name: str) -> Path:
        return self.out / name


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The seed page built once, single-language, A4 and A5."""
    base = tmp_path_factory.mktemp("seed")
    root = make_content(base / "content")
    out = base / "dist"
    report = build([root], out, layouts=("single",))
    return Built(root, out, report)


ORDERS = [("ru", "en"), ("en", "ru")]


@dataclass
class Pair:
    path: Path
    left: str
    right: str
    size: str
    report: Report


@pytest.fixture(scope="session")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[tuple[str, str], str], Pair]:
    """The seed pair built side by side, in both orders, A4 and A5 (with the seed's [fit])."""
    out: dict[tuple[tuple[str, str], str], Pair] = {}
    for order in ORDERS:
        base = tmp_path_factory.mktemp("-".join(order))
        root = make_content(base / "content")
        toml = root / "brochure.toml"
        toml.write_text(
            toml.read_text(encoding="utf-8").replace(
                'pair = ["ru", "en"]', f'pair = ["{order[0]}", "{order[1]}"]'
            ),
            encoding="utf-8",
        )
        report = build([root], base / "dist", layouts=("bilingual",))
        assert not report.failures and not report.warnings
        for size in ("a4", "a5"):
            path = base / "dist" / f"hair-mesotherapy.{order[0]}-{order[1]}.{size}.pdf"
            out[(order, size)] = Pair(path, order[0], order[1], size, report)
    return out


def pdf_text(path: Path) -> list[str]:
    """The text of each page."""
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def letters(text: str) -> str:
    """Only the letters and digits, lower-cased: immune to hyphenation and line breaks."""
    return re.sub(r"[^\w]|_", "", text).lower()


def words(markdown: str) -> list[str]:
    """The words of a Markdown body, without its markup."""
    body = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return [w for w in (letters(t) for t in body.split()) if w]


@dataclass
class Run:
    """One build of the seed: where it went and its report."""

    out: Path
    report: Report


@pytest.fixture(scope="session")
def profiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The seed in every profile (twice, for byte equality), and once as PDF/A."""
    base = tmp_path_factory.mktemp("profiles")
    root = make_content(base / "content")
    runs: dict[str, Run] = {}
    every = ("office", "print", "email", "booklet")
    runs["first"] = Run(base / "one", build([root], base / "one", profiles=every, jobs=1))
    runs["second"] = Run(base / "two", build([root], base / "two", profiles=every, jobs=2))
    runs["pdfa"] = Run(
        base / "pdfa", build([root], base / "pdfa", profiles=("office",), pdf_a=True)
    )
    for run in runs.values():
        assert not run.report.failures, [str(f) for f in run.report.failures]
        assert not run.report.warnings, [str(w) for w in run.report.warnings]
    return runs


@pytest.fixture
def content_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the seed content for a test that changes it."""
    yield make_content(tmp_path / "content")
