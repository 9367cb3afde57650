"""Other ways to turn the same Markdown into PDFs: md2pdf and pandoc + WeasyPrint.

Both are installed on first use, outside the project's own environment: md2pdf (with its
CLI extra, which brings WeasyPrint's `weasyprint` command too) into a separate venv under
`benchmarks/.work/peers-venv`, pandoc with apt. Each `ensure_*` returns None when the tool is
ready, else the reason it is not, which the benchmark prints as `skipped: <peer>: <reason>`.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def strip_front_matter(text: str) -> str:
    """The Markdown body of a page, without its YAML front matter."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            newline = text.find("\n", end + 4)
            return text[newline + 1 :] if newline != -1 else ""
    return text


def prepare_inputs(pages: list[Path], folder: Path) -> list[Path]:
    """Copies of the pages without front matter (peers would print it or trip on it)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    out: list[Path] = []
    for page in pages:
        copy = folder / page.name
        copy.write_text(strip_front_matter(page.read_text(encoding="utf-8")), encoding="utf-8")
        out.append(copy)
    return out


def _tail(text: str, lines: int = 3) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def ensure_md2pdf(venv: Path) -> str | None:
    """Install md2pdf[cli] into `venv` when missing; None when ready, else why not."""
    if (venv / "bin" / "md2pdf").exists() and (venv / "bin" / "weasyprint").exists():
        return None
    try:
        if not (venv / "bin" / "python").exists():
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(venv)],
                check=True,
                capture_output=True,
                text=True,
            )
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "md2pdf[cli]",
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as exc:
        return f"could not install md2pdf ({_tail(exc.stderr or exc.stdout or '')})"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not install md2pdf ({exc})"
    if not (venv / "bin" / "md2pdf").exists():
        return "md2pdf installed no md2pdf command"
    return None


def ensure_pandoc() -> str | None:
    """Install pandoc with apt when missing; None when ready, else why not."""
    if shutil.which("pandoc"):
        return None
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        return "pandoc is not installed and installing it needs root (apt-get install pandoc)"
    install = [*prefix, "apt-get", "install", "-y", "-qq", "pandoc"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=600)
        if done.returncode != 0:  # an old or empty package list: refresh it once and retry
            subprocess.run(
                [*prefix, "apt-get", "update", "-qq"], capture_output=True, env=env, timeout=600
            )
            done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"apt-get install pandoc failed ({exc})"
    if done.returncode != 0 or not shutil.which("pandoc"):
        return f"apt-get install pandoc failed ({_tail(done.stderr or done.stdout)})"
    return None


def run_md2pdf(venv: Path, files: list[Path], processes: int) -> tuple[float, list[str]]:
    """md2pdf in `processes` parallel processes, each converting its share of `files`.

    Each PDF lands beside its Markdown file. Returns (wall seconds, problems).
    """
    for file in files:
        file.with_suffix(".pdf").unlink(missing_ok=True)
    shares = [files[i::processes] for i in range(processes)]
    command = str(venv / "bin" / "md2pdf")
    started = time.perf_counter()
    running = []
    for share in shares:
        if not share:
            continue
        args = [command, "--workers", "1"]
        for file in share:
            args += ["-i", str(file)]
        running.append(
            subprocess.Popen(
                args,
                cwd=files[0].parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [(proc, *proc.communicate()) for proc in running]
    seconds = time.perf_counter() - started
    problems = [
        f"md2pdf exited {proc.returncode}: {_tail(err or out)}"
        for proc, out, err in outputs
        if proc.returncode != 0
    ]
    problems += [f"{f.name}: no PDF" for f in files if not f.with_suffix(".pdf").exists()]
    return seconds, problems


def run_pandoc(venv: Path, files: list[Path], out: Path, processes: int) -> tuple[float, list[str]]:
    """`pandoc page.md -o page.pdf --pdf-engine=weasyprint`, one process per file,
    `processes` at a time. Returns (wall seconds, problems)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}

    def one(file: Path) -> str | None:
        target = out / f"{file.stem}.pdf"
        done = subprocess.run(
            ["pandoc", str(file), "-o", str(target), "--pdf-engine=weasyprint"],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode != 0 or not target.exists():
            return f"{file.name}: pandoc exited {done.returncode}: {_tail(done.stderr)}"
        return None

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=processes) as pool:
        results = list(pool.map(one, files))
    seconds = time.perf_counter() - started
    return seconds, [r for r in results if r is not None]
