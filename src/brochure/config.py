"""Read `brochure.toml` into one frozen, validated configuration.

Every problem in the file is collected and reported at once (exit code 2), each
with its line; values are held to `limits` (lengths, nesting, numbers), and the
website and booking page must be web addresses (`links`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import color, limits, links, safety
from .errors import BuildWarning, ConfigError, ConfigErrors, did_you_mean

CONFIG_NAME = "brochure.toml"

_LANG_RE = re.compile(r"^[a-z]{2,3}$")
_EMAIL_RE = re.compile(r"^[^\s@<>?&#/\\\"]+@[^\s@<>?&#/\\\"]+\.[^\s@<>?&#/\\\"]+$")

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


class _KeyLines:
    """Where each `key = …` and `[table]` header is, found in one pass over the file."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str | None, str], int] = {}  # (table, key) -> line
        self.headers: dict[str, int] = {}
        table: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("[") else raw.strip()
            if line.startswith("["):
                table = line.strip("[] ")
                self.headers.setdefault(table, number)
                continue
            equals = line.find("=")
            if equals > 0:
                key = line[:equals].strip()
                self.keys.setdefault((table, key), number)
                self.keys.setdefault((None, key), number)

    def __call__(self, key: str, table: str | None = None) -> int | None:
        found = self.keys.get((table, key))
        if found is not None:
            return found
        return self.headers.get(f"{table}.{key}" if table else key)


def _key_line(text: str, key: str, table: str | None = None) -> int | None:
    """Best-effort line of `key = …` inside `[table]`, else of a `[table.key]` header."""
    return _KeyLines(text)(key, table)


def _scan(text: str, path: Path) -> list[ConfigError]:
    """Nesting deeper than the limit and numbers longer than the limit, with their lines,
    found before tomllib sees them (it would recurse until Python gives up, or build a
    number no message can print)."""
    problems: list[ConfigError] = []
    depth, line, quote, run, run_start = 0, 1, "", 0, 1
    deep_reported = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        if quote:
            if c == "\\" and quote[0] == '"':
                i += 2  # an escaped character in a basic string
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        elif c in "[{":
            depth += 1
            if depth > limits.STRUCTURE_DEPTH and not deep_reported:
                deep_reported = True
                problems.append(
                    ConfigError(
                        f"values nested more than {limits.STRUCTURE_DEPTH} levels deep",
                        path=path,
                        line=line,
                        hint="brochure.toml needs tables and lists of text, not deep nesting",
                    )
                )
        elif c in "]}":
            depth = max(depth - 1, 0)
        if not quote and (c.isdigit() or (run and c in "_xobXOBabcdefABCDEF+-.")):
            run, run_start = run + 1, run_start if run else line
        else:
            if run > limits.NUMBER_CHARS:
                problems.append(_long_number(run, path, run_start))
            run = 0
        i += 1
    if run > limits.NUMBER_CHARS:
        problems.append(_long_number(run, path, run_start))
    return problems


def _long_number(chars: int, path: Path, line: int) -> ConfigError:
    return ConfigError(
        f"a number of {chars} characters (at most {limits.NUMBER_CHARS})",
        path=path,
        line=line,
        hint='no setting takes such a number; put text in quotes: "…"',
    )


