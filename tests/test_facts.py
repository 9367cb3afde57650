"""Numbers and contacts read from page text: the same fact written two ways is one fact."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brochure.facts import Fact, facts, numbers, printable, url_key

LANGS = frozenset({"en", "ru"})


def values(text: str, lang: str) -> list[set[Decimal]]:
    """Every atom of every number in `text`, in order."""
    return [set(atom) for fact in numbers(text, lang, 1) for atom in fact.atoms]


def same(a: str, lang_a: str, b: str, lang_b: str) -> bool:
    """Whether each atom of one text has a possible value in common with the other's."""
    left, right = values(a, lang_a), values(b, lang_b)
    return len(left) == len(right) and all(x & y for x, y in zip(left, right, strict=True))


# The normalisations, each written the English way and the Russian way.
SAME = [
    ("10-12", "en", "10–12", "ru"),
    ("10–12", "en", "10 – 12", "ru"),
    ("10 – 12", "en", "10-12", "ru"),
    ("10—12", "en", "10-12", "ru"),
    ("5,000", "en", "5 000", "ru"),
    ("5000", "en", "5\u00a0000", "ru"),
    ("5,000", "en", "5000", "ru"),
    ("5 000", "en", "5,000", "ru"),
    ("1.5", "en", "1,5", "ru"),
    ("1,5", "en", "1.5", "ru"),
    ("9:00", "en", "9.00", "ru"),
    ("9.00–20.00", "en", "9:00–20:00", "ru"),
    ("12,500.50", "en", "12 500,50", "ru"),
    ("1,000,000", "en", "1 000 000", "ru"),
    ("1.000.000", "de", "1,000,000", "en"),
    ("12.05.2025", "ru", "12/05/2025", "en"),
]

DIFFERENT = [
    ("10–12", "en", "8–10", "ru"),
    ("1.5", "en", "15", "ru"),
    ("5,000", "en", "500", "ru"),
    ("5,000", "en", "5", "en"),  # in English the comma groups
    ("1.500", "de", "1.5", "en"),  # in German the point groups
    ("9:30", "en", "9:03", "ru"),
]


@pytest.mark.parametrize(("a", "lang_a", "b", "lang_b"), SAME)
def test_the_same_number_written_two_ways_is_the_same(
    a: str, lang_a: str, b: str, lang_b: str
) -> None:
    assert same(a, lang_a, b, lang_b)
    assert same(b, lang_b, a, lang_a)


@pytest.mark.parametrize(("a", "lang_a", "b", "lang_b"), DIFFERENT)
def test_different_numbers_differ(a: str, lang_a: str, b: str, lang_b: str) -> None:
    assert not same(a, lang_a, b, lang_b)
    assert not same(b, lang_b, a, lang_a)


def test_a_range_is_one_fact_as_written() -> None:
    (fact,) = numbers("a course of 10 – 12 sessions", "en", 7)
    assert (fact.text, fact.line) == ("10 – 12", 7)
    assert fact.atoms == (frozenset({Decimal(10)}), frozenset({Decimal(12)}))


def test_a_comma_before_three_digits_may_mean_either_where_it_does_not_group() -> None:
    assert values("5,000", "ru") == [{Decimal("5.000"), Decimal(5000)}]
    assert values("5,000", "en") == [{Decimal(5000)}]


def test_contacts_are_read_before_numbers() -> None:
    line = (
        "Call +44 20 7946 0321, write to Hello@Lumen-Clinic.example or book on "
        "[our site](https://www.lumen-clinic.example/en/book/) within 24 hours."
    )
    found = facts(line, "en", 3, "GB", LANGS)
    assert [(f.kind, f.key) for f in found] == [
        ("url", "lumen-clinic.example/book"),
        ("email", "hello@lumen-clinic.example"),
        ("phone", "+442079460321"),
        ("number", ""),
    ]
    assert found[-1].text == "24"
    assert all(f.line == 3 for f in found)


def test_a_phone_in_the_clinics_region_is_compared_by_its_digits() -> None:
    national = facts("ring 020 7946 0321", "en", 1, "GB", LANGS)
    international = facts("[reception](tel:+44-20-7946-0321)", "ru", 1, "GB", LANGS)
    assert [f.key for f in national] == [f.key for f in international] == ["+442079460321"]


def test_a_list_number_is_not_a_number() -> None:
    assert facts("2. Take 3 tablets.", "en", 1, None) == [
        Fact("number", "3", 1, atoms=(frozenset({Decimal(3)}),))
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://clinic.example/en/peel/", "https://clinic.example/ru/peel"),
        ("https://www.clinic.example/peel?lang=en", "https://clinic.example/peel?lang=ru"),
        ("https://en.clinic.example/peel", "https://ru.clinic.example/peel"),
        ("www.clinic.example/peel", "https://clinic.example/peel/"),
    ],
)
def test_web_addresses_differing_only_by_language_are_the_same(a: str, b: str) -> None:
    assert url_key(a, LANGS) == url_key(b, LANGS)


def test_web_addresses_with_different_pages_differ() -> None:
    assert url_key("https://clinic.example/en/peel", LANGS) != url_key(
        "https://clinic.example/ru/botox", LANGS
    )


def test_twelve_hour_times_match_the_24_hour_clock() -> None:
    assert same("from 9 am to 8 pm", "en", "с 9 до 20 часов", "ru")
    assert same("open until 2 p.m.", "en", "до 14:00", "ru")
    assert same("at 8:30 pm", "en", "в 8.30 вечера", "ru")  # Russian may say "8 in the evening"
    assert not same("until 8 pm", "en", "до 21:00", "ru")


def test_raw_html_that_does_not_print_has_no_facts() -> None:
    source = (
        '<div style="border: 2px solid; background: url(https://tracker.example/bg.png)">'
        "Bring your X-ray from 2023.</div><script>alert(1)</script>"
        '<iframe src="https://video.example/embed" width="560" height="315"></iframe>'
        "<!-- note: 42 -->"
    )
    shown = printable(source)
    assert len(shown) == len(source)
    assert [(f.kind, f.text) for f in facts(shown, "en", 1, None, LANGS)] == [("number", "2023")]
    assert printable("a\n<!-- 1\n2 -->\nb 3") == "a\n" + " " * 6 + "\n" + " " * 5 + "\nb 3"


def test_a_picture_is_not_a_web_address() -> None:
    found = facts(
        "![Room 5](https://cdn.example/room.jpg) and [site](https://clinic.example)", "en", 1, None
    )
    assert [(f.kind, f.text) for f in found] == [("url", "https://clinic.example")]
