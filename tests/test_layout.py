"""Layout in Chromium at a phone's width (390 px) and a desktop's (1280 px): positions and widths
measured on the built site (no screenshots compared).

Catalog pages use the page's full width without side columns; on a phone, tables of records become
cards and no cell is squeezed to a few characters; names, dates and short words do not break
inside; the advisor comparison keeps a readable first column; the talent pages request nothing that
is missing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

CATALOG_PAGES = [
    "cases/",
    "fields/",
    "fields/daily-life/",
    "population/",
    "population/50k-100k/",
    "prefectures/",
    "prefectures/nagano/",
    "funding/",
    "talent/",
    "talent/advisors/",
]

# Every cell of the tables on the page: its box, font size and the lines its text takes.
CELLS = """(selector) => Array.from(document.querySelectorAll(selector)).map(cell => {
  const box = cell.getBoundingClientRect();
  const style = getComputedStyle(cell);
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return {
    text: cell.textContent.trim(),
    cls: cell.className,
    left: box.left, top: box.top, bottom: box.bottom, width: box.width,
    content: box.width - padding,
    font: parseFloat(style.fontSize),
    display: style.display,
  };
})"""

# How many lines each word (split at spaces) of each matching cell's text takes.
WORD_LINES = """(selector) => Array.from(document.querySelectorAll(selector)).flatMap(cell => {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /[^\\s]+/g;
    let m;
    while ((m = re.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      out.push({word: m[0], lines: tops.size});
    }
  }
  return out;
})"""

SIDEBARS = """() => Array.from(document.querySelectorAll('.md-sidebar')).map(s => {
  const box = s.getBoundingClientRect();
  return {type: s.dataset.mdType, visible: getComputedStyle(s).display !== 'none' && box.width > 0};
})"""


@pytest.fixture(scope="module")
def site_url(postings_site_url):
    return postings_site_url


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_page(url: str, viewport: dict):
        context = browser.new_context(locale="ja-JP", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.failed = []
        page.on("response", lambda r: page.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        origin = "{0.scheme}://{0.netloc}/".format(urlsplit(url))
        page.on(
            "request",
            lambda r: page.failed.append(f"外部 {r.url}") if not r.url.startswith((origin, "data:", "blob:")) else None,
        )
        page.goto(url)
        page.wait_for_load_state("networkidle")
        return page

    yield open_page
    for context in contexts:
        context.close()


def document_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", CATALOG_PAGES)
def test_catalog_page_uses_full_width_on_desktop(open_page, site_url, path):
    page = open_page(site_url + path, DESKTOP)
    assert document_width(page) <= DESKTOP["width"]
    sidebars = page.evaluate(SIDEBARS)
    assert [s for s in sidebars if s["visible"]] == [], sidebars
    article = page.locator("article.md-content__inner").bounding_box()
    assert article["width"] > 0.9 * DESKTOP["width"], article


@pytest.mark.parametrize("path", CATALOG_PAGES)
def test_catalog_page_fits_a_phone(open_page, site_url, path):
    page = open_page(site_url + path, PHONE)
    assert document_width(page) <= PHONE["width"]
    # Every cell of every table holds at least three characters in a line.
    cells = page.evaluate(CELLS, "article table td, article table tbody th")
    squeezed = [c for c in cells if c["text"] and c["content"] < 3 * c["font"]]
    assert squeezed == [], squeezed[:3]


def test_navigation_drawer_still_opens_on_a_catalog_page(open_page, site_url):
    """The catalog pages hide the navigation column; the phone's drawer still holds the site's sections."""
    page = open_page(site_url + "cases/", PHONE)
    page.click("label.md-header__button[for='__drawer']")
    page.wait_for_function("() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0")
    page.wait_for_timeout(300)  # the drawer slides in
    link = page.locator(".md-sidebar--primary .md-nav__link", has_text="都道府県別").first
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_cases_table_becomes_cards_on_a_phone(open_page, site_url):
    page = open_page(site_url + "cases/", PHONE)
    table = page.locator("article table.jirei-cases").bounding_box()
    assert table["width"] <= PHONE["width"] and table["x"] >= 0
    rows = page.evaluate(CELLS, "table.jirei-cases tbody tr")
    assert len(rows) >= 110
    for row in rows:  # one card per case, as wide as the table
        assert row["width"] >= 0.95 * table["width"]
    cells = page.evaluate(CELLS, "table.jirei-cases tbody tr:first-child td")
    # The cells of a card stand one under the other, each as wide as the card.
    for upper, lower in zip(cells, cells[1:], strict=False):
        assert lower["top"] >= upper["bottom"] - 1
    for cell in cells:
        assert cell["width"] >= 0.95 * rows[0]["width"] - 2
    titles = page.evaluate(CELLS, "table.jirei-cases td.jirei-title")
    assert min(t["content"] for t in titles) >= 15 * titles[0]["font"]
    # The value beside each column name has room for a line of text.
    values = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.jirei-cases td[data-label]')).map(td => {
            const box = td.getBoundingClientRect();
            const style = getComputedStyle(td);
            return box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        })"""
    )
    assert min(values) >= 180
    # The headers remain as sort buttons above the cards, each on one line.
    buttons = page.locator("table.jirei-cases thead button.jirei-sort")
    assert buttons.count() == 6
    for i in range(6):
        box = buttons.nth(i).bounding_box()
        assert box["width"] > 0 and box["x"] + box["width"] <= PHONE["width"]
    buttons.nth(3).click()  # 人口
    populations = page.evaluate(
        "() => Array.from(document.querySelectorAll('table.jirei-cases tbody td:nth-child(4)')).map(td => +td.dataset.sort)"
    )
    assert populations == sorted(populations)


