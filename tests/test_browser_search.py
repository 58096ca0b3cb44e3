"""Search in a real browser (Debian's Chromium): Japanese matching, facets, URL state, no JS."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlparse

import pytest

from generator.browser_index import shard_of
from generator.search import crosses_punctuation, normalize, query_words, read_documents, runs
from tests.conftest import CONTENT
from tests.search.evaluate import evaluate, report

DONE = "() => { const s = document.querySelector('#jirei-search-status'); return s && s.textContent && !s.textContent.startsWith('検索しています'); }"


def open_search(page, base: str, query: str = "") -> None:
    page.goto(base + "search/" + (f"?{query}" if query else ""))
    page.wait_for_function(DONE)


def status(page) -> str:
    return page.inner_text("#jirei-search-status")


def test_browser_and_python_normalise_alike(page, real_site, real_site_url):
    page.goto(real_site_url + "search/")
    samples = ["ドローン配送、ＡＩと５Ｇ", "ｱﾌﾟﾘ・Wi-Fi 6E", "令和3年度（2021）", "𠮷野家とヴァイオリン", "DX推進ー"]
    samples += [d.text[:400] for d in read_documents(real_site)[:20]]
    for text in samples:
        got = page.evaluate("t => { const n = jireiSearch.normalize(t); return [n, jireiSearch.runs(n)]; }", text)
        assert got == [normalize(text), runs(normalize(text))], text
    for word in ["どろーん", "市", "wi-fi", "「ai」", "dx推進"]:
        assert page.evaluate("w => jireiSearch.crossesPunctuation(w)", word) == crosses_punctuation(word)
    for token in ["どろ", "市", "ai", "𠮷野"]:
        assert page.evaluate("t => jireiSearch.shardOf(t, 97)", token) == shard_of(token, 97)
    assert page.evaluate("q => jireiSearch.queryWords(q)", "防災　アプリ ＡＩ") == query_words("防災　アプリ ＡＩ")


def test_browser_evaluation_set(page, real_site, real_site_url):
    documents = read_documents(real_site)

    def find(query: str) -> set[str]:
        open_search(page, real_site_url, "q=" + quote(query))
        return {url.lstrip("/") for url in page.evaluate("jireiSearch.resultUrls()")}

    scores, mistakes = evaluate(documents, find)
    print("\nbrowser:\n" + report(scores))
    assert mistakes == []
    for score in scores:
        assert score.recall == 1.0 and score.precision >= 0.95, score
    assert page.errors == []


def test_typing_a_query_shows_results_with_highlight(page, real_site_url):
    open_search(page, real_site_url)
    page.fill("#jirei-search-q", "どろーん")
    page.wait_for_function(
        "() => document.querySelector('#jirei-search-status').textContent.includes('件見つかりました')"
    )
    titles = [a.inner_text() for a in page.query_selector_all("#jirei-search-results h3 a")]
    assert titles[0] == "ドローンとケーブルテレビを使った買い物支援「ゆうあいマーケット」"
    assert page.inner_text("#jirei-search-results li:first-child mark") == "ドローン"
    assert "長野県 伊那市｜住民生活" in page.inner_text("#jirei-search-results li:first-child")
    assert page.get_attribute("#jirei-search-status", "aria-live") == "polite"
    assert page.get_attribute("#jirei-search-status", "role") == "status"


def test_filters_combine_with_counts_url_state_and_back_button(page, real_site_url):
    open_search(page, real_site_url, "q=" + quote("AI"))
    total = int(status(page).split(" ")[0])
    facet = page.locator("label.jirei-facet__option", has=page.locator("input[name=type][value=事例]"))
    count = int(facet.locator(".jirei-facet__count").inner_text().strip("()"))
    facet.locator("input").check()
    page.wait_for_function(f"() => document.querySelector('#jirei-search-status').textContent.startsWith('{count} 件')")
    assert count < total
    query = parse_qs(urlparse(page.url).query)
    assert query == {"q": ["AI"], "type": ["事例"]}
    # a second filter group narrows further (AND across groups)
    field = page.locator("label.jirei-facet__option", has=page.locator("input[name=field][value=子育て]"))
    field_count = int(field.locator(".jirei-facet__count").inner_text().strip("()"))
    field.locator("input").check()
    page.wait_for_function(
        f"() => document.querySelector('#jirei-search-status').textContent.startsWith('{field_count} 件')"
    )
    assert 0 < field_count < count
    for link in page.query_selector_all("#jirei-search-results .jirei-result__meta"):
        assert link.inner_text().endswith("｜子育て")
    page.go_back()
    page.wait_for_function(f"() => document.querySelector('#jirei-search-status').textContent.startsWith('{count} 件')")
    assert parse_qs(urlparse(page.url).query) == {"q": ["AI"], "type": ["事例"]}
    assert not page.is_checked("input[name=field][value=子育て]")
    assert page.is_checked("input[name=type][value=事例]")


def test_browse_by_filters_alone(page, real_site_url):
    open_search(page, real_site_url, "field=" + quote("住民生活") + "&type=" + quote("事例"))
    count = int(status(page).split(" ")[0])
    assert count == len(page.query_selector_all("#jirei-search-results li"))
    assert count >= 6
    assert not page.is_visible("#jirei-search-more")  # all results fit on one page
    assert page.input_value("#jirei-search-q") == ""


def test_more_results_on_demand(page, real_site_url):
    open_search(page, real_site_url, "q=" + quote("市"))
    total = int(status(page).split(" ")[0])
    assert total > 40 and len(page.query_selector_all("#jirei-search-results li")) == 20
    page.click("#jirei-search-more")
    page.wait_for_function("() => document.querySelectorAll('#jirei-search-results li').length === 40")
    assert page.is_visible("#jirei-search-more")


def test_shared_url_restores_state(page, real_site_url):
    open_search(page, real_site_url, "q=" + quote("防災") + "&band=" + quote("1万〜5万人"))
    assert page.input_value("#jirei-search-q") == "防災"
    assert page.is_checked("input[name=band][value='1万〜5万人']")
    assert status(page).endswith("件見つかりました")


def test_keyboard_only_filters_and_results(page, real_site_url):
    open_search(page, real_site_url, "q=" + quote("AI"))
    page.focus("#jirei-search-q")
    checkbox = "input[name=type][value=事例]"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches('{checkbox}')"):
            break
    assert page.evaluate(f"() => document.activeElement.matches('{checkbox}')")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    page.wait_for_function("() => new URLSearchParams(location.search).get('type') === '事例'")
    assert page.evaluate(f"() => document.activeElement.matches('{checkbox}')")  # focus stays after the update


def test_header_form_opens_search(page, real_site_url):
    page.goto(real_site_url + "cases/")
    page.fill("#jirei-header-q", "書かない窓口")
    page.press("#jirei-header-q", "Enter")
    page.wait_for_function(DONE)
    assert "/search/" in page.url
    # Every case whose record says 書かない窓口 (three since batch 2 of the content), and nothing else.
    said = {p.stem for p in (CONTENT / "cases").glob("*.yaml") if "書かない窓口" in p.read_text(encoding="utf-8")}
    found = {
        a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
        for a in page.query_selector_all("#jirei-search-results h3 a")
    }
    assert (
        status(page) == f"{len(said)} 件見つかりました"
        and found == said
        and "kitami-kakanai-onestop-madoguchi" in found
    )


def test_without_javascript_the_page_points_to_the_indices(browser, real_site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(real_site_url + "search/")
    text = page.inner_text("article")
    assert "検索には JavaScript が必要です" in text
    hrefs = [a.get_attribute("href") for a in page.query_selector_all("noscript a, article a")]
    assert "../cases/" in hrefs and "../fields/" in hrefs
    context.close()


@pytest.mark.parametrize("query", ["<img src=x onerror=alert(1)>", '"><script>alert(1)</script>'])
def test_hostile_query_is_inert(page, real_site_url, query):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_search(page, real_site_url, "q=" + quote(query))
    assert dialogs == [] and page.errors == []
    assert json.loads(json.dumps(page.input_value("#jirei-search-q"))) == query
