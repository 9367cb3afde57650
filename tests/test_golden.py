"""The HTML compose.py makes, compared with the golden files in tests/golden/.

A difference is either a bug or a deliberate change; for the latter run `make golden`
and commit the new files with the change that made them.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from brochure import __version__, safety
from brochure.build import build
from tests.golden_html import CREATED, REPO, Case, cases, compose


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_html_matches_golden_file(case: Case) -> None:
    assert case.path.exists(), f"{case.path.name} is missing: run make golden"
    want = case.path.read_text(encoding="utf-8")
    got = compose(case)
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True),
                got.splitlines(keepends=True),
                f"golden/{case.path.name}",
                "composed",
                n=1,
            )
        )
        pytest.fail(
            f"the HTML differs from its golden file (make golden after a deliberate "
            f"change):\n{diff[:4000]}"
        )


def test_every_golden_file_is_a_case() -> None:
    """A golden file whose case was removed would be compared with nothing."""
    names = {c.path.name for c in cases()}
    files = {p.name for p in cases()[0].path.parent.glob("*.html")}
    assert files == names


def test_golden_html_is_what_the_build_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The golden HTML is the build's: `brochure build --html` writes the same markup,
    once the copy's additions (a base, linked stylesheets, file URLs for its images and
    the content folder) are taken back out."""
    case = next(c for c in cases() if c.name == "seed-en-a4")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714554000")  # CREATED
    report = build([REPO / case.site], tmp_path, layouts=["single"], sizes=["a4"], html=True)
    assert not report.failures
    written = (tmp_path / "hair-mesotherapy.en.a4.html").read_text(encoding="utf-8")
    assert CREATED in written
    written = re.sub(r'<base href="[^"]*">(<link rel="stylesheet" href="[^"]*">)+', "", written)
    written = re.sub(r"file:///[^\"]*?/hair-mesotherapy\.en\.a4\.\d\.(jpg|svg)", "IMAGE", written)
    written = written.replace((REPO / case.site).resolve().as_uri() + "/", "CONTENT/")
    golden = case.path.read_text(encoding="utf-8").replace("VERSION", __version__)
    golden = re.sub(r"brochure:(hero|qr)/[^\"]*", "IMAGE", golden)
    golden = golden.replace(safety.CONTENT_URL, "CONTENT/")
    assert written.count("IMAGE") == 2
    assert written == golden
