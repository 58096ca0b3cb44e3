"""The kind of local government (政令指定都市, 中核市…): the ministry's lists, the catalog's groups
and the kind pages."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date

import pytest

from generator import urls
from generator.catalog import Catalog
from generator.municipalities import DATA, GOVERNMENT_KINDS, all_governments, codes_by_name
from generator.render import render_pages
from generator.validate import validate_content
from tests.cases import case_text


def _rows(file_name: str) -> list[dict[str, str]]:
    with open(DATA / file_name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(("file_name", "count"), [("designated-cities.csv", 20), ("core-cities.csv", 62)])
def test_the_ministry_lists_name_cities_of_the_code_list(file_name, count):
    rows = _rows(file_name)
    assert len(rows) == count
    governments = all_governments()
    for row in rows:
        government = governments[row["code"]]
        assert (government.prefecture, government.name) == (row["prefecture"], row["city"])
        assert government.kind == "市"
    assert len({row["code"] for row in rows}) == count


def test_the_two_lists_are_apart_and_known_cities_are_where_they_belong():
    designated = {r["city"] for r in _rows("designated-cities.csv")}
    core = {r["city"] for r in _rows("core-cities.csv")}
    assert not designated & core
    assert {"札幌市", "相模原市", "熊本市", "さいたま市"} <= designated
    assert {"長野市", "松本市", "一宮市", "那覇市", "八王子市"} <= core
    assert not {"つくば市", "伊那市", "佐賀市"} & (designated | core)  # 施行時特例市 and other cities


def test_every_local_government_has_one_kind():
    counts = Counter(g.government_kind.label for g in all_governments().values())
    assert counts == {
        "都道府県": 47,
        "政令指定都市": 20,
        "中核市": 62,
        "その他の市": 710,
        "特別区": 23,
        "町": 743,
        "村": 183,
    }
    wards = sorted(g.code for g in all_governments().values() if g.government_kind.label == "特別区")
    assert wards[0] == "131016" and wards[-1] == "131237"
    assert [k.label for k in GOVERNMENT_KINDS] == [
        "都道府県",
        "政令指定都市",
        "中核市",
        "その他の市",
        "特別区",
        "町",
        "村",
    ]


# One case at each of these places: (prefecture, name, population, expected kind slug).
PLACES = [
    ("長野県", "長野県", 2_000_000, "prefecture"),
    ("神奈川県", "横浜市", 3_770_000, "designated-city"),
    ("長野県", "長野市", 367_000, "core-city"),
    ("長野県", "伊那市", 66_000, "other-city"),
    ("長野県", "茅野市", 55_000, "other-city"),
    ("東京都", "渋谷区", 229_000, "special-ward"),
    ("長野県", "軽井沢町", 20_000, "town"),
    ("長野県", "南箕輪村", 15_000, "village"),
]


def municipality_lines(prefecture: str, name: str) -> dict[str, str]:
    code = codes_by_name()[(prefecture, name)]
    return {
        'code: "202096"': f'code: "{code}"',
        "prefecture: 長野県": f"prefecture: {prefecture}",
        "name: 伊那市": f"name: {name}",
    }


@pytest.fixture
def catalog(taxonomy_only) -> Catalog:
    for index, (prefecture, name, population, _) in enumerate(PLACES):
        replace = {**municipality_lines(prefecture, name), "population: 66000": f"population: {population}"}
        text = case_text(f"case-{index}", replace)
        (taxonomy_only / "cases" / f"case-{index}.yaml").write_text(text, encoding="utf-8")
    content, problems = validate_content(taxonomy_only)
    assert problems == []
    return Catalog(content, date(2026, 11, 30))


def test_each_case_has_the_kind_of_its_local_government(catalog):
    assert [e.kind.slug for e in catalog.cases] == [slug for *_, slug in PLACES]
    by_kind = {k.slug: [e.id for e in catalog.cases_of_kind(k)] for k in catalog.government_kinds}
    assert by_kind["other-city"] == ["case-4", "case-3"]  # the smaller first
    assert by_kind["village"] == ["case-7"]
    assert sum(len(ids) for ids in by_kind.values()) == len(PLACES)
    other_city = catalog.government_kinds[3]
    assert [b.slug for b in catalog.bands_of_kind(other_city)] == ["50k-100k"]


def _count_cells(page: str) -> dict[str, list[str]]:
    """Each row of the index's tables: its kind and the numbers in it."""
    rows: dict[str, list[str]] = {}
    for match in re.finditer(r'<tr><t[hd][^>]*><a href="[^"]*kinds/([a-z-]+)/">[^<]+</a></t[hd]>(.*?)</tr>', page):
        rows.setdefault(match.group(1), []).append(re.findall(r'<td class="jirei-number">([^<]*)</td>', match.group(2)))
    return rows


def test_the_kind_index_counts_the_cases_of_each_kind_and_band(catalog):
    pages = render_pages(catalog)
    index = pages[urls.docs_path("kinds")]
    rows = _count_cells(index)
    assert set(rows) == {k.slug for k in GOVERNMENT_KINDS}
    totals = {slug: cells[0] for slug, cells in rows.items()}
    assert totals == {
        "prefecture": ["1"],
        "designated-city": ["1"],
        "core-city": ["1"],
        "other-city": ["2"],
        "special-ward": ["1"],
        "town": ["1"],
        "village": ["1"],
    }
    bands = [b.slug for b in catalog.population_groups]
    by_band = rows["other-city"][1]
    assert by_band[bands.index("50k-100k")] == "2"
    assert [cell for i, cell in enumerate(by_band) if i != bands.index("50k-100k")] == ["—"] * (len(bands) - 1)
    assert rows["core-city"][1][bands.index("300k-1m")] == "1"


def test_a_kind_page_lists_its_cases_by_band_and_every_kind_has_a_page(catalog):
    pages = render_pages(catalog)
    for kind in GOVERNMENT_KINDS:
        assert urls.docs_path("kind", kind.slug) in pages
    page = pages["kinds/other-city.md"]
    assert "<h1>団体の種類: その他の市</h1>" in page
    assert "## 人口規模: 5万〜10万人" in page
    assert page.index("cases/case-4/") < page.index("cases/case-3/")
    assert "cases/case-2/" not in page  # 長野市 is a 中核市
    village = pages["kinds/village.md"]
    assert "cases/case-7/" in village and "cases/case-3/" not in village
    case_page = pages["cases/case-2.md"]
    assert '<a href="../../kinds/core-city/">中核市</a>' in case_page
