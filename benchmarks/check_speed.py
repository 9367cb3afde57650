"""How fast `brochure check` compares translations: N page pairs, read, aligned and compared.

Run by `make bench`, or `.venv/bin/python benchmarks/check_speed.py [--pages N] [--repeat N]`
(default 100 pairs, best of 5). The pages are the benchmark corpus's (`corpus.page_texts`),
written without heroes into `benchmarks/.work/check/` (git-ignored), with one planted
difference per ten pages so the comparison has something to report. Printed: the time of
the check through the API (reading, Markdown, alignment and comparison; the best run, every
run shown; wall and CPU time, since the CPU time says more on a busy machine), split into
reading and comparing, beside the floor: the Markdown parse alone (`markdown.render_blocks`,
which the PDF needs too), and the wall time of the `brochure check`
command a user runs (with interpreter start-up). Target: the API time well under a second
for 100 pairs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from corpus import SEED, page_texts

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "check"
TARGET_SECONDS = 1.0


def make_pages(folder: Path, pairs: int) -> int:
    """Write `pairs` English–Russian pages; every tenth Russian page says 8–10, not 6–10."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(SEED / "brochure.toml", folder / "brochure.toml")
    planted = 0
    for index in range(pairs):
        slug, texts = page_texts(index)
        for lang, text in texts.items():
            if lang == "ru" and index % 10 == 0 and "6–10" in text:
                text = text.replace("6–10", "8–10", 1)
                planted += 1
            (folder / f"{slug}.{lang}.md").write_text(text, encoding="utf-8")
    return planted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100, help="page pairs (default 100)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (default 5)")
    args = parser.parse_args()

    from brochure import check

    planted = make_pages(WORK, args.pages)
    runs: list[tuple[float, float, float, int]] = []
    for _ in range(args.repeat):
        began, cpu = time.perf_counter(), time.process_time()
        gathered = check.gather([WORK])
        read = time.perf_counter()
        findings = check.check(gathered.brochures, gathered.config)
        done = time.perf_counter()
        runs.append((done - began, read - began, time.process_time() - cpu, len(findings)))
    best = min(runs)
    # The floor: the Markdown parse the PDF needs too, alone (markdown.render_blocks).
    from brochure import markdown

    pages = [p for b in gathered.brochures for p in b.pages.values()]
    floor = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        for page in pages:
            markdown.render_blocks(page.body, page.lang, page.title)
        floor.append(time.perf_counter() - began)
    cli = BENCH.parent / ".venv" / "bin" / "brochure"
    command = [str(cli) if cli.exists() else "brochure", "check", str(WORK), "--format", "json"]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - began

    cpu = min(r[2] for r in runs)
    print(f"brochure check: {args.pages} page pairs ({2 * args.pages} files), best of {len(runs)}")
    print(f"  runs, wall (s): {', '.join(f'{r[0]:.3f}' for r in runs)}")
    print(f"  runs, CPU (s): {', '.join(f'{r[2]:.3f}' for r in runs)}")
    print(
        f"  API: {best[0]:.3f} s wall (reading and pairing {best[1]:.3f} s, comparing"
        f" {best[0] - best[1]:.3f} s), {cpu:.3f} s CPU;"
        f" {1000 * cpu / args.pages:.1f} ms CPU per pair"
    )
    print(
        f"  of which Markdown (render_blocks alone, best): {min(floor):.3f} s"
        f" ({100 * min(floor) / best[0]:.0f} % of the best wall time)"
    )
    print(f"  command with start-up: {wall:.3f} s (exit code {result.returncode})")
    print(f"  findings: {best[3]} (planted differences: {planted})")
    # On a shared machine the wall time includes waiting for a core; CPU time is the cost.
    for name, value in (("CPU", cpu), ("wall", best[0])):
        met = "met" if value < TARGET_SECONDS else "missed"
        print(f"  target: under {TARGET_SECONDS:.1f} s for 100 pairs ({name}): {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
