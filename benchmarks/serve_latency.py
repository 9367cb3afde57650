"""Save-to-refresh time of `brochure serve` on the seed page, beside a bare render.

Starts the preview server on a copy of content/, listens to its event stream as the
browser page does, then saves a one-sentence change to the English seed page and times:

- save → first refreshed thumbnail: the `pdf` event that carries the first page of the
  PDF made first (the saved page's own: English, single layout, A4, office), sent as soon
  as that thumbnail is written. Target: under 0.5 s on the developers' machine.
- save → all refreshed: the `build` event, after the 4 PDFs the change touches are made
  and every page of each has its thumbnail (what the first figure used to wait for).

Seconds do not carry over between machines, so after each save the same PDF is also
rendered alone in a warm worker of a second pool (the worker's own time for it,
`Output.seconds`), one after the other in the same run; the ratio of the first figure to
that render does carry over. Repeats and prints every run, the median and the worst.

Run: `make bench` (after bench.py), or `.venv/bin/python benchmarks/serve_latency.py`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEED = "000_47d77d7bc2ab0bf7.txt"
TARGET_FIRST = 0.5  # seconds, on the developers' 2-core machine


def _events(response: http.client.HTTPResponse) -> tuple[str, str]:
    """The next server-sent event: (name, data)."""
    name = data = ""
    while True:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and name:
            return name, data


def _bare(root: Path, out: Path, pool: object, name: str) -> float:
    """The worker's own time for PDF `name`, made alone in a warm worker (forced)."""
    from brochure.build import Output, build

    seconds: list[float] = []

    def made(output: Output) -> None:
        if output.target.path.name == name:
            seconds.append(output.seconds)

    build(
        [root],
        out,
        layouts=("single",),
        sizes=("a4",),
        profiles=("office",),
        force=True,
        pool=pool,  # type: ignore[arg-type]
        first=lambda target: target.path.name == name,
        on_output=made,
    )
    return seconds[0]


def _line(label: str, times: list[float]) -> str:
    runs = ", ".join(f"{t:.2f}" for t in times)
    return f"  {label}: median {statistics.median(times):.2f} s, worst {max(times):.2f} s ({runs})"


def main() -> int:
    from brochure.build import worker_pool
    from brochure.serve import Preview, running

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    first_times: list[float] = []
    all_times: list[float] = []
    bare_times: list[float] = []
    inside_times: list[float] = []  # the same PDF's render inside the serve build
    first_names: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(REPO / "content", root)
        builds: list[Any] = []
        preview = Preview([root], Path(tmp) / "dist", jobs=2, on_build=builds.append)
        with running(preview) as server, worker_pool(1, root) as bare_pool:
            name = "hair-mesotherapy.en.a4.pdf"
            _bare(root, Path(tmp) / "bare", bare_pool, name)  # the worker warms up
            while not builds:
                time.sleep(0.05)
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
            connection.request("GET", "/events")
            events = connection.getresponse()
            events.readline()
            events.readline()
            seed = root / SEED
            for attempt in range(args.repeat):
                text = seed.read_text(encoding="utf-8")
                started = time.perf_counter()
                seed.write_text(text + f"\nEdit number {attempt}.\n", encoding="utf-8")
                first = None
                while True:
                    kind, data = _events(events)
                    if kind == "pdf" and first is None:
                        first = time.perf_counter() - started
                        first_names.add(json.loads(data)["name"])
                    elif kind == "build":
                        all_times.append(time.perf_counter() - started)
                        break
                mine = [o for o in builds[-1].outputs if o.target.path.name == name]
                inside_times += [o.seconds for o in mine]
                first_times.append(first if first is not None else all_times[-1])
                time.sleep(0.3)
                bare_times.append(_bare(root, Path(tmp) / "bare", bare_pool, name))
                time.sleep(0.3)
            connection.close()
    ratios = [f / b for f, b in zip(first_times, bare_times, strict=True)]
    first_median = statistics.median(first_times)
    print("brochure serve, seed page (4 PDFs rebuilt after each save):")
    print(
        _line(
            "save → first refreshed thumbnail (" + ", ".join(sorted(first_names)) + ")", first_times
        )
    )
    print(_line("save → all refreshed (every page of the 4 PDFs, build event)", all_times))
    print(_line(f"bare render of {name} in a warm worker", bare_times))
    if inside_times:
        print(
            _line("the same render inside the serve build, beside the other worker", inside_times)
        )
    print(
        f"  first thumbnail / bare render: median {statistics.median(ratios):.2f}×, "
        f"worst {max(ratios):.2f}×"
    )
    print(
        f"  target: first thumbnail < {TARGET_FIRST} s on the developers' machine; here "
        f"{first_median:.2f} s: " + ("met" if first_median < TARGET_FIRST else "missed")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
