"""Shared fixtures: a copy of the real content, synthetic cases, the CLI in a subprocess."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CONTENT = PROJECT / "content"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/goldens/ from the output")


@pytest.fixture(scope="session", autouse=True)
def search_cache(tmp_path_factory):
    """`jirei search` keeps its index in the user's cache folder: tests use a temporary one."""
    folder = tmp_path_factory.mktemp("search-cache")
    previous = os.environ.get("JIREI_CACHE_DIR")
    os.environ["JIREI_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("JIREI_CACHE_DIR", None)
    else:
        os.environ["JIREI_CACHE_DIR"] = previous


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture
def taxonomy_only(tmp_path) -> Path:
    """A content folder with the real taxonomy and no cases."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    return content


def run_jirei(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd or PROJECT,
        env=env,
        timeout=timeout,
    )


BUILD_DATE = date(2026, 11, 23)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real content, built once for the whole session."""
    from generator.site import build_site

    site = tmp_path_factory.mktemp("real") / "site"
    build_site(CONTENT, site, BUILD_DATE, "http://127.0.0.1/")
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    """Serve a folder on 127.0.0.1 (a random port) in a thread; returns (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def real_site_url(real_site):
    server, url = serve(real_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (make test installs it)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium がありません: make test で apt-get install chromium を実行してください"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


@pytest.fixture(scope="session")
def real_content():
    """The real content, validated once for the session."""
    from generator.validate import validate_content

    found, problems = validate_content(CONTENT)
    assert problems == []
    return found


@pytest.fixture(scope="session")
def postings_site_url(tmp_path_factory):
    """The real content plus synthetic postings in every status (open ones included), built once
    and served for the browser tests of the layout and of accessibility."""
    from generator.site import build_site
    from tests.talent import write_postings

    content = tmp_path_factory.mktemp("postings-site") / "content"
    shutil.copytree(CONTENT, content)
    write_postings(content, BUILD_DATE)
    site = content.parent / "site"
    build_site(content, site, BUILD_DATE, "http://127.0.0.1/")
    server, url = serve(site)
    yield url
    server.shutdown()
