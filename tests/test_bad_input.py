"""Bad input: one clear line per problem, the other pages built, no stray or partial file."""

from __future__ import annotations

import codecs
import errno
import html
import os
import shutil
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from PIL import Image

from brochure.build import CACHE_DIR, Report
from brochure.catalogue import INDEX
from brochure.catalogue_files import FOLDER
from brochure.manifest import MANIFEST_NAME

from .conftest import CONTENT, letters, make_photo
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


# --- Second round: values Python cannot hold, links out, bombs, hangs, a bug -------------
#
# Every case is a page of one content folder, built once by the command a user runs
# (`--jobs 1`, so that the planted bug and the permission check below reach the render);
# each test reads its own line from that run. The good page is built; nothing else is said.

LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "title: *i\n"
)
BUG = "TRIGGER-A-PLANTED-BUG"


def svg_bomb(levels: int = 12, fan: int = 10) -> bytes:
    """Ten <use> of ten <use> of …: a billion rectangles in a 2 KB file."""
    groups = "".join(
        f'<g id="l{i}">' + f'<use xlink:href="#l{i - 1}"/>' * fan + "</g>" for i in range(1, levels)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10"><defs><rect id="l0" width="1" height="1"/>'
        f'{groups}</defs><use xlink:href="#l{levels - 1}"/></svg>'
    ).encode()


