"""Read `brochure.toml` into one frozen, validated configuration."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import color
from .errors import BuildWarning, ConfigError

CONFIG_NAME = "brochure.toml"

_LANG_RE = re.compile(r"^[a-z]{2,3}$")

# Clinic fields that hold one line of text; `hours` is a list of lines.
_CLINIC_TEXT = ("name", "tagline", "address", "phone", "email", "website", "booking_url")
_CLINIC_KEYS = (*_CLINIC_TEXT, "hours", "logo")
_TOP_KEYS = ("clinic", "colors", "bilingual", "output", "check", "fit")
_OUTPUT_KEYS = ("profiles", "pdf_a", "print_color")
PRINT_COLORS = ("cmyk", "rgb")
_COLOR_KEYS = ("primary", "accent")
_BILINGUAL_KEYS = ("pair",)
_CHECK_KEYS = ("ignore",)
_FIT_KEYS = ("a4", "a5")
MAX_FIT_PAGES = 99


@dataclass(frozen=True)
class Clinic:
    """The clinic's identity and contacts, in one language."""

    name: str = "Your clinic"
    tagline: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    booking_url: str = ""
    hours: tuple[str, ...] = ()
    logo: Path | None = None


@dataclass(frozen=True)
class Fit:
    """`[fit]`: the most pages a PDF of each paper size may have (None: no limit)."""

    a4: int | None = None
    a5: int | None = None

    def limit(self, size: str) -> int | None:
        return {"a4": self.a4, "a5": self.a5}.get(size)


@dataclass(frozen=True)
class Config:
    """Everything `brochure.toml` can say, with defaults for what it does not."""

    root: Path
    path: Path | None = None
    clinic: Clinic = field(default_factory=Clinic)
    clinic_by_lang: dict[str, Clinic] = field(default_factory=dict)
    primary: str = "#1f5f66"
    accent: str = "#b5794f"
    bilingual: tuple[str, str] = ("ru", "en")
    bilingual_set: bool = False  # the pair is brochure.toml's, not the default
    profiles: tuple[str, ...] = ("office",)
    pdf_a: bool = False
    check_ignore: tuple[str, ...] = ()  # [check] ignore: kinds, numbers and contacts
    print_color: str = "cmyk"  # the print profile's colours: "cmyk" (FOGRA39) or "rgb"
    fit: Fit | None = None  # None: no [fit] table, brochures are never tightened

    def clinic_for(self, lang: str) -> Clinic:
        """The clinic's details in `lang`, falling back to the base table."""
        return self.clinic_by_lang.get(lang, self.clinic)


def _key_line(text: str, key: str, table: str | None = None) -> int | None:
    """Best-effort line of `key = …` inside `[table]`, else of a `[table.key]` header."""
    in_table = table is None
    headers = {f"{table}.{key}" if table else key}
    header_line = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("[") else raw.strip()
        if line.startswith("["):
            name = line.strip("[] ")
            in_table = table is None or name == table
            if name in headers and header_line is None:
                header_line = number
            continue
        if in_table and re.match(rf"^{re.escape(key)}\s*=", line):
            return number
    return header_line


