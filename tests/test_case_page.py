"""The case page as an officer reads it: costs totalled within one basis, dates in 和暦, headings
that say what the text is, the cases of local governments of the same size and kind."""

from __future__ import annotations

import re
from datetime import date

import pytest

from generator.catalog import Catalog, wareki_date, wareki_period, wareki_year_span
from generator.render import render_pages
from generator.validate import validate_content
from tests.cases import case_text
from tests.talent import posting_text
from tests.test_kind import municipality_lines

TODAY = date(2026, 11, 30)
ISO_DATE = re.compile(r"(?<![\d/.-])(1[89]|2[01])\d\d-(0[1-9]|1[0-2])(-\d\d)?(?!\d)")

COSTS = """\
costs:
  - fiscal_year: 2021
    amount: 1000
    basis: 事業費
  - fiscal_year: 2024
    amount: 2000
    basis: 予算
  - fiscal_year: 2022
    amount: 300
    basis: 事業費
  - fiscal_year: 2025
    amount: 50
    basis: 予算
  - fiscal_year: 2023
    amount: 7
  - fiscal_year: 2024
    amount: 9
"""
ORIGINAL_COSTS = """\
costs:
  - fiscal_year: 2021
    amount: 39481
    basis: 事業費
"""


def write_case(content, case_id: str, replace: dict[str, str]) -> None:
    (content / "cases" / f"{case_id}.yaml").write_text(case_text(case_id, replace), encoding="utf-8")


def catalog_of(content) -> Catalog:
    loaded, problems = validate_content(content)
    assert problems == []
    return Catalog(loaded, TODAY)


@pytest.fixture
def content(taxonomy_only):
    extra = (
        "updated: 2026-11-22\n"
        "background: |\n  経緯の説明です。\n"
        "advice: |\n  助言の説明です。\n"
        "outcomes: |\n  窓口の待ち時間が約3割減りました。\n"
        "population_note: 出典では約6.6万人\n"
        "sources:\n  - title: テスト用の出典\n    url: https://example.jp/source\n    published: 2022-09\n"
    )
    write_case(
        taxonomy_only,
        "costly",
        {
            ORIGINAL_COSTS: COSTS,
            "sources:\n  - title: テスト用の出典\n    url: https://example.jp/source\n": extra,
        },
    )
    return taxonomy_only


def visible_text(markdown: str) -> str:
    """What a reader sees: no front matter, no tags or attributes, no structured data."""
    body = markdown.split("---", 2)[2]
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", "", body)


def test_costs_are_totalled_only_within_one_basis(content):
    catalog = catalog_of(content)
    entry = catalog.case_by_id["costly"]
    groups = {g.basis: g for g in entry.cost_groups}
    assert list(groups) == ["事業費", "予算", None]
    assert (groups["事業費"].total, groups["事業費"].years) == (1300, [2021, 2022])
    assert (groups["予算"].total, groups["予算"].years) == (2050, [2024, 2025])
    assert groups[None].total is None  # amounts of no stated basis may be of different kinds
    assert groups["事業費"].total_per_resident == pytest.approx(1300 * 1000 / 66000)

    page = render_pages(catalog)["cases/costly.md"]
    totals = re.findall(r'<tr class="jirei-cost-total"><th[^>]*>([^<]*)</th><td[^>]*>([^<]*)</td>', page)
    assert totals == [
        ("事業費の合計（令和3年度、令和4年度）", "1,300"),
        ("予算の合計（令和6年度、令和7年度）", "2,050"),
    ]
    for wrong in ("3,366", "3,350", "2,300", "1,050"):  # sums across bases
        assert wrong not in page
    assert ">合計<" not in page
    # Each line has its year, basis and per-resident figure.
    lines = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", page)
    assert ("令和3年度", "事業費", "1,000", "15") in lines
    assert ("令和6年度", "予算", "2,000", "30") in lines
    assert ("令和5年度", "区分の記載なし", "7", "0.11") in lines
    assert len(lines) == 6


def test_a_single_cost_has_no_total(taxonomy_only):
    write_case(taxonomy_only, "single", {})
    page = render_pages(catalog_of(taxonomy_only))["cases/single.md"]
    assert "jirei-cost-total" not in page
    assert "合計" not in page


def test_dates_on_the_case_page_are_in_wareki(content):
    page = render_pages(catalog_of(content))["cases/costly.md"]
    text = visible_text(page)
    assert ISO_DATE.search(text) is None, ISO_DATE.search(text)
    assert "開始時期</th><td>令和2年8月</td>" in page
    assert "66,000人（令和5年1月1日時点）" in page
    assert "（令和4年9月）" in page  # the source's date
    assert "最終確認: 令和8年11月22日" in page


