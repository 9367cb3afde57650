"""`brochure check`: translations compared section by section, each finding at its line.

Every case is a pair of pages under tests/fixtures/check/, copied into a temporary folder
(outside any git checkout) and checked from there, so paths read as the user sees them.
Expected lines are looked up in the fixture files, never counted by hand.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brochure.build import build
from brochure.check import Finding, check, gather

from .conftest import CONTENT
from .test_cli import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"


def case(name: str, tmp_path: Path) -> Path:
    """A copy of a fixture case with the shared brochure.toml (unless it has its own)."""
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    if not (folder / "brochure.toml").exists():
        shutil.copy(FIXTURES / "brochure.toml", folder / "brochure.toml")
    return folder


def line_of(path: Path, text: str) -> int:
    """The line of `path` that holds `text` (which must stand on exactly one line)."""
    lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} is on lines {lines} of {path.name}"
    return lines[0]


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) with `new` in a copied fixture."""
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def findings(folder: Path, *ignore: str) -> list[Finding]:
    """The findings on `folder`, checked from inside it (messages name files from there)."""
    old = Path.cwd()
    os.chdir(folder)
    try:
        gathered = gather([Path()])
        assert gathered.failures == []
        return check(gathered.brochures, gathered.config, ignore)
    finally:
        os.chdir(old)


def where(found: list[Finding]) -> list[tuple[str, str, int | None, str | None, int | None]]:
    return [
        (f.kind, f.path.name, f.line, f.other_path.name if f.other_path else None, f.other_line)
        for f in found
    ]


# --- the seed ----------------------------------------------------------------


def test_the_seed_pair_has_no_finding() -> None:
    code, stdout, stderr = run("check", str(CONTENT))
    assert (code, stdout, stderr) == (0, "1 page pair checked: no differences\n", "")


