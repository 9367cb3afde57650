"""The catalogue (`<out>/index.html`): opened from file:// in a real browser, and its cache."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from brochure.build import Report, build
from brochure.catalogue import INDEX
from brochure.catalogue_files import FOLDER
from brochure.palette import contrast, palette

from .conftest import CONTENT, make_content, make_photo
from .test_serve import _browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalogue"
BROKEN = "content/broken.en.md:2: error: invalid front matter"
PEEL = ("chemical-peel.en.md", "chemical-peel.ru.md")


@dataclass
class Site:
    root: Path
    out: Path
    report: Report


def _content(folder: Path, names: list[str]) -> Path:
    """The seed content, a small photo and some of the fixture pages."""
    root = make_content(folder)
    make_photo(root / "images" / "photo.jpg", (900, 600), format="JPEG")
    for name in names:
        shutil.copy(FIXTURES / name, root / name)
    return root


def _small(folder: Path, names: tuple[str, ...] = PEEL) -> Path:
    """Only fixture pages (short, a small photo): quick to build again and again."""
    (folder / "images").mkdir(parents=True)
    shutil.copy(CONTENT / "brochure.toml", folder / "brochure.toml")
    shutil.copy(CONTENT / "images" / "logo.svg", folder / "images" / "logo.svg")
    make_photo(folder / "images" / "photo.jpg", (900, 600), format="JPEG")
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The seed, a Russian–English page, an English one with markup in its title and a broken
    page, built once for the office and then, in another run, A5 for e-mail."""
    base = tmp_path_factory.mktemp("catalogue")
    names = [p.name for p in sorted(FIXTURES.glob("*.md"))]
    root = _content(base / "content", names)
    out = base / "dist"
    build([root], out)
    report = build([root], out, profiles=("email",), sizes=("a5",))  # the catalogue lists both
    assert len(report.failures) == 1 and BROKEN in str(report.failures[0])
    assert not report.warnings
    return Site(root, out, report)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    manager, chromium = _browser()
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture(scope="module")
def opened(site: Site, browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """The catalogue opened from file:// in English, every request it made recorded."""
    requests: list[str] = []
    page = browser.new_page(locale="en-GB")
    page.on("request", lambda request: requests.append(request.url))
    page.goto((site.out / INDEX).as_uri())
    page.wait_for_load_state("load")
    yield page, requests
    page.close()


def _visible_cards(page: Any) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('.card')].filter(c => !c.hidden).map(c => c.id)"
    )


def test_every_brochure_has_a_card(opened: tuple[Any, list[str]]) -> None:
    page, _ = opened
    assert sorted(_visible_cards(page)) == [
        "chemical-peel",
        "failed-1",
        "hair-mesotherapy",
        "trichoscopy",
    ]
    titles = page.locator("#chemical-peel .title")
    assert titles.all_inner_texts() == ["Химический пилинг", "Chemical peel"]  # the site's order
    russian, english = (titles.nth(i).bounding_box() for i in range(2))
    assert english and russian and english["y"] < russian["y"]  # the page's language on top
    assert page.locator("#count").inner_text() == "Showing 4 of 4"
    assert page.locator("#count").get_attribute("aria-live") == "polite"


def test_thumbnails_load_and_are_small(site: Site, opened: tuple[Any, list[str]]) -> None:
    page, _ = opened
    widths = page.evaluate("[...document.querySelectorAll('.cover img')].map(i => i.naturalWidth)")
    assert widths == [240, 240, 240]  # the failed page has none
    thumbs = sorted((site.out / FOLDER / "thumbs").iterdir())
    assert len(thumbs) == 3
    assert all(t.suffix == ".webp" and 0 < t.stat().st_size < 12_000 for t in thumbs)