def test_cases_table_on_desktop(open_page, site_url):
    page = open_page(site_url + "cases/", DESKTOP)
    wrap = page.locator("article .jirei-table-wrap").first.bounding_box()
    table = page.locator("article table.jirei-cases").bounding_box()
    assert table["width"] <= wrap["width"] + 1  # no sideways scrolling
    assert wrap["width"] > 0.9 * DESKTOP["width"]
    headers = page.evaluate(CELLS, "table.jirei-cases thead th")
    assert headers[0]["width"] >= 250  # 取組名
    assert all(h["width"] >= 3 * h["font"] for h in headers)
    places = page.evaluate(WORD_LINES, "table.jirei-cases td.jirei-place")
    assert [p for p in places if p["lines"] != 1] == []  # 「あさぎり町」 in one piece


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_names_and_dates_do_not_break_inside(open_page, site_url, viewport):
    page = open_page(site_url + "talent/", viewport)
    assert document_width(page) <= viewport["width"]
    words = page.evaluate(WORD_LINES, "table.jirei-postings td.jirei-place, table.jirei-postings td.jirei-nowrap")
    assert words and [w for w in words if w["lines"] != 1] == []
    assert any(w["word"].startswith("令和") and w["word"].endswith("日") for w in words)  # a date was measured
    if viewport is DESKTOP:
        headers = page.evaluate(WORD_LINES, "table.jirei-postings thead th")
        assert {"word": "リモート", "lines": 1} in headers


def test_advisor_comparison_on_desktop(open_page, site_url):
    page = open_page(site_url + "talent/advisors/", DESKTOP)
    assert document_width(page) <= DESKTOP["width"]
    names = page.evaluate(CELLS, "table.jirei-compare tbody th[scope=row]")
    assert len(names) >= 10
    assert min(n["width"] for n in names) >= 120
    columns = page.evaluate(CELLS, "table.jirei-compare thead th")
    assert min(c["width"] for c in columns) >= 100
    words = page.evaluate(WORD_LINES, "table.jirei-compare thead th")
    assert [w for w in words if w["lines"] != 1] == []  # 「派遣される人材」 is not split
    rows = page.evaluate(CELLS, "table.jirei-compare tbody tr")
    assert max(r["bottom"] - r["top"] for r in rows) <= 400
    assert page.evaluate("() => document.documentElement.scrollHeight") < 6000  # was about 9,800 px


def test_advisor_comparison_on_a_phone(open_page, site_url):
    page = open_page(site_url + "talent/advisors/", PHONE)
    assert document_width(page) <= PHONE["width"]
    rows = page.evaluate(CELLS, "table.jirei-compare tbody tr")
    table = page.locator("table.jirei-compare").bounding_box()
    assert all(r["width"] >= 0.95 * table["width"] for r in rows)
    cells = page.evaluate(CELLS, "table.jirei-compare tbody tr:first-child > *")
    assert all(c["content"] >= 250 for c in cells)
    for upper, lower in zip(cells, cells[1:], strict=False):
        assert lower["top"] >= upper["bottom"] - 1


@pytest.mark.parametrize("path", ["talent/", "talent/advisors/", "talent/postings/test-open/", "cases/", ""])
def test_pages_request_nothing_missing_or_foreign(open_page, site_url, path):
    """Material fetched feeds/sitemap.xml for the feed links of the talent pages; the repository
    link must not ask GitHub's API for its stars."""
    page = open_page(site_url + path, DESKTOP)
    assert page.failed == []


def test_not_found_page_offers_search_and_indices(open_page, site_url):
    page = open_page(site_url + "404.html", PHONE)
    assert page.locator("h1").inner_text() == "ページが見つかりません"
    assert document_width(page) <= PHONE["width"]
    for name in ["事例一覧", "分野別", "人口規模別", "支援制度", "都道府県別", "人材募集"]:
        assert page.locator("article a", has_text=name).count() >= 1
    page.fill("#jirei-notfound-q", "母子手帳")
    page.locator("form.jirei-notfound-search button").click()
    page.wait_for_url("**/search/?q=*")
    assert "/search/?q=" in page.url
