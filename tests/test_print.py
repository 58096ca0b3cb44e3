"""The printed case sheet (generator/assets/print.css): every case page prints on one A4 page with
the site's name, the page's address and the build date, the case as on screen and the sources with
their URLs, without navigation, related lists or buttons; the 「印刷用に表示」 button.

Printed in Chromium: every real case page is laid out in print media at the width of an A4 sheet's
printable area and measured; the longest cases (by Markdown) and a sample are printed to PDF and
read back with pypdf (one page, and the words that must be on it).
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from generator.catalog import Catalog, wareki_date, wareki_fiscal_year
from generator.catalog import wareki_year_span as wareki_span
from generator.render import number, per_resident, readable_url, render_pages
from tests.conftest import BUILD_DATE

SITE_URL = "http://127.0.0.1/"  # the site URL real_site is built with (conftest)
SITE_NAME = "自治体DX事例集"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# A4 at 96 px per inch, less the sheet's margins (print.css: @page { margin: 10mm 12mm }).
MM = 96 / 25.4
PRINTABLE = {"width": round((210 - 2 * 12) * MM), "height": (297 - 2 * 10) * MM}
LONGEST = 15  # cases printed to PDF: the longest by Markdown ...
SAMPLE = [
    "ina-drone-shopping",
    "aichi-pref-remote-classes-small-high-schools",
    "hayama-kakanai-madoguchi",
]  # ... and these


@pytest.fixture(scope="module")
def catalog(real_content) -> Catalog:
    return Catalog(real_content, BUILD_DATE)


@pytest.fixture(scope="module")
def printed_cases(catalog) -> list[str]:
    """The ids of the cases printed to PDF: the longest pages by Markdown, then the sample."""
    pages = render_pages(catalog)
    by_length = sorted(catalog.cases, key=lambda entry: -len(pages[f"cases/{entry.id}.md"]))
    ids = [entry.id for entry in by_length[:LONGEST]]
    return ids + [i for i in SAMPLE if i not in ids]


@pytest.fixture(scope="module")
def print_page(browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


def pdf_text_pattern(expected: str) -> re.Pattern:
    """`expected` as it may come out of a PDF's text: NFKC (the fonts' Kangxi radicals and full-width
    brackets), a CJK ideograph possibly as its radical-supplement twin (⻑ for 長), 「・」 as 「‧」,
    and line breaks anywhere (a long title or URL wraps)."""
    parts = []
    for char in unicodedata.normalize("NFKC", expected):
        if char.isspace():
            continue
        if "\u4e00" <= char <= "\u9fff":
            parts.append(f"(?:{char}|[\u2e80-\u2fdf])")
        elif char == "・":
            parts.append("[・‧·]")
        else:
            parts.append(re.escape(char))
    return re.compile(r"\s*".join(parts))


def pdf_contains(text: str, expected: str) -> bool:
    return pdf_text_pattern(expected).search(text) is not None


# --- the printed address of a source -----------------------------------------------------------


def test_readable_url_decodes_japanese_and_keeps_the_rest_escaped():
    assert (
        readable_url("https://mykoho.jp/article/%E7%A5%9E%E5%A5%88%E5%B7%9D%e7%9c%8c/a")
        == "https://mykoho.jp/article/神奈川県/a"
    )
    # ASCII, spaces, bidi controls and bytes that are not UTF-8 stay as written.
    assert readable_url("https://e.jp/a%2Fb%20c%3F") == "https://e.jp/a%2Fb%20c%3F"
    assert readable_url("https://e.jp/%E2%80%AEgpj.exe") == "https://e.jp/%E2%80%AEgpj.exe"
    assert readable_url("https://e.jp/%E7%A5%9E%E2%80%8B") == "https://e.jp/神%E2%80%8B"
    assert readable_url("https://e.jp/%E7%A5") == "https://e.jp/%E7%A5"
    assert readable_url("https://e.jp/?q=%ff%E7%A5%9E") == "https://e.jp/?q=%ff%E7%A5%9E"


def test_case_markdown_has_the_print_line_with_the_site_url(real_content):
    entry = Catalog(real_content, BUILD_DATE).case_by_id["ina-drone-shopping"]
    page = render_pages(Catalog(real_content, BUILD_DATE), site_url="https://example.jp/jirei")[f"cases/{entry.id}.md"]
    assert (
        '<p class="jirei-print-only jirei-print-meta">このページのアドレス: '
        '<span class="jirei-print-url">https://example.jp/jirei/cases/ina-drone-shopping/</span>'
        f"（{wareki_date(BUILD_DATE)}版）</p>"
    ) in page
    assert '<p class="jirei-print-action" hidden><button type="button"' in page


# --- every real case on one sheet ---------------------------------------------------------------


def test_every_case_fits_the_printable_height_of_an_a4_sheet(browser, real_site_url, catalog):
    """All real cases, laid out in print media at the printable width of A4: the sheet's content
    is no taller than its printable area (the PDFs below confirm it for the longest)."""
    context = browser.new_context(locale="ja-JP", viewport={"width": PRINTABLE["width"], "height": 100})
    page = context.new_page()
    page.emulate_media(media="print")
    heights = {}
    for entry in catalog.cases:
        page.goto(real_site_url + entry.url)
        heights[entry.id] = page.evaluate("document.documentElement.scrollHeight")
    context.close()
    assert len(heights) == len(catalog.cases) >= 175
    too_tall = {i: h for i, h in heights.items() if h > PRINTABLE["height"]}
    assert too_tall == {}
    # The measure is real: the tallest case takes most of the sheet.
    assert max(heights.values()) > 0.75 * PRINTABLE["height"]


def test_longest_cases_print_on_one_a4_page(print_page, real_site_url, catalog, printed_cases):
    assert len(printed_cases) >= LONGEST + 2
    for case_id in printed_cases:
        entry = catalog.case_by_id[case_id]
        case = entry.case
        print_page.goto(real_site_url + entry.url)
        reader = PdfReader(io.BytesIO(print_page.pdf(format="A4")))
        assert len(reader.pages) == 1, case_id
        box = reader.pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
        text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
        expected = [
            SITE_NAME,
            SITE_URL + entry.url,
            f"{wareki_date(BUILD_DATE)}版",
            case.title,
            f"【{entry.place}】",
            f"{case.municipality.prefecture}",
            f"団体コード {case.municipality.code}",
            f"{number(case.population)}人",
            "事業の概要",
            "出典",
        ]
        expected += [catalog.programs[use.program].name for use in case.support_programs]
        for group in entry.cost_groups:
            for line in group.lines:
                expected += [number(line.cost.amount), per_resident(line.per_resident)]
        expected += [readable_url(str(source.url)) for source in case.sources if source.url]
        missing = [words for words in expected if not pdf_contains(text, words)]
        assert missing == [], (case_id, missing)
        # The related and same-size lists are not printed (a case also named under 類似の取組 is).
        similar = {e.id for m in case.similar_municipalities for e in catalog.cases_of_municipality(m.code)}
        listed = [*catalog.related[case_id], *catalog.same_size_cases(entry)]
        others = [other.case.title for other in listed if other.id not in similar]
        assert others, case_id
        assert [title for title in others if pdf_contains(text, title)] == [], case_id
        for screen_only in [
            "印刷用に表示",
            "取組の内容が近い事例",
            "同じ規模の団体の事例",
            "出典とライセンス",
            "サイト内検索",
        ]:
            assert screen_only not in text, (case_id, screen_only)


def test_printed_sheet_shows_costs_per_basis_in_wareki(print_page, real_site_url, catalog):
    """The cost table printed as on screen: 和暦 fiscal years, amounts in 千円 with per-resident yen,
    each line's basis and the total per basis (a case with a total over several years, and one
    with costs of two bases)."""
    with_total = next(e for e in catalog.cases if any(g.total and g.years for g in e.cost_groups))
    two_bases = next(e for e in catalog.cases if len(e.cost_groups) > 1)
    for entry in (with_total, two_bases):
        print_page.goto(real_site_url + entry.url)
        reader = PdfReader(io.BytesIO(print_page.pdf(format="A4")))
        text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
        assert pdf_contains(text, "金額(千円)") and pdf_contains(text, "住民1人あたり(円)")
        for group in entry.cost_groups:
            if group.total is not None:
                total = f"{group.basis}の合計({wareki_span(group.years)})"
                assert pdf_contains(text, f"{total} {number(group.total)} {per_resident(group.total_per_resident)}")
            for line in group.lines:
                year = wareki_fiscal_year(line.cost.fiscal_year) if line.cost.fiscal_year else "年度の記載なし"
                row = f"{year} {line.cost.basis} {number(line.cost.amount)} {per_resident(line.per_resident)}"
                assert pdf_contains(text, row), (entry.id, row)


# --- what print media shows and hides ----------------------------------------------------------


def test_print_media_shows_the_sheet_and_hides_the_screen_parts(page, real_site_url):
    page.set_viewport_size({"width": PRINTABLE["width"], "height": 900})
    page.goto(real_site_url + "cases/ina-drone-shopping/")
    visible = "(selector) => Array.from(document.querySelectorAll(selector)).some(e => e.getClientRects().length > 0)"
    screen_only = [
        ".md-tabs",
        ".md-sidebar",
        ".md-footer",
        ".jirei-header-search",
        ".jirei-print-action",
        ".jirei-related",
        ".jirei-same-size",
        "h2#取組の内容が近い事例",
        "h2#同じ規模の団体の事例",
    ]
    assert page.evaluate(visible, ".jirei-print-action")  # the button, on screen
    assert not page.evaluate(visible, ".jirei-print-meta")
    # Printed after scrolling down, where the theme's header shows the page's title instead of the site's name.
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => document.querySelector('.md-header__title--active')")
    page.emulate_media(media="print")
    assert [s for s in screen_only if page.evaluate(visible, s)] == []
    assert page.evaluate(visible, ".jirei-print-meta")
    # The site's name is the sheet's first line, the address and date the second, the title below.
    name = page.locator(".md-header__topic").first.bounding_box()
    meta = page.locator(".jirei-print-meta").bounding_box()
    title = page.locator("article h1").bounding_box()
    assert page.locator(".md-header__topic").first.inner_text().strip() == SITE_NAME
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header__topic')).opacity") == "1"
    assert not page.locator(".md-header__topic").nth(1).is_visible()
    assert name["y"] + name["height"] <= meta["y"] + 1 and meta["y"] + meta["height"] <= title["y"]
    assert meta["width"] <= PRINTABLE["width"] and name["x"] == pytest.approx(meta["x"], abs=2)
    # Sources print their (readable) URL after the title, wrapped inside the sheet.
    after = page.evaluate(
        "() => Array.from(document.querySelectorAll('.jirei-sources a'))"
        ".map(a => getComputedStyle(a, '::after').content)"
    )
    assert after and all(content.startswith('"（http') for content in after), after
    widths = page.evaluate("() => Array.from(document.querySelectorAll('.jirei-sources li')).map(li => li.scrollWidth)")
    assert max(widths) <= PRINTABLE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PRINTABLE["width"]


# --- the 「印刷用に表示」 button ------------------------------------------------------------------

COUNT_PRINTS = "window.__prints = 0; window.print = () => { window.__prints += 1; };"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_print_button_opens_the_print_dialog(browser, real_site_url, viewport):
    context = browser.new_context(locale="ja-JP", viewport=viewport)
    context.add_init_script(COUNT_PRINTS)
    page = context.new_page()
    page.goto(real_site_url + "cases/ina-drone-shopping/")
    button = page.get_by_role("button", name="印刷用に表示")
    assert button.count() == 1 and button.is_visible()
    box, title = button.bounding_box(), page.locator("article h1").bounding_box()
    assert box["y"] >= title["y"] + title["height"] and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert box["height"] >= 24  # a target that is easy to press
    button.click()
    assert page.evaluate("window.__prints") == 1
    # By keyboard: Tab reaches it, Enter and Space press it.
    button.focus()
    assert page.evaluate("document.activeElement.textContent") == "印刷用に表示"
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    assert page.evaluate("window.__prints") == 3
    context.close()


def test_print_button_is_reached_by_tab(browser, real_site_url):
    context = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    page = context.new_page()
    page.goto(real_site_url + "cases/ina-drone-shopping/")
    page.locator("article h1").click()  # start from the title: the next Tabs go through the heading line's links
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "印刷用に表示":
            break
    assert page.evaluate("document.activeElement.className").startswith("md-button jirei-print-button")
    context.close()


def test_without_javascript_there_is_no_dead_button(browser, real_site_url):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    page.goto(real_site_url + "cases/ina-drone-shopping/")
    assert page.locator(".jirei-print-button").count() == 1
    assert not page.locator(".jirei-print-button").is_visible()
    context.close()
