"""Unit tests for config.py: defaults, the example configuration, errors and warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure import color
from brochure.config import Clinic, Config, load_config
from brochure.errors import ConfigError, display_path

REPO_CONTENT = Path(__file__).resolve().parent.parent / "content"


def write_config(folder: Path, text: str) -> Path:
    path = folder / "brochure.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(folder: Path, text: str) -> tuple[Path, ConfigError]:
    path = write_config(folder, text)
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    return path, info.value


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    config, warnings = load_config(tmp_path)
    assert warnings == []
    assert config == Config(root=tmp_path.resolve())
    assert config.path is None
    assert config.clinic == Clinic()
    assert config.clinic.name == "Your clinic"
    assert (config.primary, config.accent) == ("#1f5f66", "#b5794f")
    assert config.bilingual == ("ru", "en")
    assert config.clinic_for("ru") is config.clinic


def test_explicit_path_that_does_not_exist_gives_defaults(tmp_path: Path) -> None:
    config, warnings = load_config(tmp_path, tmp_path / "other.toml")
    assert (config, warnings) == (Config(root=tmp_path.resolve()), [])


def test_the_repository_example_loads() -> None:
    config, warnings = load_config(REPO_CONTENT)
    assert warnings == []
    assert config.path == REPO_CONTENT / "brochure.toml"
    assert config.clinic.name == "Lumen Clinic"
    assert config.clinic.phone == "+44 20 7946 0321"
    assert config.clinic.hours == ("Mon–Fri 9:00–20:00", "Sat 10:00–16:00")
    assert config.clinic.logo == (REPO_CONTENT / "images" / "logo.svg").resolve()
    assert list(config.clinic_by_lang) == ["ru"]
    ru = config.clinic_for("ru")
    assert ru.name == "Клиника «Люмен»"
    assert ru.hours == ("Пн–Пт 9:00–20:00", "Сб 10:00–16:00")
    # What [clinic.ru] does not say comes from [clinic].
    assert ru.phone == config.clinic.phone
    assert ru.logo == config.clinic.logo
    assert config.clinic_for("en") == config.clinic
    assert config.bilingual == ("ru", "en")
    assert (config.primary, config.accent) == ("#1f5f66", "#b5794f")


def test_colours_in_cmyk_and_the_print_colour(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        '[colors]\nprimary = "cmyk(90%, 30%, 40%, 20%)"\naccent = "CMYK(0, 0.5, 0.6, 0.3)"\n'
        '[output]\nprint_color = "rgb"\n',
    )
    config, warnings = load_config(tmp_path)
    assert warnings == []
    assert config.print_color == "rgb"
    primary, accent = color.parse(config.primary), color.parse(config.accent)
    assert primary.cmyk == (0.9, 0.3, 0.4, 0.2) and accent.cmyk == (0.0, 0.5, 0.6, 0.3)
    # The office's RGB: the profile's view of those inks; the press gets them as written.
    assert color.css(primary, cmyk=False) == "#00717f"
    assert color.css(primary, cmyk=True) == "device-cmyk(0.9 0.3 0.4 0.2)"
    assert load_config(tmp_path / "none")[0].print_color == "cmyk"


def test_values_are_trimmed_and_colours_lower_cased(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        '[clinic]\nname = "  Lumen  "\nhours = " Daily 9–21 "\nlogo = " logo.svg "\n'
        '[colors]\nprimary = "#ABC"\naccent = " #AbCdEf "\n'
        '[bilingual]\npair = ["en", "de"]\n',
    )
    config, warnings = load_config(tmp_path)
    assert warnings == []
    assert config.clinic.name == "Lumen"
    assert config.clinic.hours == ("Daily 9–21",)
    assert config.clinic.logo == (tmp_path / "logo.svg").resolve()
    assert (config.primary, config.accent) == ("#abc", "#abcdef")
    assert config.bilingual == ("en", "de")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path, exc = config_error(tmp_path, '[clinic]\nname = "Lumen"\nphone = "+44\n')
    assert exc.line == 3
    assert str(exc) == (
        f"{display_path(path)}:3: error: invalid TOML: Illegal character '\\n'"
        " — fix the syntax (see docs/configuration.md)"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[clinic\nname = 'x'\n", 1),
        ("[clinic]\nname = 'x'\nname = 'y'\n", 3),
        ("[clinic]\n\n\nname = \n", 4),
    ],
)
def test_toml_syntax_errors_have_a_line_and_no_column_text(
    tmp_path: Path, text: str, line: int
) -> None:
    _, exc = config_error(tmp_path, text)
    assert exc.line == line
    assert exc.message.startswith("invalid TOML: ")
    assert "(at line" not in exc.message
    assert exc.hint == "fix the syntax (see docs/configuration.md)"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            '[clinic]\nname = "Lumen"\nphone = 123\n',
            3,
            "'phone' in [clinic] must be text, got int — put it in quotes: phone = \"…\"",
            id="phone-number",
        ),
        pytest.param(
            '[clinic]\nname = "Lumen"\n\n[clinic.ru]\nname = "Люмен"\nphone = 123\n',
            6,
            "'phone' in [clinic.ru] must be text, got int — put it in quotes: phone = \"…\"",
            id="phone-number-per-language",
        ),
        pytest.param(
            '[clinic]\nname = "Lumen"\nhours = 5\n',
            3,
            "'hours' in [clinic] must be a list of text lines"
            ' — write hours = ["Mon–Fri 9:00–20:00", "Sat 10:00–16:00"]',
            id="hours-number",
        ),
        pytest.param(
            '[clinic]\nhours = ["Mon 9-5", 5]\n',
            2,
            "'hours' in [clinic] must be a list of text lines"
            ' — write hours = ["Mon–Fri 9:00–20:00", "Sat 10:00–16:00"]',
            id="hours-list-with-number",
        ),
        pytest.param(
            '[clinic]\nlogo = "  "\n',
            2,
            "'logo' in [clinic] must be a file path — write logo = \"images/logo.svg\"",
            id="logo-blank",
        ),
        pytest.param(
            '[clinic]\nname = "Lumen"\n\n[colors]\nprimary = "teal"\n',
            5,
            "colour 'primary' must be a hex colour like \"#1f5f66\" or CMYK inks like"
            " \"cmyk(90%, 30%, 40%, 20%)\", got 'teal' — use #rgb, #rrggbb or cmyk(c%, m%, y%, k%)",
            id="colour-name",
        ),
        pytest.param(
            '[colors]\nprimary = "#1f5f66"\naccent = "#12345"\n',
            3,
            "colour 'accent' must be a hex colour like \"#1f5f66\" or CMYK inks like"
            " \"cmyk(90%, 30%, 40%, 20%)\", got '#12345'"
            " — use #rgb, #rrggbb or cmyk(c%, m%, y%, k%)",
            id="colour-five-digits",
        ),
        pytest.param(
            '[colors]\nprimary = "cmyk(120%, 0%, 0%, 0%)"\n',
            2,
            "colour 'primary' 'cmyk(120%, 0%, 0%, 0%)': an ink of 120 %, over 100 %"
            " — give each ink as 0–100 % and keep their sum at 300 % or less",
            id="cmyk-ink-over-100",
        ),
        pytest.param(
            '[colors]\naccent = "cmyk(90%, 90%, 90%, 90%)"\n',
            2,
            "colour 'accent' 'cmyk(90%, 90%, 90%, 90%)': 360 % total ink, over the 300 % a print"
            " shop allows — give each ink as 0–100 % and keep their sum at 300 % or less",
            id="cmyk-too-much-ink",
        ),
        pytest.param(
            '[output]\nprint_color = "grey"\n',
            2,
            "'print_color' in [output] must be \"cmyk\" or \"rgb\", got 'grey'"
            ' — write print_color = "cmyk" (press-ready FOGRA39) or "rgb"',
            id="print-color-unknown",
        ),
        pytest.param(
            '[bilingual]\npair = ["ru"]\n',
            2,
            "'pair' in [bilingual] must name two different languages, got ['ru']"
            ' — write pair = ["ru", "en"]',
            id="pair-one",
        ),
        pytest.param(
            '[bilingual]\npair = ["ru", "ru"]\n',
            2,
            "'pair' in [bilingual] must name two different languages, got ['ru', 'ru']"
            ' — write pair = ["ru", "en"]',
            id="pair-same",
        ),
        pytest.param(
            '[bilingual]\npair = "ru"\n',
            2,
            "'pair' in [bilingual] must name two different languages, got 'ru'"
            ' — write pair = ["ru", "en"]',
            id="pair-text",
        ),
        pytest.param(
            'clinic = "Lumen"\n',
            1,
            "'clinic' must be a table — write it as [clinic]",
            id="clinic-not-a-table",
        ),
        pytest.param(
            '[clinic]  # who we are\nname = "Lumen"\nphone = 123\n',
            3,
            "'phone' in [clinic] must be text, got int — put it in quotes: phone = \"…\"",
            id="table-header-with-comment",
        ),
        pytest.param(
            '[clinic]\nname = "Lumen"\n\n[clinic.Russian]\nname = "Люмен"\n',
            4,
            "[clinic.Russian] is not a language code"
            " — name per-language tables by language, e.g. [clinic.ru]",
            id="per-language-table-not-a-language",
        ),
        pytest.param(
            "x = " + "[" * 5000 + "]" * 5000 + "\n",
            1,
            "values nested more than 32 levels deep — brochure.toml needs tables and lists of"
            " text, not deep nesting",
            id="toml-nested-5000-deep",
        ),
        pytest.param(
            '[clinic]\nname = "Lumen"\nphone = ' + "9" * 5000 + "\n",
            3,
            "a number of 5000 characters (at most 100) — no setting takes such a number; put"
            ' text in quotes: "…"',
            id="toml-number-of-5000-digits",
        ),
        pytest.param(
            '[clinic]\nname = "' + "N" * 60_000 + '"\n',
            2,
            "'name' in [clinic] is 60000 characters long; at most 120 — shorten it",
            id="clinic-name-of-60-kb",
        ),
        pytest.param(
            '[clinic]\nwebsite = "javascript:alert(1)"\n',
            2,
            "'website' in [clinic] must be a web address (https://…), got 'javascript:alert(1)'"
            ' — write website = "https://clinic.example"',
            id="website-javascript",
        ),
        pytest.param(
            '[clinic]\nbooking_url = "file:///etc/passwd"\n',
            2,
            "'booking_url' in [clinic] must be a web address (https://…), got"
            " 'file:///etc/passwd' — write booking_url = \"https://clinic.example\"",
            id="booking-url-file",
        ),
        pytest.param(
            '[clinic]\nemail = "a@b.example?attach=/etc/passwd"\n',
            2,
            "'email' in [clinic] must be an e-mail address, got 'a@b.example?attach=/etc/passwd'"
            ' — write email = "hello@clinic.example"',
            id="email-with-a-query",
        ),
        pytest.param(
            "[bilingual]\npair = [" + "9" * 90 + ", 0x" + "f" * 90 + "]\n",
            2,
            "'pair' in [bilingual] must name two different languages, got [999999999999999999"
            "...9999999999999999999, <a number of 108 digits>]"
            ' — write pair = ["ru", "en"]',
            id="numbers-quoted-back-short",
        ),
    ],
)
def test_wrong_values_name_the_key_and_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path, exc = config_error(tmp_path, text)
    assert exc.line == line
    assert str(exc) == f"{display_path(path)}:{line}: error: {message}"


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        pytest.param(
            '[clinic]\nname = "Lumen"\nnmae = "Lumen"\n',
            ":3: warning: unknown key 'nmae' in [clinic] is ignored — did you mean 'name'?",
            id="clinic-typo",
        ),
        pytest.param(
            '[clinic]\nname = "Lumen"\n[clinic.ru]\nadress = "Лондон"\n',
            ":4: warning: unknown key 'adress' in [clinic.ru] is ignored — did you mean 'address'?",
            id="per-language-typo",
        ),
        pytest.param(
            '[colors]\nprimry = "#123456"\n',
            ":2: warning: unknown key 'primry' in [colors] is ignored — did you mean 'primary'?",
            id="colors-typo",
        ),
        pytest.param(
            '[bilingual]\npairs = ["ru", "en"]\n',
            ":2: warning: unknown key 'pairs' in [bilingual] is ignored — did you mean 'pair'?",
            id="bilingual-typo",
        ),
        pytest.param(
            'title = "Lumen"\n',
            ":1: warning: unknown key 'title' in the top level is ignored"
            " — known keys: clinic, colors, bilingual, output, check, fit",
            id="top-level-unknown",
        ),
        pytest.param(
            '# brand\n[colours]\nprimary = "#123456"\n',
            ":2: warning: unknown key 'colours' in the top level is ignored"
            " — did you mean 'colors'?",
            id="top-level-table-typo",
        ),
    ],
)
def test_unknown_keys_warn_with_a_suggestion(tmp_path: Path, text: str, warning: str) -> None:
    path = write_config(tmp_path, text)
    _, warnings = load_config(tmp_path)
    assert [str(w) for w in warnings] == [f"{display_path(path)}{warning}"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path, exc = config_error(
        tmp_path,
        '[clinic]\nphone = 1\nwebsite = "ftp://x.example"\n[colors]\nprimary = "teal"\n',
    )
    shown = display_path(path)
    assert str(exc).splitlines() == [
        f"{shown}:2: error: 'phone' in [clinic] must be text, got int — put it in quotes:"
        ' phone = "…"',
        f"{shown}:3: error: 'website' in [clinic] must be a web address (https://…), got"
        " 'ftp://x.example' — write website = \"https://clinic.example\"",
        f"{shown}:5: error: colour 'primary' must be a hex colour like \"#1f5f66\" or CMYK inks"
        " like \"cmyk(90%, 30%, 40%, 20%)\", got 'teal' — use #rgb, #rrggbb or"
        " cmyk(c%, m%, y%, k%)",
    ]


def test_a_bare_domain_becomes_a_web_address(tmp_path: Path) -> None:
    write_config(tmp_path, '[clinic]\nwebsite = "clinic.example"\n')
    config, _ = load_config(tmp_path)
    assert config.clinic.website == "https://clinic.example"


def test_a_configuration_linked_from_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    (tmp_path / "elsewhere.toml").write_text('[clinic]\nname = "Elsewhere"\n')
    (root / "brochure.toml").symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert str(info.value) == (
        f"{display_path(root / 'brochure.toml')}: error: the configuration is refused: outside"
        " the content folder — keep brochure.toml a small text file inside the content folder"
    )


def test_unknown_key_does_not_change_the_configuration(tmp_path: Path) -> None:
    write_config(tmp_path, '[colors]\nprimry = "#123456"\n')
    config, _ = load_config(tmp_path)
    assert config.primary == "#1f5f66"


def test_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "brochure.toml").write_bytes('\ufeff[clinic]\nname = "Люмен"\n'.encode())
    config, warnings = load_config(tmp_path)
    assert (config.clinic.name, warnings) == ("Люмен", [])


def test_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "brochure.toml"
    path.write_bytes('[clinic]\nname = "Люмен"\n'.encode("cp1251"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.message.startswith("cannot read the configuration (")
    assert str(info.value).startswith(f"{display_path(path)}: error: ")
    assert str(info.value).endswith(" — save brochure.toml as UTF-8 text")
