"""The golden HTML files: what `compose.py` makes for the cases in tests/golden/cases.toml.

`make golden` (python -m tests.golden_html) writes them; tests/test_golden.py compares.
The HTML is made exactly as a build makes it (the same reading, pairing, hero and
configuration), without WeasyPrint: images go to a `MemoryStore`. brochure's version is
replaced by `VERSION`, so a release does not rewrite every file.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from brochure import __version__, images, plan, sources
from brochure.compose import Composer, MemoryStore
from brochure.config import CONFIG_NAME, load_config

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
CREATED = "2024-05-01T09:00:00Z"


@dataclass(frozen=True)
class Case:
    name: str
    site: str
    slug: str
    langs: tuple[str, ...]
    size: str
    profile: str

    @property
    def path(self) -> Path:
        return GOLDEN / f"{self.name}.html"


def cases() -> list[Case]:
    data = tomllib.loads((GOLDEN / "cases.toml").read_text(encoding="utf-8"))
    return [
        Case(c["name"], c["site"], c["slug"], tuple(c["langs"]), c["size"], c["profile"])
        for c in data["case"]
    ]


def compose(case: Case) -> str:
    """The HTML of one case, as `brochure build` would give it to WeasyPrint."""
    folder = REPO / case.site
    collection = sources.collect([folder])
    config, _ = load_config(
        collection.site.root, sources.config_folder(collection.site, [folder]) / CONFIG_NAME
    )
    brochure = next(b for b in collection.brochures if b.slug == case.slug)
    assert plan.bilingual_order(config, collection.site)  # the same order a build uses
    heroes: dict[str, Path | None] = {}
    for lang, page in brochure.pages.items():
        heroes[lang] = images.locate_hero(page)[0] if page.hero else None
    logo_url = plan.logo_url(config)
    composer = Composer(
        brochure,
        config,
        heroes,
        MemoryStore(),
        titles={str(p.path.resolve()): p.title for p in collection.pages},
    )
    layout = "single" if len(case.langs) == 1 else "bilingual"
    target = plan.Target(brochure, case.langs, case.size, layout, Path("unused.pdf"), case.profile)
    html, _ = composer.html(target, logo_url, CREATED)
    return html.replace(__version__, "VERSION")


def main(argv: list[str]) -> int:
    """Write every golden file (or those named); say which changed."""
    wanted = set(argv)
    for case in cases():
        if wanted and case.name not in wanted:
            continue
        html = compose(case)
        old = case.path.read_text(encoding="utf-8") if case.path.exists() else None
        if old != html:
            case.path.write_text(html, encoding="utf-8")
            print(f"{case.path.relative_to(REPO)}: {'written' if old is None else 'changed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