class _Reader:
    """Validates one parsed TOML document, collecting every problem and warning."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = _KeyLines(text)
        self.warnings: list[BuildWarning] = []
        self.problems: list[ConfigError] = []

    def fail(self, message: str, key: str, table: str | None, hint: str) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.lines(key, table), hint=hint)

    def problem(self, message: str, key: str, table: str | None, hint: str) -> None:
        """Record a problem and go on: the user hears of all of them in one run."""
        self.problems.append(self.fail(message, key, table, hint))

    def unknown(self, data: dict[str, Any], known: tuple[str, ...], table: str | None) -> None:
        where = f"[{table}]" if table else "the top level"
        unknown = [key for key in data if key not in known]
        if len(unknown) > limits.UNKNOWN_KEY_WARNINGS:
            shown = ", ".join(safety.shown_text(k, 20) for k in unknown[:3])
            self.warnings.append(
                BuildWarning(
                    f"{len(unknown)} unknown keys in {where} are ignored ({shown}, …)",
                    path=self.path,
                    line=self.lines(unknown[0], table),
                    hint=f"known keys: {', '.join(known)}",
                )
            )
            return
        for key in unknown:
            self.warnings.append(
                BuildWarning(
                    f"unknown key '{safety.shown_text(key)}' in {where} is ignored",
                    path=self.path,
                    line=self.lines(key, table),
                    hint=did_you_mean(key, known),
                )
            )

    def table(self, data: dict[str, Any], key: str, parent: str | None = None) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            name = f"{parent}.{key}" if parent else key
            self.problem(f"'{name}' must be a table", key, parent, f"write it as [{name}]")
            return {}
        return value

    def line_of_text(self, table: str, key: str, raw: object) -> str | None:
        """A clinic's line of text, within its length; a web address where one is due."""
        if not isinstance(raw, str):
            self.problem(
                f"'{key}' in [{table}] must be text, got {type(raw).__name__}",
                key,
                table,
                f'put it in quotes: {key} = "…"',
            )
            return None
        value = raw.strip()
        longest = limits.CLINIC_CHARS.get(key, limits.URL_CHARS)
        if len(value) > longest:
            self.problem(
                f"'{key}' in [{table}] is {len(value)} characters long; at most {longest}",
                key,
                table,
                "shorten it",
            )
            return None
        if key in ("website", "booking_url") and value:
            address = links.web_address(value)
            if address is None:
                self.problem(
                    f"'{key}' in [{table}] must be a web address (https://…), got "
                    f"{safety.shown(value)}",
                    key,
                    table,
                    f'write {key} = "https://clinic.example"',
                )
                return None
            return address
        if key == "email" and value and not _EMAIL_RE.match(value):
            self.problem(
                f"'email' in [{table}] must be an e-mail address, got {safety.shown(value)}",
                key,
                table,
                'write email = "hello@clinic.example"',
            )
            return None
        return value

    def clinic(self, data: dict[str, Any], table: str, base: Clinic, root: Path) -> Clinic:
        self.unknown(
            {k: v for k, v in data.items() if not isinstance(v, dict)}, _CLINIC_KEYS, table
        )
        values: dict[str, Any] = {}
        for key in _CLINIC_TEXT:
            if key in data:
                value = self.line_of_text(table, key, data[key])
                if value is not None:
                    values[key] = value
        if "hours" in data:
            hours = data["hours"]
            if isinstance(hours, str):
                hours = [hours]
            if not isinstance(hours, list) or not all(isinstance(h, str) for h in hours):
                self.problem(
                    f"'hours' in [{table}] must be a list of text lines",
                    "hours",
                    table,
                    'write hours = ["Mon–Fri 9:00–20:00", "Sat 10:00–16:00"]',
                )
            elif len(hours) > limits.HOURS_LINES or any(
                len(h.strip()) > limits.HOURS_LINE_CHARS for h in hours
            ):
                self.problem(
                    f"'hours' in [{table}] may have {limits.HOURS_LINES} lines of at most "
                    f"{limits.HOURS_LINE_CHARS} characters",
                    "hours",
                    table,
                    "one short line per day or group of days",
                )
            else:
                values["hours"] = tuple(h.strip() for h in hours)
        if "logo" in data:
            logo = data["logo"]
            if not isinstance(logo, str) or not logo.strip():
                self.problem(
                    f"'logo' in [{table}] must be a file path",
                    "logo",
                    table,
                    'write logo = "images/logo.svg"',
                )
            elif (
                len(logo) > limits.PATH_CHARS
                or any(len(part) > limits.FILE_NAME_CHARS for part in logo.split("/"))
                or "\0" in logo
            ):
                self.problem(
                    f"'logo' in [{table}] is not a usable file name",
                    "logo",
                    table,
                    'write logo = "images/logo.svg"',
                )
            else:
                # Resolved here, never opened: whether it lies inside the content folder
                # is checked before the logo is hashed or drawn.
                values["logo"] = (root / logo.strip()).resolve()
        return replace(base, **values)


def _check_ignore(reader: _Reader, raw: Any) -> tuple[str, ...]:
    """[check] ignore: kinds of finding not to report, and values that may differ."""
    from .check import KINDS

    example = 'write ignore = ["stale", "+7 495 123-45-67"]'
    if not isinstance(raw, list):
        reader.problem(
            f"'ignore' in [check] must be a list, got {safety.shown(raw)}",
            "ignore",
            "check",
            example,
        )
        return ()
    out: list[str] = []
    for item in raw:
        text = str(item).strip() if isinstance(item, str | int | float) else ""
        if isinstance(item, bool) or not text:
            reader.problem(
                f"'ignore' in [check] lists {safety.shown(item)}; expected text or a number",
                "ignore",
                "check",
                example,
            )
            continue
        if text not in KINDS and not re.search(r"[0-9@]|://|www\.", text):
            error = reader.fail(
                f"'{safety.shown_text(text)}' in [check] ignore is neither a kind of finding nor"
                " a number, phone number, e-mail or web address",
                "ignore",
                "check",
                did_you_mean(text, KINDS, otherwise=f"kinds are {', '.join(KINDS)}"),
            )
            lines = reader.text.splitlines()
            start = error.line or 1
            error.line = next(
                (n for n in range(start, len(lines) + 1) if text in lines[n - 1]), error.line
            )
            reader.problems.append(error)
            continue
        out.append(text)
    return tuple(out)


