"""What jirei changes in MkDocs' build (generator/site.py) gives the bytes MkDocs alone gives.

Large blocks of raw HTML are set aside while Python-Markdown converts a page and put back after
(_raw_blocks_aside): the HTML must be what Python-Markdown would have made of the page itself.
"""

from __future__ import annotations

from datetime import date

import pytest
from mkdocs.structure.files import File, get_files
from mkdocs.structure.pages import Page

import generator.site
from generator.site import _given_files, _mkdocs_config, _raw_blocks_aside, build_site, write_docs
from tests.conftest import CONTENT
from tests.test_site import tree_digest

ROWS = "\n".join(f"<tr><td>行{i}</td><td>\t値 {i}</td></tr>" for i in range(40))
PAGES = {
    "table": f"# 見出し\n\n<table>\n{ROWS}\n</table>\n\n本文。\n",
    "tabs and spaces": f'<div class="x">\n\t字下げ\n   \n{ROWS}\n</div>\n\n## 次\n',
    "carriage returns": f"<ul>\r\n<li>一</li>\r\n{ROWS}\r\n</ul>\r\n\r\nあと\r\n",
    "text after the block": f"<table>\n{ROWS}\n</table>\nすぐ後の行\n\n段落\n",
    "two blocks in one paragraph": f"<div>\n{ROWS}\n</div>\n<div>\n{ROWS}\n</div>\n",
    "a block in a code fence": f"```\n<table>\n{ROWS}\n</table>\n```\n",
    "markdown inside": f"<div>\n*強調* と [リンク](https://example.jp/)\n{ROWS}\n</div>\n",
    "nested": f"<div><div>\n{ROWS}\n</div></div>\n\n<p>段落</p>\n",
    "unclosed": f"<div>\n{ROWS}\n\n</div>\n",
    "heading with id inside": f'<section>\n<h2 id="a">見出し</h2>\n{ROWS}\n</section>\n\n[戻る](#a)\n',
    # An outer block left open past a blank line: the paragraph ends with an inner block's end.
    "an outer block open past a blank line": f'<div class="outer">\n<div class="inner">\n{ROWS}\n</div>\n\n## 見出し\n\n</div>\n',
}

SET_ASIDE = {"table", "tabs and spaces", "carriage returns", "two blocks in one paragraph", "markdown inside", "nested"}
SET_ASIDE |= {"heading with id inside"}


@pytest.mark.parametrize("name", PAGES)
def test_a_page_with_blocks_set_aside_is_the_page_python_markdown_makes(tmp_path, name):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(PAGES[name], encoding="utf-8", newline="")
    config = _mkdocs_config(docs, tmp_path / "site", "https://example.jp/")
    results, given = [], []

    def remembered(page, config, files):  # what Python-Markdown is given
        given.append(page.markdown)
        Page.render(page, config, files)

    for render in (Page.render, _raw_blocks_aside(remembered)):
        file = File("page.md", str(docs), str(tmp_path / "site"), use_directory_urls=True)
        page = Page(None, file, config)
        page.read_source(config)
        render(page, config, None)
        results.append((page.content, [str(item) for item in page.toc]))
    assert results[0] == results[1]
    assert ("<!--jirei-raw-" in given[0]) == (name in SET_ASIDE)


def test_the_real_site_is_the_same_with_and_without_blocks_set_aside(tmp_path, monkeypatch):
    aside = tmp_path / "aside"
    build_site(CONTENT, aside, date(2026, 11, 23), "https://example.jp/")
    monkeypatch.setattr(generator.site, "RAW_BLOCK_MIN", 10**12)  # nothing set aside
    plain = tmp_path / "plain"
    build_site(CONTENT, plain, date(2026, 11, 23), "https://example.jp/")
    assert tree_digest(aside) == tree_digest(plain)


def test_files_given_from_memory_are_those_mkdocs_lists_from_a_docs_folder(tmp_path):
    """The engine is given the pages from memory (no docs folder): the Files are those MkDocs'
    get_files lists for a folder holding the same files, in the same order, read as the same text
    (a BOM and every kind of line end as MkDocs reads them from a file). jirei's page paths come
    from lower-case ids, never README.md, which MkDocs would drop beside an index.md."""
    pages = {
        "index.md": "トップ\r\n",
        "about/index.md": "\ufeff概要\r本文\n",
        "about/fields.md": "項目",
        "cases/index.md": "一覧",
        "cases/b.md": "b",
        "cases/a.md": "a",
        "cases/a-b.md": "a-b",
        "cases/x/index.md": "下の階層",
        "z.md": "z",
        "a/index.md": "a",
    }
    files = {"feeds/cases.xml": b"<feed/>", "data/cases.csv": b"\xef\xbb\xbf\x22a\x22\r\n"}
    docs = tmp_path / "docs"
    write_docs(pages, files, docs)
    config = _mkdocs_config(docs, tmp_path / "site", "https://example.jp/")
    from_folder = get_files(config)
    from_memory = _given_files(config, {**pages, **files}, set())
    assert [f.src_uri for f in from_memory] == [f.src_uri for f in from_folder]
    assert [f.dest_uri for f in from_memory] == [f.dest_uri for f in from_folder]
    assert [f.inclusion for f in from_memory] == [f.inclusion for f in from_folder]
    for ours, theirs in zip(from_memory, from_folder, strict=True):
        if ours.is_documentation_page():
            assert ours.content_string == theirs.content_string
        else:
            assert ours.content_bytes == theirs.content_bytes
        assert not ours.is_modified()
