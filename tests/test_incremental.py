"""Incremental and parallel builds: unchanged PDFs are not made again; workers change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.build import build

from .conftest import make_content


def _names(paths: list[Path]) -> list[str]:
    return sorted(p.name for p in paths)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    root = make_content(tmp_path / "content")
    out = tmp_path / "dist"
    first = build([root], out, sizes=("a5",))
    assert len(first.outputs) == 3 and not first.skipped
    return root, out


def test_nothing_changed_renders_nothing(built: tuple[Path, Path]) -> None:
    root, out = built
    again = build([root], out, sizes=("a5",))
    assert again.outputs == []
    assert len(again.skipped) == 3


def test_a_changed_page_rebuilds_only_its_outputs(built: tuple[Path, Path]) -> None:
    root, out = built
    seed_en = root / "000_47d77d7bc2ab0bf7.txt"
    seed_en.write_text(seed_en.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    again = build([root], out, sizes=("a5",))
    assert _names([o.target.path for o in again.outputs]) == [
        "hair-mesotherapy.en.a5.pdf",
        "hair-mesotherapy.ru-en.a5.pdf",
    ]
    assert _names([t.path for t in again.skipped]) == ["hair-mesotherapy.ru.a5.pdf"]


def test_touching_without_changing_rebuilds_nothing(built: tuple[Path, Path]) -> None:
    root, out = built
    os.utime(root / "000_47d77d7bc2ab0bf7.txt")
    assert build([root], out, sizes=("a5",)).outputs == []


@pytest.mark.parametrize(
    "change",
    ["styles/a5.css", "templates/macros.html.j2", "brochure.toml", "images/mezoterapiya-volos.JPG"],
)
def test_style_template_config_or_image_change_rebuilds_all(
    built: tuple[Path, Path], change: str
) -> None:
    root, out = built
    target = root / change
    if change.startswith(("styles", "templates")):
        builtin = Path(__file__).resolve().parent.parent / change
        target.parent.mkdir(exist_ok=True)
        target.write_text(builtin.read_text(encoding="utf-8") + "\n/* changed */\n", "utf-8")
    else:
        target.write_bytes(target.read_bytes() + b"\n")
    again = build([root], out, sizes=("a5",))
    assert len(again.outputs) == 3


def test_force_and_a_deleted_pdf(built: tuple[Path, Path]) -> None:
    root, out = built
    assert len(build([root], out, sizes=("a5",), force=True).outputs) == 3
    (out / "hair-mesotherapy.ru.a5.pdf").unlink()
    again = build([root], out, sizes=("a5",))
    assert _names([o.target.path for o in again.outputs]) == ["hair-mesotherapy.ru.a5.pdf"]


def test_workers_make_the_same_pdfs_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brochure import build as build_module

    # This process may already hold a warm renderer (other tests): workers all the same.
    monkeypatch.setattr(build_module, "WARM_SMALL_RUN", 0)
    monkeypatch.setattr(build_module, "SMALL_RUN", 0)
    root = make_content(tmp_path / "content")
    for extra in ("botox", "peeling", "laser"):
        for lang, title in (("en", extra.title()), ("ru", "Процедура")):
            (root / f"{extra}.{lang}.md").write_text(
                f"---\ntitle: {title}\nhero_image: mezoterapiya-volos.JPG\n---\n## A\n\nText.\n",
                encoding="utf-8",
            )
    one = build([root], tmp_path / "one", sizes=("a5",), jobs=1)
    two = build([root], tmp_path / "two", sizes=("a5",), jobs=2)
    assert not one.failures and not two.failures
    assert [o.target.path.name for o in one.outputs] == [o.target.path.name for o in two.outputs]
    assert len(two.workers) == 2  # both workers did some of the work
    for output in one.outputs:
        name = output.target.path.name
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_help_does_not_import_weasyprint() -> None:
    code = (
        "import sys; from brochure.cli import main\n"
        "try:\n    main(['build', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('weasyprint' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "False"


def test_a_text_change_does_not_decode_the_photo_again(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from brochure import images

    root, out = built
    calls: list[object] = []
    original = images._prepare_cached

    def counting(*args: object) -> images.PreparedImage:
        calls.append(args)
        return original(*args)  # type: ignore[arg-type]

    original.cache_clear()
    monkeypatch.setattr(images, "_prepare_cached", counting)
    seed_en = root / "000_47d77d7bc2ab0bf7.txt"
    seed_en.write_text(seed_en.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    again = build([root], out, sizes=("a5",))
    assert len(again.outputs) == 2
    assert calls == []  # both hero sizes came from the output folder's cache


HEAVY = ("weasyprint", "PIL.Image", "jinja2", "pikepdf", "pypdf", "pypdfium2")


def _probe(code: str) -> list[str]:
    """Run `code` in a fresh interpreter; its last line of output, split on spaces."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1].split()


def test_nothing_changed_imports_no_renderer(built: tuple[Path, Path]) -> None:
    """A rebuild with nothing to do imports none of WeasyPrint, Pillow, Jinja or the PDF
    libraries, and leaves the catalogue alone."""
    root, out = built
    index = out / "index.html"
    stamp = index.stat().st_mtime_ns
    code = (
        "import sys; from pathlib import Path; from brochure.build import build\n"
        f"r = build([Path({str(root)!r})], Path({str(out)!r}), sizes=('a5',))\n"
        f"print(len(r.outputs), len(r.skipped), *[m for m in {HEAVY!r} if m in sys.modules])"
    )
    assert _probe(code) == ["0", "3"]
    assert index.stat().st_mtime_ns == stamp


def test_a_run_in_workers_keeps_the_renderer_out_of_this_process(tmp_path: Path) -> None:
    """A touched page made by workers (SMALL_RUN 0): the main process never imports
    WeasyPrint, and the PDFs are the bytes one process makes."""
    root = make_content(tmp_path / "content")
    one = build([root], tmp_path / "one", sizes=("a5",), jobs=1)
    assert not one.failures
    code = (
        "import sys; from pathlib import Path; import brochure.build as b\n"
        "b.SMALL_RUN = 0\n"
        f"r = b.build([Path({str(root)!r})], Path({str(tmp_path / 'two')!r}), sizes=('a5',),"
        " jobs=2)\n"
        "print(len(r.outputs), len(r.workers), 'weasyprint' in sys.modules)"
    )
    assert _probe(code) == ["3", "2", "False"]
    for output in one.outputs:
        name = output.target.path.name
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_the_catalogue_is_drawn_again_when_its_template_changes(
    built: tuple[Path, Path],
) -> None:
    root, out = built
    (root / "templates").mkdir(exist_ok=True)
    builtin = Path(__file__).resolve().parent.parent / "templates" / "catalogue.html.j2"
    text = builtin.read_text(encoding="utf-8").replace("</body>", "<!-- ours --></body>")
    (root / "templates" / "catalogue.html.j2").write_text(text, encoding="utf-8")
    again = build([root], out, sizes=("a5",))
    assert again.outputs == []  # the catalogue's template is no input of a PDF
    assert "<!-- ours -->" in (out / "index.html").read_text(encoding="utf-8")