def load_config(root: Path, path: Path | None = None) -> tuple[Config, list[BuildWarning]]:
    """Load `brochure.toml` from the content root (or `path`); defaults when absent.

    Raises `ConfigError` (`ConfigErrors` for several) naming every problem in the file.
    """
    root = root.resolve()
    path = path or root / CONFIG_NAME
    if not path.is_file():
        return Config(root=root), []
    try:
        text = safety.read_text(path, [root], limits.CONFIG_BYTES)
    except safety.Refused as exc:
        raise ConfigError(
            f"the configuration is refused: {exc}",
            path=path,
            hint="keep brochure.toml a small text file inside the content folder",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read the configuration ({exc})",
            path=path,
            hint="save brochure.toml as UTF-8 text",
        ) from None
    scanned = _scan(text, path)
    if scanned:
        raise scanned[0] if len(scanned) == 1 else ConfigErrors(scanned)
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
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ConfigError(
            f"invalid TOML: a value cannot be read ({type(exc).__name__})",
            path=path,
            hint="fix the syntax (see docs/configuration.md)",
        ) from None

    reader = _Reader(path, text)
    config = _read(reader, data, root, path)
    if reader.problems:
        if len(reader.problems) == 1:
            raise reader.problems[0]
        raise ConfigErrors(reader.problems)
    return config, reader.warnings


def _read(reader: _Reader, data: dict[str, Any], root: Path, path: Path) -> Config:
    reader.unknown(data, _TOP_KEYS, None)
    clinic_data = reader.table(data, "clinic")
    base = path.parent.resolve()  # a logo is named relative to brochure.toml
    clinic = reader.clinic(clinic_data, "clinic", Clinic(), base)
    by_lang: dict[str, Clinic] = {}
    for key, value in clinic_data.items():
        if isinstance(value, dict):
            if not _LANG_RE.match(key):
                reader.problem(
                    f"[clinic.{safety.shown_text(key)}] is not a language code",
                    key,
                    "clinic",
                    "name per-language tables by language, e.g. [clinic.ru]",
                )
                continue
            by_lang[key] = reader.clinic(value, f"clinic.{key}", clinic, base)

    colors = reader.table(data, "colors")
    reader.unknown(colors, _COLOR_KEYS, "colors")
    palette: dict[str, str] = {}
    for key in _COLOR_KEYS:
        if key in colors:
            value = colors[key]
            try:
                if not isinstance(value, str) or len(value) > 100:
                    raise ValueError("not a colour")
                color.parse(value)
            except ValueError as exc:
                if str(exc) != "not a colour":
                    reader.problem(
                        f"colour '{key}' {safety.shown(value.strip())}: {exc}",
                        key,
                        "colors",
                        "give each ink as 0–100 % and keep their sum at 300 % or less",
                    )
                else:
                    reader.problem(
                        f"colour '{key}' must be a hex colour like \"#1f5f66\" or CMYK inks like "
                        f'"cmyk(90%, 30%, 40%, 20%)", got {safety.shown(value)}',
                        key,
                        "colors",
                        "use #rgb, #rrggbb or cmyk(c%, m%, y%, k%)",
                    )
                continue
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
            reader.problem(
                f"'pair' in [bilingual] must name two different languages, got {safety.shown(raw)}",
                "pair",
                "bilingual",
                'write pair = ["ru", "en"]',
            )
        else:
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
            reader.problem(
                f"'profiles' in [output] must list profiles from {', '.join(PROFILES)}, "
                f"got {safety.shown(raw_profiles)}",
                "profiles",
                "output",
                'write profiles = ["office", "email"]',
            )
        else:
            profiles = tuple(dict.fromkeys(raw_profiles))
    pdf_a = output.get("pdf_a", False)
    if not isinstance(pdf_a, bool):
        reader.problem(
            f"'pdf_a' in [output] must be true or false, got {safety.shown(pdf_a)}",
            "pdf_a",
            "output",
            "write pdf_a = true",
        )
        pdf_a = False

    check = reader.table(data, "check")
    reader.unknown(check, _CHECK_KEYS, "check")
    check_ignore = _check_ignore(reader, check.get("ignore", []))
    print_color = output.get("print_color", "cmyk")
    if print_color not in PRINT_COLORS:
        reader.problem(
            f'\'print_color\' in [output] must be "cmyk" or "rgb", got {safety.shown(print_color)}',
            "print_color",
            "output",
            'write print_color = "cmyk" (press-ready FOGRA39) or "rgb"',
        )
        print_color = "cmyk"
    fit = _fit(reader, data) if "fit" in data else None

    return Config(
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