def test_dates_on_a_posting_page_are_in_wareki(taxonomy_only):
    postings = taxonomy_only / "talent" / "postings"
    postings.mkdir(parents=True)
    (postings / "open.yaml").write_text(posting_text("open", TODAY, -10, 5), encoding="utf-8")
    (postings / "upcoming.yaml").write_text(posting_text("upcoming", TODAY, 3, 40), encoding="utf-8")
    pages = render_pages(catalog_of(taxonomy_only))
    for path in ("talent/postings/open.md", "talent/postings/upcoming.md"):
        text = visible_text(pages[path])
        assert ISO_DATE.search(text) is None, (path, ISO_DATE.search(text))
    open_page = pages["talent/postings/open.md"]
    assert "締切間近: 締切は令和8年12月5日です。" in open_page
    assert "（令和8年11月30日時点）" in open_page
    assert "令和9年4月1日〜令和10年3月31日" in open_page  # the term
    assert "令和8年11月20日〜令和8年12月5日" in open_page  # the application period
    assert "募集前: 受付は令和8年12月3日からです。" in pages["talent/postings/upcoming.md"]
    for path in ("talent/index.md", *(p for p in pages if p.startswith("talent/") and p.count("/") == 2)):
        text = visible_text(pages[path])
        assert ISO_DATE.search(text) is None, (path, ISO_DATE.search(text))  # the talent lists too
    assert "募集の状態は令和8年11月30日時点のものです。" in pages["talent/index.md"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2020-08", "令和2年8月"),
        ("2020", "令和2年"),
        (date(2025, 5, 5), "令和7年5月5日"),
        ("2019-04-30", "平成31年4月30日"),
        ("2019-05-01", "令和元年5月1日"),
        ("2019", "平成31年・令和元年"),
        ("1989-01", "昭和64年・平成元年1月"),
        ("1900-01-01", "明治33年1月1日"),
        (None, ""),
    ],
)
def test_wareki_date(value, text):
    assert wareki_date(value) == text


@pytest.mark.parametrize(
    ("period", "text"),
    [
        ("2021 (supplementary budget)–2022", "令和3年度（補正予算）〜令和4年度"),
        ("2016–2022", "平成28年度〜令和4年度"),
        ("2026–", "令和8年度〜"),
        ("2019", "令和元年度"),
    ],
)
def test_funding_periods_in_wareki(period, text):
    assert wareki_period(period) == text


def test_a_program_page_shows_its_period_in_wareki(taxonomy_only):
    pages = render_pages(catalog_of(taxonomy_only))
    page = pages["funding/digital-denen-suishin-kofukin.md"]
    assert '<th scope="row">期間</th><td>令和3年度（補正予算）〜令和4年度</td>' in page
    for path, markdown in pages.items():
        if path.startswith("funding/") and path != "funding/index.md":
            assert "supplementary" not in markdown, path


def test_year_spans():
    assert wareki_year_span([2023, 2021, 2022]) == "令和3年度〜令和5年度"
    assert wareki_year_span([2021, 2023]) == "令和3年度、令和5年度"


def test_headings_say_what_the_text_is(content):
    page = render_pages(catalog_of(content))["cases/costly.md"]
    headings = re.findall(r"(?m)^## (.+)$", page)
    assert "もっと知りたい！担当者にインタビュー" not in page
    assert headings[:6] == [
        "事業の概要",
        "成果・効果",
        "参考情報",
        "取組の経緯・きっかけ",
        "活用した国・都道府県の支援制度",
        "他の団体への助言",
    ]
    assert "編集者が要約したもの" in page
    assert "窓口の待ち時間が約3割減りました。" in visible_text(page)
    assert "出典では約6.6万人" in visible_text(page)  # an approximate population is said to be one


def test_outcomes_are_searchable(content):
    """成果・効果 is part of the case's searchable text, in the browser index and on the command line."""
    from generator import search

    catalog = catalog_of(content)
    entry = next(e for e in catalog.cases if e.case.id == "costly")
    assert "約3割減" in search.case_text(catalog, entry)


