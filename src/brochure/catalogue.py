"""The front desk's catalogue: `<out>/index.html`, every brochure and its PDFs on one page.

The page is made to be opened straight from the output folder (a network share, `file://`):
its style and its one script are inline, its thumbnails and fonts are files beside it in
`.brochure-catalogue/`, and nothing is fetched from anywhere else.

- What it lists comes from the manifest, not from this run alone: every PDF the manifest
  records whose file is still there, grouped by brochure. The manifest's `catalogue` section
  remembers each brochure's titles and page files and each PDF's languages, size and profile,
  so a build of one page, or one that found everything up to date, still lists every
  brochure. A brochure whose page files are all gone is dropped, and so is a PDF in a
  language its brochure no longer has.
- One thumbnail per brochure, of the first page of its cover PDF (the plainest profile, the
  side-by-side version if there is one, else the site's first language; A4 before A5): a
  small WebP named after that PDF's digest in the manifest, so it is made once and again
  only when the PDF is made from other inputs. Thumbnails no card uses are deleted.
- This run's failures go on the card of their brochure (a page known from an earlier build)
  or on a card of their own, as the one line the command prints.
- `templates/catalogue.html.j2` renders it in the project's autoescaping environment: titles
  are data, never markup. The file is written atomically and only when its bytes change, so a
  build that changed nothing writes nothing. `brochure serve` renders the same template with
  its live parts on top.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import __version__, typography
from . import catalogue_files as files
from .atomic import remove_stale_temporaries, write_atomic
from .config import Config
from .errors import BrochureError, BuildWarning, display_path
from .manifest import Manifest, table
from .palette import palette
from .plan import CATALOGUE_TEMPLATE, bilingual_order
from .profiles import DEFAULT, PROFILES

if TYPE_CHECKING:
    from .build import Report

INDEX = "index.html"
TEMPLATE = CATALOGUE_TEMPLATE  # not an input of any PDF: editing it remakes no PDF
SIZE_ORDER = ("a4", "a5")
COVER_PROFILES = ("office", "email", "print", "booklet")  # plainest first: no marks, one page
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
LOGO_MAX = 256 * 1024  # bytes; a larger logo is left out of the page


def labels(lang: str) -> dict[str, str] | None:
    """The catalogue's words in `lang` (English for any it lacks) and the language's own name;
    None for a language without them. The one place they are read."""
    from . import languages

    own = languages.get(lang)
    if not own.known or not own.catalogue:
        return None
    return {**languages.get("en").catalogue, **own.catalogue, "name": own.name}


def language_name(lang: str) -> str:
    """A language's own name (`Русский`), or its code in capitals when brochure has no file."""
    from . import languages

    own = languages.get(lang)
    return own.name if own.known else lang.upper()


@dataclass(frozen=True)
class Link:
    """One PDF: its address relative to the output folder, what it is, how big."""

    href: str
    key: str
    size: str
    profile: str
    bytes: int
    stamp: int  # modification time (ns), so the live page never shows a cached copy

    @property
    def kb(self) -> int:
        return max(1, round(self.bytes / 1024))


@dataclass
class Group:
    """The PDFs of one row made for one profile, A4 before A5."""

    profile: str
    links: list[Link] = field(default_factory=list)


@dataclass
class Row:
    """The PDFs of one language, or of the side-by-side version."""

    langs: tuple[str, ...]
    groups: list[Group] = field(default_factory=list)

    @property
    def key(self) -> str:
        return "-".join(self.langs)

    def group(self, profile: str) -> Group | None:
        return next((g for g in self.groups if g.profile == profile), None)

    def links(self) -> Iterable[tuple[Group, Link]]:
        return ((g, link) for g in self.groups for link in g.links)