def _png_claiming(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header claims `width`×`height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def _corrupt_exif(path: Path) -> None:
    exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + b"\x00" * 20
    Image.new("RGB", (600, 400), "#7a9").save(path, "JPEG", exif=exif)


def _outside_page(root: Path) -> None:
    (root.parent / "secret.md").write_text("---\ntitle: Secret\n---\nTOP SECRET TEXT\n")
    (root / "linked.md").symlink_to(root.parent / "secret.md")


def _locked_hero(root: Path) -> None:
    make_photo(root / "images" / "locked.jpg", (300, 200), format="JPEG")
    (root / "images" / "locked.jpg").chmod(0)
    (root / "locked.md").write_bytes(page("title: Locked\nhero_image: locked.jpg\n"))


def _locked_folder(root: Path) -> None:
    (root / "private").mkdir()
    (root / "private" / "p.md").write_bytes(page("title: Private\nhero_image: good.jpg\n"))
    (root / "private").chmod(0)


def _hero(front: str = "") -> bytes:
    return page("title: A page\nhero_image: good.jpg\n" + front)


ERR = "error: invalid front matter:"
# (id, setup, the PDF it makes or None, the lines it prints)
ROUND_TWO: list[tuple[str, Setup, str | None, list[str]]] = [
    (
        "lang-into-the-output-name",
        files(**{"lang.md": _hero('lang: "../../victim/report"\n')}),
        None,
        [
            "content/lang.md:4: error: 'lang' must be a language code such as en or ru, got"
            " '../../victim/report' — write lang: en (two or three letters)"
        ],
    ),
    (
        "page-linked-from-outside",
        _outside_page,
        None,
        [
            "content/linked.md: error: the page is a link to a file outside the content folder"
            " — copy the page into the content folder instead of linking to it"
        ],
    ),
    (
        "date-that-does-not-exist",
        files(**{"date.md": _hero("date: 2024-02-30\n")}),
        None,
        [
            f"content/date.md:4: {ERR} '2024-02-30' is not a real date (day is out of range for"
            " month) — write a real date as YYYY-MM-DD, or put the value in quotes"
        ],
    ),
    (
        "number-of-5000-digits",
        files(**{"digits.md": _hero("price: " + "9" * 5000 + "\n")}),
        None,
        [
            f"content/digits.md:4: {ERR} a number of 5000 characters (at most 100) — put long"
            ' numbers in quotes: "…"'
        ],
    ),
    (
        "title-of-4000-hex-digits",
        files(**{"hex.md": page("title: 0x" + "f" * 4000 + "\nhero_image: good.jpg\n")}),
        None,
        [
            f"content/hex.md:2: {ERR} a number of 4002 characters (at most 100) — put long"
            ' numbers in quotes: "…"'
        ],
    ),
    (
        "yaml-nested-3000-deep",
        files(**{"deep.md": _hero("x: " + "[" * 3000 + "]" * 3000 + "\n")}),
        None,
        [
            f"content/deep.md:4: {ERR} values nested more than 32 levels deep — front matter"
            " keys hold text; flatten the lists and tables"
        ],
    ),
    (
        "lone-surrogate",
        files(**{"surrogate.md": page('title: "\\ud800"\nhero_image: good.jpg\n')}),
        None,
        [
            f"content/surrogate.md:2: {ERR} the text holds \\ud800, half of a surrogate pair,"
            " which is not a character — remove the \\ud800 escape or write the character itself"
        ],
    ),
    (
        "hero-name-of-300-characters",
        files(**{"longname.md": page("title: A\nhero_image: " + "a" * 300 + ".jpg\n")}),
        None,
        [
            "content/longname.md:3: error: 'hero_image' names a file of 304 characters; file"
            " names have at most 255 — rename the image to a short name and write that"
        ],
    ),
    (
        "billion-laughs",
        files(**{"laughs.md": f"---\nhero_image: good.jpg\n{LAUGHS}---\nText.\n".encode()}),
        None,
        [
            f"content/laughs.md:8: {ERR} the front matter holds more than 100000 values once"
            " its aliases (*name) are expanded — write the values out instead of repeating aliases"
        ],
    ),
    (
        "alias-inside-itself",
        files(**{"cycle.md": _hero("x: &a [1, *a]\n")}),
        None,
        [
            f"content/cycle.md:4: {ERR} the alias *a refers to the value it is part of — remove"
            " the alias"
        ],
    ),
    (
        "title-of-400-characters",
        files(**{"wordy.md": page("title: " + "Long title " * 37 + "\nhero_image: good.jpg\n")}),
        None,
        [
            "content/wordy.md:2: error: 'title' is 406 characters long; at most 300 — shorten it"
            " (put the rest in the text)"
        ],
    ),
    (
        "20000-unknown-keys",
        files(**{"keys.md": _hero("".join(f"k{i}: v\n" for i in range(20_000)))}),
        "keys.en.a5.pdf",
        [
            "content/keys.md:4: warning: 20000 front-matter key(s) that brochure does not use are"
            " ignored on 1 page(s): 'k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7' and 19992 more"
            " — nothing to do if your site uses them; brochure reads the keys listed in"
            " docs/writing-pages.md"
        ],
    ),
    (
        "rich-markup-in-a-file-name",
        files(**{"markup.md": page('title: Markup\nhero_image: "[/]x.jpg"\n')}),
        None,
        [
            f"content/markup.md:3: error: hero image '[/]x.jpg' not found — {HERO_HINT}",
        ],
    ),
    (
        "unreadable-hero",
        _locked_hero,
        None,
        [
            "content/locked.md:3: error: hero image 'locked.jpg': cannot read the image"
            " (Permission denied) — check the file's permissions: the build must be able to"
            " read it"
        ],
    ),
    (
        "unreadable-folder",
        _locked_folder,
        None,
        [
            "content/private: warning: cannot read this folder (Permission denied); its pages"
            " are skipped — check the folder's permissions"
        ],
    ),
    (
        "corrupt-exif",
        files(
            **{
                "images__exif.jpg": _corrupt_exif,
                "exif.md": page("title: Exif\nhero_image: exif.jpg\n"),
            }
        ),
        "exif.en.a5.pdf",
        [
            "content/exif.md:3: warning: hero image 'exif.jpg': Corrupt EXIF data. Expecting to"
            " read 12 bytes but only got 8. — export the photo again (its metadata is damaged)"
        ],
    ),
    (
        "body-image-of-90-megapixels",
        files(
            **{
                "images__huge.png": lambda p: _png_claiming(p, 9500, 9500),
                "huge.md": _hero().replace(b"Text.", b"![huge](images/huge.png)"),
            }
        ),
        "huge.en.a5.pdf",
        [
            "content/huge.md: warning: image 'images/huge.png': the image claims 9500×9500 pixels,"
            " more than the 50 megapixels allowed; it is left out — this looks like a damaged or"
            " hostile file; export the photo again"
        ],
    ),
    (
        "svg-use-bomb-as-a-body-image",
        files(
            **{
                "images__bomb.svg": svg_bomb(),
                "svg.md": _hero().replace(b"Text.", b"![bomb](images/bomb.svg)"),
            }
        ),
        "svg.en.a5.pdf",
        [
            "content/svg.md: warning: image 'images/bomb.svg': not a JPEG, PNG, WebP or AVIF image"
            " (or the file is damaged); it is left out — export the image again as JPEG or PNG"
        ],
    ),
    (
        "a-bug-in-brochure",
        files(**{"bug.md": _hero().replace(b"Text.", BUG.encode())}),
        None,
        [
            "content/bug.md: error: internal error while making bug.en.a5.pdf: ValueError: a"
            " planted bug — this is a bug in brochure; please report it with the output of"
            " 'brochure --debug build …'"
        ],
    ),
    (
        "relative-link-to-another-page",
        files(
            **{
                "other.md": page("title: Other page\nhero_image: good.jpg\nslug: other\n"),
                "linking.md": _hero().replace(
                    b"Text.", b"Read [](other.md) and [our prices](prices.md)."
                ),
            }
        ),
        "linking.en.a5.pdf",
        [],
    ),
    (
        "word-of-5000-letters",
        files(**{"word.md": _hero().replace(b"Text.", b"x" * 5_000)}),
        "word.en.a5.pdf",
        [],
    ),
]


def unprivileged(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, permission bits stop no read: make brochure meet them as a user would."""
    if os.geteuid() != 0:
        return
    from brochure import safety

    def refuse(path: Any) -> None:
        mode = Path(path).stat().st_mode
        if not mode & stat.S_IRUSR or (stat.S_ISDIR(mode) and not mode & stat.S_IXUSR):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

    real_open, real_scandir = safety._open, os.scandir

    def opening(path: Path) -> int:
        refuse(path)
        return real_open(path)

    def scanning(path: Any = ".") -> Any:
        if not isinstance(path, int):  # shutil.rmtree lists open folders by descriptor
            refuse(path)
        return real_scandir(path)

    monkeypatch.setattr(safety, "_open", opening)
    monkeypatch.setattr(os, "scandir", scanning)


@dataclass
class Round:
    base: Path
    code: int
    stdout: str
    stderr: list[str]
    report: Report


@pytest.fixture(scope="module")
def round_two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Round]:
    from brochure import build as build_module
    from brochure import markdown

    base = tmp_path_factory.mktemp("round-two")
    root = base / "content"
    (root / "images").mkdir(parents=True)
    (base / "victim").mkdir()
    make_photo(root / "images" / "good.jpg", (600, 400), format="JPEG")
    (root / "good.md").write_text(GOOD, encoding="utf-8")
    shutil.copy(CONTENT / "brochure.toml", root / "brochure.toml")
    shutil.copy(CONTENT / "images" / "logo.svg", root / "images" / "logo.svg")
    for _, setup, _, _ in ROUND_TWO:
        setup(root)
    reports: list[Report] = []
    with pytest.MonkeyPatch.context() as patch:
        unprivileged(patch)
        original_build, original_blocks = build_module.build, markdown.render_blocks

        def recording(*args: Any, **kwargs: Any) -> Report:
            reports.append(original_build(*args, **kwargs))
            return reports[-1]

        def planted(body: str, *args: Any, **kwargs: Any) -> Any:
            if BUG in body:
                raise ValueError("a planted bug")
            return original_blocks(body, *args, **kwargs)

        patch.setattr(build_module, "build", recording)
        patch.setattr(markdown, "render_blocks", planted)
        code, stdout, stderr = run(
            "build", "content", "--out", "dist", "--layout", "single", "--size", "a5",
            "--jobs", "1", cwd=base,
        )  # fmt: skip
    yield Round(base, code, stdout, stderr.splitlines(), reports[0])
    for folder in (root / "private", root / "images"):
        folder.chmod(0o755)
    (root / "images" / "locked.jpg").chmod(0o644)


@pytest.mark.parametrize(
    ("made", "expected"), [pytest.param(m, e, id=i) for i, _, m, e in ROUND_TWO]
)
def test_round_two(round_two: Round, made: str | None, expected: list[str]) -> None:
    for line in expected:
        assert line in round_two.stderr
    assert round_two.code == 1
    assert "Traceback" not in round_two.stdout + "\n".join(round_two.stderr)
    out = round_two.base / "dist"
    assert (out / "good.en.a5.pdf").is_file()
    if made is not None:
        assert (out / made).read_bytes().startswith(b"%PDF-")


def test_round_two_says_nothing_else_and_leaves_nothing_behind(round_two: Round) -> None:
    expected = [line for _, _, _, lines in ROUND_TWO for line in lines]
    assert sorted(round_two.stderr) == sorted(expected)
    out = round_two.base / "dist"
    made = sorted(p.name for p in out.iterdir() if p.suffix == ".pdf")
    assert made == sorted(
        ["good.en.a5.pdf", "other.en.a5.pdf", *(m for _, _, m, _ in ROUND_TWO if m)]
    )
    assert sorted(p.name for p in out.iterdir() if p.suffix != ".pdf") == sorted(
        [CACHE_DIR, MANIFEST_NAME, FOLDER, INDEX]
    )
    assert list((round_two.base / "victim").iterdir()) == []  # lang: "../../victim/report"


def test_round_two_opened_nothing_outside(round_two: Round) -> None:
    root = (round_two.base / "content").resolve()
    assets = Path(__file__).resolve().parent.parent
    opened = [Path(p) for p in round_two.report.opened]
    assert opened and all(p.is_relative_to(root) or p.is_relative_to(assets) for p in opened)
    assert str(round_two.base.resolve() / "secret.md") in round_two.report.refused
    assert not any("secret" in p.name for p in opened)


def test_the_genuine_bug_shows_its_traceback_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brochure import markdown

    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    make_photo(root / "images" / "good.jpg", (600, 400), format="JPEG")
    (root / "bug.md").write_bytes(_hero().replace(b"Text.", BUG.encode()))
    original = markdown.render_blocks

    def planted(body: str, *args: Any, **kwargs: Any) -> Any:
        if BUG in body:
            raise ValueError("a planted bug")
        return original(body, *args, **kwargs)

    monkeypatch.setattr(markdown, "render_blocks", planted)
    code, _, stderr = run(
        "--debug", "build", "content", "--out", "dist", "--size", "a5", "-q", cwd=tmp_path
    )
    assert code == 1
    assert "Traceback (most recent call last):" in stderr
    assert 'raise ValueError("a planted bug")' in stderr
    assert stderr.splitlines()[-1].startswith(
        "content/bug.md: error: internal error while making bug.en.a5.pdf: ValueError"
    )


def test_a_relative_link_prints_the_page_title_never_a_file_link(round_two: Round) -> None:
    pdf = round_two.base / "dist" / "linking.en.a5.pdf"
    with pdfplumber.open(pdf) as doc:
        uris = [a.get("uri") or "" for p in doc.pages for a in p.annots]
        text = " ".join(p.extract_text() or "" for p in doc.pages)
    assert not [u for u in uris if not u.startswith(("https:", "http:", "mailto:", "tel:"))]
    assert "Read Other page and our prices." in " ".join(text.split())


def test_a_word_of_5000_letters_is_set_on_lines_of_its_own(round_two: Round) -> None:
    with pdfplumber.open(round_two.base / "dist" / "word.en.a5.pdf") as doc:
        lines = [line for p in doc.pages for line in (p.extract_text() or "").splitlines()]
    word = [line for line in lines if set(letters(line)) == {"x"}]
    assert sum(len(letters(line)) for line in word) == 5_000  # every letter, on many lines
    assert len(word) > 5_000 // 80
