"""Rendering in worker processes: each keeps WeasyPrint, fonts and stylesheets warm.

A task is one brochure's targets (or a single target when there are few brochures).
The same function runs in the main process for `--jobs 1`. Whatever goes wrong while
making a brochure, a `BrochureError`, a document over its budget (`pool.OverBudget`)
or a bug, fails that brochure alone with one line; a bug keeps its traceback for
`--debug`.
"""

from __future__ import annotations

import atexit
import gc
import html as htmllib
import mimetypes
import os
import re
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import color, fit, fitcss, images, safety
from .assets import readable
from .atomic import write_atomic
from .compose import Composer, Hero
from .config import Config
from .errors import BrochureError, BuildWarning, InternalError, RenderError
from .geometry import SIZES
from .plan import Target, inside_output
from .pool import OverBudget, Watch
from .profiles import PDF_A, PROFILES, Profile
from .tasks import Done, Task, over_budget
from .templating import stylesheets

if TYPE_CHECKING:
    from .pdf import Renderer


_RENDERER: Renderer | None = None


def renderer(allowed: list[Path]) -> Renderer:
    """This process's warm renderer (created once, reused for every document)."""
    global _RENDERER
    if _RENDERER is None or _RENDERER.allowed != [p.resolve() for p in allowed]:
        from .pdf import Renderer

        if _RENDERER is None:
            atexit.register(_drop_renderer)
        _RENDERER = Renderer(allowed)
    return _RENDERER


def _drop_renderer() -> None:
    # Free WeasyPrint's font configuration while the interpreter is still whole: its
    # destructor fails noisily when it runs during shutdown.
    global _RENDERER
    _RENDERER = None
    gc.collect()


def warm_up(allowed: list[Path], parent: int | None = None, fonts: bool = True) -> None:
    """A new worker: import WeasyPrint and parse fonts before the first task (`fonts`).

    A worker whose build was killed (no clean shutdown) notices and exits.
    """
    if fonts:
        renderer(allowed)
    if parent is not None:
        threading.Thread(target=_orphan_watch, args=(parent,), daemon=True).start()


