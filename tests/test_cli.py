"""The `brochure` command as a user runs it: messages, exit codes, files left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from brochure import __version__
from brochure.cli import main

from .conftest import make_photo


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = Path.cwd()
    if cwd:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_version_does_not_import_weasyprint() -> None:
    code = (
        "import sys; from brochure.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print('weasyprint' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == [f"brochure, version {__version__}", "False"]


def test_help_shows_examples() -> None:
    code, out, _ = run("build", "--help")
    assert code == 0
    assert "Examples:" in out
    assert "--layout [single|bilingual|all]" in out
    assert "--size [a4|a5|all]" in out


def test_build_writes_pdfs_and_a_summary(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    code, stdout, stderr = run("build", str(content_dir), "--out", str(out), "--size", "a5")
    assert code == 0, stderr
    assert stderr == ""
    lines = stdout.splitlines()
    # Piped (not a terminal): one plain line per PDF instead of a progress bar.
    # One line per PDF; with workers they may finish in any order.
    assert [line[:6] for line in lines[:3]] == ["[1/3] ", "[2/3] ", "[3/3] "]
    assert sorted(line[6:] for line in lines[:3]) == [
        "hair-mesotherapy.en.a5.pdf",
        "hair-mesotherapy.ru-en.a5.pdf",
        "hair-mesotherapy.ru.a5.pdf",
    ]
    assert "languages: hair-mesotherapy: en (detected) ru (detected)" in lines
    assert any(
        line.startswith("2 page(s) in 1 brochure(s); 3 PDF(s) written (")
        and "; 0 warning(s); 0 failed; " in line
        for line in lines
    ), lines
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "hair-mesotherapy.en.a5.pdf",
        "hair-mesotherapy.ru-en.a5.pdf",
        "hair-mesotherapy.ru.a5.pdf",
    ]


def test_a_bad_page_fails_alone(content_dir: Path, tmp_path: Path) -> None:
    (content_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    out = tmp_path / "dist"
    code, stdout, stderr = run(
        "build", "content", "--out", str(out), "--size", "a5", cwd=content_dir.parent
    )
    assert code == 1
    assert stderr.splitlines() == [
        "content/broken.md:2: error: invalid front matter: expected ',' or ']', but got "
        "'<stream end>' — fix the YAML between the '---' lines (quote values that contain ':')"
    ]
    assert "failed: content/broken.md" in stdout
    assert len(list(out.glob("*.pdf"))) == 3  # the seed still built
    assert not list(out.glob("*.tmp"))  # no temporary files


def test_missing_hero_is_an_error_for_its_page(content_dir: Path, tmp_path: Path) -> None:
    (content_dir / "images" / "mezoterapiya-volos.JPG").rename(content_dir / "images" / "x.jpg")
    code, _, stderr = run("build", "content", "--out", str(tmp_path / "d"), cwd=content_dir.parent)
    assert code == 1
    assert stderr.splitlines() == [
        "content/000_47d77d7bc2ab0bf7.txt:3: error: hero image 'mezoterapiya-volos.JPG' "
        "not found — put it beside the page, in an images/ folder beside it, or in the "
        "content folder's images/"
    ]
    assert not (tmp_path / "d").exists() or not list((tmp_path / "d").iterdir())


def test_no_pages_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, stderr = run("build", str(tmp_path / "empty"))
    assert code == 2
    assert stderr.strip().endswith(
        "error: no pages found (Markdown .md files, or .txt files that start with '---') "
        "— pass a folder or file that holds pages"
    )


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run("build", "nowhere", cwd=tmp_path)
    assert code == 2
    assert stderr.strip() == (
        "nowhere: error: no such file or folder — check the path you gave to build"
    )


@pytest.mark.parametrize("option", [["--size", "a3"], ["--layout", "triple"]])
def test_bad_option_is_a_usage_error(option: list[str]) -> None:
    code, _, stderr = run("build", *option)
    assert code == 2
    assert "Invalid value" in stderr


def _small(tmp_path: Path, front: str = "hero_image: p.jpg\n") -> Path:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (900, 600), format="JPEG")
    (root / "brochure.toml").write_text('[clinic]\nname = "Lumen"\n', encoding="utf-8")
    (root / "page.en.md").write_text(
        f"---\ntitle: Page\n{front}---\nText with [a link](https://example.com/x).\n",
        encoding="utf-8",
    )
    return root


def test_strict_makes_a_warning_fail_the_run(tmp_path: Path) -> None:
    _small(tmp_path)
    args = ["build", "content", "--out", "dist", "--size", "a5", "-q"]
    assert run(*args, "--strict", cwd=tmp_path)[0] == 0  # no warning: the run passes
    _small(tmp_path, front="")  # no hero: a warning
    code, _, stderr = run(*args, "--strict", "--force", cwd=tmp_path)
    assert code == 1
    assert stderr.splitlines() == [
        "content/page.en.md: warning: no header photo (hero_image, image, cover … or an image in"
        " the text); the brochure is made without one — add 'hero_image: photo.jpg' to the"
        " front matter",
        "brochure: --strict: 1 warning(s) fail the run (the PDFs were written)",
    ]
    assert run(*args, "--force", cwd=tmp_path)[0] == 0  # without --strict, a warning is fine


def test_html_beside_each_pdf_renders_to_the_same_pages(tmp_path: Path) -> None:
    import pypdfium2 as pdfium
    import weasyprint
    from PIL import ImageChops

    _small(tmp_path)
    code, _, stderr = run(
        "build", "content", "--out", "dist", "--size", "a5", "--html", "-q", cwd=tmp_path
    )
    assert (code, stderr) == (0, "")
    html = tmp_path / "dist" / "page.en.a5.html"
    text = html.read_text(encoding="utf-8")
    assert "brochure:" not in text and ".brochure-content" not in text
    again = tmp_path / "again.pdf"
    weasyprint.HTML(filename=str(html)).write_pdf(again)  # as a template author would
    made = pdfium.PdfDocument(tmp_path / "dist" / "page.en.a5.pdf")
    remade = pdfium.PdfDocument(again)
    assert len(made) == len(remade)
    for one, other in zip(made, remade, strict=True):
        a, b = (page.render(scale=60 / 72).to_pil().convert("RGB") for page in (one, other))
        assert ImageChops.difference(a, b).getbbox() is None  # not one pixel differs


def test_several_configuration_problems_are_all_reported_with_exit_code_2(
    tmp_path: Path,
) -> None:
    root = _small(tmp_path)
    (root / "brochure.toml").write_text(
        '[clinic]\nname = "' + "N" * 60_000 + '"\nwebsite = "javascript:alert(1)"\n'
    )
    code, _, stderr = run("build", "content", "--out", "dist", cwd=tmp_path)
    assert code == 2
    assert stderr.splitlines() == [
        "content/brochure.toml:2: error: 'name' in [clinic] is 60000 characters long; at most"
        " 120 — shorten it",
        "content/brochure.toml:3: error: 'website' in [clinic] must be a web address"
        " (https://…), got 'javascript:alert(1)' — write website = \"https://clinic.example\"",
    ]
    assert not (tmp_path / "dist").exists()


def test_messages_are_never_read_as_markup(tmp_path: Path) -> None:
    root = _small(tmp_path, front='hero_image: "[bold][/]x.jpg :smile:"\n')
    code, _, stderr = run("build", "content", "--out", "dist", "-q", cwd=tmp_path)
    assert code == 1
    assert stderr.splitlines() == [
        "content/page.en.md:3: error: hero image '[bold][/]x.jpg :smile:' not found — put it"
        " beside the page, in an images/ folder beside it, or in the content folder's images/"
    ]
    assert root.is_dir()


def test_languages_of_many_brochures_fit_one_short_line(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from rich.console import Console

    from brochure.build import Report
    from brochure.cli import _summary

    def brochure(slug: str, *langs: tuple[str, str]) -> SimpleNamespace:
        pages = {lang: SimpleNamespace(lang=lang, lang_source=how) for lang, how in langs}
        return SimpleNamespace(slug=slug, pages=pages)

    report = Report(root=tmp_path)
    names = [("ru", "file name"), ("en", "file name")]
    report.brochures = [brochure(f"page-{i}", *names) for i in range(40)]  # type: ignore[misc]
    report.brochures += [  # type: ignore[list-item]
        brochure("about", ("en", "folder"), ("kk", "folder")),
        brochure("prices", ("kk", "folder"), ("en", "folder")),
    ]
    console = Console(record=True, width=300)
    _summary(report, console, console)
    lines = console.export_text().splitlines()
    assert lines[0] == (
        "languages: 40 brochures: en (file name) ru (file name); "
        "about, prices: en (folder) kk (folder)"
    )
