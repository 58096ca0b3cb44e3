"""The build's link check, and jirei check-links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from generator.catalog import Catalog
from generator.feeds import render_feeds
from generator.links import check_pages
from generator.opendata import data_files
from generator.render import render_pages
from generator.validate import validate_content
from tests.conftest import CONTENT, run_jirei


def test_real_pages_have_no_broken_internal_links():
    content, _ = validate_content(CONTENT)
    catalog = Catalog(content, date(2026, 11, 23))
    pages = render_pages(catalog)
    files = {**render_feeds(catalog, "https://example.jp/"), **data_files(catalog, "https://example.jp/", CONTENT)}
    assets = [f"assets/{p.name}" for p in (Path("generator") / "assets").iterdir()]
    assert len(pages) > 200
    assert check_pages(pages, [*files, *assets], Path("/srv/site")) == []


def test_broken_links_and_anchors_are_located():
    pages = {
        "index.md": (
            '<p>\n<a href="a/">ok</a> <a href="a/#here">ok</a> <a href="#top" id="top">ok</a>\n'
            '<a href="missing/">no</a>\n<a href="a/#nowhere">no</a> <a href="https://example.jp/">out</a>\n'
            '<a href="../../etc/passwd">out of site</a> <a href="feeds/x.xml">file</a> <a href="a/?q=1&amp;b=2">ok</a></p>'
        ),
        "a/index.md": '<h2 id="here">x</h2><a href="../">up</a> <a href="../feeds/y.xml">no</a>',
    }
    problems = check_pages(pages, ["feeds/x.xml"], Path("/srv/site"))
    assert [(Path(p.path).parent.name, p.line, p.message) for p in problems] == [
        ("site", 3, "リンク先のページがありません: missing/"),
        ("site", 4, "リンク先のページに見出し（#nowhere）がありません: a/#nowhere"),
        ("site", 5, "リンク先のページがありません: ../../etc/passwd"),
        ("a", 1, "リンク先のページがありません: ../feeds/y.xml"),
    ]
    assert problems[0].path.endswith("site/index.html") and problems[0].column == 10


def test_check_links_lists_urls_with_their_records():
    result = run_jirei("check-links")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("https://dx-navi.soumu.go.jp/index.php/case/pdfcase021")
    assert lines[at + 1] == "  cases/ina-drone-shopping"
    assert lines[-1].startswith("外部 URL ") and "件" in lines[-1]
