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


def test_compiled_templates_are_kept_between_runs_and_follow_their_source(tmp_path, monkeypatch):
    """render.template_cache: a second environment reads the compiled template; an edited source
    is compiled again; an unsafe cache folder is not used (the templates are compiled as before)."""
    import os
    import tempfile

    import jinja2

    from generator.render import environment, template_cache

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sources = {"page.j2": "一つ目 {{ value }}"}

    def render(cache) -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=cache)
        return env.get_template("page.j2").render(value=1)

    assert render(template_cache("test")) == "一つ目 1"
    folder = tmp_path / f"_jinja2-cache-{os.getuid()}"
    stored = sorted(folder.iterdir())
    assert len(stored) == 1 and stored[0].name.startswith("__jirei_")
    stored[0].write_bytes(stored[0].read_bytes())  # the same bytes: read, not compiled again
    assert render(template_cache("test")) == "一つ目 1"
    sources["page.j2"] = "二つ目 {{ value }}"
    assert render(template_cache("test")) == "二つ目 1"  # the source changed: compiled anew
    assert template_cache("other options").get_cache_key("page.j2") == template_cache("test").get_cache_key("page.j2")
    assert len(list(folder.iterdir())) == 1  # the same file name, the checksum tells the source apart
    render(template_cache("other options"))
    assert len(list(folder.iterdir())) == 2  # other options, other files

    assert environment().bytecode_cache is not None  # the site's templates use it
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere)  # a link put in the folder's place (by someone else) is refused
    assert template_cache("test") is None
    assert environment().get_template("home.md.j2") is not None