class _Reader:
    """Validates one parsed TOML document, collecting warnings."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.warnings: list[BuildWarning] = []

    def fail(self, message: str, key: str, table: str | None, hint: str) -> ConfigError:
        return ConfigError(
            message, path=self.path, line=_key_line(self.text, key, table), hint=hint
        )

    def unknown(self, data: dict[str, Any], known: tuple[str, ...], table: str | None) -> None:
        for key in data:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
            where = f"[{table}]" if table else "the top level"
            self.warnings.append(
                BuildWarning(
                    f"unknown key '{key}' in {where} is ignored",
                    path=self.path,
                    line=_key_line(self.text, key, table),
                    hint=hint,
                )
            )

    def table(self, data: dict[str, Any], key: str, parent: str | None = None) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            name = f"{parent}.{key}" if parent else key
            raise self.fail(f"'{name}' must be a table", key, parent, f"write it as [{name}]")
        return value

    def clinic(self, data: dict[str, Any], table: str, base: Clinic, root: Path) -> Clinic:
        self.unknown(
            {k: v for k, v in data.items() if not isinstance(v, dict)}, _CLINIC_KEYS, table
        )
        values: dict[str, Any] = {}
        for key in _CLINIC_TEXT:
            if key in data:
                value = data[key]
                if not isinstance(value, str):
                    raise self.fail(
                        f"'{key}' in [{table}] must be text, got {type(value).__name__}",
                        key,
                        table,
                        f'put it in quotes: {key} = "…"',
                    )
                values[key] = value.strip()
        if "hours" in data:
            hours = data["hours"]
            if isinstance(hours, str):
                hours = [hours]
            if not isinstance(hours, list) or not all(isinstance(h, str) for h in hours):
                raise self.fail(
                    f"'hours' in [{table}] must be a list of text lines",
                    "hours",
                    table,
                    'write hours = ["Mon–Fri 9:00–20:00", "Sat 10:00–16:00"]',
                )
            values["hours"] = tuple(h.strip() for h in hours)
        if "logo" in data:
            logo = data["logo"]
            if not isinstance(logo, str) or not logo.strip():
                raise self.fail(
                    f"'logo' in [{table}] must be a file path",
                    "logo",
                    table,
                    'write logo = "images/logo.svg"',
                )
            values["logo"] = (root / logo.strip()).resolve()
        return replace(base, **values)


def _check_ignore(reader: _Reader, raw: Any) -> tuple[str, ...]:
    """[check] ignore: kinds of finding not to report, and values that may differ."""
    from .check import KINDS

    example = 'write ignore = ["stale", "+7 495 123-45-67"]'
    if not isinstance(raw, list):
        raise reader.fail(
            f"'ignore' in [check] must be a list, got {raw!r}", "ignore", "check", example
        )
    out: list[str] = []
    for item in raw:
        text = str(item).strip() if isinstance(item, str | int | float) else ""
        if isinstance(item, bool) or not text:
            raise reader.fail(
                f"'ignore' in [check] lists {item!r}; expected text or a number",
                "ignore",
                "check",
                example,
            )
        if text not in KINDS and not re.search(r"[0-9@]|://|www\.", text):
            close = difflib.get_close_matches(text, KINDS, n=1)
            error = reader.fail(
                f"'{text}' in [check] ignore is neither a kind of finding nor a number, "
                "phone number, e-mail or web address",
                "ignore",
                "check",
                f"did you mean '{close[0]}'?" if close else f"kinds are {', '.join(KINDS)}",
            )
            lines = reader.text.splitlines()
            start = error.line or 1
            error.line = next(
                (n for n in range(start, len(lines) + 1) if text in lines[n - 1]), error.line
            )
            raise error
        out.append(text)
    return tuple(out)


def load_config(root: Path, path: Path | None = None) -> tuple[Config, list[BuildWarning]]:
    """Load `brochure.toml` from the content root (or `path`); defaults when absent."""
    root = root.resolve()
    path = path or root / CONFIG_NAME
    if not path.is_file():
        return Config(root=root), []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read the configuration ({exc})",
            path=path,
            hint="save brochure.toml as UTF-8 text",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            f"invalid TOML: {reason}",
            path=path,
            line=int(match.group(1)) if match else None,
            hint="fix the syntax (see docs/configuration.md)",
        ) from None

    reader = _Reader(path, text)
    reader.unknown(data, _TOP_KEYS, None)
    clinic_data = reader.table(data, "clinic")
    base = path.parent.resolve()  # a logo is named relative to brochure.toml
    clinic = reader.clinic(clinic_data, "clinic", Clinic(), base)
    by_lang: dict[str, Clinic] = {}
    for key, value in clinic_data.items():
        if isinstance(value, dict):
            if not _LANG_RE.match(key):
                raise reader.fail(
                    f"[clinic.{key}] is not a language code",
                    key,
                    "clinic",
                    "name per-language tables by language, e.g. [clinic.ru]",
                )
            by_lang[key] = reader.clinic(value, f"clinic.{key}", clinic, base)

    colors = reader.table(data, "colors")
    reader.unknown(colors, _COLOR_KEYS, "colors")
    palette: dict[str, str] = {}
    for key in _COLOR_KEYS:
        if key in colors:
            value = colors[key]
            try:
                if not isinstance(value, str):
                    raise ValueError("not a colour")
                color.parse(value)
            except ValueError as exc:
                if str(exc) != "not a colour":
                    raise reader.fail(
                        f"colour '{key}' {value.strip()!r}: {exc}",
                        key,
                        "colors",
                        "give each ink as 0–100 % and keep their sum at 300 % or less",
                    ) from None
                raise reader.fail(
                    f"colour '{key}' must be a hex colour like \"#1f5f66\" or CMYK inks like "
                    f'"cmyk(90%, 30%, 40%, 20%)", got {value!r}',
                    key,
                    "colors",
                    "use #rgb, #rrggbb or cmyk(c%, m%, y%, k%)",
                ) from None
            palette[key] = value.strip().lower()

    bilingual = reader.table(data, "bilingual")
    reader.unknown(bilingual, _BILINGUAL_KEYS, "bilingual")
    pair: tuple[str, str] = ("ru", "en")
    if "pair" in bilingual:
        raw = bilingual["pair"]
        if (
            not isinstance(raw, list)
            or len(raw) != 2
            or not all(isinstance(x, str) and _LANG_RE.match(x) for x in raw)
            or raw[0] == raw[1]
        ):
            raise reader.fail(
                f"'pair' in [bilingual] must name two different languages, got {raw!r}",
                "pair",
                "bilingual",
                'write pair = ["ru", "en"]',
            )
        pair = (raw[0], raw[1])

    output = reader.table(data, "output")
    reader.unknown(output, _OUTPUT_KEYS, "output")
    profiles: tuple[str, ...] = ("office",)
    if "profiles" in output:
        from .profiles import PROFILES

        raw_profiles = output["profiles"]
        if isinstance(raw_profiles, str):
            raw_profiles = [raw_profiles]
        if (
            not isinstance(raw_profiles, list)
            or not raw_profiles
            or not all(isinstance(p, str) and p in PROFILES for p in raw_profiles)
        ):
            raise reader.fail(
                f"'profiles' in [output] must list profiles from {', '.join(PROFILES)}, "
                f"got {raw_profiles!r}",
                "profiles",
                "output",
                'write profiles = ["office", "email"]',
            )
        profiles = tuple(dict.fromkeys(raw_profiles))
    pdf_a = output.get("pdf_a", False)
    if not isinstance(pdf_a, bool):
        raise reader.fail(
            f"'pdf_a' in [output] must be true or false, got {pdf_a!r}",
            "pdf_a",
            "output",
            "write pdf_a = true",
        )

    check = reader.table(data, "check")
    reader.unknown(check, _CHECK_KEYS, "check")
    check_ignore = _check_ignore(reader, check.get("ignore", []))
    print_color = output.get("print_color", "cmyk")
    if print_color not in PRINT_COLORS:
        raise reader.fail(
            f'\'print_color\' in [output] must be "cmyk" or "rgb", got {print_color!r}',
            "print_color",
            "output",
            'write print_color = "cmyk" (press-ready FOGRA39) or "rgb"',
        )
    fit = _fit(reader, data) if "fit" in data else None

    config = Config(
        root=root,
        path=path,
        clinic=clinic,
        clinic_by_lang=by_lang,
        bilingual=pair,
        bilingual_set="pair" in bilingual,
        profiles=profiles,
        pdf_a=pdf_a,
        check_ignore=check_ignore,
        print_color=print_color,
        fit=fit,
        **palette,
    )
    return config, reader.warnings


def _fit(reader: _Reader, data: dict[str, Any]) -> Fit:
    """`[fit]`: whole numbers of pages per paper size."""
    table = reader.table(data, "fit")
    reader.unknown(table, _FIT_KEYS, "fit")
    limits: dict[str, int] = {}
    for key in _FIT_KEYS:
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise reader.fail(
                    f"'{key}' in [fit] must be a whole number of pages, got {value!r}",
                    key,
                    "fit",
                    f"write {key} = 2",
                )
            if not 1 <= value <= MAX_FIT_PAGES:
                raise reader.fail(
                    f"'{key}' in [fit] must be from 1 to {MAX_FIT_PAGES} pages, got {value}",
                    key,
                    "fit",
                    f"write {key} = 2, or leave it out for no limit",
                )
            limits[key] = value
    return Fit(**limits)
