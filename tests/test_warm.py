"""The warm renderer a person's run leaves behind (warm.py): the next run hands it its
PDFs and gets the same bytes; it is private to its user, never waited for when busy,
replaced when it dies, and gone when idle or told to stop."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from brochure import build as build_module
from brochure import warm
from brochure.build import build
from brochure.pool import Budget

from .conftest import make_content


@dataclass
class Warm:
    runtime: Path  # stands for $XDG_RUNTIME_DIR
    paths: list[Path]  # the renderers' sockets
    pids: list[int]
    root: Path  # the content they were warmed up for
    reference: Path  # the same PDFs made in this process

    @property
    def path(self) -> Path:
        return self.paths[0]

    @property
    def pid(self) -> int:
        return self.pids[0]


@pytest.fixture
def short(tmp_path: Path) -> Iterator[Path]:
    """A folder with a short path (a socket's path may have at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="bw-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _end(pid: int) -> None:
    """Kill a renderer a test started and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            return
        time.sleep(0.05)


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warm]:
    """Two warm renderers for this module, started the way a run starts them."""
    if not warm._supported():  # no pidfd (not Linux, or a kernel before 5.3): none is used
        pytest.skip("warm renderers need Linux's pidfd; their absence is tested below")
    base = tmp_path_factory.mktemp("warm")
    runtime = Path(tempfile.mkdtemp(prefix="bw-", dir="/tmp"))
    (runtime / "brochure").mkdir(mode=0o700)
    root = make_content(base / "content")
    reference = base / "reference"
    build([root], reference, layouts=("single",), sizes=("a5",), jobs=1)
    scratch = base / "tmp"  # the renderers' temporary folder: their rehearsal goes there
    scratch.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_RUNTIME_DIR", str(runtime))
        patch.setenv("TMPDIR", str(scratch))
        paths = warm.addresses(2)
        assert [p.parent for p in paths] == [runtime / "brochure"] * 2
        pages = sorted(root.glob("*.txt"))  # rehearsing with the seed's brochure
        pids = warm.spawn(root, paths, idle=300, pages=pages)
        assert len(pids) == 2
    try:
        assert [warm.running(p, wait=120) for p in paths] == pids
        assert not list(scratch.glob("brochure-*"))  # the rehearsal left nothing behind
        yield Warm(runtime, paths, pids, root, reference)
    finally:
        for pid in pids:
            _end(pid)
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def runtime(renderer: Warm, monkeypatch: pytest.MonkeyPatch) -> Warm:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(renderer.runtime))
    monkeypatch.setattr(warm, "READY_SECONDS", 120.0)
    # As in a command: this test process may hold a warm renderer of its own.
    monkeypatch.setattr(build_module, "_warm", lambda: False)
    return renderer


def test_a_process_with_its_own_warm_renderer_renders_itself(
    renderer: Warm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(renderer.runtime))
    build([renderer.root], tmp_path / "one", layouts=("single",), sizes=("a5",), force=True)
    assert build_module._warm()
    report = build(
        [renderer.root], tmp_path / "dist", layouts=("single",), sizes=("a5",), keep_warm=True
    )
    assert list(report.workers) == [os.getpid()]


def test_a_run_hands_its_pdfs_to_the_warm_renderer_and_gets_the_same_bytes(
    runtime: Warm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From another folder, with relative paths: the renderer works where the run does.
    shutil.copytree(runtime.root, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    report = build(
        [Path("content")],
        Path("dist"),
        layouts=("single",),
        sizes=("a5",),
        jobs=2,
        keep_warm=True,
    )
    assert not report.failures
    assert sorted(report.workers) == sorted(runtime.pids)  # on both cores
    assert [warm.running(p) for p in runtime.paths] == runtime.pids  # none started again
    names = sorted(o.target.path.name for o in report.outputs)
    assert names == ["hair-mesotherapy.en.a5.pdf", "hair-mesotherapy.ru.a5.pdf"]
    for name in names:
        assert (tmp_path / "dist" / name).read_bytes() == (runtime.reference / name).read_bytes()


def test_without_keep_warm_the_renderer_is_neither_used_nor_started(
    runtime: Warm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[Path] = []
    monkeypatch.setattr(warm, "spawn", lambda root, paths, *a, **k: spawned.append(root))
    report = build([runtime.root], tmp_path / "dist", layouts=("single",), sizes=("a5",))
    assert not set(runtime.pids) & set(report.workers)
    assert spawned == []


def test_a_busy_renderer_is_not_waited_for(runtime: Warm, tmp_path: Path) -> None:
    first = warm.attach([runtime.root], Budget(), [runtime.path])
    assert first is not None
    try:
        assert warm.attach([runtime.root], Budget(), [runtime.path]) is None
        report = build(
            [runtime.root], tmp_path / "dist", layouts=("single",), sizes=("a5",), keep_warm=True
        )
        assert not report.failures and len(report.outputs) == 2
        assert runtime.pid not in report.workers  # rendered without it, at once
    finally:
        first.close()
    again = None
    for _ in range(100):  # free again, once it has seen the first run end
        again = warm.attach([runtime.root], Budget(), [runtime.path])
        if again is not None:
            break
        time.sleep(0.1)
    assert again is not None
    again.close()


def test_a_run_left_a_renderer_when_there_was_none(
    runtime: Warm, tmp_path: Path, short: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
    spawned: list[list[Path]] = []
    monkeypatch.setattr(warm, "spawn", lambda root, paths, *a, **k: spawned.append(paths))
    report = build(
        [runtime.root], tmp_path / "dist", layouts=("single",), sizes=("a5",), keep_warm=True
    )
    assert len(report.outputs) == 2 and not set(runtime.pids) & set(report.workers)
    assert spawned == [[short / "brochure" / f"{warm.stamp()}-0.sock"]]  # one (--jobs 1)
    nothing = build(
        [runtime.root], tmp_path / "dist", layouts=("single",), sizes=("a5",), keep_warm=True
    )
    assert not nothing.outputs and len(spawned) == 1  # nothing made: none left


def test_a_renderer_that_dies_is_replaced_and_a_new_one_takes_its_socket(
    tmp_path: Path, short: Path, monkeypatch: pytest.MonkeyPatch, renderer: Warm
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
    monkeypatch.setattr(warm, "READY_SECONDS", 120.0)
    monkeypatch.setattr(warm, "IDLE_SECONDS", 1.0)
    monkeypatch.setattr(build_module, "_warm", lambda: False)
    [path] = warm.addresses(1)
    [pid] = warm.spawn(renderer.root, [path], idle=300)
    second = None
    try:
        assert warm.running(path, wait=120) == pid
        attach = warm.attach

        def attach_then_die(*args: object, **kwargs: object) -> object:
            pool = attach(*args, **kwargs)  # type: ignore[arg-type]
            os.kill(pid, signal.SIGKILL)  # dies before its first task, its socket left
            assert _gone(pid, 10)
            return pool

        monkeypatch.setattr(warm, "attach", attach_then_die)
        report = build(
            [renderer.root], tmp_path / "dist", layouts=("single",), sizes=("a5",), keep_warm=True
        )
        assert not report.failures and len(report.outputs) == 2
        assert pid not in report.workers  # a worker of the run took its place
        for output in report.outputs:
            name = output.target.path.name
            assert output.target.path.read_bytes() == (renderer.reference / name).read_bytes()
        # The run left a new renderer for the next, on the dead one's socket.
        second = warm.running(path, wait=120)
        assert second is not None and second != pid
        assert _gone(second, 60)  # it ends when idle (1 s here), removing its socket
        assert not path.exists()
    finally:
        _end(pid)
        if second is not None:
            _end(second)


def test_a_renderer_over_the_budget_fails_that_pdf_and_ends(
    tmp_path: Path, short: Path, monkeypatch: pytest.MonkeyPatch, renderer: Warm
) -> None:
    path = short / "r.sock"
    [pid] = warm.spawn(renderer.root, [path], idle=300)
    try:
        assert warm.running(path, wait=120) == pid
        pool = warm.attach([renderer.root], Budget(seconds=0.05), [path])
        assert pool is not None
        monkeypatch.setattr(warm, "attach", lambda *a, **k: pool)
        monkeypatch.setattr(warm, "spawn", lambda *a, **k: [])
        monkeypatch.setattr(build_module, "_warm", lambda: False)
        report = build(
            [renderer.root],
            tmp_path / "dist",
            layouts=("single",),
            sizes=("a5",),
            keep_warm=True,
            budget=Budget(seconds=0.05),
        )
        assert not report.outputs
        why = (
            "making it took longer than 0.05 s — the page holds something very slow or large "
            "to lay out (a huge table, an enormous image); simplify it or split the page"
        )
        # The first in the renderer, the second in the worker that took its place.
        assert sorted(str(f).split(": error: ")[1] for f in report.failures) == [
            f"hair-mesotherapy.{lang}.a5.pdf: {why}" for lang in ("en", "ru")
        ]
        assert _gone(pid, 30)  # a render stopped half-way: it does not serve again
        assert not path.exists()
        assert not list((tmp_path / "dist").glob("*.pdf"))
    finally:
        _end(pid)


def test_stop_ends_the_renderer(short: Path, renderer: Warm) -> None:
    path = short / "r.sock"
    [pid] = warm.spawn(renderer.root, [path], idle=300)
    try:
        assert warm.running(path, wait=120) == pid
        assert warm.spawn(renderer.root, [path]) == []  # one listens there already
        assert os.getsid(pid) == pid  # its own session: no terminal of the run's
        assert str(Path(f"/proc/{pid}/fd/1").readlink()) == os.devnull
        assert str(Path(f"/proc/{pid}/fd/2").readlink()) == os.devnull
        assert warm.stop([path]) == 1
        assert _gone(pid, 30)
        assert warm.running(path) is None
    finally:
        _end(pid)


def test_the_folder_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert warm.folder() == tmp_path / "brochure"
    assert (tmp_path / "brochure").stat().st_mode & 0o777 == 0o700
    (tmp_path / "brochure").chmod(0o755)
    assert warm.folder() is None
    assert warm.addresses(2) == []
    deep = tmp_path / ("d" * 90)
    deep.mkdir(mode=0o700)
    assert warm.addresses(1, deep) == []  # too long a path for a socket: no renderer
    shutil.rmtree(tmp_path / "brochure")
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "brochure").symlink_to(tmp_path / "elsewhere")
    assert warm.folder() is None


def test_the_socket_is_named_after_what_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brochure import assets

    for name in ("templates", "styles"):
        shutil.copytree(assets.builtin_dir(name), tmp_path / name)
    monkeypatch.setattr(assets, "builtin_dir", lambda name: tmp_path / name)
    before = warm.stamp()
    assert warm.stamp() == before
    template = tmp_path / "templates" / "single.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = warm.stamp()
    assert changed != before  # brochure's own template changed: another renderer
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    assert warm.stamp() != changed  # another font set-up: another renderer


@pytest.mark.parametrize(
    ("setting", "ci", "tty", "expected"),
    [
        (None, None, True, True),  # a person at a terminal
        (None, None, False, False),  # a script, make test
        (None, "true", True, False),  # CI
        ("off", None, True, False),
        ("0", None, True, False),
        ("on", None, False, True),  # make bench, a script that asks for it
        ("on", "true", False, True),
    ],
)
def test_who_gets_a_warm_renderer(
    setting: str | None,
    ci: str | None,
    tty: bool,
    expected: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(warm, "_supported", lambda: True)
    for name, value in (("BROCHURE_WARM", setting), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert warm.wanted(Stream()) is expected  # type: ignore[arg-type]


def test_the_command_keeps_a_renderer_warm_for_a_person_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from brochure.cli import main

    root = make_content(tmp_path / "content")
    asked: list[bool] = []
    spawned: list[Path] = []
    real = build_module.build

    def recording(*args: object, **kwargs: object) -> build_module.Report:
        asked.append(bool(kwargs["keep_warm"]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "build", recording)
    monkeypatch.setattr(warm, "spawn", lambda root, paths, *a, **k: spawned.append(root))
    monkeypatch.setattr(warm, "_supported", lambda: True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    command = ["build", str(root), "-o", str(tmp_path / "dist"), "--layout", "single"]
    monkeypatch.delenv("BROCHURE_WARM")
    monkeypatch.delenv("CI", raising=False)
    assert CliRunner().invoke(main, [*command, "--size", "a5"]).exit_code == 0  # no terminal
    monkeypatch.setenv("BROCHURE_WARM", "on")
    assert CliRunner().invoke(main, [*command, "--size", "a4", "-j", "1"]).exit_code == 0
    assert asked == [False, True]
    assert spawned == [root]


def test_no_renderer_where_a_process_cannot_be_watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without Linux's pidfd (macOS, a kernel before 5.3) a run could not watch a renderer
    # it did not start: none is used or left, even when asked for.
    monkeypatch.setattr(warm, "_supported", lambda: False)
    monkeypatch.setenv("BROCHURE_WARM", "on")
    assert not warm.wanted()
    assert warm.spawn(tmp_path, [tmp_path / "r.sock"]) == []
    assert warm.attach([tmp_path], Budget(), [tmp_path / "r.sock"]) is None
