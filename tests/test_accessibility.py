"""Accessibility in Chromium: axe-core's WCAG 2.1 A/AA rules on every page type.

Target: no violation of impact serious or critical (JIS X 8341-3:2016, level AA). The results
of a complete run go to test-artifacts/accessibility.json, and to the committed
reports/accessibility.json (from which the build generates the site's accessibility page) only
with `pytest --update-goldens`, so that `make test` leaves the tree as it was; screenshots of
each page type go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PROJECT

REPORT = PROJECT / "reports" / "accessibility.json"
LATEST = PROJECT / "test-artifacts" / "accessibility.json"
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ["critical", "serious", "moderate", "minor"]
SEARCH_DONE = (
    "() => /件見つかりました|見つかりませんでした/.test(document.querySelector('#jirei-search-status').textContent)"
)

PAGE_TYPES = [
    ("home", "ホーム", ""),
    ("case", "事例", "cases/ina-drone-shopping/"),
    ("cases", "事例一覧（表）", "cases/"),
    ("field", "分野別の一覧", "fields/daily-life/"),
    ("band", "人口規模別の一覧", "population/50k-100k/"),
    ("funding", "支援制度", "funding/digital-denen-kofukin/"),
    ("prefecture", "都道府県別の一覧", "prefectures/nagano/"),
    ("talent", "人材募集の一覧", "talent/"),
    ("posting-open", "求人（募集中）", "talent/postings/test-open/"),
    ("posting-closed", "求人（募集終了）", "talent/postings/test-closed/"),
    ("advisors", "アドバイザー派遣制度の比較", "talent/advisors/"),
    ("search-results", "検索（結果あり）", "search/?q=AI"),
    (
        "search-filters",
        "検索（絞り込みあり）",
        "search/?q=AI&type=%E4%BA%8B%E4%BE%8B&field=%E5%AD%90%E8%82%B2%E3%81%A6",
    ),
    ("accessibility", "アクセシビリティ方針", "accessibility/"),
    ("prefectures", "都道府県の一覧", "prefectures/"),
    ("funding-index", "支援制度の一覧", "funding/"),
    ("about", "このサイトについて", "about/"),
    ("data", "オープンデータ", "data/"),
    ("contribute", "事例の投稿フォーム", "contribute/"),
    ("contribute-edit", "事例の修正（編集画面への案内）", "contribute/?edit=ina-drone-shopping"),
    ("not-found", "ページが見つかりません（404）", "404.html"),
]
# Every page type at a desktop's width and at a phone's (390 px, where tables become cards).
PAGE_TYPES = [
    variant
    for key, label, path in PAGE_TYPES
    for variant in ((key, label, path), (f"{key}-phone", f"{label}（スマートフォン幅）", path))
]


@pytest.fixture(scope="module")
def site_url(postings_site_url):
    return postings_site_url


@pytest.fixture(scope="module")
def results(pytestconfig):
    collected: dict[str, dict] = {}
    yield collected
    if len(collected) == len(PAGE_TYPES):  # write the report only from a complete run
        report = {
            "standard": "JIS X 8341-3:2016 適合レベル AA（WCAG 2.1 レベル AA）",
            "date": date.today().isoformat(),
            "tool": collected[PAGE_TYPES[0][0]]["tool"],
            "rules": RULES,
            "pages": [collected[key] for key, _, _ in PAGE_TYPES],
        }
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        LATEST.parent.mkdir(parents=True, exist_ok=True)
        LATEST.write_text(text, encoding="utf-8")
        if pytestconfig.getoption("--update-goldens"):
            REPORT.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("key", "label", "path"), PAGE_TYPES, ids=[p[0] for p in PAGE_TYPES])
def test_page_type_has_no_serious_violations(browser, site_url, results, key, label, path):
    phone = key.endswith("-phone")
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(site_url + path)
    if path.startswith("search/"):
        page.wait_for_function(SEARCH_DONE)
    page.wait_for_timeout(200)
    axe = Axe()
    outcome = axe.run(page, options={"runOnly": {"type": "tag", "values": RULES}, "resultTypes": ["violations"]})
    violations = outcome.response["violations"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{key}.png"), full_page=True)
    counts = {impact: sum(1 for v in violations if v["impact"] == impact) for impact in IMPACTS}
    results[key] = {
        "key": key,
        "label": label,
        "path": path,
        "violations": counts,
        "details": [
            {"rule": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])} for v in violations
        ],
        "tool": f"axe-core {page.evaluate('axe.version')}（Playwright で Chromium {context.browser.version} を操作）",
    }
    context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_report_feeds_the_accessibility_page(site_url, browser):
    """The page shows the committed report of the last complete run."""
    assert REPORT.exists(), "reports/accessibility.json がありません: このテストを通して実行してください"
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    page = browser.new_page()
    page.goto(site_url + "accessibility/")
    text = page.inner_text("article")
    assert "JIS X 8341-3:2016" in text and report["date"] in text
    for entry in report["pages"]:
        assert entry["label"] in text
    page.close()
