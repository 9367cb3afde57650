"""What a run makes: its targets (one PDF each), their file names from validated
parts, the side-by-side pair, and the files each target is made from.

Both the run (`build.py`) and the workers (`worker.py`) use `Target`; keeping it here
means neither imports the other. Nothing here reads a page or renders anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import safety
from .assets import builtin_dir
from .config import Config
from .content import Brochure
from .profiles import DEFAULT, PROFILES
from .sources import Site

CATALOGUE_TEMPLATE = "catalogue.html.j2"  # not an input of any PDF

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Target:
    """One PDF to make."""

    brochure: Brochure
    langs: tuple[str, ...]
    size: str
    layout: str
    path: Path
    profile: str = DEFAULT


def output_name(slug: str, langs: Sequence[str], size: str) -> str:
    """`hair.en.a4.pdf`: a slug, language codes and a size, each checked, never a path."""
    if not _SLUG.fullmatch(slug) or not all(safety.valid_lang(lang) for lang in langs):
        raise ValueError(f"not a valid output name: {safety.shown([slug, *langs])}")
    if not _SLUG.fullmatch(size):
        raise ValueError(f"not a valid paper size: {safety.shown(size)}")
    return f"{slug}.{'-'.join(langs)}.{size}.pdf"


def inside_output(path: Path, out: Path) -> bool:
    """Whether a path to be written lies inside the output folder (links resolved)."""
    try:
        return path.parent.resolve().is_relative_to(out.resolve()) and path.name not in (
            "",
            ".",
            "..",
        )
    except (OSError, RuntimeError):
        return False


def plan(
    brochures: list[Brochure],
    out: Path,
    layouts: Sequence[str],
    sizes: Sequence[str],
    config: Config,
    profiles: Sequence[str] = (DEFAULT,),
    order: Sequence[str] | None = None,
) -> list[Target]:
    """Every output of the run, in a stable order.

    A profile other than the default writes into its own folder; the booklet
    profile imposes A5 pages, so it makes only the A5 outputs.
    """
    targets: list[Target] = []
    for name in profiles:
        profile = PROFILES[name]
        folder = out / profile.folder if profile.folder else out
        wanted = [s for s in sizes if s == "a5"] if profile.imposed else list(sizes)
        for brochure in brochures:
            if "single" in layouts:
                for lang in brochure.langs:
                    for size in wanted:
                        path = folder / output_name(brochure.slug, [lang], size)
                        targets.append(Target(brochure, (lang,), size, "single", path, name))
            pair = bilingual_pair(brochure, order or config.bilingual)
            if "bilingual" in layouts and pair is not None:
                for size in wanted:
                    path = folder / output_name(brochure.slug, pair, size)
                    targets.append(Target(brochure, pair, size, "bilingual", path, name))
    return targets


def bilingual_order(config: Config, site: Site) -> tuple[str, ...]:
    """Languages in the order their columns are chosen: `[bilingual] pair` in brochure.toml,
    else the site's configured languages, else the default pair."""
    if config.bilingual_set or len(site.languages) < 2:
        return config.bilingual
    return site.languages


def bilingual_pair(brochure: Brochure, order: Sequence[str]) -> tuple[str, str] | None:
    """The two languages of a brochure's side-by-side PDF, in column order.

    The first two languages of `order` the page has; a page in exactly two languages
    gets them both, one named in `order` first. None for one language, or for more than
    two of which fewer than two are in `order`.
    """
    langs = brochure.langs
    present = [lang for lang in order if lang in langs]
    if len(present) >= 2:
        return (present[0], present[1])
    if len(langs) != 2:
        return None
    rank = {lang: i for i, lang in enumerate(order)}
    first, second = sorted(langs, key=lambda lang: (rank.get(lang, len(rank)), langs.index(lang)))
    return (first, second)


def dated_by(target: Target, config: Config, heroes: dict[str, Path | None]) -> list[Path]:
    """The files whose last change dates a PDF: its pages, their photos, brochure.toml."""
    found = [target.brochure.pages[lang].path for lang in target.langs]
    found += [h for h in heroes.values() if h is not None]
    if config.path is not None:
        found.append(config.path)
    return found


def assets(config: Config) -> list[Path]:
    """The files every PDF is made with: brochure.toml, the logos, the templates and
    stylesheets (brochure's and the content folder's overrides); listed once per run."""
    files: list[Path] = []
    if config.path is not None:
        files.append(config.path)
    for clinic in (config.clinic, *config.clinic_by_lang.values()):
        if clinic.logo is not None and safety.inside(clinic.logo, [config.root]):
            files.append(clinic.logo)
    for folder in (
        builtin_dir("templates"),
        builtin_dir("styles"),
        config.root / "templates",
        config.root / "styles",
    ):
        if folder.is_dir():
            files += [p for p in folder.rglob("*") if p.is_file() and p.name != CATALOGUE_TEMPLATE]
    return files


def inputs(
    target: Target, config: Config, heroes: dict[str, Path | None], shared: list[Path]
) -> list[Path]:
    """Every file that goes into a target's PDF (inside the sandbox: nothing else is
    hashed): its pages and their images, and `shared` (`assets`)."""
    files: list[Path] = []
    for lang in target.langs:
        files.append(target.brochure.pages[lang].path)
        files += target.brochure.pages[lang].body_images.values()
        hero = heroes.get(lang)
        if hero is not None:
            files.append(hero)
    return files + shared


def logo_url(config: Config) -> str | None:
    """The clinic's logo for the templates: its stable URL, only when it is a file inside
    the content folder (None otherwise, and nothing is opened)."""
    logo = config.clinic.logo
    if logo is None or not safety.inside(logo, [config.root]) or not logo.is_file():
        return None
    return safety.content_url(logo, config.root)
