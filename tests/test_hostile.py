"""Hostile content: nothing read from outside, no network, no injection, no partial file."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.atomic import remove_stale_temporaries, write_atomic
from brochure.build import build
from brochure.content import read_page
from brochure.errors import BrochureError, RenderError, display_path
from brochure.manifest import MANIFEST_NAME
from brochure.markdown import render_blocks
from brochure.pdf import Renderer, SandboxFetcher
from brochure.pool import Budget, Pool

from . import test_bad_input
from .conftest import REPO, make_photo, pdf_text
from .standins import stand_in
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


# --- Second round: overrides and a logo that lead outside, budgets, workers, leftovers ----


def _one_page(tmp_path: Path, front: str = "", body: str = "Text.\n") -> Path:
    root = tmp_path / "content"
    make_photo(root / "images" / "p.jpg", (600, 400), format="JPEG")
    shutil.copy(REPO / "content" / "brochure.toml", root / "brochure.toml")
    shutil.copy(REPO / "content" / "images" / "logo.svg", root / "images" / "logo.svg")
    (root / "page.en.md").write_text(
        f"---\ntitle: Page\nhero_image: p.jpg\n{front}---\n{body}", encoding="utf-8"
    )
    return root


def _link(root: Path, name: str, target: Path, text: str) -> None:
    target.write_text(text, encoding="utf-8")
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).symlink_to(target)


OVERRIDES = [
    pytest.param(
        lambda root: _link(
            root, "templates/single.html.j2", root.parent / "evil.j2", "SECRET {{ 1 }}"
        ),
        "content/templates/single.html.j2: error: the template is refused: outside the content"
        " folder — copy the template into templates/ instead of linking to it",
        id="template-linked-from-outside",
    ),
    pytest.param(
        lambda root: _link(root, "styles/a5.css", root.parent / "evil.css", "p { color: red }"),
        "content/styles/a5.css: error: the stylesheet is refused: outside the content folder —"
        " copy the stylesheet into the content folder instead of linking to it",
        id="stylesheet-linked-from-outside",
    ),
    pytest.param(
        lambda root: (
            (root / "templates").mkdir()
            or (root / "templates" / "single.html.j2").write_text(
                "{% extends 'base.html.j2' %}\n{% block body %}\n<p>{{ nope.x }}</p>\n"
                "{% endblock %}\n"
            )
        ),
        "content/templates/single.html.j2:3: error: template error: UndefinedError: 'nope' is"
        " undefined — fix the template in templates/, or delete it to use brochure's own",
        id="jinja-undefined-in-an-override",
    ),
    pytest.param(
        lambda root: (
            (root / "templates").mkdir()
            or (root / "templates" / "macros.html.j2").write_text("{% macro masthead( %}\n")
        ),
        "content/templates/macros.html.j2:1: error: template error: expected token 'name', got"
        " '%' — fix the template in templates/, or delete it to use brochure's own",
        id="jinja-syntax-error-in-an-override",
    ),
]


@pytest.mark.parametrize(("setup", "expected"), OVERRIDES)
def test_a_bad_override_fails_its_brochures_with_one_line(
    tmp_path: Path, setup: Callable[[Path], object], expected: str
) -> None:
    root = _one_page(tmp_path)
    setup(root)
    code, _, stderr = run("build", "content", "--out", "dist", "--size", "a5", "-q", cwd=tmp_path)
    assert (code, stderr.splitlines()) == (1, [expected])
    assert not list((tmp_path / "dist").glob("*.pdf"))


@pytest.mark.parametrize("logo", ["{outside}", "../secret.png"])
def test_a_logo_outside_is_never_opened_nor_hashed(tmp_path: Path, logo: str) -> None:
    root = _one_page(tmp_path)
    secret = make_photo(tmp_path / "secret.png", (50, 50), format="PNG")
    toml = root / "brochure.toml"
    toml.write_text(
        toml.read_text().replace('"images/logo.svg"', f'"{logo.format(outside=secret)}"')
    )
    report = build([root], tmp_path / "dist", layouts=("single",), sizes=("a5",))
    assert [str(w) for w in report.warnings] == [
        f"{display_path(toml)}: warning: logo '{secret}' not found inside the content folder;"
        " brochures have no logo — check [clinic] logo in brochure.toml"
    ]
    assert len(report.outputs) == 1
    assert str(secret) not in report.opened
    manifest = (tmp_path / "dist" / MANIFEST_NAME).read_text()
    assert "secret" not in manifest


def test_an_svg_bomb_as_the_logo_is_left_out_with_one_line(tmp_path: Path) -> None:
    root = _one_page(tmp_path)
    (root / "images" / "logo.svg").write_bytes(test_bad_input.svg_bomb())
    code, _, stderr = run("build", "content", "--out", "dist", "--size", "a5", "-q", cwd=tmp_path)
    assert (code, stderr.splitlines()) == (
        0,
        [
            "content/page.en.md: warning: image 'images/logo.svg' is left out: it would draw more"
            " than 10000 shapes once its <use> and url(#…) references are expanded — use an image"
            " file inside the content folder"
        ],
    )
    assert (tmp_path / "dist" / "page.en.a5.pdf").is_file()


def test_strace_sees_nothing_outside_opened(tmp_path: Path) -> None:
    """The kernel's record: no file outside the content folder is even opened."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    root = _one_page(tmp_path, body="![out](../outside.png)\n\nText.\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    make_photo(tmp_path / "outside.png", (50, 50), format="PNG")
    make_photo(outside / "photo.jpg", (300, 200), format="JPEG")
    _link(root, "linked.md", outside / "page.md", "---\ntitle: Out\n---\nSecret text.\n")
    (root / "images" / "hero-link.jpg").symlink_to(outside / "photo.jpg")
    (root / "hero.md").write_text("---\ntitle: Hero\nhero_image: hero-link.jpg\n---\nText.\n")
    toml = root / "brochure.toml"
    toml.write_text(toml.read_text().replace('"images/logo.svg"', f'"{outside / "logo.svg"}"'))
    (outside / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    trace = tmp_path / "trace.txt"
    done = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", str(trace),
         sys.executable, "-m", "brochure", "build", str(root), "--out", str(tmp_path / "dist"),
         "--jobs", "1", "--size", "a5", "--layout", "single", "-q"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if "PTRACE" in done.stderr or "Operation not permitted" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()[:200]}")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "dist" / "page.en.a5.pdf").is_file()
    opens = trace.read_text().splitlines()
    assert any("page.en.md" in line for line in opens)  # the trace does see our own reads
    leaked = [line for line in opens if str(outside) in line or "outside.png" in line]
    assert leaked == []