# (id, prefecture, name, population): 伊那市 and 茅野市 and 駒ヶ根市 are その他の市 of 5万〜10万人 (駒ヶ根市 as
# the record says), 松本市 is a 中核市, 軽井沢町 a 町; a second case of 伊那市 is not another local government.
SIZES = [
    ("ina", "長野県", "伊那市", 66_000),
    ("ina-second", "長野県", "伊那市", 66_000),
    ("chino", "長野県", "茅野市", 55_000),
    ("komagane", "長野県", "駒ヶ根市", 70_000),
    ("suwa", "長野県", "諏訪市", 99_999),
    ("iida", "長野県", "飯田市", 100_000),
    ("matsumoto", "長野県", "松本市", 80_000),
    ("karuizawa", "長野県", "軽井沢町", 66_000),
]


def test_the_same_size_list_has_cases_of_the_same_band_and_kind(taxonomy_only):
    for case_id, prefecture, name, population in SIZES:
        replace = {**municipality_lines(prefecture, name), "population: 66000": f"population: {population}"}
        write_case(taxonomy_only, case_id, replace)
    catalog = catalog_of(taxonomy_only)
    same = {e.id: [o.id for o in catalog.same_size_cases(e)] for e in catalog.cases}
    assert same["ina"] == ["komagane", "chino", "suwa"]  # nearest in population first
    assert same["ina-second"] == ["komagane", "chino", "suwa"]
    assert same["chino"] == ["ina", "ina-second", "komagane", "suwa"]
    assert same["iida"] == []  # 10万〜30万人: no other その他の市
    assert same["matsumoto"] == []  # a 中核市 (whatever its population)
    assert same["karuizawa"] == []  # a 町
    for case_id, others in same.items():
        assert case_id not in others

    page = render_pages(catalog)["cases/ina.md"]
    section = page[page.index("## 同じ規模の団体の事例") :]
    section = section[: section.index("\n## ")]
    assert re.findall(r'href="../../cases/([a-z-]+)/"', section) == ["komagane", "chino", "suwa"]
    assert "その他の市のうち、人口規模が同じ（5万〜10万人）ほかの団体の事例です" in section
    assert '<a href="../../kinds/other-city/">その他の市の事例をすべて見る</a>' in section
    assert "## 同じ規模の団体の事例" not in render_pages(catalog)["cases/iida.md"]


def test_the_field_reference_has_japanese_headings(taxonomy_only):
    page = render_pages(catalog_of(taxonomy_only))["about/fields.md"]
    headings = re.findall(r"(?m)^## (.+)$", page)
    assert headings[:4] == ["事例", "団体", "支援制度の活用", "事業費"]
    assert "求人" in headings and "アドバイザー派遣制度" in headings
    assert all(not re.fullmatch(r"[A-Za-z]+", heading) for heading in headings)


def test_related_cases_are_chosen_by_what_the_cases_do_not_by_field(taxonomy_only):
    """Cases of one field that share no tag, program or words are not related; a shared tag is."""
    cases = {
        "madoguchi": (
            "書かない窓口で申請書の作成を職員が行う",
            "申請書は窓口の職員が聞き取って作成し、来庁者は署名だけを行う。",
            "書かない窓口",
        ),
        "navi-app": (
            "町の情報を知らせるスマートフォンアプリ",
            "防災情報やごみ収集日をプッシュ通知で配信する。",
            "アプリ",
        ),
        "onestop": (
            "転入時の手続をまとめて受け付ける",
            "住民異動にともなう複数課の手続を一度に受け付ける。",
            "書かない窓口",
        ),
    }
    for case_id, (title, summary, tag) in cases.items():
        replace = {
            "title: テスト用のドローン配送の取組": f"title: {title}",
            "  テスト用の概要です。\n  - 箇条書き\n": f"  {summary}\n",
            "tags: [ドローン]": f"tags: [{tag}]",
            "support_programs:\n  - program: chiho-sosei-suishin-kofukin\n    fiscal_years: [2019, 2020]\n": "",
        }
        write_case(taxonomy_only, case_id, replace)
    catalog = catalog_of(taxonomy_only)
    related = {case_id: [e.id for e in entries] for case_id, entries in catalog.related.items()}
    assert related["madoguchi"] == ["onestop"]
    assert related["onestop"] == ["madoguchi"]
    assert related["navi-app"] == []  # same field (住民生活), nothing done alike
    assert "## 取組の内容が近い事例" not in render_pages(catalog)["cases/navi-app.md"]


def test_the_kakanai_madoguchi_case_is_not_related_to_a_navigation_app():
    from tests.conftest import CONTENT

    loaded, problems = validate_content(CONTENT)
    assert problems == []
    catalog = Catalog(loaded, TODAY)
    assert "asagiri-navi-app" not in [e.id for e in catalog.related["kitami-kakanai-onestop-madoguchi"]]
