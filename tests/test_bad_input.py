"""Bad input: one clear line per problem, the other pages built, no stray or partial file."""

from __future__ import annotations

import codecs
import html
import os
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from brochure.build import CACHE_DIR
from brochure.catalogue import FOLDER, INDEX
from brochure.manifest import MANIFEST_NAME

from .conftest import CONTENT, make_photo
from .test_cli import run

GOOD = "---\ntitle: Good page\nhero_image: good.jpg\n---\nSome text.\n"
Setup = Callable[[Path], None]


def page(front: str, body: str = "Text.\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


def _png_bomb(path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 2, 0, 0, 0)  # 1.6 gigapixels, RGB
    idat = zlib.compress(b"\x00" * 1_000_000, 9)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat))


def _truncated(path: Path) -> None:
    Image.effect_noise((800, 600), 60).convert("RGB").save(path, "JPEG", quality=95)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def files(**contents: bytes | Callable[[Path], None]) -> Setup:
    def setup(root: Path) -> None:
        for name, content in contents.items():
            path = root / name.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path)
            else:
                path.write_bytes(content)

    return setup


def _symlink_out(root: Path) -> None:
    outside = make_photo(root.parent / "outside.jpg", (300, 200), format="JPEG")
    (root / "images" / "linked.jpg").symlink_to(outside)
    (root / "bad.md").write_bytes(page("title: Linked\nhero_image: linked.jpg\n"))


def _fifo(root: Path) -> None:
    os.mkfifo(root / "images" / "pipe.jpg")
    (root / "bad.md").write_bytes(page("title: Pipe\nhero_image: pipe.jpg\n"))


HERO_HINT = (
    "put it beside the page, in an images/ folder beside it, or in the content folder's images/"
)

