"""Unit tests for typography.py: dashes, ranges and non-breaking spaces per language."""

from __future__ import annotations

import pytest

from brochure import typography

NB = "\u00a0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # One- and two-letter words stick to the next word.
        ("в тканях", f"в{NB}тканях"),
        ("и в тканях", f"и{NB}в{NB}тканях"),
        ("обменных процессов в тканях", f"обменных процессов в{NB}тканях"),
        ("Я и ты", f"Я{NB}и{NB}ты"),
        ("в  тканях", f"в{NB}тканях"),
        # ...but not the end of a longer or hyphenated word.
        ("кто-то и я", f"кто-то и{NB}я"),
        ("микро- и макроэлементы", f"микро- и{NB}макроэлементы"),
        # A spaced hyphen or dash becomes an em dash glued to the word before it.
        ("Это - тест", f"Это{NB}— тест"),
        ("Это -- тест", f"Это{NB}— тест"),
        ("Это – тест", f"Это{NB}— тест"),
        ("Это — тест", f"Это{NB}— тест"),
        # Number ranges take an en dash; phone numbers and dates are left alone.
        ("10-12", "10\u2060–\u206012"),
        ("48-72", "48\u2060–\u206072"),
        ("курс 10-12 сеансов", f"курс 10\u2060–\u206012{NB}сеансов"),
        ("123-45-67", "123-45-67"),
        ("звоните 123-45-67", "звоните 123-45-67"),
        ("2024-05-01", "2024-05-01"),
        # Nothing to do.
        ("мезотерапия", "мезотерапия"),
        ("", ""),
    ],
)
def test_russian(text: str, expected: str) -> None:
    assert typography.apply(text, "ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48-72", "48\u2060–\u206072"),
        ("a course of 10-12 sessions", "a course of 10\u2060–\u206012 sessions"),
        ("hair - and scalp", f"hair{NB}– and scalp"),
        ("hair -- and scalp", f"hair{NB}– and scalp"),
        ("hair — and scalp", f"hair{NB}– and scalp"),
        ("call 123-45-67", "call 123-45-67"),
        ("2024-05-01", "2024-05-01"),
        ("COVID-19", "COVID-19"),
        ("micro- and macroelements", "micro- and macroelements"),
        # English short words are not bound to the next word.
        ("in a day", "in a day"),
        ("в тканях", "в тканях"),
    ],
)
def test_english(text: str, expected: str) -> None:
    assert typography.apply(text, "en") == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "«»„“"), ("en", "“”‘’"), ("de", "„“‚‘"), ("xx", "“”‘’")],
)
def test_quotes_for(lang: str, expected: str) -> None:
    assert typography.quotes_for(lang) == expected
