"""Which links a brochure may print or make clickable, and how an address is shown.

One rule for pages and `brochure.toml` alike: only `http:`, `https:`, `mailto:` and
`tel:` links become links (and QR codes). Any other scheme (`javascript:`, `file:`,
`data:`, `ftp:` …) and any relative link stays plain text: a PDF read elsewhere
has no files beside it, and a path on the author's computer means nothing to a patient.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from . import limits

SCHEMES = ("http", "https", "mailto", "tel")


def clickable(url: str) -> bool:
    """Whether `url` may be printed as a link: a web address, an e-mail or a phone link."""
    if len(url) > limits.URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return scheme in ("mailto", "tel") and bool(parts.path)


def web_address(value: str) -> str | None:
    """A web address for `brochure.toml`: `clinic.example` → `https://clinic.example`.

    None when the value is not an http(s) address.
    """
    value = value.strip()
    if "://" not in value and ":" not in value.split("/")[0]:
        value = "https://" + value
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if scheme in ("http", "https") and clickable(value) else None


def display(url: str) -> str:
    """An address as printed: `https://www.clinic.example/book/?a=1` → `clinic.example/book/?a=1`.

    `mailto:` and `tel:` show the address or number alone.
    """
    parts = urlsplit(url if "//" in url or ":" in url.split("/")[0] else "//" + url)
    if parts.scheme in ("mailto", "tel"):
        return unquote(parts.path)
    shown = (parts.netloc + parts.path).removeprefix("www.").rstrip("/")
    if parts.query:
        shown += "?" + parts.query
    return shown


def tel_href(phone: str) -> str:
    """The `tel:` link of a phone number as written (`+44 20 7946 0321` → `tel:+442079460321`)."""
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")