@dataclass
class Card:
    """One brochure: its titles, its PDFs, and what went wrong this run."""

    slug: str
    titles: list[tuple[str, str]]  # (language, title); language "" for a file name
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cover: Link | None = None
    thumb: str | None = None  # relative to the output folder
    thumb_size: tuple[int, int] = (0, 0)

    @property
    def search(self) -> str:
        """What the search box matches: every title and the slug, lower case, ё as е."""
        text = " ".join([*(t for _, t in self.titles), self.slug])
        return " ".join(text.lower().replace("ё", "е").split())


@dataclass
class View:
    """Everything the template shows."""

    root: Path
    ui: list[str]  # languages of the page's words; the first is shown without JavaScript
    words: dict[str, dict[str, str]]
    names: dict[str, str]  # language -> its own name
    colors: dict[str, str]
    logo: str | None
    cards: list[Card] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)  # languages and pairs present, for the filter
    sizes: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    fonts: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for card in self.cards if card.errors)


@dataclass
class Live:
    """What `brochure serve` puts on top of the catalogue."""

    summary: str
    build: int
    problems: list[str]
    previews: dict[str, list[dict[str, Any]]]  # slug -> its PDFs with page thumbnails


def write(report: Report, out: Path, config: Config, manifest: Manifest) -> None:
    """Bring `<out>/index.html` up to date after a build; problems become warnings."""
    index = out / INDEX
    try:
        remember(report, out, manifest)
        view = report.catalogue = collect(report, out, config, manifest)
        if not any(card.rows for card in view.cards) and not index.exists():
            return  # nothing was ever built here: leave the folder as it is
        report.warn(files.make_thumbnails(view, out, manifest))
        view.fonts = files.make_fonts(out)
        stamp = _stamp(view)
        written = manifest.catalogue.get("page")
        if index.is_file() and written == [stamp, index.stat().st_size]:
            return  # the page shows exactly this: not rendered again (no Jinja imported)
        data = render(view).encode("utf-8")
        remove_stale_temporaries(out, f".{INDEX}.*.tmp")
        if not index.is_file() or index.read_bytes() != data:
            write_atomic(index, data, what="the catalogue")
        manifest.catalogue["page"] = [stamp, len(data)]
    except (OSError, BrochureError) as exc:
        if isinstance(exc, BrochureError):
            message = exc.message
        else:
            message = f"cannot update the catalogue ({exc.strerror})"
        hint = "the PDFs are built; check the output folder is writable and build again"
        report.warn([BuildWarning(message, path=index, hint=hint)])
    except Exception as exc:  # a content folder's own template: a warning
        import jinja2

        if not isinstance(exc, jinja2.TemplateError):
            raise
        filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        report.warn(
            [
                BuildWarning(
                    f"the catalogue was not updated: {type(exc).__name__}: {exc.message}",
                    path=Path(filename) if filename else config.root / "templates" / TEMPLATE,
                    line=line,
                    hint=f"fix templates/{TEMPLATE}, or remove it to use the built-in one",
                )
            ]
        )


