"""Golden tests of the Markdown the generator writes, and the record-text filter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.catalog import Catalog
from generator.render import front_matter_string, page_url, per_resident, record_markdown, render_pages
from generator.validate import validate_content
from tests.cases import case_text

GOLDENS = Path(__file__).parent / "goldens"
GOLDEN_PAGES = [
    "cases/test-case.md",
    "cases/index.md",
    "fields/daily-life.md",
    "population/50k-100k.md",
    "funding/digital-denen-kofukin.md",
    "prefectures/nagano.md",
    "kinds/index.md",
    "kinds/core-city.md",
]


@pytest.fixture
def pages(taxonomy_only) -> dict[str, str]:
    cases = taxonomy_only / "cases"
    (cases / "test-case.yaml").write_text(case_text("test-case"), encoding="utf-8")
    second = case_text(
        "second-case",
        {
            "title: テスト用のドローン配送の取組": "title: デジ田交付金を使った窓口の取組",
            "program: chiho-sosei-suishin-kofukin": "program: digital-denen-kofukin",
            "fiscal_years: [2019, 2020]": "fiscal_years: [2023]",
            'code: "202096"': 'code: "202011"',
            "name: 伊那市": "name: 長野市",
            "population: 66000": "population: 367000",
        },
    )
    (cases / "second-case.yaml").write_text(second, encoding="utf-8")
    content, problems = validate_content(taxonomy_only)
    assert problems == []
    return render_pages(Catalog(content, date(2026, 11, 23)))


@pytest.mark.parametrize("path", GOLDEN_PAGES)
def test_golden_markdown(pages, path, update_goldens):
    golden = GOLDENS / path
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(pages[path], encoding="utf-8")
    assert golden.exists(), f"{golden} がありません: pytest --update-goldens で作ってください"
    assert pages[path] == golden.read_text(encoding="utf-8")


def test_record_markdown_escapes_html_and_unsafe_links():
    html = record_markdown(
        "<script>alert(1)</script> [a](javascript:alert(2)) [b](data:text/html,x) [c](https://e.jp) {{ 7*7 }}"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert '<a href="https://e.jp">c</a>' in html
    assert "{{ 7*7 }}" in html


def test_record_markdown_joins_japanese_lines():
    assert record_markdown("買い物に\n出にくい住民") == "<p>買い物に出にくい住民</p>\n"
    assert record_markdown("end of\nline") == "<p>end of\nline</p>\n"


def test_front_matter_title_is_escaped_yaml():
    assert front_matter_string('a "b" <c>') == '"a &quot;b&quot; &lt;c&gt;"'


def test_per_resident_and_page_url():
    assert per_resident(598.2) == "598" and per_resident(0.0652) == "0.07" and per_resident(12345.6) == "12,346"
    assert (
        page_url("index.md") == "" and page_url("cases/index.md") == "cases/" and page_url("cases/x.md") == "cases/x/"
    )
