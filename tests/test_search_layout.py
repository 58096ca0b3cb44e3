"""The search page's layout in Chromium at phone (390 px) and desktop (1280 px) widths: positions
and widths measured, not screenshots compared; the filter orders; active filters as chips."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlparse

import pytest

from generator.browser_index import facet_order
from generator.catalog import POPULATION_BANDS, PREFECTURAL_GROUP
from generator.models import COLLECTION_FIELDS
from generator.municipalities import prefectures

DONE = (
    "() => { const s = document.querySelector('#jirei-search-status');"
    " return s && s.textContent && !s.textContent.startsWith('検索しています'); }"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FILTERED = "q=AI&type=" + quote("事例") + "&field=" + quote("観光")


@pytest.fixture
def open_at(browser, real_site_url):
    contexts = []

    def opener(viewport: dict, query: str = ""):
        context = browser.new_context(locale="ja-JP", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        page.goto(real_site_url + "search/" + (f"?{query}" if query else ""))
        page.wait_for_function(DONE)
        return page

    yield opener
    for context in contexts:
        context.close()


def box(page, selector: str) -> dict:
    found = page.evaluate(
        """s => { const e = document.querySelector(s); if (!e) return null;
                  const r = e.getBoundingClientRect();
                  return {top: r.top, left: r.left, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; }""",
        selector,
    )
    assert found is not None, selector
    return found


def count(page) -> int:
    return int(page.inner_text("#jirei-search-status").split(" ")[0])


# --- phone -------------------------------------------------------------------------------


def test_phone_shows_the_count_and_results_first(open_at):
    page = open_at(PHONE, "q=AI")
    first = box(page, "#jirei-search-results li:first-child")
    status = box(page, "#jirei-search-status")
    print(f"\n390 px: status top {status['top']:.0f}, first result top {first['top']:.0f}")
    assert count(page) > 5
    assert status["top"] < first["top"] < PHONE["height"] - 80  # within the first screen, with room to read
    assert first["width"] >= PHONE["width"] - 60  # the results use the width
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    assert page.is_hidden("#jirei-search-panel")
    assert page.is_visible("#jirei-search-toggle") and page.inner_text("#jirei-search-toggle") == "絞り込み"
    assert page.errors == []


def test_phone_filter_panel_opens_with_its_button_and_closes(open_at):
    page = open_at(PHONE, FILTERED)
    toggle = page.locator("#jirei-search-toggle")
    assert toggle.inner_text() == "絞り込み（2）"
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.is_hidden("#jirei-search-panel")
    first = box(page, "#jirei-search-results li:first-child")
    assert first["top"] < PHONE["height"] - 80  # the chips do not push the results off the screen
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    panel = box(page, "#jirei-search-panel")
    assert panel["top"] == 0 and panel["width"] == PHONE["width"] and panel["height"] == PHONE["height"]
    assert page.evaluate("document.activeElement.id") == "jirei-search-close"
    assert page.is_checked("input[name=field][value=観光]")
    # a filter chosen in the panel applies at once; 「結果を表示」 closes it and returns to the button
    page.locator("#jirei-search-filters input[name=field][value=観光]").uncheck()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('field')")
    page.wait_for_function(DONE)
    page.click("#jirei-search-close")
    assert page.is_hidden("#jirei-search-panel")
    assert page.evaluate("document.activeElement.id") == "jirei-search-toggle"
    assert toggle.inner_text() == "絞り込み（1）"
    # Escape closes it too
    toggle.click()
    page.keyboard.press("Escape")
    assert page.is_hidden("#jirei-search-panel") and toggle.get_attribute("aria-expanded") == "false"
    assert page.errors == []


# --- desktop ------------------------------------------------------------------------------


def test_desktop_filters_beside_the_results_and_in_sight(open_at):
    page = open_at(DESKTOP, FILTERED)
    panel, results = box(page, "#jirei-search-panel"), box(page, "#jirei-search-results")
    article = box(page, "article")
    print(
        f"\n1280 px: article {article['width']:.0f} wide; filters {panel['left']:.0f}–{panel['right']:.0f}, "
        f"results {results['left']:.0f}–{results['right']:.0f} ({results['width']:.0f} wide), tops "
        f"{panel['top']:.0f}/{results['top']:.0f}"
    )
    assert page.is_hidden("#jirei-search-toggle")
    assert panel["right"] <= results["left"]  # beside, to the left
    assert abs(panel["top"] - results["top"]) < 60  # side by side, not one under the other
    assert results["width"] >= 0.6 * article["width"]
    # no empty side columns of the theme: the page uses the width
    assert page.is_hidden(".md-sidebar--primary") and page.is_hidden(".md-sidebar--secondary")
    assert article["width"] >= 1000
    # the chosen filters stay in sight while the results scroll
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_timeout(100)
    checked = box(page, "#jirei-search-filters input[name=field][value=観光]")
    assert 0 <= checked["top"] < DESKTOP["height"]
    assert page.errors == []


def test_desktop_has_no_filter_button_and_panel_always_open(open_at):
    page = open_at(DESKTOP, "q=AI")
    assert page.is_visible("#jirei-search-panel") and page.is_hidden("#jirei-search-toggle")


# --- active filters as chips ----------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_active_filters_are_chips_that_remove_themselves(open_at, viewport):
    page = open_at(viewport, FILTERED)
    both = count(page)
    chips = page.locator("#jirei-search-chips button.jirei-chip")
    assert [c.text_content() for c in chips.all()] == ["種類: 事例×", "分野: 観光×", "すべて外す"]
    assert chips.nth(1).get_attribute("aria-label") == "分野「観光」を外す"
    chips.nth(1).click()  # one tap
    page.wait_for_function(DONE)
    assert parse_qs(urlparse(page.url).query) == {"q": ["AI"], "type": ["事例"]}
    assert count(page) > both
    assert [c.text_content() for c in chips.all()] == ["種類: 事例×"]
    assert page.evaluate("document.activeElement.classList.contains('jirei-chip')")
    chips.first.click()
    page.wait_for_function(DONE)
    assert parse_qs(urlparse(page.url).query) == {"q": ["AI"]}
    assert page.is_hidden("#jirei-search-chips")
    assert page.errors == []


# --- the orders of the filters ----------------------------------------------------------------


def group_values(page, key: str) -> list[str]:
    more = page.locator(f"#jirei-search-filters fieldset[data-group={key}] button.jirei-facet__more")
    if more.count():
        more.click()
    return page.evaluate(
        "k => [...document.querySelectorAll(`#jirei-search-filters fieldset[data-group='${k}'] input[type=checkbox]`)]"
        ".map(b => b.value)",
        key,
    )


def test_filter_orders_people_expect(open_at):
    page = open_at(DESKTOP, "type=" + quote("事例"))
    bands = [b.label for b in [*POPULATION_BANDS, PREFECTURAL_GROUP]]
    shown = group_values(page, "band")
    assert shown == [b for b in bands if b in shown] and len(shown) >= 5
    shown = group_values(page, "field")
    assert shown == [f for f in COLLECTION_FIELDS if f in shown] and len(shown) >= 15
    jis = [p.name for p in prefectures()]
    shown = group_values(page, "prefecture")
    assert shown == [p for p in jis if p in shown] and len(shown) >= 20
    years = group_values(page, "year")
    western = [int(y[2:-2]) if y[2:-2].isdigit() else 1 for y in years]
    eras = ["平成", "令和"]
    assert [(eras.index(y[:2]), w) for y, w in zip(years, western, strict=True)] == sorted(
        (eras.index(y[:2]), w) for y, w in zip(years, western, strict=True)
    )
    assert "令和元年度" not in years or years.index("令和元年度") < years.index("令和5年度")
    # programs and keywords: the most common first, each with its count
    for key in ("funding", "tag"):
        counts = page.evaluate(
            "k => [...document.querySelectorAll(`#jirei-search-filters fieldset[data-group='${k}'] .jirei-facet__count`)]"
            ".map(c => Number(c.textContent.slice(1, -1)))",
            key,
        )
        assert counts == sorted(counts, reverse=True) and counts[0] > 1, key


def test_facet_order_in_python():
    pages = {"令和5年度": [1], "令和元年度": [2], "平成30年度": [3], "令和10年度": [4]}
    assert facet_order("year", pages) == ["平成30年度", "令和元年度", "令和5年度", "令和10年度"]
    bands = {"100万人〜": [1], "〜1万人": [2], "10万〜30万人": [3], "1万〜5万人": [4], "都道府県": [5]}
    assert facet_order("band", bands) == ["〜1万人", "1万〜5万人", "10万〜30万人", "100万人〜", "都道府県"]
    assert facet_order("prefecture", {"東京都": [1], "北海道": [2], "沖縄県": [3], "長野県": [4]}) == [
        "北海道",
        "東京都",
        "長野県",
        "沖縄県",
    ]
    assert facet_order("field", {"ローカル5G": [1], "住民生活": [2], "地域活性化": [3]}) == [
        "地域活性化",
        "住民生活",
        "ローカル5G",
    ]


def test_keyword_values_can_be_found_with_a_box(open_at):
    page = open_at(DESKTOP, "type=" + quote("事例"))
    tags = "#jirei-search-filters fieldset[data-group=tag]"
    assert page.locator(f"{tags} input[type=checkbox]").count() == 12  # the most common first
    page.fill(f"{tags} input.jirei-facet__find", "ドローン")
    page.wait_for_timeout(50)
    values = page.evaluate(f"() => [...document.querySelectorAll('{tags} input[type=checkbox]')].map(b => b.value)")
    assert values and all("ドローン" in v for v in values)
    assert page.evaluate("document.activeElement.classList.contains('jirei-facet__find')")
    page.locator(f"{tags} input[type=checkbox]").first.check()
    page.wait_for_function("() => new URLSearchParams(location.search).has('tag')")
    page.wait_for_function(DONE)
    assert count(page) >= 1
    page.fill(f"{tags} input.jirei-facet__find", "該当しない語ぬぬぬ")
    assert "を含むキーワードはありません" in page.inner_text(tags)
    assert page.errors == []


# --- results: excerpts and related cases -------------------------------------------------------


def test_excerpts_begin_near_the_match(open_at):
    page = open_at(DESKTOP, "q=" + quote("ドローン 買い物"))
    excerpts = page.evaluate(
        """() => [...document.querySelectorAll('#jirei-search-results .jirei-result__excerpt')].map(p => {
              const m = p.querySelector('mark'); if (!m) return null;
              let before = ''; for (const n of p.childNodes) { if (n === m) break; before += n.textContent; }
              return [before, m.textContent]; })"""
    )
    assert excerpts and all(e is not None for e in excerpts)
    for before, marked in excerpts:
        assert len(before) <= 41 and marked in ("ドローン", "買い物")
    page = open_at(DESKTOP, "q=AI")
    texts = page.evaluate(
        "() => [...document.querySelectorAll('#jirei-search-results .jirei-result__excerpt')].map(p => p.textContent)"
    )
    assert not any(t.startswith(("2 住民生活", "1 地域活性化")) for t in texts)
    marks = page.evaluate("() => [...document.querySelectorAll('#jirei-search-results mark')].map(m => m.textContent)")
    assert marks and all(m.lower() == "ai" for m in marks)


def test_cases_under_a_predecessor_or_successor_are_marked_and_last(open_at):
    page = open_at(DESKTOP, "q=" + quote("デジ田"))
    related = page.evaluate("jireiSearch.relatedUrls()")
    direct = page.evaluate("jireiSearch.resultUrls()")
    assert direct[0] == "/funding/digital-denen-kofukin/" and len(direct) >= 5 and related
    items = page.locator("#jirei-search-results li")
    flags = [items.nth(i).get_attribute("class").endswith("--related") for i in range(items.count())]
    assert flags == [False] * len(direct) + [True] * len(related)
    assert "前身または後継の制度で実施した事例" in items.nth(len(direct)).inner_text()
    assert page.inner_text("#jirei-search-status").startswith(f"{len(direct)} 件見つかりました")


# --- accessibility at both widths ----------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_search_page_has_no_serious_axe_violations(open_at, viewport):
    from axe_playwright_python.sync_playwright import Axe

    rules = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    page = open_at(viewport, FILTERED)
    states = ["closed"]
    if viewport is PHONE:
        states.append("open")
    for state in states:
        if state == "open":
            page.click("#jirei-search-toggle")
        violations = Axe().run(page, options={**rules, "resultTypes": ["violations"]}).response["violations"]
        serious = [
            f"{v['id']}: {v['nodes'][0]['target']}" for v in violations if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (state, serious)
