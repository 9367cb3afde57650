"""`brochure serve`: paths it will and will not serve, events, and the page in a real browser."""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest

from brochure import serve
from brochure.build import Report
from brochure.serve import Preview, running
from brochure.web import State, make_server

from .conftest import SEED_RU, Built, make_content

SEED = "000_47d77d7bc2ab0bf7.txt"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[State, int]]:
    out = tmp_path / "dist"
    (out / "sub").mkdir(parents=True)
    (out / "a.pdf").write_bytes(b"%PDF-1.7 test")
    (out / "sub" / "b.png").write_bytes(b"\x89PNG test")
    (out / "sub" / "c.webp").write_bytes(b"RIFF test")
    (out / "notes.txt").write_text("not served")
    (tmp_path / "secret.pdf").write_bytes(b"%PDF secret")
    (out / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    state = State(out)
    server = make_server(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, server.server_address[1]
    server.stopping = True
    server.shutdown()
    server.server_close()


def get(port: int, path: str, host: str | None = None) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response.getheader("Content-Type") or ""


@pytest.mark.parametrize(
    "path",
    [
        "/files/../secret.pdf",
        "/files/%2e%2e/secret.pdf",
        "/files/%2E%2E%2Fsecret.pdf",
        "/files/sub/../../secret.pdf",
        "/files//etc/passwd",
        "/files/%2fetc%2fpasswd",
        "/files/a.pdf%00.png",
        "/files/notes.txt",
        "/files/link.pdf",
        "/files/",
        "/etc/passwd",
        "/../secret.pdf",
    ],
)
def test_nothing_outside_the_output_folder(served: tuple[State, int], path: str) -> None:
    _, port = served
    status, body, _ = get(port, path)
    assert status == 404
    assert b"secret" not in body


def test_built_files_are_served(served: tuple[State, int]) -> None:
    _, port = served
    assert get(port, "/files/a.pdf") == (200, b"%PDF-1.7 test", "application/pdf")
    assert get(port, "/files/sub/b.png?v=1") == (200, b"\x89PNG test", "image/png")
    assert get(port, "/files/sub/c.webp") == (200, b"RIFF test", "image/webp")


def test_only_requests_addressed_to_the_preview_are_answered(served: tuple[State, int]) -> None:
    """A page whose name was rebound to 127.0.0.1 sends its own name: 421, nothing read."""
    _, port = served
    for host in ("evil.example:{}", "evil.example", "127.0.0.1:1", "localhost", "x.nip.io:{}"):
        for path in ("/", "/files/a.pdf", "/events"):
            status, body, _ = get(port, path, host.format(port))
            assert status == 421, (host, path)
            assert b"PDF" not in body
    for host in ("127.0.0.1:{}", "localhost:{}", "LOCALHOST:{}"):
        assert get(port, "/files/a.pdf", host.format(port))[0] == 200, host


def test_a_client_that_hangs_up_is_not_an_error(
    served: tuple[State, int], capfd: pytest.CaptureFixture[str]
) -> None:
    state, port = served
    (state.out / "big.pdf").write_bytes(b"%PDF-" + b"x" * 8_000_000)
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.sendall(
                f"GET /files/big.pdf HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
            )
            client.recv(10)  # the answer has started; then the client is gone (a reset)
    assert get(port, "/files/a.pdf")[0] == 200  # the server goes on
    time.sleep(0.3)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "error" not in captured.err


def post(
    port: int, path: str, body: bytes, host: str | None = None, origin: str | None = None
) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if origin is not None:
        headers["Origin"] = origin
    connection.request("POST", path, body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"../secret.pdf", 404),
        (b"%2e%2e/secret.pdf", 404),
        (b"sub/../../secret.pdf", 404),
        (b"/etc/passwd", 404),
        (b"link.pdf", 404),  # a link out of the folder
        (b"notes.txt", 404),
        (b"sub/b.png", 404),  # served, but not a PDF
        (b"missing.pdf", 404),
        (b"a.pdf\0", 404),
        (b"\xff\xfea.pdf", 404),
        (b"", 400),
        (b"a" * 2000 + b".pdf", 400),
    ],
)
def test_the_focus_is_a_pdf_inside_the_output_folder(
    served: tuple[State, int], body: bytes, status: int
) -> None:
    state, port = served
    assert post(port, "/focus", body) == status
    assert state.focus is None
    assert post(port, "/focus", b"a.pdf") == 204
    assert state.focus == state.out / "a.pdf"