def _orphan_watch(parent: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass


def _rss_kb() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


_MEMORY_URL = re.compile(r"brochure:[^\"'\s)<>]+")


def html_copy(html: str, target: Target, renderer: Renderer, css: list[Path], root: Path) -> None:
    """Write the HTML of a PDF beside it, for template authors: open it in a browser, or
    give it to WeasyPrint (`weasyprint x.en.a4.html x.pdf` makes the same pages).

    Images held in memory (the hero, the text's images, the QR code) are written beside
    it too; the content folder's stable URLs become its real ones, and the stylesheets
    are linked.
    """
    stem = target.path.name.removesuffix(".pdf")
    files: dict[str, str] = {}  # URL in the HTML -> the file written for it
    for found in dict.fromkeys(_MEMORY_URL.findall(html)):
        url = htmllib.unescape(found)
        if url not in renderer.fetcher.memory:
            continue
        data, mime = renderer.fetcher.memory[url]
        extension = mimetypes.guess_extension(mime) or ".bin"
        path = target.path.with_name(f"{stem}.{len(files) + 1}{extension}")
        write_atomic(path, data, "the HTML copy's image", sync=False)
        files[found] = path.resolve().as_uri()
    for url, file_url in files.items():
        html = html.replace(url, file_url)
    html = html.replace(safety.CONTENT_URL, root.resolve().as_uri() + "/")
    page = target.brochure.pages[target.langs[0]]
    # Relative URLs resolve against the page's folder, as in the PDF; the sheets come
    # before the template's own <style>, which thus keeps the last word.
    head = f'<base href="{page.path.parent.resolve().as_uri()}/">'
    head += "".join(f'<link rel="stylesheet" href="{p.resolve().as_uri()}">' for p in css)
    html = html.replace("<head>", "<head>" + head, 1)
    write_atomic(target.path.with_suffix(".html"), html.encode(), "the HTML copy", sync=False)


def _profile_warnings(
    profile: Profile, target: Target, hero: Hero | None, size: int, pages: int
) -> list[BuildWarning]:
    """Print shops want 300 dpi; e-mail wants a small file. Say which image is to blame."""
    out: list[BuildWarning] = []
    if hero is None:
        return out
    page = hero.page
    if profile.min_dpi and hero.dpi < profile.min_dpi - 0.5:
        need_w = round(hero.width_mm / 25.4 * profile.min_dpi)
        need_h = round(hero.height_mm / 25.4 * profile.min_dpi)
        out.append(
            BuildWarning(
                f"{target.path.name}: hero image '{hero.source}' prints at "
                f"{hero.dpi:.0f} dpi, below the {profile.min_dpi} dpi a print shop needs",
                path=page.path,
                line=images.hero_line(page),
                hint=f"use a photo of at least {need_w}×{need_h} pixels "
                f"(this one is {hero.pixels[0]}×{hero.pixels[1]})",
            )
        )
    if profile.budget_kb_per_page:
        budget = profile.budget_kb_per_page * max(pages, 2) * 1024
        if size > budget:
            out.append(
                BuildWarning(
                    f"{target.path.name} is {size // 1024} KB, over the {budget // 1024} KB "
                    f"e-mail budget; its hero image '{hero.source}' takes "
                    f"{hero.bytes // 1024} KB",
                    path=page.path,
                    line=images.hero_line(page),
                    hint="crop or simplify the photo, or send the office PDF instead",
                )
            )
    return out


def _brand_cmyk(config: Config) -> dict[color.RGB, color.CMYK]:
    """The brand colours' CMYK, wherever their RGB appears (the logo, for one)."""
    brand = (color.parse(config.primary), color.parse(config.accent))
    return {c.rgb: c.for_print() for c in brand}


def _press_warnings(target: Target, source: Path, problems: list[str]) -> list[BuildWarning]:
    return [
        BuildWarning(
            f"{target.path.name}: {problem} in the print shop's PDF",
            path=source,
            hint="a print shop may flatten or convert it; avoid it in custom styles and images",
        )
        for problem in problems
    ]


def _fitting(
    task: Task,
    target: Target,
    work: Composer,
    warm: Renderer,
    css: list[Path],
    created: str,
    hero: Hero | None,
) -> fit.Fitting | None:
    """Copyfitting for a target with a page limit (or `[fit]`); None leaves it alone."""
    wanted = fit.goal(task.config, target)
    if wanted is None:
        return None
    source = task.brochure.pages[target.langs[0]].path
    profile = PROFILES[target.profile]
    base = safety.folder_url(source.parent, task.config.root)

    html, _ = work.html(target, task.logo_url, created)
    height = hero.height_mm if hero else None

    def lay_out(setting: fit.Setting) -> Any:
        extra = fitcss.override_css(css, setting, height)
        return warm.layout(html, base, css, extra, cmyk=work.cmyk(profile), trial=True)

    def finish(laid: Any, setting: fit.Setting) -> Any:
        if hero is None or setting.hero == 1.0:
            return laid
        _, lower = work.html(target, task.logo_url, created, setting.hero)
        return warm.replace_image(laid, hero.url, lower.url if lower else hero.url)

    size = SIZES[target.size]
    text_mm = size.height_mm - size.margin_top - size.margin_bottom
    share = hero.height_mm / text_mm if hero else 0.0
    return fit.Fitting(wanted, target, source, share, lay_out, finish=finish)


def run(
    task: Task,
    on_start: Callable[[Target], None] | None = None,
    watch: Watch | None = None,
    collect: bool = True,
) -> Done:
    """Render every target of a task; the first problem stops this brochure only.

    `collect`: a full garbage collection after the task keeps a worker's memory flat over
    many tasks (about 35 ms); a small run in the main process leaves it to Python.
    """
    allowed = readable(task.config.root)
    warm = renderer(allowed)
    warm.fetcher.requested.clear()
    warm.fetcher.refused.clear()
    journal = len(safety.JOURNAL.opened), len(safety.JOURNAL.refused)
    done = Done(pid=os.getpid())
    work: Composer | None = None
    index = 0
    if watch:
        watch.document()  # reading the pages counts as the first document's
    try:
        work = Composer(
            task.brochure,
            task.config,
            task.heroes,
            warm.fetcher,
            cache_dir=task.cache_dir,
            pdf_a=task.pdf_a,
            titles=task.titles,
        )
        done.warnings += work.warnings
        for index, target in enumerate(task.targets):
            if on_start:
                on_start(target)
            if watch:
                watch.document()
            began = time.perf_counter()
            data, pages = _make(task, target, work, warm, done, index)
            done.outputs.append((index, pages, len(data), time.perf_counter() - began))
    except BrochureError as exc:
        done.failure = exc
    except OverBudget as exc:
        if watch:
            watch.idle()  # first: the timer raises on every tick until the document ends
        done = over_budget(task, index, str(exc))
        _drop_renderer()
    except Exception as exc:
        if watch:
            watch.idle()
        target = task.targets[min(index, len(task.targets) - 1)]
        done.failure = InternalError.from_exception(
            exc, f"making {target.path.name}", task.brochure.pages[target.langs[0]].path
        )
        done.replace = True
        _drop_renderer()
    finally:
        if watch:
            watch.idle()
        if work is not None:
            work.release()
        if collect:
            gc.collect()  # renders skip the collector; a full pass per task keeps memory flat
    if work is not None:  # warnings found while making PDFs (a hero's damaged EXIF …)
        done.warnings += [w for w in work.warnings if w not in done.warnings]
    done.requested = list(warm.fetcher.requested)
    done.refused = list(warm.fetcher.refused) + safety.JOURNAL.refused[journal[1] :]
    done.opened = safety.JOURNAL.opened[journal[0] :]
    del safety.JOURNAL.opened[journal[0] :], safety.JOURNAL.refused[journal[1] :]
    done.pid = os.getpid()
    done.rss_kb = _rss_kb()
    done.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return done


def _make(
    task: Task, target: Target, work: Composer, warm: Renderer, done: Done, index: int = 0
) -> tuple[bytes, int]:
    """One PDF: its HTML, the render, the profile's variant, prepress and imposition, the
    write (inside the output folder only)."""
    if task.out is not None and not inside_output(target.path, task.out):
        raise RenderError(
            f"refusing to write {target.path.name} outside the output folder",
            path=target.path,
            hint="this is a bug in brochure; please report it",
        )
    profile = PROFILES[target.profile]
    created = task.dates.get(target.path, "2000-01-01T00:00:00Z")
    html, hero = work.html(target, task.logo_url, created)
    css = stylesheets(task.config.root, target.size, target.layout)
    page = task.brochure.pages[target.langs[0]]
    variant = PDF_A if task.pdf_a else profile.pdf_variant
    identifier = task.digests.get(target.path, target.path.name)
    cmyk = work.cmyk(profile)
    base = safety.folder_url(page.path.parent, task.config.root)
    fitting = _fitting(task, target, work, warm, css, created, hero)
    data, pages, warnings = warm.render(
        html, base, css, page.path, variant, identifier, cmyk=cmyk, choose=fitting
    )
    if fitting is not None and fitting.result is not None:
        done.fitted[index] = fitting.result
        done.warnings += fitting.warnings
        chosen = fitting.result.setting
        if chosen is not None and chosen.hero < 1.0:
            _, hero = work.html(target, task.logo_url, created, chosen.hero)
    if profile.press and not task.pdf_a:
        from . import prepress  # pikepdf: only for the print shop's PDFs

        data, problems = prepress.finish(data, cmyk, _brand_cmyk(task.config))
        warnings += _press_warnings(target, page.path, problems)
    if profile.imposed:
        try:
            from . import booklet  # pypdf: only for booklets

            data, _ = booklet.impose(data)
        except ValueError as exc:
            raise RenderError(str(exc), path=page.path) from None
    done.warnings += _profile_warnings(profile, target, hero, len(data), pages)
    write_atomic(target.path, data)
    if task.html:
        html_copy(html, target, warm, css, task.config.root)
    done.warnings += warnings
    return data, pages