def test_links_point_at_the_pdfs_they_name(site: Site, opened: tuple[Any, list[str]]) -> None:
    page, _ = opened
    links = page.evaluate(
        """[...document.querySelectorAll('a.pdf')].map(a => [
            a.closest('.card').id, a.closest('.row').dataset.lang,
            a.parentElement.dataset.profile, a.dataset.size, a.getAttribute('href'), a.href,
            a.textContent])"""
    )
    assert len(links) == 14 + 7  # office: seed and peel 3 versions × 2 sizes, 1 × 2; e-mail: A5
    for slug, langs, profile, size, href, absolute, content in links:
        text = " ".join(content.split())
        folder = "" if profile == "office" else f"{profile}/"
        assert href == f"{folder}{slug}.{langs}.{size}.pdf"
        pdf = Path(unquote(urlsplit(absolute).path))
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-")
        if profile == "email":  # the e-mail version shows its size
            assert text.endswith(f"{size.upper()} {round(pdf.stat().st_size / 1024)} KB"), text
        else:
            assert text.endswith(size.upper()), text


def test_typing_part_of_a_russian_title_leaves_only_its_card(
    opened: tuple[Any, list[str]],
) -> None:
    page, _ = opened
    for query, expected in [
        ("пилинг", ["chemical-peel"]),
        ("ХИМИЧ", ["chemical-peel"]),
        ("мезотерапия волос", ["hair-mesotherapy"]),
        ("hair-meso", ["hair-mesotherapy"]),
        ("волос пилинг", []),
        ("", ["hair-mesotherapy", "chemical-peel", "trichoscopy", "failed-1"]),
    ]:
        page.fill("#search", query)
        assert sorted(_visible_cards(page)) == sorted(expected), query
        assert page.locator("#count").inner_text() == f"Showing {len(expected)} of 4"
        assert page.locator("#none").is_visible() == (not expected)


def test_filters_by_language_size_and_use(opened: tuple[Any, list[str]]) -> None:
    page, _ = opened

    def shown() -> list[str]:
        return page.evaluate(
            """[...document.querySelectorAll('a.pdf')].filter(a => a.offsetParent)
               .map(a => a.getAttribute('href'))"""
        )

    page.check("input[name=lang][value=ru]")
    assert sorted(_visible_cards(page)) == ["chemical-peel", "failed-1", "hair-mesotherapy"]
    assert all(".ru." in href for href in shown()) and len(shown()) == 6
    page.check("input[name=size][value=a5]")
    page.check("input[name=use][value=email]")
    assert sorted(shown()) == ["email/chemical-peel.ru.a5.pdf", "email/hair-mesotherapy.ru.a5.pdf"]
    page.click("#filters input[name=lang][value='']")
    page.click("#filters input[name=size][value='']")
    page.click("#filters input[name=use][value='']")
    assert len(shown()) == 21


def test_keyboard_reaches_every_link_with_a_visible_focus(opened: tuple[Any, list[str]]) -> None:
    page, _ = opened
    page.fill("#search", "")
    for name in ("lang", "size", "use"):
        page.check(f"#filters input[name={name}][value='']")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    wanted = page.evaluate("[...document.querySelectorAll('a.pdf')].map(a => a.href)")
    reached: set[str] = set()
    for _ in range(len(wanted) + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """(() => {
                const e = document.activeElement, s = getComputedStyle(e);
                return [e.tagName, e.href || '', s.outlineStyle, parseFloat(s.outlineWidth)];
            })()"""
        )
        if focused[0] == "A":
            assert focused[2] == "solid" and focused[3] >= 2, focused  # focus is visible
            reached.add(focused[1])
    assert reached == set(wanted)


def test_nothing_is_fetched_from_outside_the_folder(
    site: Site, opened: tuple[Any, list[str]]
) -> None:
    _, requests = opened
    assert requests
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    for url in requests:
        if url.startswith("file://"):
            assert Path(unquote(urlsplit(url).path)).is_relative_to(site.out), url


def test_page_text_never_becomes_markup(site: Site, opened: tuple[Any, list[str]]) -> None:
    page, _ = opened
    assert page.locator("#trichoscopy .title").inner_text() == (
        'Trichoscopy <img src=x onerror="document.body.dataset.owned=1"> & </script>'
    )
    assert page.locator(".body img").count() == 0
    assert page.evaluate("document.body.dataset.owned") is None
    source = (site.out / INDEX).read_text(encoding="utf-8")
    assert "<img src=x" not in source and "&lt;img src=x" in source


