"""`jirei search` keeps its index in the user's cache folder, safely under concurrency and failure."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.search import DOCUMENTS_FILE, READY, cache_dir, cache_key, open_index, search_index
from generator.site import build_site
from tests.cases import case_text
from tests.conftest import BUILD_DATE, CONTENT

QUERY = ["search", "ドローン", "--json"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A small built site (the real taxonomy and funding programs, three synthetic cases)."""
    root = tmp_path_factory.mktemp("search-cache")
    content = root / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    for number in range(3):
        (content / "cases" / f"cache-case-{number}.yaml").write_text(case_text(f"cache-case-{number}"), "utf-8")
    build_site(content, root / "site", BUILD_DATE, "http://127.0.0.1/")
    return root / "site"


def entry_name(site: Path) -> str:
    return cache_key((site / DOCUMENTS_FILE).read_bytes())


def environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a search that can only write below tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("JIREI_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(HOME=str(tmp_path / "home"), NO_MKDOCS_2_WARNING="1")
    env.update(overrides)
    return env


def start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "generator", *args]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def jirei(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    process = start(args, cwd, env)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def expected(site, tmp_path_factory) -> str:
    """The answer of one search with a cache of its own."""
    tmp = tmp_path_factory.mktemp("expected")
    result = jirei([*QUERY, "--site-dir", str(site)], tmp, environment(tmp, JIREI_CACHE_DIR=str(tmp / "cache")))
    assert result.returncode == 0, result.stderr
    assert '"id": "cache-case-0"' in result.stdout
    return result.stdout


def test_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("JIREI_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == tmp_path / "home" / ".cache" / "jirei" / "search"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG spec says
    assert cache_dir() == tmp_path / "home" / ".cache" / "jirei" / "search"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "jirei" / "search"
    monkeypatch.setenv("JIREI_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_three_concurrent_first_searches_agree(site, expected, tmp_path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    cache = tmp_path / "cache"
    env = environment(tmp_path, JIREI_CACHE_DIR=str(cache))
    processes = [start([*QUERY, "--site-dir", str(site)], cwd, env) for _ in range(3)]
    results = [process.communicate(timeout=180) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
        assert stderr == "" and stdout == expected
    # One complete entry, no temporary folders left behind, nothing written where the searches ran.
    assert [p.name for p in cache.iterdir()] == [entry_name(site)]
    ready = json.loads((cache / entry_name(site) / READY).read_text(encoding="utf-8"))
    assert ready["documents"] > 3 and ready["files"]
    assert list(cwd.iterdir()) == []


def test_search_answers_when_the_cache_cannot_be_created(site, expected, tmp_path):
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    env = environment(tmp_path, JIREI_CACHE_DIR=str(tmp_path / "afile" / "cache"))
    result = jirei([*QUERY, "--site-dir", str(site)], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    assert "Traceback" not in result.stderr and "メモリ上に作って検索します" in result.stderr
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "a file, not a folder"


def test_working_directory_is_left_untouched(site, expected, tmp_path):
    cwd = tmp_path / "project"
    cwd.mkdir()
    (cwd / ".cache").write_text("not a folder: the old cache place cannot be written", encoding="utf-8")
    before = snapshot(cwd)
    env = environment(tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    result = jirei([*QUERY, "--site-dir", str(site)], cwd, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected and result.stderr == ""
    assert snapshot(cwd) == before
    assert (tmp_path / "xdg" / "jirei" / "search" / entry_name(site) / READY).is_file()
    assert not (tmp_path / "home").exists()


def test_an_entry_without_ready_is_rebuilt(site, tmp_path):
    cache = tmp_path / "cache"
    half = cache / entry_name(site)
    half.mkdir(parents=True)
    (half / "MAIN_half.seg").write_bytes(b"\x00" * 100)
    (half / "_MAIN_1.toc").write_bytes(b"\x80half a table of contents")
    ix = open_index(site / DOCUMENTS_FILE, cache)
    assert [h.id for h in search_index(ix, "ドローン", {"type": ["事例"]})][:1] == ["cache-case-0"]
    assert (half / READY).is_file() and not (half / "MAIN_half.seg").exists()
    assert [p.name for p in cache.iterdir()] == [half.name]


def test_a_damaged_entry_is_rebuilt(site, tmp_path):
    cache = tmp_path / "cache"
    entry = cache / entry_name(site)
    open_index(site / DOCUMENTS_FILE, cache)
    for path in entry.iterdir():
        if path.name != READY:
            path.write_bytes(b"\x00" * 7)
    ix = open_index(site / DOCUMENTS_FILE, cache)
    assert [h.id for h in search_index(ix, "ドローン", {"type": ["事例"]})][:1] == ["cache-case-0"]
    assert [p.name for p in cache.iterdir()] == [entry.name]


def test_an_entry_changed_in_place_is_rebuilt(site, expected, tmp_path):
    """Bytes overwritten inside the index open without error but answer wrongly: READY's hashes catch them."""
    cache = tmp_path / "cache"
    entry = cache / entry_name(site)
    open_index(site / DOCUMENTS_FILE, cache)
    for path in entry.glob("*.seg"):
        data = bytearray(path.read_bytes())
        start = len(data) // 3
        data[start : start + len(data) // 10] = b"\xff" * (len(data) // 10)
        path.write_bytes(bytes(data))
    result = jirei([*QUERY, "--site-dir", str(site)], tmp_path, environment(tmp_path, JIREI_CACHE_DIR=str(cache)))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout == expected


def test_memory_index_when_the_cache_is_not_writable(site, tmp_path, caplog):
    (tmp_path / "afile").write_text("", encoding="utf-8")
    ix = open_index(site / DOCUMENTS_FILE, tmp_path / "afile" / "cache")
    assert [h.id for h in search_index(ix, "ドローン", {"type": ["事例"]})][:1] == ["cache-case-0"]
    assert any("メモリ上に作って検索します" in record.getMessage() for record in caplog.records)


def test_stale_temporary_folders_and_unused_entries_are_removed(site, tmp_path):
    cache = tmp_path / "cache"
    dead, live = cache / ".0123456789abcdef-dead.tmp", cache / ".0123456789abcdef-live.tmp"
    unused, recent = cache / "00000000deadbeef", cache / "00000000cafebabe"
    for folder in (dead, live, unused, recent):
        folder.mkdir(parents=True)
        (folder / "segment").write_text("", encoding="utf-8")
    two_days_ago, two_months_ago = time.time() - 2 * 24 * 60 * 60, time.time() - 60 * 24 * 60 * 60
    os.utime(dead, (two_days_ago, two_days_ago))
    os.utime(recent, (two_days_ago, two_days_ago))
    os.utime(unused, (two_months_ago, two_months_ago))
    open_index(site / DOCUMENTS_FILE, cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted([live.name, recent.name, entry_name(site)])
    # Using an entry keeps it.
    entry = cache / entry_name(site)
    os.utime(entry, (two_months_ago, two_months_ago))
    open_index(site / DOCUMENTS_FILE, cache)
    assert time.time() - entry.stat().st_mtime < 60


def test_entries_depend_on_the_documents_and_the_code(site):
    data = (site / DOCUMENTS_FILE).read_bytes()
    assert cache_key(data) == cache_key(data) != cache_key(data + b" ")
    assert cache_key(data) != hashlib.sha256(data).hexdigest()[:16]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'[{"url": "cases/x/", "type": "case"', "JSON として読めません"),
        (b"\xff\xfe not utf-8", "JSON として読めません"),
        (b"[1, 2, 3]", "検索用の文書の形式が正しくありません"),
        (b'{"url": "cases/x/"}', "検索用の文書の形式が正しくありません"),
        (b'[{"url": 1, "type": "case", "title": "t", "place": "", "field": "", "text": "", "filters": {}}]', "形式"),
        (b'[{"url": "u", "type": "evil", "title": "t", "place": "", "field": "", "text": "", "filters": {}}]', "形式"),
        (b"[" * 100_000, "JSON として読めません"),
        (None, "を使えません"),  # a folder where the file should be
    ],
)
def test_a_corrupt_documents_file_is_a_japanese_error(tmp_path, content, reason):
    documents = tmp_path / "site" / DOCUMENTS_FILE
    documents.parent.mkdir(parents=True)
    if content is None:
        documents.mkdir()
    else:
        documents.write_bytes(content)
    env = environment(tmp_path, JIREI_CACHE_DIR=str(tmp_path / "cache"))
    result = jirei(["search", "x", "--site-dir", str(tmp_path / "site")], tmp_path, env)
    assert result.returncode == 1, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"エラー: {documents} を使えません: ")
    assert reason in result.stderr and "jirei build" in result.stderr
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").iterdir()) == []
