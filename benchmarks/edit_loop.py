"""The edit loop: a rebuild after touching one page, and a rebuild with nothing changed.

Run by `make bench` after bench.py (it reuses bench.py's corpus, copied). Each figure is
measured in a fresh process, as a person saving and rebuilding would run it, side by side
in one run:

- start-up: `python -c pass` and `brochure --version` (the interpreter and the CLI);
- nothing changed: `brochure build` (CLI), and which heavy libraries it imported;
- one page touched (its 4 PDFs), without a warm renderer (`BROCHURE_WARM=off`): `build()`
  timed inside a fresh process (API) and the CLI, with the PDFs made in this process and in
  2 workers (the break-even of `SMALL_RUN`), and for one PDF (`--layout single --size a4`)
  the same two ways;
- one page touched, as a person at a terminal runs it (`BROCHURE_WARM=on`): the run before
  left a warm renderer (`warm.py`), which the next command hands its PDFs to; the CLI and
  `build(keep_warm=True)` in a fresh process;
- the touched PDFs' own render time: the same PDFs made again in one warm process.

Every command runs with a private `XDG_RUNTIME_DIR`, so the warm renderer is the bench's
own; it is stopped at the end.

Targets (issue 17): nothing changed under 0.3 s on the developers' machine, without
importing WeasyPrint, Pillow or Jinja; one page touched within its PDFs' own render
time + 0.3 s (API), plus the interpreter's start-up (CLI).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".work" / "corpus"
HEAVY = ("weasyprint", "PIL.Image", "jinja2", "pikepdf", "pypdf", "pypdfium2")

# A fresh process: time build() only (the imports of brochure.build included, as a
# command pays them), report the PDFs it made and the heavy modules it imported.
PROBE = """
import json, sys, time
started = time.perf_counter()
import brochure.build as b
small = int(sys.argv[3])
if small >= 0:
    b.SMALL_RUN = small
layouts = sys.argv[4].split(",")
sizes = sys.argv[5].split(",")
report = b.build([__import__("pathlib").Path(sys.argv[1])], __import__("pathlib").Path(sys.argv[2]),
                 layouts=layouts, sizes=sizes, jobs=2, keep_warm=sys.argv[7] == "warm")
wall = time.perf_counter() - started
heavy = [m for m in sys.argv[6].split(",") if m in sys.modules]
print(json.dumps({"wall": wall, "made": len(report.outputs), "failed": len(report.failures),
                  "own": sum(o.seconds for o in report.outputs), "heavy": heavy,
                  "pids": sorted(report.workers)}))