def test_the_focus_comes_only_from_the_preview_page(served: tuple[State, int]) -> None:
    """Another site's page (its own Origin) or name (its own Host) cannot set it."""
    state, port = served
    assert post(port, "/focus", b"a.pdf", host=f"evil.example:{port}") == 421
    assert post(port, "/focus", b"a.pdf", origin="http://evil.example") == 403
    assert post(port, "/focus", b"a.pdf", origin=f"http://127.0.0.1:{port}.evil.example") == 403
    assert post(port, "/elsewhere", b"a.pdf") == 404
    assert get(port, "/focus")[0] == 404
    assert state.focus is None
    assert post(port, "/focus", b"a.pdf", origin=f"http://localhost:{port}") == 204
    assert state.focus == state.out / "a.pdf"


def test_a_finished_build_is_an_event(served: tuple[State, int]) -> None:
    state, port = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.readline() == b"retry: 1000\n"
    response.readline()
    threading.Timer(0.2, lambda: state.publish([], [], "done")).start()
    assert response.readline() == b"event: build\n"
    assert response.readline() == b"data: 1\n"
    connection.close()


def _wait(predicate: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _event(response: http.client.HTTPResponse) -> tuple[str, str]:
    """The next server-sent event on an open `/events` stream: (name, data)."""
    name = data = ""
    while True:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and name:
            return name, data


def test_the_pdf_shown_is_refreshed_first(tmp_path: Path) -> None:
    """After a save: the first page of the PDF shown (or of the saved page's own A4), then
    the other PDF, then the rest of the first one's pages, then the build."""
    root = make_content(tmp_path / "content")
    (root / SEED_RU.name).unlink()  # English only: two PDFs, made side by side
    builds: list[Report] = []
    out = tmp_path / "dist"
    preview = Preview([root], out, jobs=2, on_build=builds.append)  # type: ignore[arg-type]
    with running(preview) as server:
        port = server.server_address[1]
        _wait(lambda: builds)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", "/events")
        events = connection.getresponse()
        events.readline()
        events.readline()
        seed = root / SEED
        a4, a5 = "hair-mesotherapy.en.a4.pdf", "hair-mesotherapy.en.a5.pdf"
        for opened, first, other in ((None, a4, a5), (a5, a5, a4)):
            if opened:
                assert post(port, "/focus", opened.encode()) == 204
            text = seed.read_text(encoding="utf-8")
            seed.write_text(text + "\nOne more sentence.\n", encoding="utf-8")
            seen: list[dict[str, object]] = []
            while (event := _event(events))[0] != "build":
                seen.append(json.loads(event[1]))
            assert {o.target.path.name for o in builds[-1].outputs} == {a4, a5}
            assert [(e["name"], len(e["thumbs"])) for e in seen] == [  # type: ignore[arg-type]
                (first, 1),
                (other, next(o.pages for o in builds[-1].outputs if o.target.path.name == other)),
                (first, next(o.pages for o in builds[-1].outputs if o.target.path.name == first)),
            ]
            assert seen[0]["stamp"] == (out / first).stat().st_mtime_ns
            thumb = out / str(seen[0]["thumbs"][0])  # type: ignore[index]
            assert thumb.stat().st_mtime_ns >= (out / first).stat().st_mtime_ns
        connection.close()


def test_saves_during_a_build_make_one_more_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many saves arrive while a build runs, one build follows it."""
    root = make_content(tmp_path / "content")
    calls: list[int] = []
    running_build, release = threading.Event(), threading.Event()

    def build(paths: list[Path], out: Path, **options: object) -> Report:
        calls.append(len(calls) + 1)
        if len(calls) == 2:  # the first rebuild is held until the test lets it go
            running_build.set()
            release.wait(60)
        return Report(root=root)

    monkeypatch.setattr(serve, "build", build)
    monkeypatch.setattr(serve, "worker_pool", lambda jobs, root: contextlib.nullcontext())
    builds: list[object] = []
    preview = Preview([root], tmp_path / "dist", jobs=2, on_build=builds.append)
    with running(preview):
        _wait(lambda: builds)
        seed = root / SEED
        for _ in range(120):  # until the watcher, started beside the first build, sees one
            seed.write_text(seed.read_text(encoding="utf-8") + "\nSaved.\n", encoding="utf-8")
            if running_build.wait(0.5):
                break
        assert running_build.is_set()
        for number in range(4):
            text = seed.read_text(encoding="utf-8")
            seed.write_text(text + f"\nSave {number}.\n", encoding="utf-8")
            time.sleep(0.1)
        (root / "new.txt").write_text("---\ntitle: New\n---\nText\n", encoding="utf-8")
        _wait(lambda: (root / "new.txt").resolve() in preview.pending)
        time.sleep(0.6)  # any event still on its way lands in the same batch
        release.set()
        _wait(lambda: len(builds) == 3)
        time.sleep(1.0)  # room for a wrong fourth build to start
        assert len(builds) == len(calls) == 3
        assert not preview.pending


def test_rebuild_on_save_and_error_in_place(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    builds: list[object] = []
    preview = Preview([root], tmp_path / "dist", jobs=2, on_build=builds.append)
    with running(preview) as server:
        port = server.server_address[1]
        _wait(lambda: builds)
        status, body, _ = get(port, "/")
        assert status == 200 and b'class="thumb"' in body
        assert b'id="search"' in body and b'<article class="card" id="hair-mesotherapy"' in body
        assert b"/files/.brochure-catalogue/thumbs/" in body  # the catalogue, live
        seed = root / "000_47d77d7bc2ab0bf7.txt"
        seed.write_text(seed.read_text(encoding="utf-8").replace("title: Hair", "title: [Hair"))
        _wait(lambda: len(builds) >= 2)
        _, body, _ = get(port, "/?part=main")
        assert b"invalid front matter" in body
        assert b"000_47d77d7bc2ab0bf7.txt:2: error" in body
        assert (tmp_path / "dist" / "hair-mesotherapy.en.a4.pdf").is_file()  # last good PDF stays


def _browser():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    manager = sync_api.sync_playwright().start()
    try:
        browser = manager.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
    except Exception as exc:
        manager.stop()
        pytest.skip(f"chromium could not start here: {exc}")
    return manager, browser


DRAW_IN_TWO_THREADS = """
import shutil, sys, threading
from pathlib import Path
from brochure import catalogue_files, serve
pdf = Path(sys.argv[1])
def catalogue_thumbnails():
    for _ in range(80):
        catalogue_files.thumbnail(pdf)
def page_thumbnails():
    for _ in range(80):
        shutil.rmtree(pdf.parent / serve.THUMBS, ignore_errors=True)
        serve.thumbnails(pdf, pdf.parent)
threads = [threading.Thread(target=catalogue_thumbnails), threading.Thread(target=page_thumbnails)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("drawn")
"""


def test_thumbnails_drawn_in_two_threads_at_once(seed_build: Built, tmp_path: Path) -> None:
    """The preview draws page thumbnails in one thread while its build draws the catalogue's
    in another; PDFium is not thread-safe, and unguarded this crashed the process (SIGSEGV)
    in most runs of this script."""
    pdf = shutil.copy(seed_build.pdf("hair-mesotherapy.en.a4.pdf"), tmp_path / "page.pdf")
    done = subprocess.run(
        [sys.executable, "-c", DRAW_IN_TWO_THREADS, str(pdf)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "drawn\n", "")
    assert sorted(p.name for p in (tmp_path / serve.THUMBS).iterdir()) == [
        "page.pdf.1.png",
        "page.pdf.2.png",
    ]


def test_end_to_end_in_a_real_browser(tmp_path: Path) -> None:
    manager, browser = _browser()
    root = make_content(tmp_path / "content")
    builds: list[object] = []
    preview = Preview([root], tmp_path / "dist", jobs=2, on_build=builds.append)
    try:
        with running(preview) as server:
            _wait(lambda: builds)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            page.wait_for_function(
                "document.querySelectorAll('img.thumb').length >= 12 && "
                "[...document.querySelectorAll('img.thumb')].every(i => i.naturalWidth > 0)"
            )
            page.evaluate("window.scrollTo(0, 400); window.marker = 'same page'")
            a5 = "hair-mesotherapy.en.a5.pdf"
            box = f'.pdf-pages[data-pdf="{a5}"]'
            page.evaluate(  # a `pdf` event swaps that PDF's page images in place
                "events.dispatchEvent(new MessageEvent('pdf', {data: JSON.stringify("
                f"{{name: '{a5}', stamp: 42, thumbs: ['.thumbs/{a5}.1.png']}})}}))"
            )
            assert page.locator(f"{box} img.thumb").first.get_attribute("src") == (
                f"/files/.thumbs/{a5}.1.png?v=42"
            )
            assert page.locator(f"{box} a.name").get_attribute("href") == f"/files/{a5}?v=42"
            page.evaluate(  # what a second listener hears, in order; links do not navigate
                "window.heard = []; const s = new EventSource('/events');"
                "s.addEventListener('pdf', (e) => heard.push(JSON.parse(e.data).name));"
                "s.addEventListener('build', () => heard.push('build'));"
                "document.addEventListener('click', (e) => e.preventDefault(), true);"
            )
            page.locator(f"{box} a.name").click()  # opened: made first after the next save
            _wait(lambda: preview.state.focus == (tmp_path / "dist" / a5).resolve())
            page.fill("#search", "пилинг")  # the catalogue's search, kept across refreshes
            seed = root / "000_47d77d7bc2ab0bf7.txt"
            text = seed.read_text(encoding="utf-8")
            seed.write_text(text.replace("Thanks to this", "Zanzibar tested. Thanks to this"))
            page.wait_for_function("document.body.dataset.build >= 2", timeout=60_000)
            page.wait_for_function("heard.includes('build')")
            heard = page.evaluate("heard")
            assert heard[0] == a5 and heard[-1] == "build" and heard.count("build") == 1
            assert page.evaluate("window.marker") == "same page"  # refreshed without a reload
            assert page.input_value("#search") == "пилинг"
            assert page.locator("#count").inner_text() == "Showing 0 of 1"
            assert page.locator("#hair-mesotherapy").is_hidden()  # applied to the new cards
            page.fill("#search", "")
            link = page.locator("a.name", has_text="en · A4").first.get_attribute("href")
            assert link is not None
            pdf = tmp_path / "dist" / link.split("?")[0].removeprefix("/files/")
            with pdfplumber.open(pdf) as document:
                assert "Zanzibar tested." in document.pages[0].extract_text()
            seed.write_text("---\n  title: [broken\n---\nText\n", encoding="utf-8")
            page.wait_for_function("document.body.dataset.build >= 3", timeout=60_000)
            error = page.locator(".error").first.inner_text()
            assert "000_47d77d7bc2ab0bf7.txt:2: error: invalid front matter" in error
    finally:
        browser.close()
        manager.stop()
