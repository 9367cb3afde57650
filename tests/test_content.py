"""Unit tests for content.py: reading pages, finding them, pairing translations, slugs."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from brochure import content
from brochure.content import Page
from brochure.errors import ContentError, display_path
from brochure.sources import plain

SEEDS = Path(__file__).resolve().parent.parent / "content"  # the seeds, as written
SEED_EN = "000_47d77d7bc2ab0bf7.txt"
SEED_RU = "002_c6f757d758559312.txt"


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read(folder: Path, name: str, data: str | bytes) -> Page:
    return content.read_page(write(folder, name, data), folder)


def read_error(folder: Path, name: str, data: str | bytes) -> tuple[Path, ContentError]:
    path = write(folder, name, data)
    with pytest.raises(ContentError) as info:
        content.read_page(path, folder)
    return path, info.value


def copy_seeds(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(SEEDS / name, folder / name)) for name in (SEED_EN, SEED_RU)]


# --- read_page: the real seed pages ------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "lang", "first_body_line"),
    [
        (SEED_EN, "Hair mesotherapy", "en", "# Hair mesotherapy"),
        (SEED_RU, "Мезотерапия волос", "ru", "# Мезотерапия волос "),
    ],
)
def test_seed_pages_are_read(
    tmp_path: Path, name: str, title: str, lang: str, first_body_line: str
) -> None:
    copy_seeds(tmp_path)
    page = content.read_page(tmp_path / name, tmp_path)
    assert page.title == title
    assert page.hero == "mezoterapiya-volos.JPG"
    assert page.meta == {"title": title, "hero_image": "mezoterapiya-volos.JPG"}
    assert (page.lang, page.lang_source) == (lang, "detected")
    assert page.body_line == 5
    assert page.body.split("\n")[0] == first_body_line
    assert page.warnings == []


# --- read_page: encodings and line ends --------------------------------------

RU_PAGE = "---\ntitle: Ботокс\n---\nПервая строка\nвторая строка\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(RU_PAGE.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + RU_PAGE.encode("utf-8"), id="utf-8-sig"),
        pytest.param(RU_PAGE.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(RU_PAGE.replace("\n", "\r").encode("utf-8"), id="lone-cr"),
        pytest.param(
            codecs.BOM_UTF8 + RU_PAGE.replace("\n", "\r\n").encode("utf-8"), id="bom-crlf"
        ),
        pytest.param(codecs.BOM_UTF16_LE + RU_PAGE.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + RU_PAGE.encode("utf-16-be"), id="utf-16-be-bom"),
    ],
)
def test_encodings_and_line_ends_read_the_same(tmp_path: Path, data: bytes) -> None:
    page = read(tmp_path, "botox.md", data)
    assert page.title == "Ботокс"
    assert page.body == "Первая строка\nвторая строка\n"
    assert page.body_line == 4
    assert (page.lang, page.lang_source) == ("ru", "detected")
    assert page.warnings == []


@pytest.mark.parametrize(("codec", "name"), [("cp1251", "Windows-1251"), ("koi8_r", "KOI8-R")])
def test_legacy_russian_encoding_is_decoded_with_a_warning(
    tmp_path: Path, codec: str, name: str
) -> None:
    # The Russian seed, minus the one letter (ó) these code pages cannot hold.
    text = (SEEDS / SEED_RU).read_text(encoding="utf-8").replace("ó", "о")
    path = write(tmp_path, "page.txt", text.encode(codec))
    page = content.read_page(path, tmp_path)
    assert page.title == "Мезотерапия волос"
    assert page.body == text.split("---\n", 2)[2]
    assert page.lang == "ru"
    assert [str(w) for w in page.warnings] == [
        f"{display_path(path)}: warning: not UTF-8; read as {name}"
        " — save the file as UTF-8 to silence this warning"
    ]


def test_undecodable_bytes_are_an_error_with_the_line(tmp_path: Path) -> None:
    data = b"---\ntitle: A\n---\nline four\nfive \xff\xfe\x00\x81 here\x90\x8d\n"
    path, exc = read_error(tmp_path, "page.md", data)
    assert exc.line == 5
    assert str(exc) == (
        f"{display_path(path)}:5: error: not valid UTF-8 (byte 0xff) and not a known Russian"
        " encoding — save the file as UTF-8"
    )


# --- read_page: front matter ---------------------------------------------------


def test_front_matter_keys_may_be_indented(tmp_path: Path) -> None:
    page = read(
        tmp_path,
        "page.md",
        "---\n  title: Botox \n  hero_image: botox.jpg\n  lang: en\n---\nText\n",
    )
    assert page.title == "Botox"
    assert page.meta == {"title": "Botox", "hero_image": "botox.jpg", "lang": "en"}
    assert page.hero == "botox.jpg"
    assert page.body == "Text\n"
    assert page.body_line == 6


FM_HINT = "fix the YAML between the '---' lines (quote values that contain ':')"
TEXT_HINT = 'put the value in quotes: title: "…"'
NO_TITLE_HINT = "add 'title: …' to the front matter"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            "---\ntitle: A\nText\n",
            1,
            "the front matter opened with '---' is never closed"
            " — add a line with '---' after the last key",
            id="unclosed",
        ),
        pytest.param(
            "\n\n---\ntitle: A\nText\n",
            3,
            "the front matter opened with '---' is never closed"
            " — add a line with '---' after the last key",
            id="unclosed-after-blank-lines",
        ),
        pytest.param(
            "---\ntitle: A\n\thero_image: a.jpg\n---\nText\n",
            3,
            "a tab indents this front-matter line; YAML allows only spaces"
            " — replace the tab with spaces",
            id="tab",
        ),
        pytest.param(
            "---\n\ntitle: A\n\thero_image: a.jpg\n---\nText\n",
            4,
            "a tab indents this front-matter line; YAML allows only spaces"
            " — replace the tab with spaces",
            id="tab-after-blank-line",
        ),
        pytest.param(
            "---\ntitle: Hair: mesotherapy\nlang: en\n---\nText\n",
            2,
            f"invalid front matter: mapping values are not allowed here — {FM_HINT}",
            id="yaml-colon-in-value",
        ),
        pytest.param(
            "---\ntitle: A\n  hero_image: a.jpg\nlang: en\n---\nText\n",
            3,
            f"invalid front matter: mapping values are not allowed here — {FM_HINT}",
            id="yaml-bad-indent",
        ),
        pytest.param(
            "\n---\nlang: en\ntitle: Hair: mesotherapy\n---\nText\n",
            4,
            f"invalid front matter: mapping values are not allowed here — {FM_HINT}",
            id="yaml-after-leading-blank-line",
        ),
        pytest.param(
            "---\n\nlang: en\ntitle: Hair: mesotherapy\n---\nText\n",
            4,
            f"invalid front matter: mapping values are not allowed here — {FM_HINT}",
            id="yaml-after-blank-line-inside",
        ),
        pytest.param(
            "---\ntitle: A\nhero_image: {a.jpg\n---\nText\n",
            3,
            f"invalid front matter: expected ',' or '}}', but got '<stream end>' — {FM_HINT}",
            id="yaml-unclosed-brace",
        ),
        pytest.param(
            # The quote opens on line 3; line 5 is the closing '---'.
            '---\ntitle: A\nhero_image: "a.jpg\nlang: en\n---\nText\n',
            3,
            f"invalid front matter: found unexpected end of stream — {FM_HINT}",
            id="yaml-unclosed-quote",
        ),
        pytest.param(
            "---\n- title\n- lang\n---\nText\n",
            2,
            "the front matter is not a list of 'key: value' lines"
            " — write it as 'title: …' and 'hero_image: …' lines",
            id="front-matter-is-a-list",
        ),
        pytest.param(
            "---\nlang: en\ntitle: 42\n---\nText\n",
            3,
            f"'title' must be text, got a number (42) — {TEXT_HINT}",
            id="title-number",
        ),
        pytest.param(
            "---\nlang: en\ntitle: [Hair, mesotherapy]\n---\nText\n",
            3,
            f"'title' must be text, got a list (['Hair', 'mesotherapy']) — {TEXT_HINT}",
            id="title-list",
        ),
        pytest.param(
            "---\nlang: en\n---\nJust a paragraph, no heading.\n",
            1,
            f"no title: no 'title' and no heading to use instead — {NO_TITLE_HINT}",
            id="no-title-no-heading",
        ),
        pytest.param(
            "---\nlang: en\n---\n",
            1,
            "the file has only front matter: no 'title' and no heading to use instead"
            f" — {NO_TITLE_HINT}",
            id="only-front-matter-no-title",
        ),
        pytest.param(
            "---\ntitle: A\n---",
            4,
            "the page has no text after the front matter"
            " — write the page's text below the closing '---'",
            id="only-front-matter-no-newline",
        ),
        pytest.param(
            # The body would start on line 4; there is no line 5.
            "---\ntitle: A\n---\n",
            4,
            "the page has no text after the front matter"
            " — write the page's text below the closing '---'",
            id="only-front-matter",
        ),
    ],
)
def test_page_errors_name_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path, exc = read_error(tmp_path, "page.md", text)
    assert exc.line == line
    assert str(exc) == f"{display_path(path)}:{line}: error: {message}"


def test_title_that_is_a_date_is_an_error_naming_the_type(tmp_path: Path) -> None:
    _, exc = read_error(tmp_path, "page.md", "---\nlang: en\n\ntitle: 2024-05-01\n---\nText\n")
    assert exc.line == 4
    assert exc.message.startswith("'title' must be text, got a date (")
    assert exc.hint == TEXT_HINT


@pytest.mark.parametrize("text", ["", "\n", "  \n\t\n", "\ufeff\r\n"])
def test_empty_file_is_an_error(tmp_path: Path, text: str) -> None:
    path, exc = read_error(tmp_path, "page.md", text)
    assert exc.line is None
    assert str(exc) == (
        f"{display_path(path)}: error: the file is empty"
        " — write a title and some text, or delete it"
    )


@pytest.mark.parametrize(
    ("text", "title", "line"),
    [
        ("---\nlang: en\n---\n\nIntro.\n\n## Botox prices ##\n\nText\n", "Botox prices", 7),
        ("# Botox\n\nText\n", "Botox", 1),
        ("\n\nIntro.\n\n### Ботокс\n", "Ботокс", 5),
    ],
)
def test_missing_title_uses_the_first_heading_with_a_warning(
    tmp_path: Path, text: str, title: str, line: int
) -> None:
    path = write(tmp_path, "page.md", text)
    page = content.read_page(path, tmp_path)
    assert page.title == title
    assert [str(w) for w in page.warnings] == [
        f"{display_path(path)}:{line}: warning: no 'title' in the front matter;"
        f" using the first heading '{title}' — {NO_TITLE_HINT}"
    ]


def test_unknown_key_warns_only_for_a_near_miss_of_brochures_own(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "page.md",
        "---\n  title: A\n  hero_imgae: a.jpg\n  colour: red\n  header_image: false\n"
        "  tags: [a]\n---\nText\n",
    )
    page = content.read_page(path, tmp_path)
    where = display_path(path)
    assert [str(w) for w in page.warnings] == [
        f"{where}:3: warning: unknown front-matter key 'hero_imgae' is ignored"
        " — did you mean 'hero_image'?",
    ]
    # Keys no content system writes are collected for one line per run; CMS keys are quiet.
    assert page.unknown == ["colour"]
    assert page.hero is None


# --- read_page: language -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "front_matter", "body", "lang", "source"),
    [
        ("x.ru.md", "lang: en\n", "Plain English text.", "ru", "file name"),
        ("x.en.md", "", "Русский текст страницы.", "en", "file name"),
        ("x.md", "lang: en\n", "Русский текст страницы.", "en", "front matter"),
        ("x.md", "lang: RU-ru\n", "Plain English text.", "ru", "front matter"),
        ("x.md", "", "Русский текст страницы.", "ru", "detected"),
        ("x.md", "", "Plain English text, with одно слово.", "en", "detected"),
    ],
)
def test_language_file_name_then_front_matter_then_detection(
    tmp_path: Path, name: str, front_matter: str, body: str, lang: str, source: str
) -> None:
    page = read(tmp_path, name, f"---\ntitle: T\n{front_matter}---\n{body}\n")
    assert (page.lang, page.lang_source) == (lang, source)


# --- meaningful names and slugs -------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("000_47d77d7bc2ab0bf7", False),
        ("002_c6f757d758559312", False),
        ("47d77d7bc2ab0bf7", False),
        ("index", False),
        ("_index", False),
        ("page", False),
        ("2024-05-01", False),
        ("hair-mesotherapy", True),
        ("botox", True),
        ("Мезотерапия", True),
        ("01-chemical-peel", True),
    ],
)
def test_meaningful(stem: str, expected: bool) -> None:
    assert plain.meaningful(stem) is expected


def brochures(folder: Path, files: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """Write the files, read them in sorted order, pair them; (slug, {lang: file}) each."""
    for name, text in files.items():
        write(folder, name, text)
    pages = [content.read_page(folder / name, folder) for name in sorted(files)]
    result, warnings = plain.pair(pages)
    assert warnings == []
    return [
        (b.slug, {lang: p.path.relative_to(folder).as_posix() for lang, p in b.pages.items()})
        for b in result
    ]


def test_seeds_pair_into_one_brochure(tmp_path: Path) -> None:
    copy_seeds(tmp_path)
    pages = [content.read_page(tmp_path / name, tmp_path) for name in (SEED_EN, SEED_RU)]
    result, warnings = plain.pair(pages)
    assert warnings == []
    assert [(b.slug, b.langs) for b in result] == [("hair-mesotherapy", ["en", "ru"])]
    assert result[0].pages["en"].path.name == SEED_EN
    assert result[0].pages["ru"].path.name == SEED_RU


EN = "---\ntitle: {title}\n{extra}---\nSome English text.\n"
RU = "---\ntitle: {title}\n{extra}---\nНемного русского текста.\n"


def en(title: str, extra: str = "") -> str:
    return EN.format(title=title, extra=extra)


def ru(title: str, extra: str = "") -> str:
    return RU.format(title=title, extra=extra)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"botox.en.md": en("Botox"), "botox.ru.md": ru("Ботокс")},
            [("botox", {"en": "botox.en.md", "ru": "botox.ru.md"})],
            id="hugo-name-lang",
        ),
        pytest.param(
            {"botox/index.en.md": en("Botox"), "botox/index.ru.md": ru("Ботокс")},
            [("botox", {"en": "botox/index.en.md", "ru": "botox/index.ru.md"})],
            id="hugo-bundle",
        ),
        pytest.param(
            {"a/botox.en.md": en("Botox"), "b/botox.ru.md": ru("Ботокс")},
            [("botox", {"en": "a/botox.en.md"}), ("botox", {"ru": "b/botox.ru.md"})],
            id="hugo-names-in-different-folders-stay-apart",
        ),
        pytest.param(
            {
                "chemical-peel.md": en("Chemical peel", "translationKey: peel\n"),
                "khimicheskiy-piling.md": ru("Химический пилинг", "translationKey: peel\n"),
            },
            [("chemical-peel", {"en": "chemical-peel.md", "ru": "khimicheskiy-piling.md"})],
            id="translation-key",
        ),
        pytest.param(
            {
                "000_aa11bb22cc33.md": en("Laser", "translationKey: laser-hair-removal\n"),
                "001_dd44ee55ff66.md": ru("Лазер", "translationKey: laser-hair-removal\n"),
            },
            [
                (
                    "laser-hair-removal",
                    {"en": "000_aa11bb22cc33.md", "ru": "001_dd44ee55ff66.md"},
                )
            ],
            id="translation-key-hash-names",
        ),
        pytest.param(
            {"1a2b3c4d5e6f.md": en("Peeling", "slug: Chemical Peel\n")},
            [("chemical-peel", {"en": "1a2b3c4d5e6f.md"})],
            id="slug-from-front-matter",
        ),
        pytest.param(
            {"0f9e8d7c6b5a.md": ru("Пилинг лица", "hero_image: images/face-peel.jpg\n")},
            [("face-peel", {"ru": "0f9e8d7c6b5a.md"})],
            id="russian-hash-name-slug-from-hero",
        ),
        pytest.param(
            {
                "001_aa11bb22cc.md": en("Peeling", "hero_image: shared.jpg\n"),
                "002_dd33ee44ff.md": en("Laser", "hero_image: shared.jpg\n"),
            },
            [("laser", {"en": "002_dd33ee44ff.md"}), ("peeling", {"en": "001_aa11bb22cc.md"})],
            id="two-english-pages-one-hero-not-merged",
        ),
        pytest.param(
            {
                "001_aa11bb22cc.md": en("Peeling", "hero_image: shared.jpg\n"),
                "002_dd33ee44ff.md": ru("Пилинг", "hero_image: shared.jpg\n"),
                "003_ab12cd34ef.md": en("Laser", "hero_image: shared.jpg\n"),
            },
            [
                ("laser", {"en": "003_ab12cd34ef.md"}),
                ("peeling", {"en": "001_aa11bb22cc.md"}),
                ("shared", {"ru": "002_dd33ee44ff.md"}),
            ],
            id="ambiguous-hero-not-merged",
        ),
        pytest.param(
            {
                "001_aa11bb22cc.md": en("Peeling", "hero_image: images/Peel.JPG\n"),
                "002_dd33ee44ff.md": ru("Пилинг", "hero_image: peel.jpg\n"),
            },
            [("peeling", {"en": "001_aa11bb22cc.md", "ru": "002_dd33ee44ff.md"})],
            id="shared-hero-by-file-name",
        ),
    ],
)
def test_pair_and_slugs(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, dict[str, str]]]
) -> None:
    assert brochures(tmp_path, files) == expected


# --- discover --------------------------------------------------------------------


def test_discover_finds_pages_recursively_in_sorted_order(tmp_path: Path) -> None:
    copy_seeds(tmp_path)
    page = "---\ntitle: A\n---\nText\n"
    for name, text in {
        "README.md": "# About this folder\n",
        "readme.ru.md": "# О папке\n",
        "notes.txt": "just notes, no front matter\n",
        "images/caption.md": page,
        "services/static/x.md": page,
        ".drafts/draft.md": page,
        ".hidden.md": page,
        "brochure.toml": "",
        "photo.jpg": "",
        "services/peel.md": page,
        "services/botox/index.ru.md": page,
        "services/botox/index.en.md": page,
        "about.markdown": page,
        "crlf.txt": "\r\n---\r\ntitle: A\r\n---\r\nText\r\n",
        "bom.txt": "\ufeff---\ntitle: A\n---\nText\n",
    }.items():
        write(tmp_path, name, text)
    found = [p.relative_to(tmp_path).as_posix() for p in plain.discover([tmp_path])]
    assert found == [
        SEED_EN,
        SEED_RU,
        "about.markdown",
        "bom.txt",
        "crlf.txt",
        "services/botox/index.en.md",
        "services/botox/index.ru.md",
        "services/peel.md",
    ]


def test_discover_keeps_named_files_and_drops_duplicates(tmp_path: Path) -> None:
    en_seed, ru_seed = copy_seeds(tmp_path)
    notes = write(tmp_path, "notes.txt", "no front matter\n")
    found = list(plain.discover([notes, ru_seed, tmp_path]))
    assert found == [notes, ru_seed, en_seed]


def test_discover_finds_a_utf16_txt_page(tmp_path: Path) -> None:
    # Windows Notepad's "Unicode" is UTF-16 with a BOM, which read_page accepts.
    write(tmp_path, "page.txt", codecs.BOM_UTF16_LE + RU_PAGE.encode("utf-16-le"))
    assert [p.name for p in plain.discover([tmp_path])] == ["page.txt"]
