"""Builds of the real content and of synthetic content, asserting on the HTML that matters."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.site import build_site
from tests.cases import case_text
from tests.conftest import CONTENT, run_jirei
from tests.talent import write_postings

TODAY = date(2026, 11, 23)


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(soup: BeautifulSoup):
    return soup.select_one("article")


def links(soup: BeautifulSoup) -> list[str]:
    return [a["href"] for a in article(soup).select("a[href]")]


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_case_page_shows_every_part(real_site):
    soup = page(real_site, "cases/ina-drone-shopping")
    body = article(soup)
    assert body.h1.get_text() == "ドローンとケーブルテレビを使った買い物支援「ゆうあいマーケット」"
    assert "2 住民生活【長野県 伊那市】" in body.get_text()
    programs = [a.get_text() for a in body.select("ul.jirei-programs a")]
    assert programs == ["地方創生推進交付金", "データ利活用型スマートシティ推進事業"]
    assert "../../funding/chiho-sosei-suishin-kofukin/" in links(soup)
    assert "平成30年度、令和元年度、令和2年度" in body.select_one("ul.jirei-programs").get_text()
    costs = body.select_one("table.jirei-costs")
    rows = [[td.get_text() for td in tr.select("td")] for tr in costs.select("tbody tr")]
    assert rows[0] == ["令和3年度", "事業費", "39,481", "598"]  # 39,481千円 / 66,000人
    assert rows[1] == ["令和6年度", "予算", "30,357", "460"]
    assert costs.select("tfoot") == []  # 事業費 and 予算 are different bases: no total
    assert "../../population/50k-100k/" in links(soup)
    assert "../../prefectures/nagano/" in links(soup)
    sources = [a["href"] for a in body.select("ul.jirei-sources a")]
    assert "https://dx-navi.soumu.go.jp/index.php/case/pdfcase021" in sources
    assert body.find("h2", string="他の団体への助言")  # the advice of the case (its heading says what it is)


def test_cases_table_lists_every_case(real_site):
    soup = page(real_site, "cases")
    rows = article(soup).select("table.jirei-cases tbody tr")
    case_files = list((CONTENT / "cases").glob("*.yaml"))
    assert len(rows) == len(case_files) >= 110
    assert "jirei-sortable" in article(soup).select_one("table.jirei-cases")["class"]


def test_field_index_lists_its_cases(real_site):
    soup = page(real_site, "fields/daily-life")
    assert article(soup).h1.get_text() == "2. 住民生活"
    assert "../../cases/ina-drone-shopping/" in links(soup)
    assert "../../cases/kitami-kakanai-onestop-madoguchi/" in links(soup)
    table = article(soup).select_one("table.jirei-cases")
    listed = {a["href"] for a in table.select("tbody a")}
    in_field = {
        f"../../cases/{p.stem}/"
        for p in (CONTENT / "cases").glob("*.yaml")
        if "\nfield: 住民生活\n" in p.read_text(encoding="utf-8")
    }
    assert listed == in_field


def test_all_twenty_field_pages_exist(real_site):
    slugs = [p.name for p in (real_site / "fields").iterdir() if p.is_dir()]
    assert len(slugs) == 20


def test_population_band_and_prefectural_group(real_site):
    index = article(page(real_site, "population"))
    labels = [a.get_text() for a in index.select("a")]
    assert labels == ["〜1万人", "1万〜5万人", "5万〜10万人", "10万〜30万人", "30万〜100万人", "100万人〜", "都道府県"]
    band = page(real_site, "population/50k-100k")
    assert "../../cases/ina-drone-shopping/" in links(band)
    populations = [int(td["data-sort"]) for td in article(band).select("tbody tr td:nth-of-type(4)")]
    assert populations == sorted(populations) and all(50_000 <= p < 100_000 for p in populations)
    prefectural = page(real_site, "population/prefectural")
    assert "../../cases/ehime-pref-line-bunsan-hinan/" in links(prefectural)
    case_links = [href for href in links(prefectural) if href.startswith("../../cases/")]
    assert case_links and all("pref" in href for href in case_links)


def test_funding_page_lists_predecessor_cases(real_site):
    soup = page(real_site, "funding/digital-denen-kofukin")
    body = article(soup)
    assert "地方創生推進交付金" in body.select_one("table.jirei-facts").get_text()  # 前身の制度
    heading = body.find("h2", string="前身の制度で行われた事例")
    predecessor_list = heading.find_next("ul")
    items = {li.a["href"]: li.get_text() for li in predecessor_list.select("li")}
    assert "../../cases/ina-drone-shopping/" in items
    assert "前身: 地方創生推進交付金" in items["../../cases/ina-drone-shopping/"]
    successor = page(real_site, "funding/chiho-sosei-suishin-kofukin")
    assert "デジタル田園都市国家構想交付金" in article(successor).select_one("table.jirei-facts").get_text()


def test_prefecture_pages_in_jis_order(real_site):
    soup = page(real_site, "prefectures")
    rows = [[td.get_text() for td in tr.select("td")] for tr in article(soup).select("tbody tr")]
    names = [name for name, _ in rows]
    assert len(names) == 47 and names[0] == "北海道" and names[-1] == "沖縄県"
    # No dead ends: a prefecture without a case is listed without a link.
    linked = {a.get_text() for a in article(soup).select("tbody a")}
    assert linked == {name for name, count in rows if count != "0"}
    assert "長野県" in linked and len(linked) < 47
    assert "../../cases/ina-drone-shopping/" in links(page(real_site, "prefectures/nagano"))


def test_field_reference_comes_from_the_models(real_site):
    from generator.models import Case

    text = article(page(real_site, "about/fields")).get_text()
    for name, field in Case.model_fields.items():
        assert name in text and field.description in text


def test_navigation_holds_indices_not_cases(real_site):
    soup = page(real_site, "cases/ina-drone-shopping")
    nav = " ".join(a.get("href", "") for a in soup.select("nav a"))
    assert "cases/kitami-kakanai-onestop-madoguchi" not in nav
    assert "funding/" in nav


def test_home_counts_cases_per_field(real_site):
    soup = BeautifulSoup((real_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = article(soup).select("table.jirei-fields tbody tr")
    assert len(rows) == 20
    total = sum(int(r.select("td")[2].get_text()) for r in rows)
    assert total == len(list((CONTENT / "cases").glob("*.yaml")))


@pytest.fixture
def small_content(taxonomy_only) -> Path:
    """One case and postings in every status."""
    (taxonomy_only / "cases" / "test-case.yaml").write_text(case_text("test-case"), encoding="utf-8")
    write_postings(taxonomy_only, TODAY)
    return taxonomy_only


def test_empty_field_says_so(small_content, tmp_path):
    site = tmp_path / "site"
    build_site(small_content, site, TODAY)
    text = article(page(site, "fields/local-5g")).get_text()
    assert "この分野の事例はまだありません" in text
    assert "../../about/#add-a-case" in links(page(site, "fields/local-5g"))


def test_two_builds_are_byte_identical(small_content, tmp_path):
    build_site(small_content, tmp_path / "a", TODAY)
    build_site(small_content, tmp_path / "b", TODAY)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_failed_build_leaves_previous_site_untouched(small_content, tmp_path):
    site = tmp_path / "site"
    first = run_jirei("build", "--content", str(small_content), "--site-dir", str(site), "--today", "2026-11-23")
    assert first.returncode == 0, first.stderr
    before = tree_digest(site)
    (small_content / "cases" / "broken.yaml").write_text(
        case_text("broken", {"amount: 39481": "amount: -1"}), encoding="utf-8"
    )
    second = run_jirei("build", "--content", str(small_content), "--site-dir", str(site), "--today", "2026-11-23")
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert "broken.yaml:20:13:" in second.stderr
    assert tree_digest(site) == before
    # No work folder is left beside the site; the cache of the incremental build stays.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".jirei-cache-site"]


def test_record_text_is_inert(taxonomy_only, tmp_path):
    hostile = case_text(
        "hostile",
        {
            "title: テスト用のドローン配送の取組": 'title: "<script>alert(1)</script>{{ 7*7 }}"',
            "  テスト用の概要です。": "  <img src=x onerror=alert(2)> [link](javascript:alert(3)) {% if true %}x{% endif %}",
            "tags: [ドローン]": 'tags: ["<svg onload=alert(4)>"]',
        },
    )
    (taxonomy_only / "cases" / "hostile.yaml").write_text(hostile, encoding="utf-8")
    site = tmp_path / "site"
    build_site(taxonomy_only, site, TODAY)
    html = (site / "cases" / "hostile" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    body = article(soup)
    assert body.select("script, img, svg[onload]") == []
    assert not [a for a in body.select("a[href]") if a["href"].lower().startswith("javascript")]
    assert "<script>alert(1)</script>{{ 7*7 }}" in body.h1.get_text()
    assert "{% if true %}x{% endif %}" in body.get_text()
    assert "<script>alert(1)" not in soup.title.decode()
    index = (site / "cases" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in index and "&lt;script&gt;alert(1)" in index


def test_talent_page_without_open_postings_is_no_dead_end(real_site):
    """With no open posting, the page shows the newest archived postings and how to follow new ones."""
    body = article(page(real_site, "talent"))
    empty = body.select_one(".jirei-empty")
    assert "いま募集中の求人はありません" in empty.get_text()
    recent = [a["href"] for a in empty.select("ul.jirei-recent-postings a")]
    closed = [a["href"] for a in body.select("#closed-postings ~ .jirei-table-wrap table tbody td.jirei-title a")]
    assert len(recent) == 3 and recent == closed[:3]
    hrefs = [a["href"] for a in empty.select("a[href]")]
    assert "../feeds/postings.xml" in hrefs and "../feeds/deadlines.ics" in hrefs
    assert "#feeds-by-prefecture" in hrefs and "#closed-postings" in hrefs


def test_catalog_pages_ask_for_the_full_width(real_site):
    """Catalog pages hide both sidebars (Material's hide:) and use the catalog template."""
    for url in [
        "cases",
        "fields",
        "fields/daily-life",
        "population",
        "prefectures",
        "funding",
        "talent",
        "talent/advisors",
    ]:
        soup = page(real_site, url)
        assert soup.select_one(".md-content.jirei-catalog"), url
        assert all(s.has_attr("hidden") for s in soup.select(".md-sidebar")), url
