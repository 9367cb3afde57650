"""Per-language typography: quotes, dashes and non-breaking spaces."""

from __future__ import annotations

import re

from . import languages, limits

NBSP = "\u00a0"
WORD_JOINER = "\u2060"  # no line break here (a range like 10–12 stays on one line)
ZWSP = "\u200b"  # a line may break here, invisibly

# A number range such as 10-12 or 48-72, but not a phone number like 123-45-67.
_RANGE = re.compile(r"(?<![\d\-–])(\d{1,4})-(\d{1,4})(?![\d\-–])")
# A hyphen or dash standing alone between spaces.
_SPACED_DASH = re.compile(r"(?<=\S) +(?:-|--|—|–) +")
# A dash after a space: keep it off the start of the next line.
_DASH_AFTER_SPACE = re.compile(r"(?<! ) +(?=[—–](?: |$))")
# One- and two-letter words (prepositions, conjunctions) in Cyrillic text.
_SHORT_WORD = re.compile(r"(?<![\w\-])([\u0400-\u04ff]{1,2}|[0-9]{1,2}) +(?=\S)")


_LONG_RUN = re.compile(rf"[^\s{ZWSP}]{{{limits.LONG_WORD_CHARS + 1},}}")


def _chunked(match: re.Match[str]) -> str:
    run = match.group()
    step = limits.WORD_CHUNK
    return ZWSP.join(run[i : i + step] for i in range(0, len(run), step))


def breakable(text: str) -> str:
    """Give every very long run of letters (a pasted hash, a URL, a keyboard mash) an
    invisible break opportunity every few characters.

    WeasyPrint breaks a word too long for its line letter by letter, laying out the
    rest of the paragraph again for each line: the time grows with the square of the
    word's length (40 000 letters took minutes). With break opportunities the word
    is set like ordinary text, in linear time.
    """
    return _LONG_RUN.sub(_chunked, text) if len(text) > limits.LONG_WORD_CHARS else text


def quotes_for(lang: str) -> str | list[str]:
    """The smartquotes setting for a language (from its data file)."""
    return languages.get(lang).quotes


def apply(text: str, lang: str) -> str:
    """Apply the language's rules to a run of plain text (never to code or URLs)."""
    rules = languages.get(lang)
    text = _RANGE.sub(f"\\1{WORD_JOINER}–{WORD_JOINER}\\2", text)
    text = _SPACED_DASH.sub(f"{NBSP}{rules.dash} ", text)
    text = _DASH_AFTER_SPACE.sub(NBSP, text)
    if rules.short_words:
        text = _SHORT_WORD.sub(rf"\1{NBSP}", text)
    return text
