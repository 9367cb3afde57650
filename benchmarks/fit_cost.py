"""What copyfitting costs: the same corpus built with and without `[fit]`.

Run `python benchmarks/fit_cost.py` (part of `make bench`); `--pages N` sets the corpus size
(default 12 services × 2 languages), `--repeat N` the builds of each kind (default 2; the
best time of each PDF counts). Written under `benchmarks/.work/fit/` (git-ignored).

The corpus is the benchmark's own (`corpus.py`), with every third service lengthened by a
section of questions, so that its PDFs run a few lines over; `[fit]` allows 2 A4 and 3 A5
pages. Both builds run in one process (`--jobs 1`), all layouts and sizes, fresh output
folders. Reported: how many PDFs needed fitting and how they ended; per fitted PDF, its time
with `[fit]` over its time without (median and worst; target: under 3×), the layouts it
took, and the whole build's time with and without `[fit]`, in CPU seconds.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "fit"
TARGET = 3.0  # a fitted PDF may take this many times an unfitted one's time

# The section that makes every third service run over, in the corpus's two languages.
EXTRA = {
    "en": (
        "## Questions patients ask",
        [
            "Does it hurt? Most patients feel only a slight tingling, and an anaesthetic cream "
            "is offered to everyone who wants it.",
            "When will I see the result? The first changes show after two or three sessions, "
            "and the skin keeps improving for a month after the course.",
            "Can I combine it with other treatments? Often yes: the doctor plans the order and "
            "the intervals so that each treatment helps the next one.",
            "What should I do at home? Follow the written advice you receive after the visit, "
            "protect the skin from the sun and call us with any question.",
            "Is there an age limit? The procedure is done for adults of any age after a "
            "consultation; for teenagers only with a parent's consent.",
            "How long does a session take? Usually thirty to fifty minutes, including the "
            "preparation of the skin and a short rest afterwards.",
            "Can I pay for the course in parts? Yes: you pay for each session on the day, and "
            "the price of the course is fixed when you book it.",
        ],
    ),
    "ru": (
        "## Вопросы пациентов",
        [
            "Это больно? Большинство пациентов чувствуют лишь лёгкое покалывание, а "
            "обезболивающий крем предлагаем всем, кто хочет.",
            "Когда будет виден результат? Первые изменения заметны после двух-трёх сеансов, "
            "и кожа продолжает улучшаться ещё месяц после курса.",
            "Можно ли сочетать с другими процедурами? Часто да: врач планирует порядок и "
            "интервалы так, чтобы каждая процедура помогала следующей.",
            "Что делать дома? Следуйте письменным рекомендациям, которые вы получите после "
            "визита, защищайте кожу от солнца и звоните нам с любым вопросом.",
            "Есть ли возрастные ограничения? Процедуру проводят взрослым любого возраста после "
            "консультации, подросткам — только с согласия родителей.",
            "Сколько длится сеанс? Обычно от тридцати до пятидесяти минут, включая подготовку "
            "кожи и короткий отдых после процедуры.",
            "Можно ли оплачивать курс частями? Да: каждый сеанс оплачивается в день визита, а "
            "цена курса фиксируется при записи.",
        ],
    ),
}
FIT = "\n[fit]\na4 = 2\na5 = 3\n"


def make(pages: int) -> Path:
    """The corpus with every third service lengthened, and `[fit]` taken out."""
    sys.path.insert(0, str(HERE))
    import corpus

    if WORK.exists():
        shutil.rmtree(WORK)
    made = corpus.make_corpus(WORK / "corpus", pages)
    config = made.root / "brochure.toml"
    config.write_text(re.sub(r"\n\[fit\][^\[]*", "\n", config.read_text("utf-8")), "utf-8")
    slugs = sorted({p.name.split(".")[0] for p in made.pages})
    longer = set(slugs[::3])
    for page in made.pages:
        slug, lang = page.name.split(".")[:2]
        if slug in longer:
            heading, sentences = EXTRA[lang]
            body = page.read_text("utf-8").rstrip("\n")
            page.write_text(f"{body}\n\n{heading}\n\n" + "\n\n".join(sentences) + "\n", "utf-8")
    return made.root


def timed(root: Path, out: Path) -> tuple[float, dict[str, tuple[float, int, object]]]:
    """One build: its CPU time and, per PDF, (CPU seconds, pages, what fitting did).

    CPU time of this one process (the build runs in it), so that other load on a shared
    machine does not count: brochure's clocks read `time.process_time` meanwhile.
    """
    from unittest import mock

    from brochure.build import build

    if out.exists():
        shutil.rmtree(out)
    started = time.process_time()
    with mock.patch("time.perf_counter", time.process_time):
        report = build([root], out, jobs=1, force=True)
    wall = time.process_time() - started
    if report.failures:
        raise SystemExit(f"fit_cost: build failed: {report.failures[0]}")
    return wall, {o.target.path.name: (o.seconds, o.pages, o.fitted) for o in report.outputs}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=12, help="services in the corpus")
    parser.add_argument("--repeat", type=int, default=2, help="builds of each kind")
    args = parser.parse_args(argv)

    print(f"## Copyfitting: {args.pages} services × 2 languages, a third of them lengthened")
    root = make(args.pages)
    config = root / "brochure.toml"
    plain_text = config.read_text("utf-8")
    walls: dict[str, list[float]] = {"plain": [], "fit": []}
    best: dict[str, dict[str, float]] = {"plain": {}, "fit": {}}
    outcome: dict[str, tuple[int, int, object]] = {}
    for _ in range(args.repeat):
        for kind in ("plain", "fit"):
            config.write_text(plain_text + (FIT if kind == "fit" else ""), "utf-8")
            wall, pdfs = timed(root, WORK / f"out-{kind}")
            walls[kind].append(wall)
            for name, (seconds, pages, fitted) in pdfs.items():
                best[kind][name] = min(best[kind].get(name, seconds), seconds)
                if kind == "plain":
                    outcome.setdefault(name, (pages, pages, None))
                else:
                    outcome[name] = (outcome[name][0], pages, fitted)
    config.write_text(plain_text, "utf-8")

    touched = {name: o for name, o in outcome.items() if o[2] is not None}
    ratios = {name: best["fit"][name] / best["plain"][name] for name in touched}
    print(f"PDFs: {len(outcome)}; needing fitting: {len(touched)}")
    print("| PDF | pages | setting | layouts | without | with | ratio |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for name in sorted(touched):
        before, after, fitted = touched[name]
        setting = getattr(fitted, "setting", None)
        described = setting.describe() if setting is not None else "not fitted"
        print(
            f"| {name} | {before} → {after} | {described} | {getattr(fitted, 'layouts', 0)} "
            f"| {best['plain'][name]:.2f} s | {best['fit'][name]:.2f} s | {ratios[name]:.2f}× |"
        )
    untouched = [best["fit"][n] / best["plain"][n] for n in outcome if n not in touched]
    if ratios:
        median, worst = statistics.median(ratios.values()), max(ratios.values())
        met = "met" if worst < TARGET else "missed"
        print(
            f"fitted PDF / unfitted: median {median:.2f}×, worst {worst:.2f}× "
            f"(target < {TARGET:g}×: {met})"
        )
    if untouched:
        ratio = statistics.median(untouched)
        print(f"PDFs that fit already, with / without [fit]: median {ratio:.2f}×")
    plain, fit = min(walls["plain"]), min(walls["fit"])
    print(f"whole build: {plain:.1f} s without [fit], {fit:.1f} s with ({fit / plain:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
