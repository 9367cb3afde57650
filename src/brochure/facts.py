"""The facts in a line of a page: numbers, phone numbers, e-mail and web addresses.

Each fact carries a key that is the same for the same fact written the way another
language writes it, so two translations can be compared fact by fact:

- a number is a tuple of atoms, each the set of values it may mean: `10-12`, `10–12`
  and `10 – 12` are the atoms 10 and 12; `5 000`, `5000` and (in English) `5,000` are
  5000; `1.5` and `1,5` are 1.5; `9:00` and `9.00` are 9. A separator the language does
  not use for grouping before exactly three digits (`5,000` in Russian, `1.500` in
  English) may mean either, so both values are kept and either one matches.
- a phone number is its digits in international form (the phonenumbers library);
- an e-mail address is itself, lower-cased;
- a web address is its host and path without `www.`, a trailing slash, or a part that
  names a language (`/en/`, `/ru/`, `?lang=en`, `en.example.com`).

Text is read as written in the Markdown source, so each fact keeps its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import phonenumbers as pn

Atom = frozenset[Decimal]

# The mark that groups thousands, for languages that use "," or "." for it; the others
# group with a space and use "," (or, informally, ".") for decimals.
GROUP_MARK = {
    **dict.fromkeys(("en", "ja", "zh", "ko", "he", "hi", "th", "ms", "ga"), ","),
    **dict.fromkeys(("de", "es", "it", "pt", "nl", "da", "tr", "id", "el", "ro", "sl"), "."),
}
_LANG_PARAMS = {"lang", "hl", "locale", "language"}

_LINK = re.compile(r"\]\(\s*<?([^\s)>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?[0-9][0-9 \u00a0().\-‒–]{5,}[0-9]")
_LIST_MARKER = re.compile(r"^(\s*(?:>\s*)*)[0-9]{1,9}[.)](?=\s|$)")
_ENTITY = re.compile(r"&#?\w+;")
_SPACES = " \u00a0\u202f\u2009"
_NUMBER = re.compile(
    rf"(?<![0-9])(?:[0-9]{{1,3}}(?:[{_SPACES}][0-9]{{3}})+(?![0-9])(?:[.,][0-9]+)?"
    r"|[0-9]+(?:[.,:][0-9]+)*)"
)
_RANGE_GAP = re.compile(r"\s*[-‒–—]\s*")
_TRAILING = ".,;:!?"
_ANY = re.compile(r"[0-9@]|://|www\.", re.IGNORECASE)  # a line without these has no fact
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")  # a picture, not an address
# Raw HTML: what never prints (comments, scripts, styles) and the tags with their attributes.
_HIDDEN = re.compile(
    r"<!--.*?-->|<(script|style|template|textarea|title|noscript)\b[^>]*>.*?</\1\s*>",
    re.DOTALL | re.IGNORECASE,
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# A time on the 12-hour clock: 8 pm, 8:30 p.m.
_CLOCK = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?\s?([ap])\.?m\b\.?", re.IGNORECASE)


@dataclass(frozen=True)
class Fact:
    """A number or contact as written on one line, with the key it is compared by."""

    kind: str  # "number", "phone", "email" or "url"
    text: str  # as written
    line: int  # line in the file
    key: str = ""  # contacts: the normalised form
    atoms: tuple[Atom, ...] = ()  # numbers: the values of each part

    @property
    def label(self) -> str:
        return {"phone": "phone", "email": "e-mail", "url": "web address"}.get(self.kind, "")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def url_key(url: str, langs: frozenset[str] = frozenset()) -> str:
    """A web address without what only names its language, `www.` or a trailing slash."""
    url = url.rstrip(_TRAILING)
    if url.lower().startswith("www."):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) > 2 and labels[0] in langs:
        host = ".".join(labels[1:])
    path = "/".join(s for s in parts.path.split("/") if s and s.lower() not in langs)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _LANG_PARAMS]
    key = host + ("/" + path if path else "")
    return key + ("?" + urlencode(sorted(query)) if query else "")


def _atom(token: str, lang: str) -> tuple[Atom, ...]:
    """The values a number as written may mean, in the convention of `lang`."""
    if any(c in token for c in _SPACES):  # 5 000 or 12 500,50
        whole, _, fraction = token.replace(",", ".").partition(".")
        digits = "".join(c for c in whole if c.isdigit())
        return (frozenset({Decimal(f"{digits}.{fraction}" if fraction else digits)}),)
    parts = re.split(r"([.,:])", token)
    numbers, marks = parts[0::2], parts[1::2]
    if not marks:
        return (frozenset({Decimal(token)}),)
    head, tail = numbers[0], numbers[1:]
    group = GROUP_MARK.get(lang)
    if len(marks) == 1:
        mark, rest = marks[0], tail[0]
        decimal = Decimal(f"{head}.{rest}")
        if mark == ":":
            return (frozenset({decimal}),)
        if len(rest) == 3 and len(head) <= 3 and not head.startswith("0"):
            grouped = Decimal(head + rest)
            return (frozenset({grouped} if mark == group else {decimal, grouped}),)
        return (frozenset({decimal}),)
    groups_ok = len(head) <= 3 and not head.startswith("0")
    if groups_ok and len(set(marks)) == 1 and marks[0] != ":" and all(len(t) == 3 for t in tail):
        return (frozenset({Decimal(head + "".join(tail))}),)
    if (
        groups_ok
        and ":" not in marks
        and len(set(marks[:-1])) == 1
        and marks[-1] != marks[0]
        and all(len(t) == 3 for t in tail[:-1])
    ):
        return (frozenset({Decimal(head + "".join(tail[:-1]) + "." + tail[-1])}),)
    return tuple(frozenset({Decimal(n)}) for n in numbers)  # a date, a version: each part


def printable(text: str) -> str:
    """`text` with raw HTML that does not print blanked out; line breaks are kept."""
    if "<" not in text:
        return text

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    return _TAG.sub(blank, _HIDDEN.sub(blank, text))


def _clock(match: re.Match[str]) -> tuple[Atom, ...]:
    """8 pm is 20 o'clock, or 8 for a language that says "8 in the evening"."""
    hour, minutes = int(match.group(1)) % 12, Decimal(f"0.{match.group(2) or '00'}")
    values = {hour + minutes}
    if match.group(3).lower() == "p":
        values.add(hour + 12 + minutes)
    if hour == 0:
        values.add(12 + minutes)
    return (frozenset(values),)