def _stamp(view: View) -> str:
    """A digest of what the page would show and of the template it is drawn with."""
    from .assets import builtin_dir

    templates = [builtin_dir("templates") / TEMPLATE, view.root / "templates" / TEMPLATE]
    stamps = []
    for template in templates:
        with contextlib.suppress(OSError):
            info = template.stat()
            stamps.append([str(template), info.st_size, info.st_mtime_ns])
    text = json.dumps([__version__, stamps, asdict(view)], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def remember(report: Report, out: Path, manifest: Manifest) -> None:
    """Record this run's brochures and PDFs in the manifest; forget what no longer exists."""
    section = manifest.catalogue
    brochures = {
        slug: record
        for slug, record in table(section.get("brochures")).items()
        if isinstance(table(record).get("titles"), dict) and isinstance(record.get("pages"), dict)
    }
    pdfs = {
        key: info
        for key, info in table(section.get("pdfs")).items()
        if {"slug", "langs", "size", "profile"} <= table(info).keys()
    }
    owner = {str(p.path.resolve()): b.slug for b in report.brochures for p in b.pages.values()}
    for slug, record in brochures.items():  # a page belongs to one brochure: its latest
        record["pages"] = {k: v for k, v in record["pages"].items() if owner.get(v, slug) == slug}
    for brochure in report.brochures:
        brochures[brochure.slug] = {
            "titles": {lang: page.title for lang, page in brochure.pages.items()},
            "pages": {lang: str(page.path.resolve()) for lang, page in brochure.pages.items()},
        }
    for target in [o.target for o in report.outputs] + list(report.skipped):
        pdfs[target.path.relative_to(out).as_posix()] = {
            "slug": target.brochure.slug,
            "langs": list(target.langs),
            "size": target.size,
            "profile": target.profile,
        }
    section["brochures"] = {
        slug: record
        for slug, record in brochures.items()
        if any(Path(page).is_file() for page in record["pages"].values())
    }
    section["pdfs"] = {
        key: info
        for key, info in sorted(pdfs.items())
        if key in manifest.outputs and info["slug"] in section["brochures"]
    }


def collect(report: Report, out: Path, config: Config, manifest: Manifest) -> View:
    """The catalogue as the manifest and this run's failures describe it (writes nothing)."""
    brochures: dict[str, Any] = manifest.catalogue.get("brochures", {})
    langs = {lang for record in brochures.values() for lang in record["titles"]}

    preferred = bilingual_order(config, report.site) if report.site else config.bilingual
    first = [lang for lang in preferred if lang in langs]
    site = first + sorted(langs - set(first))  # the side-by-side order first

    def order(langs: Iterable[str]) -> tuple[int, list[int]]:
        ranks = [site.index(lang) if lang in site else len(site) for lang in langs]
        return len(ranks), ranks

    cards: dict[str, Card] = {}
    for slug, record in brochures.items():
        titles = sorted(record["titles"].items(), key=lambda item: order([item[0]]))
        cards[slug] = Card(slug, [(lang, typography.apply(t, lang)) for lang, t in titles])
    for key, info in manifest.catalogue.get("pdfs", {}).items():
        if info["slug"] in cards:
            _add(cards[info["slug"]], key, info, out, brochures[info["slug"]]["pages"])
    owners = {page: slug for slug, r in brochures.items() for page in r["pages"].values()}
    for number, failure in enumerate(report.failures, start=1):
        where = str(failure.path.resolve()) if failure.path else ""
        if where in owners:
            cards[owners[where]].errors.append(str(failure))
        else:
            name = _relative(failure.path, report.root) if failure.path else "brochure"
            cards[f"failed-{number}"] = Card(f"failed-{number}", [("", name)], [], [str(failure)])

    present = [card for card in cards.values() if card.rows or card.errors]
    profiles, found = list(PROFILES), set[tuple[str, str, str]]()
    for card in present:
        card.rows.sort(key=lambda row: order(row.langs))
        for row in card.rows:
            row.groups.sort(key=lambda g: _rank(profiles, g.profile))
            for group in row.groups:
                group.links.sort(key=lambda link: _rank(SIZE_ORDER, link.size))
                found |= {(link.size, group.profile, row.key) for link in group.links}
        card.cover = _cover(card, order)
    ui = [lang for lang in site if labels(lang)] or ["en"]
    present.sort(key=lambda card: (_title_in(card, ui[0]).casefold(), card.slug))
    return View(
        root=config.root,
        ui=ui,
        words={lang: _words(lang, config) for lang in ui},
        names={lang: language_name(lang) for lang in site},
        colors=_colors(config),
        logo=_logo(config),
        cards=present,
        rows=sorted({key for _, _, key in found}, key=lambda key: order(key.split("-"))),
        sizes=sorted({size for size, _, _ in found}, key=lambda s: _rank(SIZE_ORDER, s)),
        profiles=sorted({p for _, p, _ in found}, key=lambda p: _rank(profiles, p)),
    )


def _add(card: Card, key: str, info: dict[str, Any], out: Path, pages: dict[str, str]) -> None:
    """Put one recorded PDF on its card, if it is still there and its languages are."""
    langs = tuple(info["langs"])
    try:
        stat = (out / key).stat()
    except OSError:
        return
    if not set(langs) <= set(pages):
        return
    link = Link(quote(key), key, info["size"], info["profile"], stat.st_size, stat.st_mtime_ns)
    row = next((r for r in card.rows if r.langs == langs), None)
    if row is None:
        card.rows.append(row := Row(langs))
    group = row.group(link.profile)
    if group is None:
        row.groups.append(group := Group(link.profile))
    group.links.append(link)


def _rank(order: Iterable[str], value: str) -> int:
    known = list(order)
    return known.index(value) if value in known else len(known)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return display_path(path)


def _title_in(card: Card, lang: str) -> str:
    return next(
        (t for code, t in card.titles if code == lang), card.titles[0][1] if card.titles else ""
    )


def _cover(card: Card, order: Any) -> Link | None:
    """The PDF whose first page stands for the brochure (see the module's docstring)."""
    candidates = [
        (
            (_rank(COVER_PROFILES, g.profile), -len(r.langs), order(r.langs)),
            _rank(SIZE_ORDER, link.size),
            link,
        )
        for r in card.rows
        for g, link in r.links()
    ]
    return min(candidates, key=lambda c: c[:2])[2] if candidates else None


def _words(lang: str, config: Config) -> dict[str, str]:
    """The page's words in `lang`, with the clinic's name and tagline in that language."""
    words = dict(labels(lang) or labels("en") or {})
    clinic = config.clinic_for(lang)
    words["clinic"] = clinic.name
    words["tagline"] = clinic.tagline
    words["title"] = f"{words['heading']} · {clinic.name}"
    words["made_by"] = words["made_by"].replace("{version}", __version__)
    return words


def _colors(config: Config) -> dict[str, str]:
    """The page's colours from the clinic's (given in hex or in CMYK inks: the screen's sRGB)."""
    from . import color

    return palette(color.parse(config.primary).hex, color.parse(config.accent).hex)


def _logo(config: Config) -> str | None:
    """The clinic's logo as a data: address, so the page needs no file outside its folder."""
    logo = config.clinic.logo
    kind = LOGO_TYPES.get(logo.suffix.lower()) if logo is not None else None
    if logo is None or kind is None or not logo.resolve().is_relative_to(config.root):
        return None
    try:
        if not logo.is_file() or logo.stat().st_size > LOGO_MAX:
            return None
        return f"data:{kind};base64,{base64.b64encode(logo.read_bytes()).decode('ascii')}"
    except OSError:
        return None


# --- ahead of time (the files beside the page: catalogue_files.py) ---------------------


def prepare(root: Path) -> None:
    """Import what drawing thumbnails and the page takes, and compile the page's template,
    ahead of time (a run does this while other processes render its PDFs). Problems are
    left for `write` to report."""
    import pypdfium2  # noqa: F401
    from PIL import Image, WebPImagePlugin  # noqa: F401

    from .templating import environment

    with contextlib.suppress(Exception):
        environment(root).get_template(TEMPLATE)


# --- the page ----------------------------------------------------------------------------


def render(view: View, live: Live | None = None, part: bool = False) -> str:
    """The catalogue page (or, with `part`, only its cards, for the live page to swap in)."""
    from .templating import environment

    env = environment(view.root)
    template = env.get_template(TEMPLATE)
    override = view.root / "templates" / TEMPLATE
    if (template.filename == str(override)) != override.is_file() and env.cache is not None:
        env.cache.clear()  # a content folder's own template appeared or went since it was loaded
        template = env.get_template(TEMPLATE)
    return template.render(
        view=view,
        words=view.words[view.ui[0]],
        live=live,
        part=part,
        base="/files/" if live else "",
        default=DEFAULT,
        version=__version__,
    )


def empty(root: Path) -> View:
    """A catalogue with nothing in it yet (the live page before its first build)."""
    config = Config(root=root)
    words = {"en": _words("en", config)}
    return View(root, ["en"], words, {}, _colors(config), None)
