"""`jirei serve`: live reload in Chromium, the error page for a bad record, safe file serving.

One preview server (a subprocess on a free port, a small content folder) serves the whole module;
the tests run in file order and the last one stops it with Ctrl-C.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.serve import Refused, inject, locate
from tests.cases import case_text
from tests.conftest import CONTENT, PROJECT

TITLE = "テスト用のドローン配送の取組"
STARTUP = 120  # seconds: the first build imports the engine and builds everything
REBUILD = 60  # seconds: a full rebuild of two cases on a busy shared machine


@dataclass
class Preview:
    process: subprocess.Popen
    url: str
    content: Path
    tmpdir: Path
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def write_case(self, case_id: str, replace: dict[str, str] | None = None) -> None:
        (self.content / "cases" / f"{case_id}.yaml").write_text(case_text(case_id, replace), encoding="utf-8")


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    work = tmp_path_factory.mktemp("serve")
    content = work / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    tmpdir = work / "tmp"  # the preview's temporary folder goes here: the test sees it removed
    tmpdir.mkdir()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", "0"]
    process = subprocess.Popen(
        [*command, "--today", "2026-11-23"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    _wait(lambda: any("でプレビューを表示します" in line for line in lines), 30, "the address")
    url = re.search(r"(http://127\.0\.0\.1:\d+/) でプレビューを表示します", "".join(lines)).group(1)
    served = Preview(process, url, content, tmpdir, lines)
    served.write_case("test-a")
    served.write_case("test-b", {TITLE: "二つ目の取組"})
    _wait(lambda: served.get("/cases/test-a/")[0] == 200, STARTUP, "the first build")
    yield served
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_page_reloads_shows_errors_and_recovers(preview, page):
    page.goto(preview.url + "cases/test-a/")
    heading = page.locator("h1").first
    assert TITLE in heading.inner_text()
    page.evaluate("window.__beforeReload = true")

    # An edited title: the open page reloads by itself.
    started = time.monotonic()
    preview.write_case("test-a", {TITLE: "書き換えた取組名"})
    page.wait_for_function(
        "document.querySelector('h1')?.textContent.includes('書き換えた取組名')", timeout=REBUILD * 1000
    )
    print(f"\n保存から再読み込みまで {time.monotonic() - started:.2f} 秒（事例 2 件）")
    assert page.evaluate("window.__beforeReload") is None
    # The search index follows (it is built beside the pages, and put in when it is ready).
    _wait(lambda: "書き換えた取組名" in preview.get("/search/documents.json")[1], REBUILD, "the new search index")

    # A broken record: the located Japanese problem, in the browser and in the terminal.
    preview.write_case("test-a", {"population: 66000": "population: -1"})
    page.wait_for_function("document.title.includes('レコードに問題があります')", timeout=REBUILD * 1000)
    text = page.locator("main").inner_text()
    assert "test-a.yaml:10:13" in text
    assert "「population」は 0 より大きくしてください" in text
    _wait(lambda: "test-a.yaml:10:13: 「population」は 0 より大きくしてください" in preview.output(), 5, "the terminal")
    assert "1 件の問題があります" in preview.output()
    status, body = preview.get("/cases/test-b/")  # every page tells of the problem
    assert status == 500 and "test-a.yaml:10:13" in body
    assert preview.get("/assets/jirei.css")[0] == 200  # the last good site still serves its files
    assert preview.process.poll() is None

    # Fixed: the page comes back.
    preview.write_case("test-a", {TITLE: "直した取組名"})
    page.wait_for_function("document.querySelector('h1')?.textContent.includes('直した取組名')", timeout=REBUILD * 1000)
    assert page.errors == []


def test_problems_are_escaped_on_the_error_page(preview):
    preview.write_case("test-b", {"field: 住民生活": "field: <script>alert(1)</script>"})
    _wait(lambda: preview.get("/cases/test-b/")[0] == 500, REBUILD, "the error page")
    status, body = preview.get("/cases/test-b/")
    assert "test-b.yaml:4:8" in body
    assert "分野「&lt;script&gt;alert(1)&lt;/script&gt;」はありません" in body
    assert "<script>alert(1)" not in body
    preview.write_case("test-b", {TITLE: "二つ目の取組"})
    _wait(lambda: preview.get("/cases/test-b/")[0] == 200, REBUILD, "the fixed site")


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/cases/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%5c..%5c..%5cetc%5cpasswd",
        "/..%252f..%252fetc%252fpasswd",
        "/etc/passwd%00.html",
        "//etc/passwd",
        "/.jirei-site",
    ],
)
def test_paths_outside_the_site_are_refused(preview, path):
    connection = http.client.HTTPConnection(preview.url.split("/")[2], timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status in (400, 403, 404)
    assert b"root:" not in body and b"jirei build" not in body


def test_links_out_of_the_site_are_not_followed(tmp_path):
    site = tmp_path / "site"
    (site / "cases").mkdir(parents=True)
    (site / "cases" / "index.html").write_text("<html><body>x</body></html>", encoding="utf-8")
    (site / "outside").symlink_to("/etc")
    assert locate(site, "/cases/") == (site / "cases" / "index.html", None)
    assert locate(site, "/cases") == (site / "cases" / "index.html", "/cases/")
    assert locate(site, "//cases")[1] == "/cases/"  # never a redirect to another host
    with pytest.raises(Refused):
        locate(site, "/outside/passwd")
    assert inject(b"<html><body>x</body></html>", "g-1").endswith(b'data-generation="g-1"></script></body></html>')


@pytest.mark.parametrize("kind", ["events", "polling"])
def test_watchers_report_a_burst_of_writes_once_and_skip_hidden_files(tmp_path, kind):
    from generator import serve

    folder = tmp_path / "content"
    (folder / "cases").mkdir(parents=True)
    relevant = serve._Relevant([folder], [])
    changes = serve._Changes()
    watcher = (serve._EventWatcher if kind == "events" else serve._PollingWatcher)(relevant, changes)
    try:
        time.sleep(0.3)
        (folder / "cases" / ".a.yaml.swp").write_text("x", encoding="utf-8")
        for number in range(5):
            (folder / "cases" / "a.yaml").write_text(f"id: a{number}\n", encoding="utf-8")
        assert changes.take() == {str(folder / "cases" / "a.yaml")}
    finally:
        watcher.stop()


def test_port_in_use_is_a_japanese_error(preview):
    port = preview.url.rsplit(":", 1)[1].strip("/")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--content", str(preview.content), "--port", port],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"ポート {port} はほかのプログラムが使用中です" in result.stderr


def test_a_folder_it_did_not_make_is_refused(tmp_path, taxonomy_only):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("消してはいけないファイル", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--content", str(taxonomy_only), "--port", "0"]
        + ["--site-dir", str(other)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=60,
    )
    assert result.returncode == 1
    assert "空ではなく" in result.stderr and "Traceback" not in result.stderr
    assert (other / "notes.txt").exists()


def test_ctrl_c_stops_and_removes_the_preview_folder(preview):
    assert any(preview.tmpdir.iterdir())
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=30) == 0
    _wait(lambda: "jirei serve を終了しました。" in preview.output(), 5, "the goodbye")
    assert "Traceback" not in preview.output()
    # Only the compiled templates stay (Jinja's cache folder, kept between runs like __pycache__).
    assert [p.name for p in preview.tmpdir.iterdir() if not p.name.startswith("_jinja2-cache-")] == []


def test_tidying_collects_the_last_builds_garbage_and_sets_the_rest_aside():
    """After a build, while idle, the preview collects garbage once and freezes what lives on, so
    the next build's collections do not walk the session's records again (benchmarks/preview_latency.py)."""
    import gc
    import weakref

    from generator.serve import _tidy_memory

    class Node:
        pass

    kept, garbage = Node(), Node()
    garbage.self = garbage  # a cycle: only the collector frees it
    gone = weakref.ref(garbage)
    del garbage
    try:
        _tidy_memory()
        assert gone() is None  # collected
        assert gc.get_freeze_count() > 0 and gc.is_tracked(kept)  # the living set aside, not lost
        assert kept is not None
    finally:
        gc.unfreeze()
