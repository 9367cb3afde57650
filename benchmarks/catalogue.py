"""What the catalogue (`<out>/index.html`) costs: its size, and the time it adds to a build.

Run `.venv/bin/python benchmarks/catalogue.py [--pages N]` (`make bench` runs it with 20
pages). It builds the seed content, then a generated corpus of N two-language services
(benchmarks/corpus.py), each into a fresh folder under `benchmarks/.work/`, and times the
catalogue step (`catalogue.write`, the one call at the end of `build()`) in three builds:
the first (every thumbnail made, the fonts copied), one with nothing changed, and one with
one English page changed (its brochure's thumbnail made again). It prints the size of
index.html, of the thumbnails and of the fonts beside it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work" / "catalogue"


def _timed_builds(root: Path, out: Path, touch: Path) -> list[tuple[str, float, float]]:
    """(what, whole build, catalogue step) in seconds, for the three builds."""
    from brochure import catalogue
    from brochure.build import build

    spent: list[float] = []
    original = catalogue.write

    def timed(*args: Any) -> None:
        began = time.perf_counter()
        original(*args)
        spent.append(time.perf_counter() - began)

    catalogue.write = timed  # type: ignore[assignment]
    rows: list[tuple[str, float, float]] = []
    try:
        for what in ("first build", "nothing changed", "one page changed"):
            if what == "one page changed":
                touch.write_text(touch.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
            began = time.perf_counter()
            report = build([root], out, jobs=2)
            if report.failures:
                raise SystemExit("\n".join(map(str, report.failures)))
            rows.append((what, time.perf_counter() - began, spent[-1]))
    finally:
        catalogue.write = original  # type: ignore[method-assign]
    return rows


def _sizes(out: Path) -> str:
    from brochure.catalogue import INDEX
    from brochure.catalogue_files import FOLDER

    thumbs = sorted((out / FOLDER / "thumbs").glob("*.webp"))
    fonts = sum(p.stat().st_size for p in (out / FOLDER / "fonts").iterdir())
    sizes = [p.stat().st_size for p in thumbs]
    return (
        f"index.html {(out / INDEX).stat().st_size / 1024:.1f} KB; "
        f"{len(thumbs)} thumbnails {sum(sizes) / 1024:.1f} KB "
        f"(mean {sum(sizes) / max(1, len(sizes)) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB); "
        f"fonts {fonts / 1024:.0f} KB (copied once)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    import corpus

    if WORK.exists():
        shutil.rmtree(WORK)
    seed = WORK / "seed-content"
    shutil.copytree(REPO / "content", seed)
    made = corpus.make_corpus(WORK / "corpus", args.pages)
    for name, root, touch in (
        ("seed", seed, seed / "000_47d77d7bc2ab0bf7.txt"),
        (f"{args.pages} generated pages", made.root, made.pages[0]),
    ):
        out = WORK / f"dist-{root.name}"
        print(f"{name}:")
        for what, whole, step in _timed_builds(root, out, touch):
            print(f"  {what}: build {whole:.2f} s, of which the catalogue {step:.3f} s")
        print("  " + _sizes(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