"""


def environment(runtime: Path, warm: bool) -> dict[str, str]:
    """The commands' environment: the bench's own runtime folder, the warm renderer on or off."""
    return {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "BROCHURE_WARM": "on" if warm else "off"}


ENV: dict[str, str] = {}


def probe(
    root: Path, out: Path, small: int, layouts: str, sizes: str, warm: bool = False
) -> dict[str, object]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(root),
            str(out),
            str(small),
            layouts,
            sizes,
            ",".join(HEAVY),
            "warm" if warm else "cold",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=environment(Path(ENV["runtime"]), warm),
    )
    if done.returncode != 0:
        raise SystemExit(f"probe failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def cli(root: Path, out: Path, *extra: str, warm: bool = False) -> float:
    script = Path(sys.executable).parent / "brochure"
    started = time.perf_counter()
    subprocess.run(
        [str(script), "build", str(root), "--out", str(out), "-q", *extra],
        capture_output=True,
        check=True,
        env=environment(Path(ENV["runtime"]), warm),
    )
    return time.perf_counter() - started


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


def touch(page: Path, n: int) -> None:
    text = page.read_text(encoding="utf-8").rstrip("\n")
    page.write_text(f"{text}\n\nA sentence added for edit number {n}.\n", encoding="utf-8")


def best(values: list[float]) -> str:
    return f"{min(values):.2f} s (runs {', '.join(f'{v:.2f}' for v in values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print("no corpus: run benchmarks/bench.py first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        ENV["runtime"] = str(Path(tmp) / "runtime")
        Path(ENV["runtime"]).mkdir(mode=0o700)
        root = Path(tmp) / "corpus"
        out = Path(tmp) / "dist"
        shutil.copytree(CORPUS, root)
        page = sorted(root.glob("*.en.md"))[0]
        cli(root, out)
        n = 0
        rows: list[tuple[str, str, str, bool | None]] = []
        startup = [timed([sys.executable, "-c", "pass"]) for _ in range(5)]
        version = [
            timed([str(Path(sys.executable).parent / "brochure"), "--version"]) for _ in range(5)
        ]
        same_cli = [cli(root, out) for _ in range(args.repeat)]
        same = probe(root, out, -1, "single,bilingual", "a4,a5")
        rows.append(("interpreter start-up (python -c pass)", best(startup), "", None))
        rows.append(("brochure --version", best(version), "", None))
        rows.append(
            (
                "nothing changed, CLI",
                best(same_cli),
                "< 0.3 s (developers' machine)",
                min(same_cli) < 0.3,
            )
        )
        rows.append(
            (
                "nothing changed: heavy modules imported",
                ", ".join(same["heavy"]) or "none",  # type: ignore[arg-type]
                "none of WeasyPrint, Pillow, Jinja",
                not same["heavy"],
            )
        )

        figures: dict[str, list[float]] = {}
        made: dict[str, set[int]] = {}
        for layouts, sizes, label in (
            ("single,bilingual", "a4,a5", "4 PDFs"),
            ("single", "a4", "1 PDF"),
        ):
            for mode, small in (("this process", 99), ("2 workers", 0)):
                key = f"{label}, {mode}"
                figures[key] = []
                for _ in range(args.repeat):
                    n += 1
                    touch(page, n)
                    result = probe(root, out, small, layouts, sizes)
                    figures[key].append(float(result["wall"]))  # type: ignore[arg-type]
                    made.setdefault(key, set()).add(int(result["made"]))  # type: ignore[call-overload]
            cli(root, out)  # bring the other outputs up to date again
        # Their own render time: the same 4 PDFs (the English page's single PDFs and the
        # side-by-side ones) made again in one warm process, on the same text.
        from brochure.build import build

        pair = [page, page.with_name(page.name.replace(".en.md", ".ru.md"))]

        def own_time() -> float:
            report = build(pair, Path(tmp) / "warm", jobs=1, force=True)
            made = [o for o in report.outputs if "en" in o.target.langs]
            if len(made) != 4:
                raise SystemExit(f"own render time: {len(made)} PDFs made, not 4")
            return sum(o.seconds for o in made)

        own_time()  # this process's renderer warm
        warm = [own_time() for _ in range(args.repeat)]
        touched_cli = []
        for _ in range(args.repeat):
            n += 1
            touch(page, n)
            touched_cli.append(cli(root, out))
        # As a person at a terminal: the first run leaves a warm renderer, which warms up
        # while the person edits (waited for here), and the next runs hand it their PDFs.
        # Each run is set against its PDFs' own render time on the same text.
        from brochure import warm as renderer

        n += 1
        touch(page, n)
        first_warm = cli(root, out, warm=True)
        os.environ["XDG_RUNTIME_DIR"] = ENV["runtime"]
        pids = sorted(p for p in (renderer.running(a, 120) for a in renderer.addresses(2)) if p)
        warm_cli: list[tuple[float, float]] = []  # (wall, own)
        warm_api: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            n += 1
            touch(page, n)
            warm_cli.append((cli(root, out, warm=True), min(own_time() for _ in range(2))))
            n += 1
            touch(page, n)
            result = probe(root, out, -1, "single,bilingual", "a4,a5", warm=True)
            if result["pids"] != pids:
                print(f"warm renderers {pids} not used: made by {result['pids']}", file=sys.stderr)
            wall = float(result["wall"])  # type: ignore[arg-type]
            warm_api.append((wall, min(own_time() for _ in range(2))))
        renderer.stop()
        from brochure.build import SMALL_RUN

        chosen = "2 workers" if SMALL_RUN < 4 else "this process"
        rows.append(("touched PDFs' own render time (warm, one process)", best(warm), "", None))
        for key, values in figures.items():
            pdfs = "/".join(map(str, sorted(made[key])))
            rows.append((f"one page touched, API: {key} ({pdfs} made)", best(values), "", None))
        rows.append(
            (
                f"one page touched, API, no warm renderer (as built: {chosen})",
                f"{min(figures['4 PDFs, ' + chosen]):.2f} s",
                "",
                None,
            )
        )
        rows.append(("one page touched, CLI, no warm renderer", best(touched_cli), "", None))
        rows.append(
            (
                "one page touched, CLI, the run that leaves a warm renderer",
                f"{first_warm:.2f} s",
                "",
                None,
            )
        )
        for label, pairs, extra in (
            ("API", warm_api, 0.0),
            ("CLI", warm_cli, min(startup)),
        ):
            wall, mine = min(pairs, key=lambda p: p[0] - p[1])
            shown = ", ".join(f"{w:.2f}/{o:.2f}" for w, o in pairs)
            rows.append(
                (
                    f"one page touched, {label}, {len(pids)} warm renderer(s)",
                    f"{wall:.2f} s against own {mine:.2f} s: {wall - mine:+.2f} s "
                    f"(runs, wall/own: {shown})",
                    f"≤ own + 0.3{f' + start-up {extra:.2f}' if extra else ''}",
                    wall - mine <= 0.3 + extra,
                )
            )
    width = max(len(r[0]) for r in rows)
    print("edit loop (each in a fresh process; best of runs):")
    for label, measured, target, met in rows:
        mark = "" if met is None else ("  met" if met else "  MISSED")
        print(f"  {label:<{width}}  {measured}  {target}{mark}")
    one_pdf = {k: statistics.median(v) for k, v in figures.items() if k.startswith("1 PDF")}
    four = {k: statistics.median(v) for k, v in figures.items() if k.startswith("4 PDFs")}
    print(
        "  break-even (medians): 1 PDF "
        + " vs ".join(f"{k.split(', ')[1]} {v:.2f} s" for k, v in one_pdf.items())
        + "; 4 PDFs "
        + " vs ".join(f"{k.split(', ')[1]} {v:.2f} s" for k, v in four.items())
        + f"; SMALL_RUN = {SMALL_RUN}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