def numbers(text: str, lang: str, line: int) -> list[Fact]:
    """The numbers in `text`; a range (10–12) is one fact with two atoms."""
    original = text
    found = [(m.start(), m.end(), _clock(m)) for m in _CLOCK.finditer(text)]
    for m in _CLOCK.finditer(text):
        text = _blank(text, m.start(), m.end())
    found += [(m.start(), m.end(), _atom(m.group(), lang)) for m in _NUMBER.finditer(text)]
    found.sort()
    merged: list[tuple[int, int, tuple[Atom, ...]]] = []
    for start, end, atoms in found:
        if merged and _RANGE_GAP.fullmatch(original[merged[-1][1] : start]):
            first, _, before = merged[-1]
            merged[-1] = (first, end, before + atoms)
        else:
            merged.append((start, end, atoms))
    return [Fact("number", original[s:e], line, atoms=atoms) for s, e, atoms in merged]


def phone_key(text: str, region: str | None) -> str | None:
    """The phone number in `text` in international form, when it is one."""
    try:
        number = pn.parse(text, region)
    except pn.NumberParseException:
        return None
    if not pn.is_possible_number(number):
        return None
    return str(pn.format_number(number, pn.PhoneNumberFormat.E164))


def _phones(text: str, region: str | None) -> list[tuple[int, int, str]]:
    """Phone numbers: written with "+" and possible, or valid in the clinic's region."""
    if not any(sum(c.isdigit() for c in m.group()) >= 7 for m in _PHONE.finditer(text)):
        return []
    out = []
    for match in pn.PhoneNumberMatcher(text, region, leniency=pn.Leniency.POSSIBLE):
        if match.raw_string.startswith("+") or pn.is_valid_number(match.number):
            key = str(pn.format_number(match.number, pn.PhoneNumberFormat.E164))
            out.append((match.start, match.end, key))
    return out


def facts(
    text: str, lang: str, line: int, region: str | None, langs: frozenset[str] = frozenset()
) -> list[Fact]:
    """Every fact on one line of Markdown source (or in a title), contacts first.

    What is taken as a contact is blanked before numbers are read, so the digits of a
    phone number or a web address are not also numbers.
    """
    if not _ANY.search(text):
        return []
    out: list[Fact] = []
    for m in _IMAGE.finditer(text):
        text = _blank(text, m.start(), m.end())
    if "[" in text:
        reference = _REFERENCE.match(text)
        links = [(reference.start(1), reference.end(1))] if reference else []
        links += [(m.start(1), m.end(1)) for m in _LINK.finditer(text)]
        for start, end in links:
            out += _href(text[start:end], line, region, langs)
            text = _blank(text, start, end)
    if "@" in text:
        for m in _EMAIL.finditer(text):
            email = m.group().rstrip(_TRAILING)
            out.append(Fact("email", email, line, key=email.lower().removeprefix("mailto:")))
            text = _blank(text, m.start(), m.end())
    if "www" in text or "://" in text:
        for m in _URL.finditer(text):
            url = m.group().rstrip(_TRAILING)
            out.append(Fact("url", url, line, key=url_key(url, langs)))
            text = _blank(text, m.start(), m.end())
    for start, end, key in _phones(text, region):
        out.append(Fact("phone", text[start:end], line, key=key))
        text = _blank(text, start, end)
    text = _ENTITY.sub(lambda m: " " * len(m.group()), _LIST_MARKER.sub(r"\1", text))
    return out + numbers(text, lang, line)


def _href(href: str, line: int, region: str | None, langs: frozenset[str]) -> list[Fact]:
    scheme = href.split(":", 1)[0].lower()
    if scheme == "mailto":
        address = href[7:].split("?", 1)[0]
        return [Fact("email", address, line, key=address.lower())]
    if scheme == "tel":
        key = phone_key(href[4:], region) or re.sub(r"\D", "", href)
        return [Fact("phone", href[4:], line, key=key)]
    if scheme in ("http", "https"):
        return [Fact("url", href, line, key=url_key(href, langs))]
    return []


def region_of(phone: str) -> str | None:
    """The region of a phone number written with its country code, e.g. 'GB'."""
    if not phone.strip():
        return None
    try:
        number = pn.parse(phone, None)
    except pn.NumberParseException:
        return None
    region = pn.region_code_for_number(number)
    return str(region) if region and region != "ZZ" else None
