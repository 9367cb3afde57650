"""What each hostile input costs: the line it gives, the exit code, time and peak memory.

Run `.venv/bin/python benchmarks/hostile.py [CASE ...]`. Each case is a fresh content folder
(a good page with its photo, the seed `brochure.toml` and logo, plus the hostile part) under
`benchmarks/.work/hostile/`, built once by the `brochure build` a user runs
(`--layout single --size a5`) under `/usr/bin/time -v`. Prints a Markdown table: case, exit
code, what it printed on standard error, wall time, peak resident memory, and the PDFs made.
A case that does not end within `--timeout` seconds (default 300) is shown as a timeout.
Run as root, where permission bits stop no read, the two unreadable cases go through the
same stand-in for an ordinary user's permissions as the tests (`unprivileged`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work" / "hostile"
GOOD = "---\ntitle: Good page\nhero_image: good.jpg\n---\nSome text.\n"

Setup = Callable[[Path], None]
CASES: dict[str, Setup] = {}


def case(function: Setup) -> Setup:
    CASES[function.__name__.replace("_", "-")] = function
    return function


def page(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front}---\n{body}"


def write(root: Path, name: str, text: str | bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def toml_replace(root: Path, pattern: str, value: str) -> None:
    path = root / "brochure.toml"
    path.write_text(re.sub(pattern, value, path.read_text(encoding="utf-8"), count=1))


def svg_bomb(levels: int = 12, fan: int = 10) -> str:
    groups = "".join(
        f'<g id="l{i}">' + f'<use xlink:href="#l{i - 1}"/>' * fan + "</g>" for i in range(1, levels)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10"><defs><rect id="l0" width="1" height="1"/>'
        f'{groups}</defs><use xlink:href="#l{levels - 1}"/></svg>'
    )


def hero(front: str = "", body: str = "Text.\n") -> str:
    return page("title: Bad\nhero_image: good.jpg\n" + front, body)


@case
def lang_into_the_file_name(root: Path) -> None:
    (root.parent / "victim").mkdir(exist_ok=True)
    write(root, "bad.md", hero('lang: "../../victim/report"\n'))


@case
def page_linked_from_outside(root: Path) -> None:
    (root.parent / "secret.md").write_text("---\ntitle: Secret\n---\nSecret text.\n")
    (root / "bad.md").symlink_to(root.parent / "secret.md")


@case
def template_linked_from_outside(root: Path) -> None:
    (root.parent / "evil.j2").write_text("SECRET {{ 1 }}")
    (root / "templates").mkdir()
    (root / "templates" / "single.html.j2").symlink_to(root.parent / "evil.j2")


@case
def stylesheet_linked_from_outside(root: Path) -> None:
    (root.parent / "evil.css").write_text("body { color: red }")
    (root / "styles").mkdir()
    (root / "styles" / "base.css").symlink_to(root.parent / "evil.css")


@case
def logo_etc_shadow(root: Path) -> None:
    toml_replace(root, r'logo = ".*"', 'logo = "/etc/shadow"')


@case
def logo_dot_dot(root: Path) -> None:
    (root.parent / "secret").write_text("secret")
    toml_replace(root, r'logo = ".*"', 'logo = "../secret"')


@case
def date_2024_02_30(root: Path) -> None:
    write(root, "bad.md", hero("date: 2024-02-30\n"))


@case
def number_of_5000_digits(root: Path) -> None:
    write(root, "bad.md", hero("price: " + "9" * 5000 + "\n"))


@case
def title_of_4000_hex_digits(root: Path) -> None:
    write(root, "bad.md", page("title: 0x" + "f" * 4000 + "\nhero_image: good.jpg\n"))


@case
def yaml_nested_3000_deep(root: Path) -> None:
    write(root, "bad.md", hero("x: " + "[" * 3000 + "]" * 3000 + "\n"))


@case
def lone_surrogate(root: Path) -> None:
    write(root, "bad.md", page('title: "\\ud800"\nhero_image: good.jpg\n'))


@case
def hero_name_of_300_characters(root: Path) -> None:
    write(root, "bad.md", page("title: Bad\nhero_image: " + "a" * 300 + ".jpg\n"))


@case
def toml_nested_5000_deep(root: Path) -> None:
    (root / "brochure.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")


@case
def toml_number_of_5000_digits(root: Path) -> None:
    (root / "brochure.toml").write_text("[clinic]\nname = " + "9" * 5000 + "\n")


@case
def jinja_error_in_an_override(root: Path) -> None:
    write(
        root,
        "templates/single.html.j2",
        "{% extends 'base.html.j2' %}\n{% block body %}\n{{ nope.x }}\n{% endblock %}\n",
    )


@case
def jinja_syntax_error_in_an_override(root: Path) -> None:
    write(
        root,
        "templates/single.html.j2",
        "{% extends 'base.html.j2' %}\n{% block body %}\n{% if %}\n{% endblock %}\n",
    )


@case
def svg_use_bomb_as_a_body_image(root: Path) -> None:
    write(root, "images/bomb.svg", svg_bomb())
    write(root, "bad.md", hero(body="![x](images/bomb.svg)\n"))


@case
def svg_use_bomb_as_the_logo(root: Path) -> None:
    write(root, "images/logo.svg", svg_bomb())


@case
def word_of_200000_letters(root: Path) -> None:
    write(root, "bad.md", hero(body="x" * 200_000 + "\n"))


@case
def unknown_keys_20000(root: Path) -> None:
    write(root, "bad.md", hero("".join(f"k{i}: v\n" for i in range(20_000))))


@case
def clinic_name_of_60_kb(root: Path) -> None:
    toml_replace(root, r'name = ".*"', 'name = "' + "N" * 60_000 + '"')


@case
def billion_laughs(root: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    front = "\n".join(lines) + "\ntitle: *i\nhero_image: good.jpg\n"
    write(root, "bad.md", f"---\n{front}---\nText.\n")


@case
def rich_markup_in_a_file_name(root: Path) -> None:
    write(root, "bad.md", page('title: Bad\nhero_image: "[/]x.jpg"\n'))


@case
def corrupt_exif(root: Path) -> None:
    from PIL import Image

    exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + b"\x00" * 20
    Image.new("RGB", (600, 400), "red").save(root / "images" / "exif.jpg", exif=exif)
    write(root, "bad.md", page("title: Bad\nhero_image: exif.jpg\n"))


@case
def unreadable_hero(root: Path) -> None:
    write(root, "images/locked.jpg", (root / "images" / "good.jpg").read_bytes())
    (root / "images" / "locked.jpg").chmod(0)
    write(root, "bad.md", page("title: Bad\nhero_image: locked.jpg\n"))


@case
def unreadable_folder(root: Path) -> None:
    write(root, "private/p.md", hero())
    (root / "private").chmod(0)


@case
def website_javascript(root: Path) -> None:
    toml_replace(root, r'website = ".*"', 'website = "javascript:alert(1)"')


@case
def booking_url_file(root: Path) -> None:
    toml_replace(root, r'booking_url = ".*"', 'booking_url = "file:///etc/passwd"')


@case
def relative_link_to_another_page(root: Path) -> None:
    write(root, "other.md", page("title: Other page\nhero_image: good.jpg\n"))
    write(root, "bad.md", page("title: Linker\nhero_image: good.jpg\n", "See [](other.md).\n"))


def setup_base(root: Path) -> None:
    sys.path.insert(0, str(REPO))
    from tests.conftest import make_photo

    (root / "images").mkdir(parents=True)
    make_photo(root / "images" / "good.jpg", (600, 400), format="JPEG")
    (root / "good.md").write_text(GOOD, encoding="utf-8")
    shutil.copy(REPO / "content" / "brochure.toml", root / "brochure.toml")
    shutil.copy(REPO / "content" / "images" / "logo.svg", root / "images" / "logo.svg")


AS_USER = ("unreadable-hero", "unreadable-folder")
LAUNCH_AS_USER = (
    "import sys, pytest; sys.path.insert(0, {repo!r})\n"
    "from tests.test_bad_input import unprivileged\n"
    "from brochure.cli import main\n"
    "with pytest.MonkeyPatch.context() as patch:\n"
    "    unprivileged(patch)\n"
    "    main(sys.argv[1:])\n"
)


def measure(name: str, timeout: int) -> list[str]:
    folder = WORK / name
    if folder.exists():
        for path in folder.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)
    root = folder / "content"
    setup_base(root)
    CASES[name](root)
    brochure: list[str | Path] = [Path(sys.executable).with_name("brochure")]
    if name in AS_USER and os.geteuid() == 0:
        brochure = [sys.executable, "-c", LAUNCH_AS_USER.format(repo=str(REPO))]
    command = [*brochure, "build", "content", "--out", "dist", "--layout", "single"]
    command += ["--size", "a5"]
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", "timeout", str(timeout), *map(str, command)],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},
    )
    wall = time.perf_counter() - started
    stderr, _, usage = done.stderr.partition("\tCommand being timed")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", usage)
    lines = [line for line in stderr.splitlines() if not line.startswith("Command exited")]
    said = "<br>".join(lines) or "(nothing)"
    made = sorted(p.name for p in (folder / "dist").glob("*.pdf")) if done.returncode != 124 else []
    code = "timeout" if done.returncode == 124 else str(done.returncode)
    mb = int(peak.group(1)) // 1024 if peak else 0
    return [name, code, said.replace("|", "\\|"), f"{wall:.1f} s", f"{mb} MB", ", ".join(made)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help=f"some of: {', '.join(CASES)}")
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}")
    print("| case | exit | what it says | time | peak memory | PDFs made |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in args.cases or CASES:
        print("| " + " | ".join(measure(name, args.timeout)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
