"""The floor: plain WeasyPrint rendering the HTML documents brochure produced.

Run as `python benchmarks/floor.py HTML_DIR OUT_DIR` in a fresh process. WeasyPrint is
imported before the clock starts; then each `*.html` is rendered with
`weasyprint.HTML(filename=...).write_pdf(...)`, one after the other, with WeasyPrint's
default set-up every time (no shared FontConfiguration, no reused CSS). Prints one JSON
object: {"files": n, "seconds": total, "failed": [names]}.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    html_dir, out_dir = Path(argv[1]), Path(argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it ignores is not news here
    files = sorted(html_dir.glob("*.html"))
    failed: list[str] = []
    started = time.perf_counter()
    for file in files:
        try:
            weasyprint.HTML(filename=str(file)).write_pdf(str(out_dir / f"{file.stem}.pdf"))
        except Exception as exc:  # a measurement: report the file, keep going
            failed.append(f"{file.name}: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    print(json.dumps({"files": len(files), "seconds": seconds, "failed": failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
