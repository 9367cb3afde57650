"""Unit tests for markdown.py: blocks, title dropping, quotes, classes, links, safety."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brochure.markdown import Block, render_blocks
from brochure.typography import ZWSP

NB = "\u00a0"


def html(body: str, lang: str = "en", title: str | None = None) -> str:
    return "".join(block.html for block in render_blocks(body, lang, title))


# --- blocks, headings and the title ----------------------------------------------


def test_blocks_with_kinds_lines_and_levels() -> None:
    body = (
        "# Hair mesotherapy\n"
        "\n"
        "Intro text.\n"
        "\n"
        "## Indications\n"
        "\n"
        "- one\n"
        "- two\n"
        "\n"
        "### Results\n"
        "\n"
        "1. first\n"
        "\n"
        "> quoted\n"
    )
    blocks = render_blocks(body, "en", "Hair mesotherapy")
    assert [(b.kind, b.line, b.level, b.text) for b in blocks] == [
        ("paragraph", 3, 0, ""),
        ("heading", 5, 2, "Indications"),
        ("bullet_list", 7, 0, ""),
        ("heading", 10, 3, "Results"),
        ("ordered_list", 12, 0, ""),
        ("blockquote", 14, 0, ""),
    ]
    assert blocks[1] == Block("heading", "<h2>Indications</h2>\n", 5, 2, "Indications")
    assert blocks[2].html == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"


@pytest.mark.parametrize(
    ("body", "lang", "title"),
    [
        pytest.param("# Hair mesotherapy\n\nText\n", "en", "Hair mesotherapy", id="same"),
        pytest.param("# Мезотерапия  волос \n\nТекст\n", "ru", "Мезотерапия волос", id="spaces"),
        pytest.param("# hair MESOTHERAPY #\n\nText\n", "en", "Hair mesotherapy", id="case"),
        pytest.param("# *Hair* mesotherapy\n\nText\n", "en", "Hair mesotherapy", id="em"),
        pytest.param(
            "Hair mesotherapy\n================\n\nText\n", "en", "Hair mesotherapy", id="setext"
        ),
        pytest.param("# Уход в салоне\n\nТекст\n", "ru", "Уход в салоне", id="ru-nbsp"),
        # Titles the typography rules change must still be recognised.
        pytest.param(
            '# Мезотерапия "волос"\n\nТекст\n', "ru", 'Мезотерапия "волос"', id="ru-quotes"
        ),
        pytest.param("# Пилинг - цены\n\nТекст\n", "ru", "Пилинг - цены", id="ru-dash"),
        pytest.param("# Botox - prices\n\nText\n", "en", "Botox - prices", id="en-dash"),
        pytest.param(
            "# A course of 10-12 sessions\n\nText\n",
            "en",
            "A course of 10-12 sessions",
            id="en-range",
        ),
    ],
)
def test_first_heading_repeating_the_title_is_dropped(body: str, lang: str, title: str) -> None:
    blocks = render_blocks(body, lang, title)
    assert [b.kind for b in blocks] == ["paragraph"]


@pytest.mark.parametrize(
    ("body", "title", "kept"),
    [
        pytest.param("# Other title\n\nText\n", "Hair mesotherapy", [1], id="different-text"),
        pytest.param("## Hair mesotherapy\n\nText\n", "Hair mesotherapy", [2], id="not-level-1"),
        pytest.param("Intro.\n\n# Hair mesotherapy\n", "Hair mesotherapy", [1], id="not-first"),
        pytest.param("# Hair mesotherapy\n\nText\n", None, [1], id="no-title-given"),
        pytest.param(
            "# Hair mesotherapy\n\n# Hair mesotherapy\n\nText\n",
            "Hair mesotherapy",
            [1],
            id="only-the-first-is-dropped",
        ),
    ],
)
def test_other_headings_are_kept(body: str, title: str | None, kept: list[int]) -> None:
    blocks = render_blocks(body, "en", title)
    assert [b.level for b in blocks if b.kind == "heading"] == kept


# --- quotes and lead-ins -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "lang", "expected"),
    [
        (
            "Он сказал \"привет\" и 'да'.",
            "ru",
            f"<p>Он{NB}сказал «привет» и{NB}„да“.</p>\n",
        ),
        ("He said \"hello\" and 'yes'.", "en", "<p>He said “hello” and ‘yes’.</p>\n"),
        (
            "Курс 10-12 сеансов - и всё.",
            "ru",
            f"<p>Курс 10\u2060–\u206012{NB}сеансов{NB}— и{NB}всё.</p>\n",
        ),
    ],
)
def test_quotes_and_typography(body: str, lang: str, expected: str) -> None:
    assert html(body, lang) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("**Lead:**", '<p class="lead-in"><strong>Lead:</strong></p>\n'),
        (
            "**Mesotherapy is recommended in these cases:**\n\n- one\n",
            '<p class="lead-in"><strong>Mesotherapy is recommended in these cases:</strong></p>\n'
            "<ul>\n<li>one</li>\n</ul>\n",
        ),
        ("**Lead:** and more text", "<p><strong>Lead:</strong> and more text</p>\n"),
        ("**a** and **b**", "<p><strong>a</strong> and <strong>b</strong></p>\n"),
        ("*Lead:*", "<p><em>Lead:</em></p>\n"),
        ("- **Lead:**", "<ul>\n<li><strong>Lead:</strong></li>\n</ul>\n"),
        ("> **Lead:**", "<blockquote>\n<p><strong>Lead:</strong></p>\n</blockquote>\n"),
    ],
)
def test_lead_in(body: str, expected: str) -> None:
    assert html(body) == expected


# --- links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "[our site](https://example.com/path)",
            '<p><a href="https://example.com/path">our site</a>'
            '<span class="url"> (example.com/path)</span></p>\n',
            id="text-hides-url",
        ),
        pytest.param(
            "[https://example.com/path](https://example.com/path)",
            '<p><a href="https://example.com/path">https://example.com/path</a></p>\n',
            id="text-is-url",
        ),
        pytest.param(
            "[example.com/path](https://www.example.com/path/)",
            '<p><a href="https://www.example.com/path/">example.com/path</a></p>\n',
            id="text-is-url-without-scheme-and-www",
        ),
        pytest.param(
            "<https://example.com/path>",
            '<p><a href="https://example.com/path">https://example.com/path</a></p>\n',
            id="autolink",
        ),
        pytest.param(
            "[write to us](mailto:hello@example.com)",
            '<p><a href="mailto:hello@example.com">write to us</a>'
            '<span class="url"> (hello@example.com)</span></p>\n',
            id="mailto-hidden",
        ),
        pytest.param(
            "[+44 20 7946 0321](tel:+442079460321)",
            '<p><a href="tel:+442079460321">+44 20 7946 0321</a></p>\n',
            id="tel-shown",
        ),
        pytest.param(
            "[prices](/prices)",
            "<p><a>prices</a></p>\n",  # a relative link prints its text, links nowhere
            id="relative-link-no-url",
        ),
        pytest.param(
            "See [](prices.md) or [ftp](ftp://example.com/x).",
            "<p>See <a>prices.md</a> or <a>ftp</a>.</p>\n",
            id="other-schemes-and-empty-links-are-text",
        ),
        pytest.param(
            "[see](#contacts)",
            '<p><a href="#en-contacts">see</a></p>\n',
            id="fragment-stays-a-link",
        ),
        pytest.param(
            # The address printed must be the address, hyphens and all.
            "<https://example.com/offers/10-12>",
            '<p><a href="https://example.com/offers/10-12">https://example.com/offers/10-12</a>'
            "</p>\n",
            id="autolink-url-untouched-by-typography",
        ),
    ],
)
def test_links(body: str, expected: str) -> None:
    assert html(body) == expected


def test_a_link_to_another_page_is_its_title(tmp_path: Path) -> None:
    other = tmp_path / "sub" / "peeling.en.md"
    titles = {str(other.resolve()): "Chemical peeling"}
    out = render_blocks(
        "Read [](sub/peeling.en.md), [sub/peeling.en.md](sub/peeling.en.md) and "
        "[our peeling page](sub/peeling.en.md).",
        "en",
        base=tmp_path,
        titles=titles,
    )
    assert out[0].html == (
        "<p>Read <a>Chemical peeling</a>, <a>Chemical peeling</a> and <a>our peeling page</a>."
        "</p>\n"
    )  # an <a> without an address: text that links nowhere


def test_very_long_words_get_break_opportunities_and_runs_are_cut() -> None:
    word, path = "x" * 3000, "y" * 1500
    out = render_blocks(f"{word} `{word}` <https://example.com/{path}>", "en")[0].html
    assert 'href="https://example.com/' + path + '"' in out  # the link itself is untouched
    printed = re.sub(r'href="[^"]*"', "", out)
    text = re.sub(r"</?(span|code|a|p)[^>]*>", "", printed).replace(ZWSP, "")
    assert text.count(word) == 2 and text.count(path) == 1  # text, code, link: nothing lost
    # No word longer than a chunk, no run of text (one inline box) longer than a run.
    assert max(len(w) for w in re.split(rf"[\s{ZWSP}<>()/\"]", printed)) <= 24
    assert max(len(r) for r in re.split(r"<[^>]*>", printed)) <= 1000
    assert printed.count("<code>") == 4  # the code span, cut into runs
    assert render_blocks("a normal sentence", "en")[0].html == "<p>a normal sentence</p>\n"


def test_russian_autolink_url_is_untouched_by_typography() -> None:
    assert html("См. <https://example.com/offers/10-12> и в клинике", "ru") == (
        '<p>См. <a href="https://example.com/offers/10-12">https://example.com/offers/10-12</a>'
        f" и{NB}в{NB}клинике</p>\n"
    )


@pytest.mark.parametrize(
    "body",
    [
        "[click me](javascript:alert(1))",
        "[click me](JAVASCRIPT:alert(1))",
        "[click me](vbscript:msgbox(1))",
        "[click me](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_links_are_not_links(body: str) -> None:
    out = html(body)
    assert "<a" not in out
    assert "href" not in out
    assert "click me" in out or "alert(1)" in out


# --- raw HTML and templates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<script>alert(1)</script>", ""),  # dropped with its content
        ("Text <b>bold</b>", "<p>Text <b>bold</b></p>\n"),  # formatting is kept
        ('<img src=x onerror="alert(1)">', ""),  # no event attribute, no image not in the site
        ('<div style="color:red" onclick="x()">Hi<br>there</div>', "<div>Hi<br>there</div>"),
        ('<iframe src="https://evil.example/"></iframe>', ""),
        (
            '<a href="file:///etc/passwd">f</a> <a href="#x">in</a>',
            '<p><a>f</a> <a href="#en-x">in</a></p>\n',
        ),
        ("{{ 7*7 }} and {% if x %}y{% endif %}", "<p>{{ 7*7 }} and {% if x %}y{% endif %}</p>\n"),
    ],
)
def test_raw_html_is_sanitized_and_template_syntax_stays_text(body: str, expected: str) -> None:
    assert html(body) == expected


# --- tables -----------------------------------------------------------------------------


def test_table_alignment_and_numeric_cells() -> None:
    body = (
        "| Procedure | Sessions | Price |\n"
        "|:----------|:--------:|------:|\n"
        "| Peel      | 10-12    | 1 500 ₽ |\n"
        "| Botox     | one      | 45 min |\n"
        "| Laser     | 3        | on request |\n"
    )
    blocks = render_blocks(body, "en")
    assert [(b.kind, b.line) for b in blocks] == [("table", 1)]
    assert blocks[0].html == (
        "<table>\n<thead>\n<tr>\n"
        '<th class="align-left">Procedure</th>\n'
        '<th class="align-center">Sessions</th>\n'
        '<th class="align-right">Price</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td class="align-left">Peel</td>\n'
        '<td class="align-center num">10\u2060–\u206012</td>\n'
        '<td class="align-right num">1 500 ₽</td>\n'
        "</tr>\n<tr>\n"
        '<td class="align-left">Botox</td>\n'
        '<td class="align-center">one</td>\n'
        '<td class="align-right num">45 min</td>\n'
        "</tr>\n<tr>\n"
        '<td class="align-left">Laser</td>\n'
        '<td class="align-center num">3</td>\n'
        '<td class="align-right">on request</td>\n'
        "</tr>\n</tbody>\n</table>\n"
    )
    assert "style=" not in blocks[0].html


def test_table_without_alignment_has_only_numeric_classes() -> None:
    out = html("| a | b |\n|---|---|\n| x | 5% |\n")
    assert "<th>a</th>" in out
    assert "<td>x</td>" in out
    assert '<td class="num">5%</td>' in out


# --- code is left alone -----------------------------------------------------------------


def test_code_is_not_typeset() -> None:
    assert html('`a - "b" 10-12`\n\n```\nв - "г"\n```\n', "ru") == (
        '<p><code>a - "b" 10-12</code></p>\n<pre><code>в - "г"\n</code></pre>\n'
    )
