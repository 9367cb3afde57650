"""Save-to-refresh time of `brochure serve` on the seed page.

Starts the preview server on a copy of content/, listens to its event stream as the
browser page does, then saves a one-sentence change to the English seed page and
times how long until the event that makes the page refresh (the PDFs are rebuilt and
their thumbnails rendered before the event is sent). Repeats and prints the median.

Run: `make bench` (after bench.py), or `.venv/bin/python benchmarks/serve_latency.py`.
Target: under 1.5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from brochure.serve import Preview, running

REPO = Path(__file__).resolve().parent.parent
SEED = "000_47d77d7bc2ab0bf7.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(REPO / "content", root)
        builds: list[object] = []
        preview = Preview([root], Path(tmp) / "dist", jobs=2, on_build=builds.append)
        with running(preview) as server:
            while not builds:
                time.sleep(0.05)
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
            connection.request("GET", "/events")
            events = connection.getresponse()
            events.readline()
            events.readline()
            seed = root / SEED
            times: list[float] = []
            for attempt in range(args.repeat):
                text = seed.read_text(encoding="utf-8")
                started = time.perf_counter()
                seed.write_text(text + f"\nEdit number {attempt}.\n", encoding="utf-8")
                while events.readline() != b"event: build\n":
                    pass
                times.append(time.perf_counter() - started)
                events.readline()
                events.readline()
                time.sleep(0.5)
            connection.close()
    median = statistics.median(times)
    print("save-to-refresh (4 PDFs rebuilt, thumbnails rendered, event sent):")
    print("  runs: " + ", ".join(f"{t:.2f} s" for t in times))
    print(
        f"  median {median:.2f} s, worst {max(times):.2f} s; target < 1.5 s: "
        + ("met" if median < 1.5 else "missed")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