# Stopped half-way, WeasyPrint may leave a temporary file object to the collector (its
# ResourceWarning depends on where the budget struck, so on the machine's load).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_document_over_its_time_budget_fails_alone_in_process(tmp_path: Path) -> None:
    root = _one_page(tmp_path, body="x" * 200_000 + "\n")
    report = build(
        [root], tmp_path / "dist", layouts=("single",), sizes=("a5",), budget=Budget(0.5)
    )
    assert [str(f) for f in report.failures] == [
        f"{display_path(root / 'page.en.md')}: error: page.en.a5.pdf: making it took longer"
        " than 0.5 s — the page holds something very slow or large to lay out (a huge table,"
        " an enormous image); simplify it or split the page"
    ]
    (root / "page.en.md").write_text("---\ntitle: Page\nhero_image: p.jpg\n---\nShort.\n")
    again = build([root], tmp_path / "dist", layouts=("single",), sizes=("a5",))
    assert not again.failures and len(again.outputs) == 1  # a fresh renderer, no leftovers


def test_a_very_long_word_costs_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """What WeasyPrint's line breaker is given, summed over every line: linear in the word."""
    from weasyprint.text import line_break

    from brochure.markdown import render_blocks

    given: list[int] = []
    original = line_break.split_first_line

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        given.append(len(text))
        return original(text, *args, **kwargs)

    monkeypatch.setattr(line_break, "split_first_line", counting)
    from weasyprint.layout import inline

    monkeypatch.setattr(inline, "split_first_line", counting)
    n = 20_000
    html = "".join(b.html for b in render_blocks("x" * n, "en"))
    renderer = Renderer([REPO / "styles"])
    renderer.render(
        f"<html lang=en><body><main class=text>{html}</main></body></html>",
        REPO,
        [REPO / "styles" / "base.css", REPO / "styles" / "a5.css"],
        REPO / "x.md",
    )
    assert len(given) > n // 60  # one call a line (or more), the word on many lines
    assert sum(given) < 60 * n  # unbroken, the sum is about n² / 100: 4 million here


def test_the_yaml_loader_never_expands_an_alias() -> None:
    from brochure import yamlbounds

    composed: list[object] = []
    original = yamlbounds.BoundedLoader.compose_node

    def counting(self: Any, parent: Any, index: Any) -> Any:
        composed.append(index)
        return original(self, parent, index)

    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefghijkl", "bcdefghijklm", strict=True)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlbounds.BoundedLoader, "compose_node", counting)
        with pytest.raises(yamlbounds.BoundError, match="more than 100000 values"):
            yamlbounds.load(laughs)  # 9^13 values if expanded
    assert len(composed) < 150  # one call per node written, each alias counted by its size


def test_a_page_with_thousands_of_keys_is_scanned_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brochure import content

    scanned: list[int] = []
    original = content.key_lines

    def counting(text: str, body_line: int) -> dict[str, int]:
        scanned.append(body_line)
        return original(text, body_line)

    monkeypatch.setattr(content, "key_lines", counting)
    path = tmp_path / "keys.md"
    path.write_text(
        "---\ntitle: Keys\n" + "".join(f"k{i}: v\n" for i in range(3_000)) + "---\nText\n"
    )
    page = read_page(path, tmp_path)
    assert scanned == [3_004]  # once, however many keys
    assert len(page.unknown) == 3_000 and page.key_lines["k2999"] == 3_002