# (id, setup, exit code, expected stderr lines; {root} is the content folder as shown)
CASES: list[tuple[str, Setup, int, list[str]]] = [
    (
        "malformed-yaml",
        files(**{"bad.md": page("title: Hair: mesotherapy\nhero_image: good.jpg\n")}),
        1,
        [
            "content/bad.md:2: error: invalid front matter: mapping values are not allowed here"
            " — fix the YAML between the '---' lines (quote values that contain ':')"
        ],
    ),
    (
        "tab-indent",
        files(**{"bad.md": page("title: A\n\thero_image: good.jpg\n")}),
        1,
        [
            "content/bad.md:3: error: a tab indents this front-matter line; YAML allows only "
            "spaces — replace the tab with spaces"
        ],
    ),
    (
        "unclosed-front-matter",
        files(**{"bad.md": b"---\ntitle: A\n\nText without the closing line.\n"}),
        1,
        [
            "content/bad.md:1: error: the front matter opened with '---' is never closed — add a"
            " line with '---' after the last key"
        ],
    ),
    (
        "title-number",
        files(**{"bad.md": page("hero_image: good.jpg\ntitle: 42\n")}),
        1,
        [
            "content/bad.md:3: error: 'title' must be text, got a number (42) — put the value in"
            ' quotes: title: "…"'
        ],
    ),
    (
        "title-list",
        files(**{"bad.md": page("title:\n  - Hair\n  - Care\n")}),
        1,
        [
            "content/bad.md:2: error: 'title' must be text, got a list (['Hair', 'Care']) — put"
            ' the value in quotes: title: "…"'
        ],
    ),
    (
        "title-date",
        files(**{"bad.md": page("title: 2024-05-01\n")}),
        1,
        [
            "content/bad.md:2: error: 'title' must be text, got a date (2024-05-01) — put the"
            ' value in quotes: title: "…"'
        ],
    ),
    (
        "language-without-labels",
        files(
            **{
                "visita.md": page("title: Visita\nlang: it\nhero_image: good.jpg\n"),
                "altra.md": page("title: Altra\nlang: it\nhero_image: good.jpg\n"),
            }
        ),
        0,
        [
            "content/altra.md: warning: no labels for the language 'it': its brochures print"
            ' English labels ("Contact us", "Opening hours") — add'
            " src/brochure/languages/it.toml (see docs/writing-pages.md)"
        ],
    ),
    (
        "unknown-key",
        files(**{"warn.md": page("title: Warn\nhero_imgae: good.jpg\n")}),
        0,
        [
            "content/warn.md:3: warning: unknown front-matter key 'hero_imgae' is ignored — did"
            " you mean 'hero_image'?",
            "content/warn.md: warning: no header photo (hero_image, image, cover … or an image"
            " in the text); the brochure is made without one — add"
            " 'hero_image: photo.jpg' to the front matter",
        ],
    ),
    (
        "title-from-heading",
        files(**{"warn.md": page("hero_image: good.jpg\n", "# Peeling\n\nText.\n")}),
        0,
        [
            "content/warn.md:4: warning: no 'title' in the front matter; using the first heading"
            " 'Peeling' — add 'title: …' to the front matter"
        ],
    ),
    (
        "no-title-no-heading",
        files(**{"bad.md": page("hero_image: good.jpg\n", "Just text.\n")}),
        1,
        [
            "content/bad.md:1: error: no title: no 'title' and no heading to use instead — add"
            " 'title: …' to the front matter"
        ],
    ),
    (
        "empty-file",
        files(**{"bad.md": b""}),
        1,
        ["content/bad.md: error: the file is empty — write a title and some text, or delete it"],
    ),
    (
        "only-front-matter",
        files(**{"bad.md": b"---\ntitle: Only\nhero_image: good.jpg\n---\n"}),
        1,
        [
            "content/bad.md:5: error: the page has no text after the front matter — write the"
            " page's text below the closing '---'"
        ],
    ),
    (
        "bom-crlf-trailing-spaces",
        files(**{"fine.md": codecs.BOM_UTF8 + b"---  \r\n  title: Fine \r\n---\r\nText.\r\n"}),
        0,
        [
            "content/fine.md: warning: no header photo (hero_image, image, cover … or an image"
            " in the text); the brochure is made without one — add"
            " 'hero_image: photo.jpg' to the front matter"
        ],
    ),
    (
        "utf16-cr",
        files(
            **{
                "fine.md": "---\rtitle: Привет\rhero_image: good.jpg\r---\rТекст.\r".encode(
                    "utf-16"
                )
            }
        ),
        0,
        [],
    ),
    (
        "cp1251",
        files(
            **{
                "legacy.md": page("title: Пилинг\nhero_image: good.jpg\n", "Пилинг кожи лица.\n")
                .decode()
                .encode("cp1251")
            }
        ),
        0,
        [
            "content/legacy.md: warning: not UTF-8; read as Windows-1251 — save the file as UTF-8"
            " to silence this warning"
        ],
    ),
    (
        "koi8-r",
        files(
            **{
                "legacy.md": page(
                    "title: Пилинг лица\nhero_image: good.jpg\n", "Глубокое очищение кожи лица.\n"
                )
                .decode()
                .encode("koi8_r")
            }
        ),
        0,
        [
            "content/legacy.md: warning: not UTF-8; read as KOI8-R — save the file as UTF-8 to"
            " silence this warning"
        ],
    ),
    (
        "undecodable",
        files(**{"bad.md": page("title: A\n").replace(b"Text", b"\x81\x00\xff\xfe\x90")}),
        1,
        [
            "content/bad.md:4: error: not valid UTF-8 (byte 0x81) and not a known Russian"
            " encoding — save the file as UTF-8"
        ],
    ),
    (
        "missing-image",
        files(**{"bad.md": page("title: A\nhero_image: god.jpg\n")}),
        1,
        ["content/bad.md:3: error: hero image 'god.jpg' not found — did you mean 'good.jpg'?"],
    ),
    (
        "missing-image-nothing-similar",
        files(**{"bad.md": page("title: A\nhero_image: zzz-unrelated.png\n")}),
        1,
        [f"content/bad.md:3: error: hero image 'zzz-unrelated.png' not found — {HERO_HINT}"],
    ),
    (
        "image-dot-dot",
        files(**{"bad.md": page("title: A\nhero_image: ../outside.jpg\n")}),
        1,
        [
            "content/bad.md:3: error: hero image '../outside.jpg' points outside the content"
            " folder — put the image in the content folder and give a relative path"
        ],
    ),
    (
        "image-absolute",
        files(**{"bad.md": page("title: A\nhero_image: /etc/hostname\n")}),
        1,
        [
            "content/bad.md:3: error: hero image '/etc/hostname' points outside the content"
            " folder — put the image in the content folder and give a relative path"
        ],
    ),
    (
        "image-symlink-out",
        _symlink_out,
        1,
        [
            "content/bad.md:3: error: hero image 'linked.jpg' leads outside the content folder"
            " — copy the image into the content folder instead of linking to it"
        ],
    ),
    (
        "image-dev-urandom",
        files(**{"bad.md": page("title: A\nhero_image: /dev/urandom\n")}),
        1,
        [
            "content/bad.md:3: error: hero image '/dev/urandom' points outside the content"
            " folder — put the image in the content folder and give a relative path"
        ],
    ),
    (
        "image-fifo",
        _fifo,
        1,
        [
            "content/bad.md:3: error: hero image 'pipe.jpg': not a regular file (a device, a pipe"
            " or a folder) — point hero_image at a JPEG, PNG or WebP file"
        ],
    ),
    (
        "image-corrupt",
        files(
            **{
                "images__noise.jpg": b"\xff\xd8\xff\xe0" + os.urandom(2000),
                "bad.md": page("title: A\nhero_image: noise.jpg\n"),
            }
        ),
        1,
        [
            "content/bad.md:3: error: hero image 'noise.jpg': not a JPEG, PNG, WebP or AVIF"
            " image (or the file is damaged) — export the image again as JPEG or PNG"
        ],
    ),
    (
        "image-truncated",
        files(**{"images__cut.jpg": _truncated, "bad.md": page("title: A\nhero_image: cut.jpg\n")}),
        1,
        [
            "content/bad.md:3: error: hero image 'cut.jpg': the image cannot be decoded: the file"
            " is truncated — the file is damaged or incomplete; copy or export it again"
        ],
    ),
    (
        "image-html-named-jpeg",
        files(
            **{
                "images__fake.jpg": b"<html><body>not a photo</body></html>",
                "bad.md": page("title: A\nhero_image: fake.jpg\n"),
            }
        ),
        1,
        [
            "content/bad.md:3: error: hero image 'fake.jpg': not a JPEG, PNG, WebP or AVIF"
            " image (or the file is damaged) — export the image again as JPEG or PNG"
        ],
    ),
    (
        "image-gif-not-accepted",
        files(
            **{
                "images__anim.gif": lambda p: Image.new("RGB", (300, 200)).save(p, "GIF"),
                "bad.md": page("title: A\nhero_image: anim.gif\n"),
            }
        ),
        1,
        [
            "content/bad.md:3: error: hero image 'anim.gif': not a JPEG, PNG, WebP or AVIF"
            " image (or the file is damaged) — export the image again as JPEG or PNG"
        ],
    ),
    (
        "image-decompression-bomb",
        files(
            **{"images__bomb.png": _png_bomb, "bad.md": page("title: A\nhero_image: bomb.png\n")}
        ),
        1,
        [
            "content/bad.md:3: error: hero image 'bomb.png': the image claims 40000×40000 pixels,"
            " more than the 50 megapixels allowed — this looks like a damaged or hostile file;"
            " export the photo again"
        ],
    ),
    (
        "same-output-twice",
        files(
            **{
                "a__good.md": page("title: Twin\nhero_image: good.jpg\n"),
            }
        ),
        1,
        [
            "content/good.md: error: would write the same files as content/a/good.md (both are"
            " 'good') — give one of them another file name or a 'slug:' in its front matter"
        ],
    ),
]


