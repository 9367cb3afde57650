"""fonts.py: what the bundled fonts draw, and text cleared of what they cannot."""

from __future__ import annotations

from brochure import fonts
from brochure.markdown import render_blocks


def test_pt_fonts_and_fallbacks_cover_the_sites_languages_and_symbols() -> None:
    missing: set[str] = set()
    text = "Мезотерапия · Қазақ әріптері: ғ қ ң ө ұ ү һ і · „Grüße“ · 5 000 ₸ ✓ → 💯 ✅"
    assert fonts.strip(text, missing) == text
    assert missing == set()


def test_a_character_no_bundled_font_has_is_left_out_and_named() -> None:
    missing: set[str] = set()
    assert fonts.strip("a\U00010000b\u200dc", missing) == "ab\u200dc"  # controls stay
    assert missing == {"\U00010000"}
    assert fonts.describe(missing) == "'\U00010000' (U+10000)"


def test_markdown_reports_what_it_left_out() -> None:
    missing: set[str] = set()
    blocks = render_blocks("Text \U00010000 and `code \U00010001`", "en", None, None, missing)
    assert "\U00010000" not in blocks[0].html and "\U00010001" not in blocks[0].html
    assert missing == {"\U00010000", "\U00010001"}
