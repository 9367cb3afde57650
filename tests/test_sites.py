"""Real site layouts (tests/fixtures/sites/, described in its README.md): Grav, Hugo by content
directory, Hugo by file name with shortcodes, Hugo bundles with a German default.

Each site is read from its root and from its content folder (the same brochures), and built
once per session end to end (A4), asserting names, pairs, languages, heroes, body images,
skipped files, messages and the PDF text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

from brochure import sources

from .conftest import pdf_text
from .test_cli import run

SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
CONTENT_FOLDER = {
    "grav": "user/pages",
    "hugo-dirs": "content",
    "hugo-names": "content",
    "hugo-bundles": "content",
}
# slug -> {lang: file relative to the site}, hero file name
EXPECTED: dict[str, dict[str, tuple[dict[str, str], str]]] = {
    "grav": {
        "home": (
            {
                "kk": "user/pages/01.home/default.kk.md",
                "ru": "user/pages/01.home/default.md",
                "en": "user/pages/01.home/default.en.md",
            },
            "reception.jpg",
        ),
        "laser-hair-removal": (
            {
                "kk": "user/pages/02.services/01.laser-hair-removal/item.kk.md",
                "ru": "user/pages/02.services/01.laser-hair-removal/item.ru.md",
                "en": "user/pages/02.services/01.laser-hair-removal/item.en.md",
            },
            "laser.jpg",
        ),
        "opening": (
            {
                "ru": "user/pages/03.news/01.opening/item.ru.md",
                "en": "user/pages/03.news/01.opening/blog.en.md",
            },
            "opening.jpg",
        ),
        "peeling": (
            {
                "ru": "user/pages/02.services/02.chemical-peel/default.md",
                "en": "user/pages/02.services/02.chemical-peel/default.en.md",
            },
            "b.jpg",
        ),
        "prp": (
            {
                "ru": "user/pages/02.services/03.prp/item.ru.md",
                "en": "user/pages/02.services/03.prp/item.en.md",
            },
            "prp.jpg",
        ),
    },
    "hugo-dirs": {
        "botox": (
            {"en": "content/en/services/botox.md", "ru": "content/ru/services/botox.md"},
            "botox.avif",
        ),
        "dental-cleaning": (
            {
                "en": "content/en/services/dental-cleaning.md",
                "ru": "content/ru/services/dental-cleaning.md",
            },
            "dental.avif",
        ),
        "services": ({"en": "content/en/services/_index.md"}, "rooms.avif"),
    },
    "hugo-names": {
        "consultation": (
            {
                "en": "content/services/consultation.en.md",
                "ru": "content/services/consultation.ru.md",
            },
            "consult.jpg",
        ),
        "first-visit": (
            {
                "en": "content/services/first-visit.en.md",
                "ru": "content/services/pervyj-vizit.ru.md",
            },
            "welcome.jpg",
        ),
        "massage": (
            {
                "en": "content/services/massage.md",
                "ru": "content/services/massage.ru.md",
                "de": "content/services/massage.de.md",
            },
            "massage.jpg",
        ),
    },
    "hugo-bundles": {
        "hydrafacial": (
            {
                "de": "content/leistungen/hydrafacial/index.md",
                "en": "content/leistungen/hydrafacial/index.en.md",
                "ru": "content/leistungen/hydrafacial/index.ru.md",
            },
            "cover.jpg",
        ),
        "microneedling": (
            {
                "de": "content/leistungen/microneedling/index.md",
                "en": "content/leistungen/microneedling/index.en.md",
            },
            "thumb.png",
        ),
    },
}
# (found, skipped) as the README counts them
COUNTS = {"grav": (18, 6), "hugo-dirs": (8, 3), "hugo-names": (10, 3), "hugo-bundles": (8, 3)}
BILINGUAL = {
    "grav": {"home": "kk-ru", "laser-hair-removal": "kk-ru", "opening": "ru-en", "prp": "ru-en"},
    "hugo-names": {"massage": "en-ru", "first-visit": "en-ru"},
    "hugo-bundles": {"hydrafacial": "de-en", "microneedling": "de-en"},
    "hugo-dirs": {"botox": "en-ru"},
}
SOURCE_SYNTAX = ("{{<", "{{%", ">}}", "%}}", "[center]", "[/notice]", "[fa ", "<table", "<td")
SOURCE_SYNTAX += ("<script", "alert(", "<iframe", "onerror", "style=", "{#", "[!WARNING]")
SOURCE_SYNTAX += ("[^plan]", "+++")


def _shape(collection: sources.Collection, site: Path) -> dict[str, tuple[dict[str, str], str]]:
    out = {}
    for brochure in collection.brochures:
        pages = {
            lang: page.path.resolve().relative_to(site.resolve()).as_posix()
            for lang, page in brochure.pages.items()
        }
        hero = next(iter(brochure.pages.values())).hero or ""
        out[brochure.slug] = (pages, Path(hero).name)
    return out


@pytest.mark.parametrize("name", list(EXPECTED))
def test_site_from_root_and_from_content_folder(name: str) -> None:
    site = SITES / name
    from_root = sources.collect([site])
    from_content = sources.collect([site / CONTENT_FOLDER[name]])
    assert from_root.site.kind == ("grav" if name == "grav" else "hugo")
    assert from_root.site.root == site.resolve() == from_content.site.root
    assert _shape(from_root, site) == EXPECTED[name]
    assert _shape(from_content, site) == EXPECTED[name]
    assert (from_root.found, len(from_root.skipped)) == COUNTS[name]
    assert (from_content.found, len(from_content.skipped)) == COUNTS[name]
    assert not from_root.failures


def test_skipped_files_say_why() -> None:
    grav = sources.collect([SITES / "grav"])
    reasons = {
        s.path.name if "_parts" not in str(s.path) else "_parts": s.reason for s in grav.skipped
    }
    assert reasons["service.md"] == reasons["blog.md"] == "no text (a listing or modular page)"
    assert reasons["default.en.md"] == "unpublished (published: false)"
    assert reasons["_parts"] == "a part of a modular page"
    bundles = sources.collect([SITES / "hugo-bundles"])
    by_path = {
        s.path.relative_to(SITES / "hugo-bundles").as_posix(): s.reason for s in bundles.skipped
    }
    assert by_path == {
        "content/_index.md": "no text (a section list)",
        "content/leistungen/_index.md": "no text (a section list)",
        "content/leistungen/neu/index.md": "draft (draft: true)",
    }


def test_languages_come_from_the_site_never_from_a_guess() -> None:
    bundles = sources.collect([SITES / "hugo-bundles"])
    hydra = next(b for b in bundles.brochures if b.slug == "hydrafacial")
    assert {lang: p.lang_source for lang, p in hydra.pages.items()} == {
        "de": "site default",
        "en": "file name",
        "ru": "file name",
    }
    dirs = sources.collect([SITES / "hugo-dirs"])
    assert {p.lang_source for p in dirs.pages} == {"folder"}
    assert sources.collect([SITES / "grav"]).site.languages == ("kk", "ru", "en")


def test_body_images_are_found_in_the_site() -> None:
    grav = sources.collect([SITES / "grav"])
    opening = next(b for b in grav.brochures if b.slug == "opening")
    found = opening.pages["ru"].body_images["/user/pages/01.home/reception.jpg"]
    assert found.name == "reception.jpg" and found.is_file()
    bundles = sources.collect([SITES / "hugo-bundles"])
    micro = next(b for b in bundles.brochures if b.slug == "microneedling")
    assert micro.pages["de"].body_images["/images/dermapen.jpg"].parent.name == "images"
    assert "assets" in micro.pages["de"].body_images["/images/dermapen.jpg"].parts


def test_ref_shortcodes_become_titles_and_unknown_ones_are_dropped() -> None:
    names = sources.collect([SITES / "hugo-names"])
    visit = next(b for b in names.brochures if b.slug == "first-visit")
    assert "Read also: Consultation with a physiotherapist" in visit.pages["en"].body
    massage = next(b for b in names.brochures if b.slug == "massage")
    body = massage.pages["en"].body
    assert "{{" not in body and "youtube" not in body
    assert "> [!WARNING]" in body


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str, Path]]:
    """Every site copied and built once (A4) through the CLI: the Hugo sites from their roots,
    the two Grav pages with shortcodes, body images and three languages from their folders."""
    base = tmp_path_factory.mktemp("sites")
    out: dict[str, tuple[int, str, str, Path]] = {}
    services = "grav/user/pages/02.services"
    what = {
        "grav": [f"{services}/01.laser-hair-removal", f"{services}/03.prp"],
        "hugo-dirs": ["hugo-dirs", "--layout", "single"],
        "hugo-names": ["hugo-names"],
        "hugo-bundles": ["hugo-bundles", "--layout", "single"],
    }
    for name in EXPECTED:
        shutil.copytree(SITES / name, base / name)
        if name == "grav":  # contacts, to see the labels in the site's languages
            (base / name / "brochure.toml").write_text(
                '[clinic]\nname = "Clinic"\nphone = "+7 727 000 00 00"\n', encoding="utf-8"
            )
        code, stdout, stderr = run(
            "build", *what[name], "--out", f"dist-{name}", "--size", "a4", "-q", cwd=base
        )
        out[name] = (code, stdout, stderr, base / f"dist-{name}")
    return out


@pytest.mark.parametrize("name", list(EXPECTED))
def test_site_builds_with_exit_0_and_the_expected_files(
    built: dict[str, tuple[int, str, str, Path]], name: str
) -> None:
    code, stdout, stderr, dist = built[name]
    assert code == 0, stderr
    assert "Traceback" not in stdout + stderr
    expected = set()
    for slug, (pages, _) in EXPECTED[name].items():
        if name == "grav" and slug not in ("laser-hair-removal", "prp"):
            continue
        expected |= {f"{slug}.{lang}.a4.pdf" for lang in pages}
        if slug in BILINGUAL.get(name, {}) and name in ("grav", "hugo-names"):
            expected.add(f"{slug}.{BILINGUAL[name][slug]}.a4.pdf")
    made = {p.name for p in dist.glob("*.pdf")}
    assert expected <= made, sorted(expected - made)
    assert not {n for n in made if n.split(".")[0] in ("default", "item", "blog", "index")}
    for pdf in dist.glob("*.pdf"):
        text = " ".join(pdf_text(pdf))
        leaked = [s for s in SOURCE_SYNTAX if s in text]
        assert not leaked, (pdf.name, leaked)


def test_site_messages(built: dict[str, tuple[int, str, str, Path]]) -> None:
    lines = {name: built[name][2].splitlines() for name in built}
    prp = "grav/user/pages/02.services/03.prp"
    assert lines["grav"] == [
        f"{prp}/item.en.md:36: warning: shortcode(s) 'fa' cannot be printed and are left out"
        " — nothing to do if the brochure reads well without them",
        f"{prp}/item.en.md:24: warning: image 'centrifuge.jpg' not found; it is left out — put"
        " it beside the page, in an images/ folder beside it, or in the content folder's images/",
        f"{prp}/item.ru.md:34: warning: shortcode(s) 'fa' cannot be printed and are left out"
        " — nothing to do if the brochure reads well without them",
        "grav/user/pages/02.services/01.laser-hair-removal/item.en.md:4: warning: 1 front-matter"
        " key(s) that brochure does not use are ignored on 3 page(s): 'price_from' (3 pages)"
        " — nothing to do if your site uses them; brochure reads the keys listed in"
        " docs/writing-pages.md",
    ]
    assert lines["hugo-dirs"][1:] == []
    assert lines["hugo-names"][1:] == [
        "hugo-names/content/services/massage.md:39: warning: shortcode(s) 'youtube', 'gallery'"
        " cannot be printed and are left out — nothing to do if the brochure reads well without"
        " them",
    ]
    assert len(lines["hugo-bundles"]) == 2 and "'preis' (3 pages)" in lines["hugo-bundles"][1]


def _images(pdf: Path) -> list[tuple[int, int]]:
    with pikepdf.open(pdf) as doc:
        out = {}
        for page in doc.pages:
            xobjects = page.Resources.get("/XObject", {})
            for key in list(xobjects.keys()):
                x = xobjects[key]
                if x.get("/Subtype") == "/Image":
                    out[x.objgen] = (int(x.Width), int(x.Height))
        return list(out.values())


def test_body_images_and_callouts_are_drawn(built: dict[str, tuple[int, str, str, Path]]) -> None:
    dist = built["hugo-names"][3]
    massage = " ".join(pdf_text(dist / "massage.en.a4.pdf"))
    assert "No massage with a fever" in massage and "WARNING" in massage  # the callout
    assert "The massage room on the ground floor" in massage  # the figure's caption
    assert "five minutes" in massage and "A therapeutic massage loosens" in massage
    assert len(_images(dist / "massage.en.a4.pdf")) == 2  # the hero and the figure
    assert "💯" in massage  # drawn by the bundled emoji font, not a box
    with pikepdf.open(dist / "massage.en.a4.pdf") as doc:
        fonts = {
            str(f.get("/BaseFont"))
            for page in doc.pages
            for f in page.Resources.get("/Font", {}).values()
        }
    assert any("Brochure-Emoji" in f for f in fonts), fonts
    german = " ".join(pdf_text(dist / "massage.de.a4.pdf"))
    assert "ACHTUNG" in german.upper() and "WARNING" not in german.upper()
    consult = " ".join(pdf_text(dist / "consultation.en.a4.pdf"))
    assert "The plan is reviewed after the third session." in consult  # the footnote
    assert "Range of motion" in consult and "[x]" not in consult and "[ ]" not in consult
    dirs = built["hugo-dirs"][3]
    dental = " ".join(pdf_text(dirs / "dental-cleaning.en.a4.pdf"))
    assert "Ultrasonic scaling" in dental and "Tell the hygienist if your gums bleed." in dental
    assert len(_images(dirs / "dental-cleaning.en.a4.pdf")) == 2  # the hero and smile.avif
    grav = built["grav"][3]
    kk = " ".join(pdf_text(grav / "laser-hair-removal.kk.a4.pdf"))
    assert "БАЙЛАНЫС" in kk.upper() and "CONTACT" not in kk.upper()  # Kazakh labels
    prp = " ".join(pdf_text(grav / "prp.en.a4.pdf"))
    assert "One session takes about 40 minutes." in prp and "===" not in prp


def test_the_first_image_of_the_text_that_exists_is_the_last_resort_hero(tmp_path: Path) -> None:
    (tmp_path / "page.en.md").write_text(
        "---\ntitle: Page\n---\nIntro.\n\n![Gone](gone.jpg)\n\n![Room](room.jpg)\n",
        encoding="utf-8",
    )
    shutil.copy(SITES / "hugo-names" / "static" / "img" / "room.jpg", tmp_path / "room.jpg")
    found = sources.collect([tmp_path])
    page = found.pages[0]
    assert (page.hero, page.hero_origin) == ("room.jpg", "the first image in the text")
    assert [w.line for w in found.warnings if "gone.jpg" in w.message] == [6]
