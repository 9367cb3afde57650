"""Every bound brochure puts on its input, in one place (docs/limits.md lists them).

A value past one of these limits is one clear line (an error for its page, or for
`brochure.toml`), never a hang, a traceback or a run that stops every page. The
numbers are generous for a clinic's pages and small enough that the worst input
allowed still makes its PDF in seconds.
"""

from __future__ import annotations

KB = 1024
MB = 1024 * KB

# Files brochure reads.
PAGE_BYTES = 4 * MB  # one page file (a 200-page brochure is about 0.6 MB)
CONFIG_BYTES = 256 * KB  # brochure.toml
TEMPLATE_BYTES = 1 * MB  # a template or stylesheet (built-in or override)
IMAGE_BYTES = 80 * MB  # a photo, a body image, a logo
IMAGE_PIXELS = 50_000_000  # 50 megapixels: more is refused as a likely decompression bomb
SVG_BYTES = 2 * MB  # an SVG image (logo, body image)
SVG_ELEMENTS = 10_000  # shapes an SVG would draw, <use> and url(#…) references expanded

# Front matter (YAML) and brochure.toml (TOML).
FRONT_MATTER_BYTES = 256 * KB
STRUCTURE_DEPTH = 32  # lists and tables nested in one another
YAML_VALUES = 100_000  # values in a front matter, each alias (*name) counted at full size
NUMBER_CHARS = 100  # characters of one number (digits, sign, 0x…)
UNKNOWN_KEY_WARNINGS = 5  # more unknown keys than this are reported in one line

# Lengths of text values, in characters.
TITLE_CHARS = 300
DESCRIPTION_CHARS = 1_000  # description, hero_alt
KEY_CHARS = 200  # slug, translationKey, lang
FILE_NAME_CHARS = 255  # one part of a file name (hero_image, logo), as on most file systems
PATH_CHARS = 1_024  # a whole relative path
URL_CHARS = 2_000
CLINIC_CHARS = {  # brochure.toml [clinic]
    "name": 120,
    "tagline": 300,
    "address": 300,
    "phone": 40,
    "email": 254,
    "website": URL_CHARS,
    "booking_url": URL_CHARS,
}
HOURS_LINES = 14
HOURS_LINE_CHARS = 120

# Layout: a run of letters longer than this gets break opportunities every WORD_CHUNK
# characters, so that WeasyPrint never breaks one enormous word letter by letter
# (its cost grows with the square of the word's length).
LONG_WORD_CHARS = 48
WORD_CHUNK = 24
# WeasyPrint also re-reads the rest of a run of text for every line it sets, so a run
# of text is cut into pieces of at most this many characters (inline spans).
TEXT_RUN_CHARS = 1_000

# One document (one PDF) in a worker: over either budget, that brochure fails and the
# worker is replaced. The grace is how long a worker that does not answer its own
# timer is given before it is killed.
DOCUMENT_SECONDS = 120.0
DOCUMENT_MEMORY_MB = 2_048  # resident memory of the process making it
GRACE_SECONDS = 10.0

# Messages: how much of a bad value is quoted back.
SHOWN_CHARS = 60