@pytest.mark.parametrize(
    ("setup", "code", "expected"),
    [pytest.param(s, c, e, id=i) for i, s, c, e in CASES],
)
def test_bad_input(tmp_path: Path, setup: Setup, code: int, expected: list[str]) -> None:
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    make_photo(root / "images" / "good.jpg", (600, 400), format="JPEG")
    (root / "good.md").write_text(GOOD, encoding="utf-8")
    shutil.copy(CONTENT / "brochure.toml", root / "brochure.toml")
    shutil.copy(CONTENT / "images" / "logo.svg", root / "images" / "logo.svg")
    setup(root)
    out = tmp_path / "dist"
    exit_code, stdout, stderr = run(
        "build", "content", "--out", "dist", "--layout", "single", "--size", "a5", cwd=tmp_path
    )
    assert stderr.splitlines() == expected
    assert exit_code == code, stdout
    assert "Traceback" not in stdout + stderr
    assert (out / "good.a5.pdf").is_file() or (out / "good.en.a5.pdf").is_file()
    leftovers = [
        p.name
        for p in out.iterdir()
        if not p.name.endswith(".pdf") and p.name not in (MANIFEST_NAME, CACHE_DIR, INDEX, FOLDER)
    ]
    assert leftovers == []
    catalogue = html.unescape((out / INDEX).read_text(encoding="utf-8"))
    assert [line for line in expected if ": error: " in line and line not in catalogue] == []
    for pdf in out.iterdir():
        if pdf.suffix == ".pdf":
            assert pdf.read_bytes().startswith(b"%PDF-") and b"%%EOF" in pdf.read_bytes()[-64:]


def test_a_broken_photo_is_reported_once_for_all_its_pdfs(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    _truncated(root / "images" / "cut.jpg")
    (root / "cut.en.md").write_bytes(page("title: Cut\nhero_image: cut.jpg\n"))
    code, _, stderr = run("build", "content", "--out", "dist", "--jobs", "2", cwd=tmp_path)
    assert code == 1
    errors = [line for line in stderr.splitlines() if ": error: " in line]
    assert errors == [
        "content/cut.en.md:3: error: hero image 'cut.jpg': the image cannot be decoded: the file"
        " is truncated — the file is damaged or incomplete; copy or export it again"
    ]
