"""Charts (generator/charts.py): static SVG drawn at build time, each with a text alternative and
its numbers in a table that agree with the catalog; the tile map links every prefecture that has
cases to its page; in Chromium the charts fit their column and the Japanese labels are text."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import charts, render
from generator.catalog import Catalog, wareki_fiscal_year
from generator.municipalities import prefectures
from tests.cases import case_text
from tests.conftest import BUILD_DATE

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def catalog(real_content) -> Catalog:
    return Catalog(real_content, BUILD_DATE)


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def table_counts(figure) -> dict[str, list[int]]:
    """The numbers table of a chart: row label → counts."""
    rows = figure.select("table.jirei-chart__table tbody tr")
    return {
        row.th.get_text(strip=True): [int(td.get_text(strip=True).replace(",", "")) for td in row.find_all("td")]
        for row in rows
    }


def chart_svg(figure):
    svg = figure.select_one(".jirei-chart__picture > svg")
    assert svg is not None, figure
    return svg


# --- what the charts count ---------------------------------------------------------------------


def test_cases_per_field_in_collection_order(catalog):
    chart = charts.Charts(catalog).cases_per_field()
    assert [row.label for row in chart.rows] == [f"{f.no}. {f.name}" for f in catalog.fields]
    assert [f.no for f in catalog.fields] == list(range(1, 21))
    counted = Counter(entry.case.field for entry in catalog.cases)
    assert [row.count for row in chart.rows] == [counted[f.name] for f in catalog.fields]
    assert chart.total == len(catalog.cases)


def test_tile_grid_holds_the_47_prefectures_once_each():
    tiles = charts.prefecture_tiles()
    assert sorted(tiles) == [p.code for p in prefectures()]
    positions = [(col, row) for _, col, row in tiles.values()]
    assert len(set(positions)) == 47
    for prefecture in prefectures():
        short = tiles[prefecture.code][0]
        assert prefecture.name.startswith(short) and 2 <= len(short) <= 3


def test_count_classes_double_and_cover_the_largest_count():
    assert charts.count_classes(0) == [(1, 1)]
    assert charts.count_classes(1) == [(1, 1)]
    assert charts.count_classes(14) == [(1, 1), (2, 3), (4, 7), (8, 15)]
    assert charts.count_classes(500) == [(1, 1), (2, 3), (4, 7), (8, 15), (16, None)]
    for top in range(1, 200):
        classes = charts.count_classes(top)
        low, high = classes[-1]
        assert low <= top and (high is None or top <= high)
        assert len(classes) <= len(charts.SEQUENTIAL)


def test_uses_per_year_counts_every_year_of_the_lineage(catalog):
    checked = 0
    for program_id in catalog.programs:
        chart = charts.Charts(catalog).uses_per_year(program_id)
        lineage = {program_id, *catalog.ancestors(program_id), *catalog.descendants(program_id)}
        expected: Counter = Counter()
        for entry in catalog.cases:
            for use in entry.case.support_programs:
                if use.program in lineage:
                    for year in set(use.fiscal_years):
                        expected[(wareki_fiscal_year(year), catalog.programs[use.program].name)] += 1
        if not expected:
            assert chart is None
            continue
        checked += 1
        assert Counter({(row.label, row.group): row.count for row in chart.rows}) == expected
    assert checked >= 5


def test_a_hostile_program_name_stays_text(taxonomy_only):
    """A name that closes a comment, opens a script or looks like a template is text in the SVG
    and in the table."""
    funding = taxonomy_only / "taxonomy" / "funding.yaml"
    text = funding.read_text(encoding="utf-8")
    hostile = "--><script>alert(1)</script>{{ 7*7 }}"
    text = text.replace("name: デジタル田園都市国家構想交付金\n", f"name: '{hostile}'\n", 1)
    funding.write_text(text, encoding="utf-8")
    (taxonomy_only / "cases" / "test-case.yaml").write_text(
        case_text(
            "test-case",
            {"program: chiho-sosei-suishin-kofukin": "program: digital-denen-kofukin"},
        ),
        encoding="utf-8",
    )
    from generator.validate import validate_content

    content, problems = validate_content(taxonomy_only)
    assert problems == []
    page = render.render_pages(Catalog(content, BUILD_DATE))["funding/digital-denen-kofukin.md"]
    assert "<script>" not in page and "<!--jirei-chart" not in page
    figure = BeautifulSoup(page, "html.parser").select_one("figure.jirei-chart--years")
    svg = chart_svg(figure)
    assert hostile in [t.get_text() for t in svg.find_all("text")]
    assert hostile in [th.get_text() for th in figure.select("thead th")]


# --- drawing -----------------------------------------------------------------------------------


def test_draw_replaces_every_placeholder_also_after_a_forked_render(taxonomy_only, monkeypatch):
    """Half of the pages rendered by a forked process hold placeholders; the charts are drawn
    here (vl-convert's engine does not survive a fork)."""
    cases = taxonomy_only / "cases"
    for i in range(3):
        (cases / f"case-{i}.yaml").write_text(case_text(f"case-{i}"), encoding="utf-8")
    from generator.validate import validate_content

    content, problems = validate_content(taxonomy_only)
    assert problems == []
    monkeypatch.setattr(render, "PARALLEL_RENDER", 5)
    pages = render.render_pages(Catalog(content, BUILD_DATE))
    assert not [path for path, text in pages.items() if "<!--jirei-chart" in text]
    assert pages["index.md"].count("<svg ") == 2
    assert pages["fields/daily-life.md"].count("<svg ") == 2


def test_identical_specifications_are_converted_once(tmp_path, monkeypatch):
    monkeypatch.setenv("JIREI_CACHE_DIR", str(tmp_path))
    spec = json.dumps(charts.labelled_bars([charts.Row("行政", 3), charts.Row("教育", 5)]), ensure_ascii=False)
    first = charts.SvgCache()
    svg = first.get(spec)
    assert first.get(spec) == svg and first.converted == 1
    again = charts.SvgCache()  # another build: from the disk
    assert again.get(spec) == svg and again.converted == 0
    assert len(list((tmp_path / "charts").glob("*.svg"))) == 1
    (next((tmp_path / "charts").glob("*.svg"))).write_text("<svg broken", encoding="utf-8")
    spoiled = charts.SvgCache()
    assert spoiled.get(spec) == svg and spoiled.converted == 1


# --- the built site ----------------------------------------------------------------------------


def test_home_page_bars_and_map_agree_with_the_catalog(real_site, catalog):
    page = soup(real_site, "")
    bars = page.select_one("figure.jirei-chart--bars")
    svg = chart_svg(bars)
    assert svg["role"] == "img" and "分野ごとの事例数" in svg["aria-label"]
    assert bars.figcaption.get_text(strip=True) == "分野ごとの事例数"
    labels = [t.get_text() for t in svg.find_all("text")]
    for field in catalog.fields:
        assert f"{field.no}. {field.name}" in labels
    # the numbers beside the bars: the home page's table of fields
    table = page.select_one("table.jirei-fields")
    assert bars.find_parent(class_="jirei-chart-pair") is table.find_parent(class_="jirei-chart-pair")
    shown = {
        tr.find_all("td")[1].get_text(strip=True): int(tr.find_all("td")[2].get_text()) for tr in table.tbody("tr")
    }
    assert shown == {f.name: len(catalog.cases_in_field(f)) for f in catalog.fields}

    figure = page.select_one("figure.jirei-chart--map")
    counts = {p.name: len(catalog.cases_in_prefecture(p)) for p in catalog.prefectures}
    assert table_counts(figure) == {name: [n] for name, n in counts.items()}
    svg = chart_svg(figure)
    assert svg.get("aria-label") and "role" not in svg.attrs  # holds links: not one image
    names = [t.get_text() for t in svg.find_all("text")]
    for short, _, _ in charts.prefecture_tiles().values():
        assert short in names


def test_every_tile_with_cases_links_to_its_prefecture_page(real_site, catalog):
    figure = soup(real_site, "").select_one("figure.jirei-chart--map")
    links = chart_svg(figure).find_all("a")
    targets = {}
    for link in links:
        href = link.get("xlink:href") or link.get("href")
        assert re.fullmatch(r"prefectures/[a-z]+/", href), href
        assert (real_site / href / "index.html").exists(), href
        targets[href] = link.find(attrs={"aria-label": True})["aria-label"]
    with_cases = [p for p in catalog.prefectures if catalog.cases_in_prefecture(p)]
    assert len(links) == len(targets) == len(with_cases)
    # what a screen reader says of the map is Japanese (Vega's own role descriptions are English)
    svg = chart_svg(figure)
    assert svg.find_all(attrs={"aria-roledescription": True}) == []
    labels = [element["aria-label"] for element in svg.find_all(attrs={"aria-label": True})]
    assert len(labels) == 47  # one a tile (the picture itself is named by its own aria-label)
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", label) for label in labels), labels
    for prefecture in catalog.prefectures:
        count = len(catalog.cases_in_prefecture(prefecture))
        href = f"prefectures/{prefecture.slug}/"
        if count:
            assert targets[href] == f"{prefecture.name}: {count}件"
        else:
            assert href not in targets


def test_field_pages_count_bands_in_size_order_and_kinds(real_site, catalog):
    for field in catalog.fields:
        entries = catalog.cases_in_field(field)
        page = soup(real_site, f"fields/{field.slug}")
        figures = page.select("figure.jirei-chart")
        if not entries:
            assert figures == []
            continue
        bands, kinds = figures
        assert list(table_counts(bands)) == [band.label for band in catalog.population_groups]
        by_band = Counter(entry.band.label for entry in entries)
        assert table_counts(bands) == {band.label: [by_band[band.label]] for band in catalog.population_groups}
        by_kind = Counter(entry.kind.label for entry in entries)
        assert table_counts(kinds) == {kind.label: [by_kind[kind.label]] for kind in catalog.government_kinds}
        for figure in figures:
            svg = chart_svg(figure)
            assert svg["role"] == "img" and svg["aria-label"]
            assert f"合計{len(entries)}件" in svg["aria-label"]


def test_funding_pages_count_cases_per_fiscal_year(real_site, catalog):
    drawn = 0
    for program_id in catalog.programs:
        chart = charts.Charts(catalog).uses_per_year(program_id)
        figure = soup(real_site, f"funding/{program_id}").select_one("figure.jirei-chart--years")
        if chart is None:
            assert figure is None
            continue
        drawn += 1
        svg = chart_svg(figure)
        assert svg["role"] == "img" and "年度" in svg["aria-label"]
        shown = table_counts(figure)
        per_year = Counter()
        for row in chart.rows:
            per_year[row.label] += row.count
        headers = [th.get_text() for th in figure.select("thead th")]
        several = len(headers) > 2
        for year, counts in shown.items():
            assert (counts[-1] if several else counts[0]) == per_year[year]
            if several:
                assert sum(counts[:-1]) == counts[-1]
        assert sum(per_year.values()) == sum(c[-1] for c in shown.values())
    assert drawn >= 5


def test_a_site_without_cases_has_no_charts_but_an_empty_map(taxonomy_only):
    from generator.validate import validate_content

    content, problems = validate_content(taxonomy_only)
    assert problems == []
    pages = render.render_pages(Catalog(content, date(2026, 11, 23)))
    home = BeautifulSoup(pages["index.md"], "html.parser")
    assert chart_svg(home.select_one("figure.jirei-chart--map")).find_all("a") == []
    assert "figure" not in pages["fields/daily-life.md"]
    assert "figure" not in pages["funding/digital-denen-kofukin.md"]


# --- in Chromium -------------------------------------------------------------------------------

CHART_BOXES = """() => Array.from(document.querySelectorAll('figure.jirei-chart')).map(figure => {
  const svg = figure.querySelector('.jirei-chart__picture > svg');
  const column = figure.parentElement.getBoundingClientRect();
  const box = svg.getBoundingClientRect();
  const texts = Array.from(svg.querySelectorAll('text'));
  const cjk = texts.filter(t => /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(t.textContent));
  return {
    kind: figure.className, left: box.left, right: box.right, width: box.width, height: box.height,
    columnLeft: column.left, columnRight: column.right,
    texts: texts.length, cjk: cjk.length,
    // a label of n full-width characters is about n em wide in a Japanese font
    ems: cjk.slice(0, 8).map(t => {
      const size = parseFloat(getComputedStyle(t).fontSize);
      const chars = Array.from(t.textContent).filter(c => /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(c)).length;
      return {text: t.textContent, chars, ratio: t.getBBox().width / size / Array.from(t.textContent).length,
              rendered: t.getBoundingClientRect().width};
    }),
    family: cjk.length ? getComputedStyle(cjk[0]).fontFamily : '',
  };
})"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize(
    ("path", "kinds"),
    [
        ("", ["bars", "map"]),
        ("fields/daily-life/", ["bars", "bars"]),
        ("funding/digital-denen-kofukin/", ["years"]),
    ],
    ids=["home", "field", "funding"],
)
def test_charts_fit_their_column_and_show_japanese_text(browser, real_site_url, viewport, path, kinds):
    context = browser.new_context(locale="ja-JP", viewport=viewport)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(real_site_url + path)
    boxes = page.evaluate(CHART_BOXES)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert [b["kind"].split("--")[-1] for b in boxes] == kinds
    assert overflow <= 0
    for box in boxes:
        assert box["width"] > 200 and box["height"] > 100, box
        assert box["columnLeft"] - 0.5 <= box["left"] and box["right"] <= box["columnRight"] + 0.5, box
        assert box["right"] <= viewport["width"], box
        assert box["cjk"] >= 2, box  # labels are <text>, not paths
        assert "sans-serif" in box["family"] and box["family"] != "sans-serif", box  # the page's font
        for label in box["ems"]:
            assert label["rendered"] > 0, label
            if label["chars"] == len(label["text"]):  # all full-width: about one em each
                assert 0.85 <= label["ratio"] <= 1.15, label
    assert all(url.startswith(real_site_url) for url in requests), "a chart loads nothing from outside"


def test_map_tiles_are_links_in_the_browser(browser, real_site_url, catalog):
    context = browser.new_context(locale="ja-JP", viewport=PHONE)
    page = context.new_page()
    page.goto(real_site_url)
    tile = page.locator("figure.jirei-chart--map svg a").first
    href = tile.get_attribute("xlink:href")
    tile.focus()  # reachable from the keyboard, with a visible outline
    focused = page.evaluate(
        "() => [document.activeElement.tagName, getComputedStyle(document.activeElement.querySelector('path')).strokeWidth]"
    )
    assert focused == ["a", "3px"]
    tile.click()
    page.wait_for_load_state()
    assert page.url == real_site_url + href
    context.close()
