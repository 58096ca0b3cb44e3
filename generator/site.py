"""Write the docs folder, run MkDocs, swap the result into the site directory.

This is the only module that imports MkDocs: moving to another engine touches this file.
Nothing is written until every record is known good, and the previous site is replaced only
when the new one is complete. `jirei build` replaces only a folder that a previous build made
(it holds the marker file `.jirei-site`), never the content, the repository or other files.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import perf_counter

from generator.browser_index import write_bundle
from generator.catalog import Catalog
from generator.errors import UsageError, UserError, display_path
from generator.feeds import render_feeds
from generator.links import check_site
from generator.render import render_pages
from generator.search import search_documents, write_documents
from generator.validate import validate_content

log = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class BuildReport:
    cases: int
    pages: int
    stages: dict[str, float] = field(default_factory=dict)  # stage name → seconds


class _Stages:
    """Wall time of each stage of a build, in order."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + perf_counter() - started


def mkdocs_config_file() -> Path:
    """The project's mkdocs.yml: the theme and navigation of the site."""
    return PROJECT / "mkdocs.yml"


DEFAULT_SITE_URL = "http://localhost:8000/"


def build_site(content_dir: Path, site_dir: Path, today: date, site_url: str | None = None) -> BuildReport:
    check_site_dir(site_dir, content_dir)
    stage = _Stages()
    with stage("validate"):
        content, problems = validate_content(content_dir)
    if problems:
        raise UserError(problems)
    site_url = site_url or os.environ.get("JIREI_SITE_URL") or DEFAULT_SITE_URL
    with stage("render"):
        catalog = Catalog(content, today)
        pages = render_pages(catalog)
        check_page_metadata(pages)
        files = render_feeds(catalog, site_url)

    # All data is gathered and valid: writing starts here, in a folder beside the site.
    site_dir = Path(os.path.abspath(site_dir))
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(site_dir.parent)
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=site_dir.parent) as work:
        docs, built = Path(work) / "docs", Path(work) / "site"
        with stage("write"):
            write_docs(pages, files, docs)
        with stage("mkdocs"):
            run_mkdocs(docs, built, today, site_url)
        with stage("search"):
            documents = search_documents(catalog, built)
            write_documents(documents, built)
            write_bundle(documents, built)
        with stage("links"):
            broken = check_site(built, shown_as=site_dir)
        if broken:
            raise UserError(broken)
        with stage("replace"):
            (built / SITE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            replace_directory(built, site_dir)
    return BuildReport(cases=len(catalog.cases), pages=len(pages), stages=stage.seconds)


def write_docs_folder(content_dir: Path, docs: Path, today: date, site_url: str = DEFAULT_SITE_URL) -> int:
    """The Markdown pages and files jirei hands to MkDocs, written to `docs` (for benchmarks that
    run another engine on the same pages). Returns the number of pages."""
    content, problems = validate_content(content_dir)
    if problems:
        raise UserError(problems)
    catalog = Catalog(content, today)
    pages = render_pages(catalog)
    write_docs(pages, render_feeds(catalog, site_url), docs)
    return len(pages)


# --- the site folder: what may be replaced ---------------------------------------------------

SITE_MARKER = ".jirei-site"
MARKER_TEXT = "このフォルダは jirei build が生成したサイトです。次の jirei build がフォルダごと置き換えます。\n"
WORK_PREFIX = ".jirei-build-"
OLD_PREFIX = ".jirei-old-"
_LEFTOVER = re.compile(rf"({re.escape(WORK_PREFIX)}|{re.escape(OLD_PREFIX)})(\d+)-")


def check_site_dir(site_dir: Path, content_dir: Path) -> None:
    """Refuse a site folder whose replacement would destroy anything but a previous site."""
    shown = display_path(site_dir)
    if site_dir.is_symlink():
        raise UsageError(f"サイトの出力先 {shown} はシンボリックリンクです。フォルダを直接指定してください")
    if site_dir.exists() and not site_dir.is_dir():
        raise UsageError(f"サイトの出力先 {shown} はファイルです。フォルダを指定してください")
    site = site_dir.resolve()
    content = content_dir.resolve()
    if site == content:
        raise UsageError(f"サイトの出力先 {shown} は content フォルダそのものです。別のフォルダを指定してください")
    if content.is_relative_to(site):
        raise UsageError(
            f"サイトの出力先 {shown} には content フォルダ（{display_path(content_dir)}）が含まれます。別のフォルダを指定してください"
        )
    if site.is_relative_to(content):
        raise UsageError(
            f"サイトの出力先 {shown} が content フォルダの中にあります。content の外のフォルダを指定してください"
        )
    if Path.cwd().resolve().is_relative_to(site) or PROJECT.is_relative_to(site):
        raise UsageError(
            f"サイトの出力先 {shown} は作業中のフォルダかその親です。site などの専用のフォルダを指定してください"
        )
    if not site.exists():
        return
    if (site / ".git").exists():
        raise UsageError(f"サイトの出力先 {shown} は Git のリポジトリです。site などの専用のフォルダを指定してください")
    if not (site / SITE_MARKER).is_file() and any(site.iterdir()):
        raise UsageError(
            f"サイトの出力先 {shown} は空ではなく、jirei build が作ったフォルダでもありません"
            f"（{SITE_MARKER} がありません）。置き換えると中のファイルが失われるため、生成を中止しました。"
            "空のフォルダか、まだないフォルダを指定してください"
        )


def remove_leftovers(folder: Path) -> None:
    """Work folders of builds that were killed: their process no longer runs."""
    for path in folder.iterdir():
        match = _LEFTOVER.match(path.name)
        if match and path.is_dir() and not path.is_symlink() and not _running(int(match.group(2))):
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_page_metadata(pages: dict[str, str]) -> None:
    """Every page's front matter must read back as MkDocs reads it: MkDocs drops a broken one
    silently and shows its lines as page text."""
    from mkdocs.utils.meta import get_data

    for path, markdown in pages.items():
        if markdown.startswith("---"):
            _, meta = get_data(markdown)
            if not isinstance(meta.get("title"), str):
                raise RuntimeError(f"MkDocs cannot read the front matter of {path}")


def write_docs(pages: dict[str, str], files: dict[str, bytes], docs: Path) -> None:
    """Markdown pages, and files (feeds) that MkDocs copies as they are."""
    for relative, markdown in pages.items():
        path = docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    for relative, data in files.items():
        path = docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    shutil.copytree(ASSETS, docs / "assets")


def run_mkdocs(docs: Path, site: Path, today: date, site_url: str) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    # MkDocs dates the sitemap (and its gzip header) from SOURCE_DATE_EPOCH: the build date
    # makes two builds of the same content byte-identical.
    epoch = int(datetime.combine(today, time(), tzinfo=UTC).timestamp())
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(config_file=str(mkdocs_config_file()), docs_dir=str(docs), site_dir=str(site), strict=True)
        build(config)
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def replace_directory(new: Path, target: Path) -> None:
    """Put `new` in place of `target`. Linux swaps the two in one step (renameat2 with
    RENAME_EXCHANGE), so that a site folder is there at every moment; elsewhere two renames."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # now the previous site
        return
    old = target.with_name(f"{OLD_PREFIX}{os.getpid()}-{target.name}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # not supported by this kernel or file system
    raise OSError(code, os.strerror(code), str(second))
