"""Hostile content: nothing read from outside, no network, no injection, no partial file."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.atomic import remove_stale_temporaries, write_atomic
from brochure.build import build
from brochure.content import read_page
from brochure.errors import BrochureError, RenderError
from brochure.markdown import render_blocks
from brochure.pdf import Renderer, SandboxFetcher

from .conftest import make_photo, pdf_text
from .test_cli import run

HOSTILE = (
    """\
# Hostile

<script>alert(1)</script>
<iframe src="https://evil.example/"></iframe>
<object data="file:///etc/passwd"></object><embed src="/etc/passwd">
<link rel="stylesheet" href="https://evil.example/x.css">
<link rel="attachment" href="file:///etc/passwd">
<style>body { background: url(https://evil.example/bg.png) }</style>
<img src="file:///etc/hostname"> <form action="https://evil.example"><input></form>
<div style="background: url('https://evil.example/track.png')">styled</div>

[click](javascript:alert(1)) [local](file:///etc/passwd) [data](data:text/html,hi)

![remote](https://evil.example/pixel.png) ![outside](../../outside.png) ![abs](/etc/hostname)

Template text: {{ 7*7 }} and {% raw %}{% for x in y %}{% endraw %} and {# comment #}.

Long: Pneumonoultramicroscopicsilicovolcanoconiosis"""
    + "x" * 300
    + """ and
https://example.com/"""
    + "a" * 300
    + """
"""
)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "content"
    make_photo(root / "images" / "p.jpg", (900, 600), format="JPEG")
    make_photo(base / "outside.png", (50, 50), format="PNG")
    (root / "hostile.en.md").write_text(
        "---\ntitle: '{{ 7*7 }} <b>Hostile</b>'\nhero_image: p.jpg\n"
        "description: '{% if true %}x{% endif %}'\n---\n" + HOSTILE,
        encoding="utf-8",
    )
    report = build([root], base / "dist", layouts=("single",), sizes=("a4",))
    assert not report.failures, [str(f) for f in report.failures]
    return base, base / "dist" / "hostile.en.a4.pdf"


def test_raw_html_is_sanitized_and_template_text_prints_literally(
    hostile_build: tuple[Path, Path],
) -> None:
    _, pdf = hostile_build
    text = " ".join(" ".join(pdf_text(pdf)).split())
    assert "<script" not in text and "alert(1)</script>" not in text  # dropped, not printed
    assert "<iframe" not in text and "<div" not in text and "<form" not in text
    assert "styled" in text  # the div's text is kept, its style is not
    assert "{{ 7*7 }} <b>Hostile</b>" in text  # the title, not 49, not bold
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{% raw %}{% for x in y %}{% endraw %}" in text
    assert "[click](javascript:alert(1))" in text  # not made into a link


def test_no_link_to_a_dangerous_scheme(hostile_build: tuple[Path, Path]) -> None:
    _, pdf = hostile_build
    with pdfplumber.open(pdf) as doc:
        uris = [a.get("uri") or "" for p in doc.pages for a in p.annots]
    assert not [u for u in uris if u.startswith(("javascript:", "file:", "data:"))]


def test_nothing_outside_is_read_and_no_network(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (900, 600), format="JPEG")
    make_photo(tmp_path / "outside.png", (50, 50), format="PNG")
    (root / "hostile.en.md").write_text(
        "---\ntitle: Hostile\nhero_image: p.jpg\n---\n" + HOSTILE, encoding="utf-8"
    )
    report = build([root], tmp_path / "dist", layouts=("single",), sizes=("a5",))
    assert not report.failures
    styles = Path(__file__).resolve().parent.parent / "styles"
    # The sanitizer and the image pipeline keep every outside address from WeasyPrint:
    # it is asked for nothing but prepared images and brochure's own stylesheets and fonts.
    assert all(u.startswith(("brochure:", styles.as_uri())) for u in report.requested), (
        report.requested
    )
    assert report.refused == []
    told = [w.message for w in report.warnings if w.message.startswith("image '")]
    assert told == [
        "image 'https://evil.example/pixel.png' is left out: brochure prints only images kept"
        " in the site",
        "image '../../outside.png' points outside the content folder; it is left out",
        "image '/etc/hostname' points outside the content folder; it is left out",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/x.png",
        "http://127.0.0.1:9/x.css",
        "ftp://example.com/x",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
    ],
)
def test_fetcher_refuses_everything_outside(tmp_path: Path, url: str) -> None:
    fetcher = SandboxFetcher([tmp_path])
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.requested == [url]
    assert fetcher.refused == [url]


def test_fetcher_refuses_a_symlink_out_and_serves_files_inside(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "ok.css").write_text("p {}")
    fetcher = SandboxFetcher([root])
    with pytest.raises(ValueError, match="outside the content folder"):
        fetcher.fetch((root / "link.txt").as_uri())
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"p {}"
    assert fetcher.refused == [(root / "link.txt").as_uri()]


def test_no_file_is_attached(tmp_path: Path) -> None:
    renderer = Renderer([tmp_path])
    (tmp_path / "a.txt").write_text("attach me")
    html = f'<link rel="attachment" href="{(tmp_path / "a.txt").as_uri()}"><p>x</p>'
    data, _, _ = renderer.render(html, tmp_path, [], tmp_path / "x.md")
    assert b"/EmbeddedFiles" not in data and b"attach me" not in data


def test_atomic_write_keeps_the_old_file_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(b"%PDF-old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(RenderError) as caught:
        write_atomic(target, b"%PDF-new")
    assert str(caught.value).endswith(
        "x.pdf: error: cannot write the PDF (No space left on device) — free some disk space or"
        " choose another --out folder"
    )
    assert target.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_atomic_write_on_ctrl_c(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(b"%PDF-old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_output_folder_that_cannot_be_made(content_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    code, _, stderr = run(
        "build", str(content_dir), "--out", str(tmp_path / "afile" / "dist"), "--size", "a5"
    )
    assert code == 1
    assert "error: cannot write to the output folder (Not a directory)" in stderr
    assert "Traceback" not in stderr


def test_killed_build_leaves_no_partial_pdf(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (900, 600), format="JPEG")
    body = ("## Section\n\n" + "Lorem ipsum dolor sit amet. " * 60 + "\n\n") * 60
    for i in range(4):
        (root / f"page-{i}.en.md").write_text(
            f"---\ntitle: Page {i}\nhero_image: p.jpg\n---\n{body}", encoding="utf-8"
        )
    out = tmp_path / "dist"
    child = subprocess.Popen(
        [sys.executable, "-m", "brochure", "build", str(root), "--out", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and any(out.iterdir())):
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    for pdf in out.glob("*.pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:], pdf.name
    remove_stale_temporaries(out)
    assert not list(out.glob("*.tmp"))


def test_a_200_page_document_builds(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (900, 600), format="JPEG")
    section = "## Section\n\n" + "Lorem ipsum dolor sit amet, consectetur. " * 40 + "\n\n"
    (root / "long.en.md").write_text(
        "---\ntitle: Long\nhero_image: p.jpg\n---\n" + section * 330, encoding="utf-8"
    )
    code = (
        "import resource, sys; from pathlib import Path; from brochure.build import build\n"
        f"r = build([Path({str(root)!r})], Path({str(tmp_path / 'dist')!r}),"
        " layouts=('single',), sizes=('a5',))\n"
        "print(r.outputs[0].pages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    pages, peak_mb = map(int, done.stdout.split())
    assert pages >= 200
    assert peak_mb < 1024  # bounded: well under a gigabyte for 200+ pages


_yaml_value = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(["2024-01-01", "[unclosed", "'quote", "a: b", "{x: 1}", "~", "|"]),
)
_front = st.dictionaries(
    st.sampled_from(["title", "hero_image", "lang", "slug", "description", "x"]),
    _yaml_value,
    max_size=5,
)
_body = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "# H",
                "## Раздел",
                "- item",
                "1. one",
                "> q",
                "| a | b |\n|---|--:|\n| 1 | 2 |",
                "***",
                "[x](javascript:y)",
                "<script>",
                "{{ x }}",
                "```\ncode\n```",
                "\t\tx",
            ]
        ),
    ),
    max_size=8,
)


def _write(path: Path, front: dict[str, object], body: list[str], raw: bool) -> None:
    if raw:
        text = "---\n" + "\n".join(f"{k}: {v}" for k, v in front.items()) + "\n---\n"
    else:
        import yaml

        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n"
    path.write_text(text + "\n\n".join(body), encoding="utf-8")


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(front=_front, body=_body, raw=st.booleans())
def test_random_pages_parse_or_fail_cleanly(
    tmp_path: Path, front: dict[str, object], body: list[str], raw: bool
) -> None:
    path = tmp_path / "random.md"
    _write(path, front, body, raw)
    try:
        page = read_page(path, tmp_path)
    except BrochureError as exc:
        assert str(exc).startswith(f"{path}") or "error:" in str(exc)
        return
    render_blocks(page.body, page.lang, page.title)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(front=_front, body=_body)
def test_random_pages_render_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, front: dict[str, object], body: list[str]
) -> None:
    base = tmp_path_factory.mktemp("random")
    root = base / "content"
    root.mkdir()
    _write(root / "random.md", front, body, raw=False)
    report = build([root], base / "dist", layouts=("single",), sizes=("a5",))
    for failure in report.failures:
        assert isinstance(failure, BrochureError)
        assert ": error: " in str(failure)
    for output in report.outputs:
        assert output.target.path.read_bytes().startswith(b"%PDF-")
