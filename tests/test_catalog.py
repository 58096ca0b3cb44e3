"""What the catalog derives: 和暦, population bands, program lineage."""

from __future__ import annotations

from datetime import date

import pytest

from generator.catalog import PREFECTURAL_GROUP, Catalog, population_band, wareki_fiscal_year
from generator.validate import validate_content
from tests.conftest import CONTENT


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2021, "令和3年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1990, "平成2年度"),
        (1989, "平成元年度"),
        (2100, "令和82年度"),
    ],
)
def test_wareki(year, label):
    assert wareki_fiscal_year(year) == label


@pytest.mark.parametrize(
    ("population", "slug"),
    [
        (1, "under-10k"),
        (9_999, "under-10k"),
        (10_000, "10k-50k"),
        (49_999, "10k-50k"),
        (50_000, "50k-100k"),
        (100_000, "100k-300k"),
        (300_000, "300k-1m"),
        (999_999, "300k-1m"),
        (1_000_000, "over-1m"),
    ],
)
def test_population_band_edges(population, slug):
    assert population_band(population, "市").slug == slug


def test_prefecture_is_its_own_group():
    assert population_band(1_300_000, "都道府県") is PREFECTURAL_GROUP


def test_program_lineage():
    content, _ = validate_content(CONTENT)
    catalog = Catalog(content, date(2026, 11, 23))
    assert catalog.descendants("chiho-sosei-suishin-kofukin") == [
        "digital-denen-kofukin",
        "atarashii-chiho-keizai-kofukin",
        "chiiki-mirai-kofukin",
    ]
    ancestors = catalog.ancestors("atarashii-chiho-keizai-kofukin")
    assert ancestors[0] == "digital-denen-kofukin"
    assert {"chiho-sosei-suishin-kofukin", "chiho-sosei-kyoten-seibi-kofukin", "digital-denen-suishin-kofukin"} <= set(
        ancestors
    )
    uses = catalog.program_uses("digital-denen-kofukin")
    relations = {(u.entry.id, u.relation) for u in uses}
    assert ("ina-drone-shopping", "前身") in relations
