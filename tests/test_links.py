"""The build's link check, and jirei check-links."""

from __future__ import annotations

from generator.links import check_site
from tests.conftest import run_jirei


def test_built_site_has_no_broken_internal_links(real_site):
    assert check_site(real_site) == []


def test_broken_links_and_anchors_are_located(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">x</h2>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<p>\n<a href="a/">ok</a> <a href="a/#here">ok</a> <a href="#top" id="top">ok</a>\n'
        '<a href="missing/">no</a>\n<a href="a/#nowhere">no</a> <a href="https://example.jp/">out</a>\n'
        '<a href="../../etc/passwd">out of site</a></p>',
        encoding="utf-8",
    )
    problems = check_site(tmp_path)
    assert [(p.line, p.message) for p in problems] == [
        (3, "リンク先のページがありません: missing/"),
        (4, "リンク先のページに見出し（#nowhere）がありません: a/#nowhere"),
        (5, "リンク先のページがありません: ../../etc/passwd"),
    ]
    assert all(p.path.endswith("index.html") for p in problems)


def test_check_links_lists_urls_with_their_records():
    result = run_jirei("check-links")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("https://dx-navi.soumu.go.jp/index.php/case/pdfcase021")
    assert lines[at + 1] == "  cases/ina-drone-shopping"
    assert lines[-1].startswith("外部 URL ") and "件" in lines[-1]
