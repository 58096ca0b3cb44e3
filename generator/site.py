"""Write the docs folder, run MkDocs, swap the result into the site directory.

This is the only module that imports MkDocs: moving to another engine touches this file.
Nothing is written until every record is known good, and the previous site is replaced only
when the new one is complete.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from generator.browser_index import write_bundle
from generator.catalog import Catalog
from generator.errors import UserError
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


def mkdocs_config_file() -> Path:
    """The project's mkdocs.yml: the theme and navigation of the site."""
    return PROJECT / "mkdocs.yml"


DEFAULT_SITE_URL = "http://localhost:8000/"


def build_site(content_dir: Path, site_dir: Path, today: date, site_url: str | None = None) -> BuildReport:
    content, problems = validate_content(content_dir)
    if problems:
        raise UserError(problems)
    site_url = site_url or os.environ.get("JIREI_SITE_URL") or DEFAULT_SITE_URL
    catalog = Catalog(content, today)
    pages = render_pages(catalog)
    files = render_feeds(catalog, site_url)

    # All data is gathered and valid: writing starts here, in a folder beside the site.
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".jirei-build-", dir=site_dir.parent) as work:
        docs, built = Path(work) / "docs", Path(work) / "site"
        write_docs(pages, files, docs)
        run_mkdocs(docs, built, today, site_url)
        documents = search_documents(catalog, built)
        write_documents(documents, built)
        write_bundle(documents, built)
        broken = check_site(built, shown_as=site_dir)
        if broken:
            raise UserError(broken)
        replace_directory(built, site_dir)
    return BuildReport(cases=len(catalog.cases), pages=len(pages))


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
    """Put `new` in place of `target` with renames, so the old site stays whole until then."""
    if not target.exists():
        os.rename(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)
