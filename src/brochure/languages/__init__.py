"""Languages as data: the labels a brochure prints and the typography of its text.

A file's `[catalogue]` table holds the words of the catalogue page (`catalogue.py`); a
language without one has the catalogue in the languages that do.

One TOML file per language in this folder (`ru.toml`, `de.toml`, …): adding a
language adds a file, not code. A language without a file is printed with the
English labels and typography; the build says so once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
FALLBACK = "en"
LABEL_KEYS = (
    "contacts",
    "book",
    "hours",
    "phone",
    "address",
    "email",
    "website",
    "qr",
    "note",
    "tip",
    "important",
    "warning",
    "caution",
    "footnotes",
)


@dataclass(frozen=True)
class Language:
    """What brochure knows of one language."""

    code: str
    name: str
    labels: dict[str, str]
    quotes: str | list[str]  # markdown-it's smartquotes: double open/close, single open/close
    dash: str  # a dash between spaces becomes this one (– or —)
    short_words: bool  # a no-break space after one- and two-letter words (Russian rule)
    known: bool = True  # False: no data file, English used instead
    catalogue: dict[str, str] = field(default_factory=dict)  # the catalogue page's words


def known() -> list[str]:
    """The languages that have a data file."""
    return sorted(p.stem for p in FOLDER.glob("*.toml"))


@cache
def get(code: str) -> Language:
    """The language `code` (its primary subtag), else English marked `known=False`."""
    primary = code.lower().split("-")[0]
    path = FOLDER / f"{primary}.toml"
    if not path.is_file() or not primary.isalpha():
        fallback = get(FALLBACK)
        return Language(
            primary,
            primary,
            fallback.labels,
            fallback.quotes,
            fallback.dash,
            fallback.short_words,
            False,
        )
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    labels = {**(get(FALLBACK).labels if primary != FALLBACK else {}), **data.get("labels", {})}
    typo = data.get("typography", {})
    return Language(
        primary,
        str(data.get("name", primary)),
        {k: str(v) for k, v in labels.items()},
        typo.get("quotes", "“”‘’"),
        str(typo.get("dash", "–")),
        bool(typo.get("short_words", False)),
        catalogue={k: str(v) for k, v in data.get("catalogue", {}).items()},
    )