def test_check_lays_nothing_out() -> None:
    code = (
        "import sys\nfrom brochure.cli import main\n"
        f"try:\n    main(['check', {str(CONTENT)!r}])\nexcept SystemExit as exc:\n"
        "    print(exc.code, 'weasyprint' in sys.modules, 'jinja2' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "0 False False"


# --- numbers -----------------------------------------------------------------


def test_numbers_that_differ_are_reported_with_both_places(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    en, ru = folder / "plasma.en.md", folder / "plasma.ru.md"
    found = findings(folder)
    assert where(found) == [
        ("numbers", en.name, line_of(en, "48 hours"), ru.name, line_of(ru, "## Уход")),
        ("numbers", ru.name, line_of(ru, "description"), en.name, line_of(en, "description")),
        ("numbers", ru.name, line_of(ru, "8-10"), en.name, line_of(en, "10–12")),
    ]
    code, stdout, _ = run("check", ".", cwd=folder)
    assert code == 1
    assert stdout.splitlines() == [
        f'plasma.en.md:{line_of(en, "48 hours")}: warning: [numbers] "48" here, no such number'
        f' in section "Уход после процедуры" at plasma.ru.md:{line_of(ru, "## Уход")}'
        " — check that the translation gives it too",
        f'plasma.ru.md:{line_of(ru, "description")}: warning: [numbers] "4–8" here, "4-6" in'
        f" plasma.en.md:{line_of(en, 'description')}"
        " (the description) — check which is right and make both say the same",
        f'plasma.ru.md:{line_of(ru, "8-10")}: warning: [numbers] "8-10" here, "10–12" in'
        f' plasma.en.md:{line_of(en, "10–12")} (section "Курс")'
        " — check which is right and make both say the same",
        "1 page pair checked: 3 differences",
    ]


def test_a_range_half_found_names_the_missing_half(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    en, ru = folder / "plasma.en.md", folder / "plasma.ru.md"
    edit(ru, "8-10 сеансов", "10 сеансов")
    found = [f for f in findings(folder) if "Курс" in f.message]
    assert [str(f) for f in found] == [
        f'plasma.en.md:{line_of(en, "10–12")}: warning: [numbers] "10–12" here, no 12 in'
        f' section "Курс" at plasma.ru.md:{line_of(ru, "## Курс")}'
        " — check that the translation gives it too"
    ]


def test_a_title_taken_from_the_heading_is_compared_at_the_heading(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    en, ru = folder / "plasma.en.md", folder / "plasma.ru.md"
    for page in (en, ru):
        page.write_text(re.sub(r"(?m)^title: .*\n", "", page.read_text("utf-8")), "utf-8")
    edit(ru, "# Плазмотерапия в 3", "# Плазмотерапия в 4")
    found = [f for f in findings(folder) if "(the title)" in f.message]
    assert where(found) == [
        ("numbers", ru.name, line_of(ru, "# Плазмо"), en.name, line_of(en, "# Plasma"))
    ]
    assert found[0].message.startswith('"4" here, "3" in plasma.en.md:')


def test_the_same_numbers_written_each_languages_way_are_no_difference(tmp_path: Path) -> None:
    # Two pairs, the forms of one the other way round: 10-12 / 10–12 / 10 – 12,
    # 5 000 / 5000 / 5,000, 1.5 / 1,5, 9:00 / 9.00, 12,500.5 / 12 500,5, in body and front matter.
    folder = case("same-numbers", tmp_path)
    assert findings(folder) == []
    assert run("check", ".", cwd=folder) == (0, "2 page pairs checked: no differences\n", "")


def test_a_changed_number_among_the_normalised_ones_is_still_found(tmp_path: Path) -> None:
    folder = case("same-numbers", tmp_path)
    ru = folder / "peel.ru.md"
    edit(ru, "1.5 мл", "2.5 мл")
    assert where(findings(folder)) == [
        (
            "numbers",
            "peel.ru.md",
            line_of(ru, "2.5"),
            "peel.en.md",
            line_of(ru.with_name("peel.en.md"), "1,5"),
        )
    ]


def test_paragraphs_split_differently_are_compared_together(tmp_path: Path) -> None:
    # No headings: the rows are paragraphs; the Russian splits one in two.
    folder = case("paragraphs", tmp_path)
    en, ru = folder / "consultation.en.md", folder / "consultation.ru.md"
    assert where(findings(folder)) == [
        ("numbers", ru.name, line_of(ru, "£70"), en.name, line_of(en, "£60"))
    ]


# --- contacts ----------------------------------------------------------------


def test_a_phone_with_two_digits_swapped(tmp_path: Path) -> None:
    folder = case("contacts", tmp_path)
    en, ru = folder / "booking.en.md", folder / "booking.ru.md"
    found = findings(folder)
    assert where(found) == [
        ("contacts", ru.name, line_of(ru, "7964"), en.name, line_of(en, "+44 20 7946")),
        ("contacts", ru.name, line_of(ru, "question@"), en.name, line_of(en, "questions@")),
        ("contacts", ru.name, line_of(ru, "harley-st"), en.name, line_of(en, "harley-street")),
    ]
    assert str(found[0]) == (
        f'booking.ru.md:{line_of(ru, "7964")}: warning: [contacts] phone "+44 20 7964 0321"'
        f' here, "+44 20 7946 0321" in booking.en.md:{line_of(en, "+44 20 7946")}'
        " (the text before the first heading) — check the digits: both languages must give"
        " the same number"
    )


def test_contacts_written_differently_are_the_same(tmp_path: Path) -> None:
    # /en/book/ and www…/ru/book; tel:+442079460321 and +44 (20) 7946-0321: no finding.
    folder = case("contacts", tmp_path)
    ru = folder / "booking.ru.md"
    edit(ru, "7964", "7946")
    edit(ru, "question@", "questions@")
    edit(ru, "harley-st)", "harley-street)")
    assert findings(folder) == []


def test_values_in_check_ignore_may_differ(tmp_path: Path) -> None:
    folder = case("ignore", tmp_path)
    assert run("check", ".", cwd=folder) == (0, "1 page pair checked: no differences\n", "")
    toml = folder / "brochure.toml"
    toml.write_text(toml.read_text("utf-8").split("[check]")[0], "utf-8")
    assert [f.kind for f in findings(folder)] == ["contacts"]


# --- structure ---------------------------------------------------------------


def test_a_section_in_one_language_only(tmp_path: Path) -> None:
    folder = case("section", tmp_path)
    en, ru = folder / "botox.en.md", folder / "botox.ru.md"
    found = findings(folder)
    assert where(found) == [
        ("structure", ru.name, line_of(ru, "## Стоимость"), en.name, line_of(en, "## Aftercare"))
    ]
    assert str(found[0]) == (
        f'botox.ru.md:{line_of(ru, "## Стоимость")}: warning: [structure] section "Стоимость"'
        f" is in ru only; botox.en.md has nothing for it (it would stand before line"
        f" {line_of(en, '## Aftercare')}) — translate it, or remove it if it is out of date"
    )


def test_a_list_with_one_item_fewer(tmp_path: Path) -> None:
    folder = case("list", tmp_path)
    en, ru = folder / "acne.en.md", folder / "acne.ru.md"
    found = findings(folder)
    # The nested lists (2 items each) agree; the outer list has 4 items against 3.
    assert where(found) == [
        ("structure", ru.name, line_of(ru, "Воспалённые"), en.name, line_of(en, "Inflamed"))
    ]
    assert "a list of 3 items here, 4 in acne.en.md:" in found[0].message
    # A nested list with an item more is found at its own first item.
    edit(ru, "  - рубцы.", "  - рубцы;\n  - пигмент.")
    edit(ru, "- Расширенные поры.", "- Поры.\n- Жирная кожа.")
    assert where(findings(folder)) == [
        ("structure", ru.name, line_of(ru, "тёмные пятна"), en.name, line_of(en, "dark spots"))
    ]


# --- untranslated and stale --------------------------------------------------


def test_a_page_in_one_language_only_is_informational(tmp_path: Path) -> None:
    folder = case("untranslated", tmp_path)
    code, stdout, _ = run("check", ".", cwd=folder)
    assert code == 0
    assert stdout.splitlines() == [
        "dermatoscopy.en.md: warning: [untranslated] this page is in en only; other pages are"
        " also in ru — add a translation if the brochure should have one",
        "1 page pair checked: no differences, 1 page untranslated",
    ]


def _git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder)}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )


def test_a_translation_older_than_its_page_is_stale(tmp_path: Path) -> None:
    folder = case("untranslated", tmp_path)
    (folder / "dermatoscopy.en.md").unlink()
    _git(folder, "init", "-q")
    _git(folder, "add", ".")
    _git(folder, "commit", "-qm", "both", date="2024-03-01T10:00:00+00:00")
    assert findings(folder) == []  # committed together
    en = folder / "scalp.en.md"
    en.write_text(en.read_text("utf-8") + "\nWash the hair the next day.\n", "utf-8")
    _git(folder, "commit", "-qam", "en", date="2024-03-01T18:00:00+00:00")
    assert findings(folder) == []  # the same day
    en.write_text(en.read_text("utf-8") + "\nAvoid the sauna.\n", "utf-8")
    _git(folder, "commit", "-qam", "en again", date="2024-04-10T09:30:00+00:00")
    code, stdout, _ = run("check", ".", cwd=folder)
    assert code == 1
    assert stdout.splitlines() == [
        "scalp.ru.md: warning: [stale] last committed on 2024-03-01, its translation"
        " scalp.en.md on 2024-04-10 — check what changed in scalp.en.md since and bring this"
        " file up to date",
        "1 page pair checked: 1 difference",
    ]
    assert run("check", ".", "--ignore", "stale", cwd=folder)[0] == 0


def test_outside_git_nothing_is_said_about_age(tmp_path: Path) -> None:
    folder = case("untranslated", tmp_path)
    os.utime(folder / "scalp.ru.md", (0, 0))  # file times say nothing after a clone
    assert [f.kind for f in findings(folder)] == ["untranslated"]


# --- output formats and exit codes ------------------------------------------


def test_json_output(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    code, stdout, stderr = run("check", ".", "--format", "json", cwd=folder)
    assert (code, stderr) == (1, "")
    items = json.loads(stdout)
    assert [(i["path"], i["line"], i["kind"]) for i in items] == [
        (f.path.name, f.line, f.kind) for f in findings(folder)
    ]
    assert items[2]["message"] == (
        f'"8-10" here, "10–12" in plasma.en.md:{items[2]["other_line"]} (section "Курс")'
        " — check which is right and make both say the same"
    )
    assert (items[2]["other_path"], items[2]["other_line"]) == (
        "plasma.en.md",
        line_of(folder / "plasma.en.md", "10–12"),
    )
    untranslated = case("untranslated", tmp_path)
    items = json.loads(run("check", ".", "--format", "json", cwd=untranslated)[1])
    assert [(i["path"], i["line"], i["kind"]) for i in items] == [
        ("dermatoscopy.en.md", None, "untranslated")
    ]


def test_github_annotations(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    ru = folder / "plasma.ru.md"
    code, stdout, _ = run("check", ".", "--format", "github", cwd=folder)
    assert code == 1
    lines = stdout.splitlines()
    assert lines[2] == (
        f"::warning file=plasma.ru.md,line={line_of(ru, '8-10')},"
        "title=brochure check%3A numbers::"
        f'"8-10" here, "10–12" in plasma.en.md:{line_of(folder / "plasma.en.md", "10–12")}'
        ' (section "Курс") — check which is right and make both say the same'
    )
    assert all(
        re.match(r"::warning file=plasma\.(en|ru)\.md,line=\d+,title=", x) for x in lines[:3]
    )
    assert lines[3] == "1 page pair checked: 3 differences"
    untranslated = case("untranslated", tmp_path)
    assert run("check", ".", "--format", "github", cwd=untranslated)[1].splitlines()[0] == (
        "::notice file=dermatoscopy.en.md,title=brochure check%3A untranslated::this page is in"
        " en only; other pages are also in ru — add a translation if the brochure should have one"
    )


def test_ignore_leaves_out_a_kind(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    assert run("check", ".", "--ignore", "numbers", cwd=folder) == (
        0,
        "1 page pair checked: no differences\n",
        "",
    )
    code, stdout, _ = run("check", ".", "--ignore", "structure", "--ignore", "contacts", cwd=folder)
    assert (code, stdout.count("[numbers]")) == (1, 3)


def test_a_number_in_check_ignore_may_differ(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    toml = folder / "brochure.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[check]\nignore = [48, "4-6"]\n', "utf-8")
    # 48 is left out; so are 4 and 6, leaving 8 of the description's "4–8" without a match.
    assert [(f.path.name, f.message.split(" here")[0]) for f in findings(folder)] == [
        ("plasma.ru.md", '"4–8"'),
        ("plasma.ru.md", '"8-10"'),
    ]


def test_kinds_in_check_ignore_are_left_out(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    (folder / "brochure.toml").write_text('[check]\nignore = ["numbers"]\n', "utf-8")
    assert findings(folder) == []


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run("check", str(tmp_path / "missing"))
    assert code == 2
    assert stderr.endswith(
        "missing: error: no such file or folder — check the path you gave to check\n"
    )
    code, _, stderr = run("check", str(CONTENT), "--ignore", "typos")
    assert code == 2
    assert "Invalid value for '--ignore': 'typos' is not one of" in stderr
    assert run("check", str(CONTENT), "--format", "xml")[0] == 2


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        (
            '[check]\nignore = [\n    "2019",\n    "stail",\n]\n',
            4,
            "'stail' in [check] ignore is neither a kind of finding nor a number, phone number,"
            " e-mail or web address — did you mean 'stale'?",
        ),
        (
            '[check]\nignore = "stale"\n',
            2,
            "'ignore' in [check] must be a list, got 'stale' — write ignore ="
            ' ["stale", "+7 495 123-45-67"]',
        ),
        (
            "[check]\nignore = [true]\n",
            2,
            "'ignore' in [check] lists True; expected text or a number — write ignore ="
            ' ["stale", "+7 495 123-45-67"]',
        ),
    ],
)
def test_a_bad_check_ignore_is_a_configuration_error(
    tmp_path: Path, toml: str, line: int, message: str
) -> None:
    folder = case("numbers", tmp_path)
    (folder / "brochure.toml").write_text(toml, "utf-8")
    code, stdout, stderr = run("check", ".", cwd=folder)
    assert (code, stdout) == (2, "")
    assert stderr == f"brochure.toml:{line}: error: {message}\n"
    out = tmp_path / "dist"
    code, _, stderr = run("build", ".", "--out", str(out), cwd=folder)
    assert (code, stderr) == (2, f"brochure.toml:{line}: error: {message}\n")
    assert not out.exists()


def test_a_page_that_cannot_be_read_fails_alone(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    (folder / "broken.en.md").write_text("---\ntitle: [unclosed\n---\nText.\n", "utf-8")
    code, stdout, stderr = run("check", ".", cwd=folder)
    assert code == 1
    assert stderr.startswith("broken.en.md:2: error: invalid front matter")
    assert stdout.count("[numbers]") == 3  # the other pair is still compared
    code, stdout, _ = run("check", ".", "--format", "github", "--ignore", "numbers", cwd=folder)
    assert code == 1
    assert stdout.startswith("::error file=broken.en.md,line=2::invalid front matter")


# --- build -------------------------------------------------------------------


def test_build_prints_one_line_and_still_builds(tmp_path: Path) -> None:
    folder = case("numbers", tmp_path)
    out = tmp_path / "dist"
    report = build([folder], out, layouts=("single",), sizes=("a5",))
    assert report.failures == []
    assert len(report.outputs) == 2
    assert "3 translation differences: run brochure check" in report.notes
    again = build([folder], out, layouts=("single",), sizes=("a5",))  # nothing to make
    assert not any("translation" in note for note in again.notes)


# --- every finding points at its text ----------------------------------------

_PIECES = [
    "A course of 10–12 sessions.",
    "Курс из 8-10 сеансов.",
    "Price: £1,250.00, or 5 000 for two.",
    "Call +44 20 7946 0321.",
    "Звоните +44 20 7964 0321.",
    "Write to hello@lumen-clinic.example.",
    "See [the page](https://lumen-clinic.example/en/peel/) at 9:00.",
    "Plain words without any figure.",
    "- one 1\n- two 2\n- three",
    "1. first\n2. second 24 h",
    "| a | b |\n| --- | ---: |\n| x | 60 |",
    "```\ncode 7\n```",
]
_BLOCK = st.one_of(
    st.sampled_from(_PIECES),
    st.builds(
        lambda n, t: f"{'#' * n} {t}",
        st.integers(1, 3),
        st.sampled_from(["Course", "Курс 3", "Prices 2025"]),
    ),
)
_PAGE = st.tuples(
    st.lists(st.sampled_from(["description: 'in 4 steps'", "hero_alt: x"]), max_size=2),
    st.lists(_BLOCK, min_size=1, max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(_PAGE, _PAGE)
def test_every_finding_stands_at_a_line_that_holds_its_text(
    tmp_path_factory: pytest.TempPathFactory,
    en: tuple[list[str], list[str]],
    ru: tuple[list[str], list[str]],
) -> None:
    folder = tmp_path_factory.mktemp("pages")
    for lang, (front, blocks) in (("en", en), ("ru", ru)):
        text = "---\n" + "".join(f"{line}\n" for line in ["title: Peel", *front]) + "---\n"
        (folder / f"peel.{lang}.md").write_text(text + "\n\n".join(blocks) + "\n", "utf-8")
    for finding in findings(folder):
        lines = (folder / finding.path).read_text("utf-8").splitlines()
        assert finding.line is not None and 1 <= finding.line <= len(lines)
        line = lines[finding.line - 1]
        quoted = re.match(r'(?:phone |e-mail |web address )?"([^"]+)" here', finding.message)
        if finding.kind in ("numbers", "contacts"):
            assert quoted and quoted.group(1) in line, (finding, line)
        elif finding.message.startswith("section"):
            assert line.startswith("#"), (finding, line)
        elif finding.message.startswith("a list of"):
            assert re.match(r"\s*(-|[0-9]+\.) ", line), (finding, line)
        else:  # lists counted, or text before the first heading on one side only
            assert finding.kind == "structure" and line.strip(), (finding, line)
        if finding.other_path and finding.other_line:
            other = (folder / finding.other_path).read_text("utf-8").splitlines()
            assert 1 <= finding.other_line <= len(other) + 1


@pytest.mark.parametrize("site", ["grav", "hugo-bundles", "hugo-dirs", "hugo-names"])
def test_sites_written_for_other_tests_raise_no_false_alarm(site: str) -> None:
    # Real layouts (Grav, Hugo), raw HTML, shortcodes, 12-hour times, three languages.
    folder = FIXTURES.parent / "sites" / site
    code, stdout, stderr = run("check", str(folder), "--ignore", "stale")
    assert (code, stderr) == (0, "")
    assert "checked: no differences" in stdout.splitlines()[-1]