def test_key_lines_cost_linear_work_on_a_long_line() -> None:
    """A front matter line of 200 000 spaces between two words (a valid YAML value) is read
    in one pass; a regular expression with two overlapping runs took its length squared."""
    from brochure.content import key_lines

    text = "title: a\n  b" + " " * 200_000 + "c\nlang: en\n---\n"
    assert key_lines(text, 5) == {"title": 1, "lang": 3}


def test_an_svg_bomb_is_measured_without_expanding_it() -> None:
    from brochure import imagecheck

    sizes: list[object] = []
    original = imagecheck._Counter.size

    def counting(self: Any, element: Any, depth: int) -> int:
        sizes.append(element)
        return original(self, element, depth)

    bomb = test_bad_input.svg_bomb(levels=30, fan=10)  # 10^29 rectangles if drawn
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(imagecheck._Counter, "size", counting)
        assert imagecheck.problem(bomb, "bomb.svg") == (
            "it would draw more than 10000 shapes once its <use> and url(#…) references are"
            " expanded"
        )
    assert len(sizes) < 400  # each element measured once (30 levels of 11 elements)
    assert imagecheck.problem(bomb.replace(b"#l0", b"#l1"), "x.svg") == "a <g> refers to itself"
    logo = (REPO / "content" / "images" / "logo.svg").read_bytes()
    assert imagecheck.problem(logo, "logo.svg") is None


# Workers: the pool is tested with a stand-in for worker.run (tests/standins.py, a small
# module the worker processes import by name). Each brochure's name says what goes wrong
# while it is made; the others are not rendered (a real render may take longer than the
# two-second budget on a busy machine): they report a PDF made.


POOL_CASES = [
    ("slow", "slow.en.a5.pdf: making it took longer than 2 s"),
    ("stuck", "stuck.en.a5.pdf: making it took longer than 2 s"),
    ("greedy", "greedy.en.a5.pdf: making it needed more than 400 MB of memory"),
    ("dies", "dies.en.a5.pdf: the worker process making it stopped (signal SIGKILL)"),
    ("buggy", "internal error while making buggy.en.a5.pdf: ValueError: a planted bug"),
]


@dataclass
class PoolRun:
    root: Path
    report: Any
    replaced: int


@pytest.fixture(scope="module")
def pool_run(tmp_path_factory: pytest.TempPathFactory) -> PoolRun:
    from brochure.assets import builtin_dir

    base = tmp_path_factory.mktemp("pool")
    root = base / "content"
    make_photo(root / "images" / "p.jpg", (600, 400), format="JPEG")
    for name in ("fast", "calm", *(slug for slug, _ in POOL_CASES)):
        (root / f"{name}.en.md").write_text(
            f"---\ntitle: {name.title()}\nhero_image: p.jpg\n---\nText.\n", encoding="utf-8"
        )
    budget = Budget(2.0, memory_mb=400, grace_seconds=0.5)
    with Pool(2, [root, builtin_dir("styles")], budget, work=stand_in, warm=False) as pool:
        report = build([root], base / "dist", layouts=("single",), sizes=("a5",), pool=pool)
        return PoolRun(root, report, pool.replaced)


@pytest.mark.parametrize(("slug", "why"), POOL_CASES)
def test_a_worker_over_budget_dead_or_buggy_fails_its_brochure_alone(
    pool_run: PoolRun, slug: str, why: str
) -> None:
    mine = [str(f) for f in pool_run.report.failures if f.path and f.path.stem == f"{slug}.en"]
    assert len(mine) == 1
    assert mine[0].startswith(f"{display_path(pool_run.root / f'{slug}.en.md')}: error: {why}")


def test_the_pool_replaces_its_workers_and_goes_on(pool_run: PoolRun) -> None:
    made = sorted(o.target.path.name for o in pool_run.report.outputs)
    assert made == ["calm.en.a5.pdf", "fast.en.a5.pdf"]
    assert len(pool_run.report.failures) == len(POOL_CASES)
    assert pool_run.replaced == len(POOL_CASES)  # every worker that failed was replaced


def test_temporaries_of_a_killed_build_go_from_every_folder(tmp_path: Path) -> None:
    root = _one_page(tmp_path)
    out = tmp_path / "dist"
    dead = _dead_pid()
    stale = [
        out / f".page.en.a5.pdf.{dead}-abc123.tmp",
        out / "print" / f".page.en.a5.pdf.{dead}-x1y2z3.tmp",
        out / "booklet" / f".page.en.a5.pdf.{dead}-q9w8e7.tmp",
        out / ".brochure-cache" / f".0123abcd.jpg.{dead}-k3j4h5.tmp",
        out / ".thumbs" / f".page.en.a5.pdf.1.png.{dead}-m1n2b3.tmp",
    ]
    alive = out / ".brochure-cache" / f".feed.jpg.{os.getppid()}-live00.tmp"
    for path in [*stale, alive]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    report = build([root], out, layouts=("single",), sizes=("a5",), profiles=("office",))
    assert len(report.outputs) == 1
    assert [p for p in stale if p.exists()] == []
    assert alive.exists()  # another build still running writes it


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
