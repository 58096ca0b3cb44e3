"""`jirei build --site-dir`: only a previous site (or nothing) is ever replaced, and never left missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.site import SITE_MARKER, check_page_metadata, link_tree
from tests.cases import case_text
from tests.conftest import PROJECT

REFUSED = "エラー: サイトの出力先"


def _build(content: Path, site: Path | str, cwd: Path = PROJECT, **popen) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "generator", "build", "--content", str(content), "--site-dir", str(site)]
    return subprocess.run(
        [*command, "--today", "2026-11-23"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        timeout=300,
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def repository(taxonomy_only) -> Path:
    """A folder like a clone: .git, the content, a file of uncommitted work."""
    root = taxonomy_only.parent
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / "notes.txt").write_text("コミットしていない作業", encoding="utf-8")
    (taxonomy_only / "cases" / "good.yaml").write_text(case_text("good"), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("site", "message"),
    [
        (".", "content フォルダ（content）が含まれます"),
        ("content", "content フォルダそのものです"),
        ("content/cases", "content フォルダの中にあります"),
        ("notes.txt", "はファイルです"),
        (".git", "空ではなく、jirei build が作ったフォルダでもありません"),
    ],
)
def test_refuses_what_a_build_would_destroy(repository, site, message):
    before = _tree(repository)
    result = _build(repository / "content", site, cwd=repository)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(REFUSED) and message in result.stderr, result.stderr
    assert _tree(repository) == before


def test_refuses_the_repository_root_even_without_content_inside(repository, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "content"
    os.rename(repository / "content", elsewhere)
    before = _tree(repository)
    result = _build(elsewhere, repository, cwd=elsewhere.parent)
    assert result.returncode == 1 and "Git のリポジトリです" in result.stderr, result.stderr
    assert _tree(repository) == before


def test_refuses_the_working_folder_and_a_symlink(repository, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = _build(repository / "content", ".", cwd=work)
    assert result.returncode == 1 and "作業中のフォルダかその親です" in result.stderr, result.stderr
    (tmp_path / "link").symlink_to(repository)
    result = _build(repository / "content", tmp_path / "link", cwd=work)
    assert result.returncode == 1 and "シンボリックリンクです" in result.stderr, result.stderr
    assert (repository / ".git" / "HEAD").exists()


def test_refuses_a_folder_of_other_files_and_replaces_only_its_own_site(repository, tmp_path):
    other = tmp_path / "photos"
    other.mkdir()
    (other / "a.jpg").write_bytes(b"\xff\xd8")
    result = _build(repository / "content", other)
    assert result.returncode == 1 and f"（{SITE_MARKER} がありません）" in result.stderr
    assert _tree(other) == {"a.jpg": b"\xff\xd8"}

    empty = tmp_path / "empty"
    empty.mkdir()
    assert _build(repository / "content", empty).returncode == 0
    assert (empty / SITE_MARKER).is_file() and (empty / "index.html").is_file()
    (empty / "stale.html").write_text("前回の生成物", encoding="utf-8")
    second = _build(repository / "content", empty)
    assert second.returncode == 0, second.stderr
    assert not (empty / "stale.html").exists() and (empty / "cases" / "good" / "index.html").is_file()


def test_a_killed_build_leaves_the_site_whole_and_the_next_build_cleans_up(repository, tmp_path):
    site = tmp_path / "out" / "site"
    assert _build(repository / "content", site).returncode == 0
    before = _tree(site)
    command = [sys.executable, "-m", "generator", "build", "--content", str(repository / "content")]
    build = subprocess.Popen([*command, "--site-dir", str(site), "--today", "2026-11-23"], cwd=PROJECT)
    deadline = time.monotonic() + 120
    while not list(site.parent.glob(f".jirei-build-{build.pid}-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.02)  # killed while it writes (a build with nothing changed takes well under a second)
    build.send_signal(signal.SIGKILL)
    build.wait()
    leftovers = [p.name for p in site.parent.iterdir() if p.name not in ("site", ".jirei-cache-site")]
    assert leftovers and all(name.startswith(".jirei-build-") for name in leftovers)
    assert _tree(site) == before
    ignored = subprocess.run(["git", "check-ignore", "-q", leftovers[0] + "/"], cwd=PROJECT)
    assert ignored.returncode == 0, "git が作業フォルダを無視しません"

    # A work folder of a build that is still running is left alone.
    running = site.parent / f".jirei-build-{os.getpid()}-running"
    running.mkdir()
    assert _build(repository / "content", site).returncode == 0
    assert sorted(p.name for p in site.parent.iterdir()) == sorted([".jirei-cache-site", running.name, "site"])
    ignored = subprocess.run(["git", "check-ignore", "-q", ".jirei-cache-site/"], cwd=PROJECT)
    assert ignored.returncode == 0, "git がキャッシュのフォルダを無視しません"


def test_there_is_a_site_folder_at_every_moment_of_a_rebuild(repository, tmp_path):
    site = tmp_path / "site"
    assert _build(repository / "content", site).returncode == 0
    missing, done = [], threading.Event()

    def watch():
        while not done.is_set():
            if not (site / "index.html").exists():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(2):
            assert _build(repository / "content", site).returncode == 0
    finally:
        done.set()
        watcher.join()
    assert missing == []


def test_a_page_whose_front_matter_mkdocs_cannot_read_stops_the_build():
    check_page_metadata({"ok.md": '---\ntitle: "\\u0086"\n---\ntext'})
    with pytest.raises(RuntimeError, match="front matter of broken.md"):
        check_page_metadata({"broken.md": "---\ntitle: \x86\n---\n[x](javascript:alert(1))"})


def test_link_tree_makes_the_same_tree_of_hard_links(tmp_path):
    """The published site is a tree of hard links to the engine's output: every folder and file
    is there (empty folders too), each file the same inode, and a new file written in place of one
    (as the engine writes) leaves the other tree as it was."""
    source = tmp_path / "engine"
    (source / "cases" / "x").mkdir(parents=True)
    (source / "empty").mkdir()
    (source / "index.html").write_text("トップ", encoding="utf-8")
    (source / "cases" / "x" / "index.html").write_text("事例", encoding="utf-8")
    (source / "cases" / "data.json").write_bytes(b"{}")
    target = tmp_path / "site"
    link_tree(source, target)
    listed = sorted(p.relative_to(source).as_posix() for p in source.rglob("*"))
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == listed
    for name in listed:
        if (source / name).is_file():
            assert (target / name).stat().st_ino == (source / name).stat().st_ino
    (source / "index.html").unlink()
    (source / "index.html").write_text("新しいトップ", encoding="utf-8")
    assert (target / "index.html").read_text(encoding="utf-8") == "トップ"