def test_a_failed_page_says_so_on_its_card(opened: tuple[Any, list[str]]) -> None:
    page, _ = opened
    card = page.locator("#failed-1")
    assert "failed" in (card.get_attribute("class") or "")
    assert card.locator(".title").inner_text() == "broken.en.md"
    assert BROKEN in card.locator(".error").inner_text()
    assert page.locator(".alert").is_visible()


def test_the_page_speaks_the_sites_languages(site: Site, browser: Any) -> None:
    page = browser.new_page(locale="en-GB")
    try:
        page.goto((site.out / INDEX).as_uri())
        page.click(".ui-switch button[lang=ru]")
        assert page.evaluate("document.documentElement.lang") == "ru"
        assert page.locator("h1").inner_text() == "Брошюры"
        assert page.locator(".clinic-name").inner_text() == "Клиника «Люмен»"
        assert page.locator("#count").inner_text() == "Показано 4 из 4"
        assert page.locator("label[for=search]").text_content() == "Найти брошюру"
    finally:
        page.close()


def test_without_javascript_every_card_and_link_is_there(site: Site, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((site.out / INDEX).as_uri())
        assert page.locator(".card:visible").count() == 4
        assert page.locator("a.pdf:visible").count() == 21
        assert not page.locator("#filters").is_visible()  # the filter needs the script
        assert page.locator("html").get_attribute("lang") == "ru"  # the site's first language
    finally:
        context.close()


def _snapshot(out: Path) -> dict[str, tuple[int, int, int]]:
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_nothing_is_rewritten_when_nothing_changed(tmp_path: Path) -> None:
    root = _small(tmp_path / "content", (*PEEL, "trichoscopy.en.md"))
    out = tmp_path / "dist"
    build([root], out, sizes=("a5",))
    before = _snapshot(out)
    assert INDEX in before and sum(name.endswith(".webp") for name in before) == 2
    again = build([root], out, sizes=("a5",))
    assert again.outputs == [] and not again.warnings
    assert _snapshot(out) == before

    peel = root / "chemical-peel.en.md"  # a changed page: its thumbnail only is remade
    peel.write_text(peel.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build([root], out, sizes=("a5",))
    after = _snapshot(out)
    old = {n for n in before if n.endswith(".webp")}
    new = {n for n in after if n.endswith(".webp")}
    assert len(old & new) == 1 and len(new) == 2  # the other thumbnail kept; the stale one gone
    kept = (old & new).pop()
    assert after[kept] == before[kept]
    assert after[INDEX] != before[INDEX]


def test_a_changed_catalogue_template_remakes_no_pdf(tmp_path: Path) -> None:
    root = _small(tmp_path / "content")
    out = tmp_path / "dist"
    build([root], out, sizes=("a5",), layouts=("single",))
    builtin = Path(__file__).resolve().parent.parent / "templates" / "catalogue.html.j2"
    (root / "templates").mkdir()
    (root / "templates" / "catalogue.html.j2").write_text(
        builtin.read_text(encoding="utf-8").replace("<main", "<!-- the clinic's own -->\n<main"),
        encoding="utf-8",
    )
    again = build([root], out, sizes=("a5",), layouts=("single",))
    assert again.outputs == [] and len(again.skipped) == 2
    assert "<!-- the clinic's own -->" in (out / INDEX).read_text(encoding="utf-8")


def test_the_catalogue_lists_what_this_run_did_not_touch(tmp_path: Path) -> None:
    root = _small(tmp_path / "content", (*PEEL, "trichoscopy.en.md"))
    out = tmp_path / "dist"
    build([root], out, sizes=("a5",))
    build([root / "trichoscopy.en.md"], out, sizes=("a5",), layouts=("single",), force=True)
    text = (out / INDEX).read_text(encoding="utf-8")
    assert 'id="chemical-peel"' in text and 'id="trichoscopy"' in text
    assert 'href="chemical-peel.ru-en.a5.pdf"' in text

    (root / "trichoscopy.en.md").unlink()  # a page that is gone leaves the catalogue
    build([root], out, sizes=("a5",))
    text = (out / INDEX).read_text(encoding="utf-8")
    assert 'id="trichoscopy"' not in text and 'id="chemical-peel"' in text


def test_a_build_that_made_nothing_writes_no_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    shutil.copy(FIXTURES / "broken.en.md", root / "broken.en.md")
    report = build([root], tmp_path / "dist")
    assert len(report.failures) == 1
    assert not (tmp_path / "dist" / INDEX).exists()


def test_an_unwritable_catalogue_is_a_warning(tmp_path: Path) -> None:
    root = _small(tmp_path / "content")
    out = tmp_path / "dist"
    (out / INDEX).mkdir(parents=True)  # a folder where the page should go
    report = build([root], out, sizes=("a5",), layouts=("single",))
    assert not report.failures
    assert [str(w).split(": warning: ")[1] for w in report.warnings] == [
        "cannot write the catalogue (Is a directory) — the PDFs are built; check the output"
        " folder is writable and build again"
    ]


@pytest.mark.parametrize("color", ["#1f5f66", "#ffdd00", "#9fd3ff", "#ffffff", "#000"])
def test_colours_stay_readable(color: str) -> None:
    colors = palette(color, color)
    assert contrast(colors["primary"]) >= 4.5
    assert contrast(colors["accent"]) >= 3.0
    if contrast(color) >= 4.5:
        assert colors["primary"] == (color if len(color) == 7 else "#000000")


def test_a_damaged_pdf_is_a_card_without_thumbnail(tmp_path: Path) -> None:
    root = _small(tmp_path / "content")
    out = tmp_path / "dist"
    build([root], out, sizes=("a5",), layouts=("single",))
    cover = out / "chemical-peel.ru.a5.pdf"  # the cover: the site's first language
    cover.write_bytes(b"%PDF-damaged".ljust(cover.stat().st_size, b"\0"))  # same size: skipped
    shutil.rmtree(out / FOLDER / "thumbs")
    report = build([root], out, sizes=("a5",), layouts=("single",))
    assert report.outputs == [] and not report.failures
    assert [str(w).split(": warning: ", 1) for w in report.warnings] == [
        [
            str(cover),
            "no thumbnail for the catalogue (PdfiumError: Failed to load document (PDFium: Data"
            " format error).) — the PDF may be damaged; build again with --force",
        ]
    ]
    text = (out / INDEX).read_text(encoding="utf-8")
    assert '<div class="cover empty"' in text and 'href="chemical-peel.en.a5.pdf"' in text


def test_leftovers_of_an_earlier_run_do_no_harm(tmp_path: Path) -> None:
    from brochure.manifest import MANIFEST_NAME

    root = _small(tmp_path / "content")
    out = tmp_path / "dist"
    build([root], out, sizes=("a5",), layouts=("single",))
    manifest = out / MANIFEST_NAME
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["catalogue"] = {"brochures": {"x": 5, "y": {"titles": []}}, "pdfs": ["z"]}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    stale = out / f".{INDEX}.99999999.abc.tmp"  # from a build that was killed
    stale.write_text("half")
    report = build([root], out, sizes=("a5",), layouts=("single",))
    assert not report.warnings and not report.failures and len(report.skipped) == 2
    assert not stale.exists()
    assert 'href="chemical-peel.ru.a5.pdf"' in (out / INDEX).read_text(encoding="utf-8")


def test_a_broken_catalogue_template_is_a_warning(tmp_path: Path) -> None:
    root = _small(tmp_path / "content")
    (root / "templates").mkdir()
    (root / "templates" / "catalogue.html.j2").write_text("<p>\n{{ view.cards }\n", "utf-8")
    report = build([root], tmp_path / "dist", sizes=("a5",), layouts=("single",))
    assert len(report.outputs) == 2 and not report.failures
    assert [str(w).split(": warning: ") for w in report.warnings] == [
        [
            f"{root / 'templates' / 'catalogue.html.j2'}:2",
            "the catalogue was not updated: TemplateSyntaxError: unexpected '}' — fix"
            " templates/catalogue.html.j2, or remove it to use the built-in one",
        ]
    ]
    assert not (tmp_path / "dist" / INDEX).exists()
