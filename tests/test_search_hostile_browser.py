"""The search page against hostile URLs, huge facets and a missing or corrupt index (Chromium).

- Names that live on Object.prototype (``__proto__``, ``constructor`` …) as URL parameter names,
  filter values and index values: the page answers in Japanese and stays usable.
- A facet of hundreds or thousands of values shows the most common few and the rest on demand.
- A missing or corrupt index file is told in the status line, and a later search tries again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from generator.browser_index import shard_of
from generator.errors import UserError
from generator.search import normalize
from generator.site import build_site
from tests.cases import case_text
from tests.conftest import BUILD_DATE, CONTENT, serve

PROTOTYPE_NAMES = [
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "__defineGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
]
SEARCHING = "検索しています…"
PROMPT = "キーワードを入力するか、絞り込みの条件を選んでください。"
NO_MATCH = "見つかりませんでした。キーワードを変えるか、絞り込みを外してください。"
LOAD_ERROR = "検索の索引を読み込めませんでした。時間をおいて再読み込みしてください。"
FACET_LIMIT = 12
ANSWERED = (
    "() => { const s = document.querySelector('#jirei-search-status');"
    f" return !!s && s.textContent !== '' && s.textContent !== '{SEARCHING}'; }}"
)
# Unhandled promise rejections, collected by the page itself.
WATCH_REJECTIONS = (
    "window.__rejections = [];"
    " window.addEventListener('unhandledrejection', e => window.__rejections.push(String(e.reason)));"
)
ANSWER_MS = 5000


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH_REJECTIONS)
    return page


def open_search(page, base: str, query: str = "") -> str:
    """Open the search page; the status once it has answered (within a few seconds)."""
    page.goto(base + "search/" + (f"?{query}" if query else ""), wait_until="domcontentloaded")
    page.wait_for_function(ANSWERED, timeout=ANSWER_MS)
    return status(page)


def status(page) -> str:
    return page.inner_text("#jirei-search-status")


def found(text: str) -> int:
    assert text.endswith(" 件見つかりました"), text
    return int(text.split(" ")[0])


def clean(page) -> None:
    """No uncaught error, no unhandled rejection, Object.prototype untouched."""
    assert page.errors == []
    assert page.evaluate("window.__rejections") == []
    untouched = page.evaluate(
        """() => [Object.keys(Object.prototype).length, typeof Object.prototype.toString,
                  ({}).constructor === Object, Object.getPrototypeOf({}) === Object.prototype,
                  typeof Object.prototype.hasOwnProperty, typeof Object.prototype.valueOf]"""
    )
    assert untouched == [0, "function", True, True, "function", "function"]


def checkbox(page, key: str, value: str):
    # CSS strings: JSON's quoting fits them once non-ASCII is left as it is (no \u escapes).
    name, text = (json.dumps(x, ensure_ascii=False) for x in (key, value))
    return page.locator(f"#jirei-search-filters input[name={name}][value={text}]")


def options(page, key: str) -> list[tuple[str, int, bool]]:
    """The tag group's options on the page, in order: (value, count, checked)."""
    return [
        tuple(entry)
        for entry in page.evaluate(
            """key => [...document.querySelectorAll(`#jirei-search-filters fieldset[data-group="${key}"] label.jirei-facet__option`)]
                .filter(label => label.offsetParent !== null)
                .map(label => { const box = label.querySelector('input');
                    return [box.value, Number(label.querySelector('.jirei-facet__count').textContent.slice(1, -1)),
                            box.checked]; })""",
            key,
        )
    ]


def more_button(page, key: str):
    return page.locator(f"#jirei-search-filters fieldset[data-group={key}] button.jirei-facet__more")


def in_japanese_order(page, values: list[str]) -> bool:
    return page.evaluate(
        "vs => vs.every((v, i) => i === 0 || new Intl.Collator('ja').compare(vs[i - 1], v) <= 0)", values
    )


# --- 1. prototype names in the URL, on the real site --------------------------------------


def test_prototype_names_as_filter_values_match_nothing(watched, real_site_url):
    page = watched
    everything = found(open_search(page, real_site_url, "q=AI"))
    with_ai_tag = found(open_search(page, real_site_url, "q=AI&tag=AI"))
    for name in PROTOTYPE_NAMES:
        for key, query in [("type", ""), ("tag", ""), ("field", "q=AI&"), ("year", "q=AI&type=%E4%BA%8B%E4%BE%8B&")]:
            query += f"{key}={quote(name)}"
            started = time.monotonic()
            assert open_search(page, real_site_url, query) == NO_MATCH, query
            assert time.monotonic() - started < ANSWER_MS / 1000, query
            assert page.locator("#jirei-search-results li").count() == 0, query
            # the unknown value is shown, checked, so that it can be taken off
            assert checkbox(page, key, name).is_checked(), query
            assert page.locator(f"#jirei-search-filters fieldset[data-group={key}] input:checked").count() == 1
        # with a known value of the same group (OR within a group) it takes nothing away
        assert found(open_search(page, real_site_url, f"q=AI&tag=AI&tag={quote(name)}")) == with_ai_tag, name
    # unchecking it brings the results back and drops it from the URL
    for name in ["__proto__", "constructor"]:
        open_search(page, real_site_url, f"q=AI&field={quote(name)}")
        checkbox(page, "field", name).click()  # the group is drawn anew: no uncheck()
        page.wait_for_function(
            f"() => document.querySelector('#jirei-search-status').textContent.startsWith('{everything} 件')"
        )
        assert parse_qs(urlparse(page.url).query) == {"q": ["AI"]}
        assert checkbox(page, "field", name).count() == 0
    clean(page)


def test_prototype_names_as_parameter_names_are_ignored(watched, real_site_url):
    page = watched
    everything = found(open_search(page, real_site_url, "q=AI"))
    for name in PROTOTYPE_NAMES:
        assert open_search(page, real_site_url, f"{quote(name)}={quote('事例')}&{quote(name)}=2") == PROMPT, name
        assert found(open_search(page, real_site_url, f"q=AI&{quote(name)}={quote(name)}")) == everything, name
        # the facets are drawn as for a plain page: the type group lists the real types
        assert options(page, "type")[0][0] == "事例"
    clean(page)


def test_prototype_names_as_query_words(watched, real_site, real_site_url):
    page = watched
    texts = [
        normalize(data["title"] + "\n" + data["text"])
        for data in (
            json.loads(doc.read_text(encoding="utf-8")) for doc in (real_site / "search" / "index" / "d").glob("*.json")
        )
    ]
    for name in PROTOTYPE_NAMES:
        # the same answer as a plain substring search over the pages' text
        expected = sum(normalize(name) in text for text in texts)
        text = open_search(page, real_site_url, "q=" + quote(name))
        assert text == (f"{expected} 件見つかりました" if expected else NO_MATCH), name
    clean(page)


def test_typing_prototype_names_keeps_the_page_responsive(watched, real_site_url):
    page = watched
    open_search(page, real_site_url, "tag=constructor&type=__proto__&field=toString")
    assert status(page) == NO_MATCH
    for name in PROTOTYPE_NAMES:
        page.fill("#jirei-search-q", name)
        page.press("#jirei-search-q", "Enter")
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === {json.dumps(name)}")
        page.wait_for_function(ANSWERED, timeout=ANSWER_MS)
        assert status(page) == NO_MATCH
    assert parse_qs(urlparse(page.url).query) == {
        "q": [PROTOTYPE_NAMES[-1]],
        "type": ["__proto__"],
        "field": ["toString"],
        "tag": ["constructor"],
    }
    clean(page)


# --- 2. a facet of hundreds and thousands of values ---------------------------------------

MANY = [f"多数{i:03d}" for i in range(300)]
# case id → (tags, field); 共通 5, うめ 3, 準共通 3, あんず 2, いちご 2, the rest 1.
TAGGED = {
    "many-tags": (["共通", "準共通", "あんず", "いちご", *MANY], "住民生活"),
    "tags-b": (["共通", "準共通", "あんず", "いちご"], "住民生活"),
    "tags-c": (["共通", "準共通", "うめ"], "交通"),
    "tags-d": (["共通", "うめ"], "交通"),
    "tags-e": (["共通", "うめ", "交通だけ"], "交通"),
}
TOP = ["共通", "うめ", "準共通", "あんず", "いちご"]


def write_cases(content: Path, with_many: bool) -> None:
    for case_id, (tags, field) in TAGGED.items():
        if not with_many:
            tags = [t for t in tags if t not in MANY]
        other = "住民生活" if field == "交通" else "交通"
        text = case_text(
            case_id,
            {
                "tags: [ドローン]": "tags: " + json.dumps(tags, ensure_ascii=False),
                "field: 住民生活\nrelated_fields: [交通]": f"field: {field}\nrelated_fields: [{other}]",
            },
        )
        (content / "cases" / f"{case_id}.yaml").write_text(text, encoding="utf-8")


def page_numbers(site: Path) -> dict[str, int]:
    """Case id → its page number in the index."""
    numbers = {}
    for doc in (site / "search" / "index" / "d").glob("*.json"):
        url = json.loads(doc.read_text(encoding="utf-8"))["url"]
        if url.startswith("cases/"):
            numbers[url.split("/")[1]] = int(doc.stem)
    return numbers


def add_tags(site: Path, tags: dict[str, list[int]]) -> None:
    """Write tag values into the built index, as a hostile or broken index could hold them."""
    meta_path = site / "search" / "index" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for tag, pages in tags.items():
        meta["filters"]["tag"].setdefault(tag, []).extend(pages)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def tag_site(tmp_path_factory) -> Path:
    """Five cases, one of them with 300 tags of its own (in its record, or else in the index)."""
    content = tmp_path_factory.mktemp("tags") / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    site = content.parent / "site"
    write_cases(content, with_many=True)
    try:
        build_site(content, site, BUILD_DATE, "http://127.0.0.1/")
    except UserError as error:
        # Records may be limited in their number of tags: the index can still carry them.
        if not all("tags" in problem.message for problem in error.problems):
            raise
        write_cases(content, with_many=False)
        build_site(content, site, BUILD_DATE, "http://127.0.0.1/")
        add_tags(site, {tag: [page_numbers(site)["many-tags"]] for tag in MANY})
    return site


@pytest.fixture(scope="module")
def tag_site_url(tag_site):
    server, url = serve(tag_site)
    yield url
    server.shutdown()


HUGE = 5000


@pytest.fixture(scope="module")
def huge_site_url(tag_site, tmp_path_factory):
    """The tag site with 5,000 more tag values in its index, a few named like prototype members."""
    site = tmp_path_factory.mktemp("huge") / "site"
    shutil.copytree(tag_site, site)
    numbers = page_numbers(site)
    cases = sorted(numbers.values())
    added = {f"注入{i:04d}": [cases[i % len(cases)]] for i in range(HUGE)}
    added.update(
        {"__proto__": [numbers["tags-b"]], "constructor": [numbers["tags-c"]], "toString": [numbers["tags-d"]]}
    )
    add_tags(site, added)
    server, url = serve(site)
    yield url, numbers, len(tag_values(site))
    server.shutdown()


def tag_values(site: Path) -> set[str]:
    return set(json.loads((site / "search" / "index" / "meta.json").read_text(encoding="utf-8"))["filters"]["tag"])


def test_tag_group_shows_the_most_common_first_and_the_rest_on_demand(watched, tag_site, tag_site_url):
    page = watched
    every = tag_values(tag_site)
    assert len(every) >= 305
    assert open_search(page, tag_site_url) == PROMPT
    shown = options(page, "tag")
    assert len(shown) == FACET_LIMIT
    assert [v for v, _, _ in shown[:5]] == TOP
    assert [c for _, c, _ in shown[:5]] == [5, 3, 3, 2, 2]
    assert [c for _, c, _ in shown[5:]] == [1] * (FACET_LIMIT - 5)
    assert in_japanese_order(page, [v for v, _, _ in shown[5:]])
    button = more_button(page, "tag")
    assert button.inner_text() == f"すべて表示（残り {len(every) - FACET_LIMIT} 件）"
    assert button.get_attribute("aria-expanded") == "false"
    region = page.locator("#" + button.get_attribute("aria-controls"))
    assert region.is_hidden() and region.locator("input[type=checkbox]").count() == 0  # not built until asked for
    assert page.locator("#jirei-search-filters fieldset[data-group=tag] input[type=checkbox]").count() == FACET_LIMIT

    button.click()
    assert more_button(page, "tag").inner_text() == "少なく表示"
    assert more_button(page, "tag").get_attribute("aria-expanded") == "true"
    every_shown = options(page, "tag")
    assert len(every_shown) == len(every) and {v for v, _, _ in every_shown} == every
    assert every_shown[:FACET_LIMIT] == shown
    counts = [c for _, c, _ in every_shown]
    assert counts == sorted(counts, reverse=True)
    assert in_japanese_order(page, [v for v, c, _ in every_shown if c == 1])
    assert page.evaluate("() => document.activeElement.id") == "f-more-tag"

    # keyboard: the revealed values follow the button; Enter and Space fold and unfold
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.value") == every_shown[FACET_LIMIT][0]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert len(options(page, "tag")) == FACET_LIMIT
    assert more_button(page, "tag").get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.id") == "f-more-tag"
    page.keyboard.press("Space")
    assert len(options(page, "tag")) == len(every)
    clean(page)


def test_other_long_groups_fold_too_and_short_ones_do_not(watched, tag_site_url):
    page = watched
    open_search(page, tag_site_url)
    funding = options(page, "funding")
    assert len(funding) == FACET_LIMIT
    assert more_button(page, "funding").inner_text().startswith("すべて表示（残り ")
    assert len(options(page, "type")) == 2 and more_button(page, "type").count() == 0
    assert [v for v, _, _ in options(page, "field")] == ["住民生活", "交通"]  # fields in the 1–20 order
    clean(page)


def test_counts_follow_the_current_matches(watched, tag_site_url):
    page = watched
    assert found(open_search(page, tag_site_url, "field=" + quote("交通"))) == 3
    shown = options(page, "tag")
    # among tags-c, tags-d and tags-e: うめ 3 and 共通 3 (kana before kanji), then the ones of 1
    assert [(v, c) for v, c, _ in shown[:2]] == [("うめ", 3), ("共通", 3)]
    assert sorted((v, c) for v, c, _ in shown[2:4]) == [("交通だけ", 1), ("準共通", 1)]
    assert in_japanese_order(page, [v for v, _, _ in shown[2:4]])
    assert all(c == 0 for _, c, _ in shown[4:])
    empty = page.locator("#jirei-search-filters fieldset[data-group=tag] .jirei-facet__option--empty")
    assert empty.count() == FACET_LIMIT - 4
    clean(page)


def test_selected_values_stay_visible_beyond_the_limit(watched, tag_site, tag_site_url):
    page = watched
    every = tag_values(tag_site)
    assert found(open_search(page, tag_site_url, "tag=" + quote("多数299") + "&tag=" + quote("多数200"))) == 1
    shown = options(page, "tag")
    assert len(shown) == FACET_LIMIT + 2
    # in their place by count and collation, after the first twelve
    assert [(v, checked) for v, _, checked in shown[FACET_LIMIT:]] == [("多数200", True), ("多数299", True)]
    assert more_button(page, "tag").inner_text() == f"すべて表示（残り {len(every) - FACET_LIMIT - 2} 件）"
    # unfold, check a value from the revealed part: it joins the visible ones and the URL
    more_button(page, "tag").click()
    checkbox(page, "tag", "多数150").click()
    page.wait_for_function("() => new URLSearchParams(location.search).getAll('tag').length === 3")
    page.wait_for_function(ANSWERED, timeout=ANSWER_MS)
    assert found(status(page)) == 1
    more_button(page, "tag").click()  # fold again
    assert {v for v, _, checked in options(page, "tag") if checked} == {"多数150", "多数200", "多数299"}
    assert len(options(page, "tag")) == FACET_LIMIT + 3
    clean(page)


def test_facet_control_passes_axe(browser, tag_site_url):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_search(page, tag_site_url, "q=" + quote("ドローン"))
    axe = Axe()
    rules = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    for _ in range(2):  # folded, then unfolded
        violations = axe.run(page, options={**rules, "resultTypes": ["violations"]}).response["violations"]
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
        more_button(page, "tag").click()
    context.close()


def test_thousands_of_tag_values_keep_typing_fast(watched, huge_site_url):
    page = watched
    url, _, total = huge_site_url
    started = time.monotonic()
    assert open_search(page, url) == PROMPT
    first = time.monotonic() - started
    assert len(options(page, "tag")) == FACET_LIMIT
    assert more_button(page, "tag").inner_text() == f"すべて表示（残り {total - FACET_LIMIT} 件）"
    timings = []
    for query in ["ド", "ドロ", "ドロー", "ドローン", "ドローン 配送"]:
        started = time.monotonic()
        page.fill("#jirei-search-q", query)
        page.press("#jirei-search-q", "Enter")
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === {json.dumps(query)}")
        page.wait_for_function(ANSWERED, timeout=ANSWER_MS)
        timings.append(time.monotonic() - started)
        assert found(status(page)) >= 5
        assert (
            page.locator("#jirei-search-filters fieldset[data-group=tag] input[type=checkbox]").count() == FACET_LIMIT
        )
    # a few dozen checkboxes in all, not thousands
    assert page.locator("#jirei-search-filters input[type=checkbox]").count() < 10 * FACET_LIMIT
    print(f"\nfirst answer {first:.2f}s, searches {', '.join(f'{t:.2f}s' for t in timings)}")
    assert max(timings) < 3
    # all of them on demand
    started = time.monotonic()
    more_button(page, "tag").click()
    assert page.locator("#jirei-search-filters fieldset[data-group=tag] input[type=checkbox]").count() == total
    print(f"unfolding {total} values: {time.monotonic() - started:.2f}s")
    clean(page)


def test_prototype_names_as_index_values(watched, huge_site_url):
    page = watched
    url, numbers, _ = huge_site_url
    for name, case_id in [("__proto__", "tags-b"), ("constructor", "tags-c"), ("toString", "tags-d")]:
        assert found(open_search(page, url, "tag=" + quote(name))) == 1
        assert page.evaluate("jireiSearch.resultUrls()") == [f"/cases/{case_id}/"]
        assert checkbox(page, "tag", name).is_checked()
    assert found(open_search(page, url, "tag=__proto__&tag=constructor&tag=valueOf")) == 2
    # counted like any other value among the matches of 「ドローン」
    open_search(page, url, "q=" + quote("ドローン"))
    more_button(page, "tag").click()
    counts = {v: c for v, c, _ in options(page, "tag")}
    assert counts["__proto__"] == counts["constructor"] == counts["toString"] == 1
    assert "valueOf" not in counts
    clean(page)


# --- 3. a missing or corrupt index ---------------------------------------------------------


def broken_copy(tag_site: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(tag_site, site)
    return site


def touch_later(path: Path) -> None:
    """A newer modification time, so that the browser's revalidation sees the repaired file."""
    later = time.time() + 60
    os.utime(path, (later, later))


def retry_with(page, query: str) -> str:
    page.fill("#jirei-search-q", query)
    page.press("#jirei-search-q", "Enter")
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === {json.dumps(query)}")
    page.wait_for_function(ANSWERED, timeout=ANSWER_MS)
    return status(page)


@pytest.mark.parametrize("damage", ["deleted", "invalid JSON", "empty", "not an index"])
def test_broken_meta_json_is_told_and_retried(watched, tag_site, tmp_path, damage):
    page = watched
    site = broken_copy(tag_site, tmp_path)
    meta = site / "search" / "index" / "meta.json"
    good = meta.read_bytes()
    if damage == "deleted":
        meta.unlink()
    else:
        meta.write_text({"invalid JSON": '{"pages": 5,', "empty": "", "not an index": '{"pages": []}'}[damage])
    server, url = serve(site)
    try:
        for query in ["q=" + quote("ドローン"), ""]:
            assert open_search(page, url, query) == LOAD_ERROR
            assert page.locator("#jirei-search-results li").count() == 0
            assert page.locator("#jirei-search-filters input[type=checkbox]").count() == 0
        # the filters of the URL stay on the page (without counts), so that a retry keeps them
        assert open_search(page, url, "tag=" + quote("共通")) == LOAD_ERROR
        assert checkbox(page, "tag", "共通").is_checked()
        assert page.locator("#jirei-search-filters input[type=checkbox]").count() == 1
        assert page.locator("#jirei-search-filters .jirei-facet__count").count() == 0
        # the index is back: the next search reads it
        meta.write_bytes(good)
        touch_later(meta)
        assert found(retry_with(page, "ドローン")) == 5  # the five cases, all tagged 共通
        assert parse_qs(urlparse(page.url).query) == {"q": ["ドローン"], "tag": ["共通"]}
        assert len(options(page, "tag")) == FACET_LIMIT
        clean(page)
    finally:
        server.shutdown()


def test_corrupt_shard_is_told_and_retried(watched, tag_site, tmp_path):
    page = watched
    site = broken_copy(tag_site, tmp_path)
    meta = json.loads((site / "search" / "index" / "meta.json").read_text(encoding="utf-8"))
    shard = site / "search" / "index" / f"b{shard_of('どろ', meta['bigramShards'])}.json"
    good = shard.read_bytes()
    shard.write_text('{"どろ": [[0, 1]', encoding="utf-8")
    server, url = serve(site)
    try:
        assert open_search(page, url, "q=" + quote("ドローン")) == LOAD_ERROR
        assert page.locator("#jirei-search-results li").count() == 0
        # filters alone need no shard
        assert found(open_search(page, url, "field=" + quote("交通"))) == 3
        assert retry_with(page, "ドローン") == LOAD_ERROR
        assert page.locator("#jirei-search-results li").count() == 0
        shard.write_bytes(good)
        touch_later(shard)
        assert found(retry_with(page, "ドローン")) == 3  # still within 交通
        clean(page)
    finally:
        server.shutdown()


# Damage done on the way (the real site): network errors, error statuses, wrong contents.
ROUTES = [
    ("meta.json", "abort", None),
    ("meta.json", 404, "Not Found"),
    ("meta.json", 500, "Internal Server Error"),
    ("meta.json", 200, "<!doctype html><title>404</title>"),
    ("meta.json", 200, "null"),
    ("meta.json", 200, "[]"),
    ("meta.json", 200, '{"pages": 1e15, "ends": [], "bigramShards": 8, "charShards": 4, "filters": {}}'),
    ("meta.json", 200, '{"pages": 0, "ends": [], "bigramShards": 8, "charShards": 4, "filters": {"tag": 5}}'),
    ("meta.json", 200, '{"pages": 0, "ends": [], "bigramShards": 0, "charShards": 4, "filters": {}}'),
    ("meta.json", 200, '{"pages": 1, "ends": [[1, 2]], "bigramShards": 8, "charShards": 4, "filters": {}}'),
    ("meta.json", 200, '{"pages": 1, "ends": [[1, 2, -3]], "bigramShards": 8, "charShards": 4, "filters": {}}'),
    (
        "meta.json",
        200,
        '{"pages": 0, "ends": [], "bigramShards": 8, "charShards": 4, "filters": {"band": {}}, "order": {"band": 5}}',
    ),
    ("b*.json", "abort", None),
    ("b*.json", 200, '{"どろ": 5, "ろー": 5, "ーん": 5}'),
    ("b*.json", 200, "[1, 2]"),
    ("d/*.json", "abort", None),
    ("d/*.json", 200, '{"title": "x"}'),
]


@pytest.mark.parametrize(("file", "answer", "body"), ROUTES)
def test_damage_on_the_way_is_told(watched, real_site_url, file, answer, body):
    page = watched

    def damage(route):
        if answer == "abort":
            route.abort("failed")
        else:
            route.fulfill(status=answer, body=body, content_type="application/json")

    page.route("**/search/index/" + file, damage)
    assert open_search(page, real_site_url, "q=" + quote("ドローン")) == LOAD_ERROR
    assert page.locator("#jirei-search-results li").count() == 0
    assert page.locator("#jirei-search-more").is_hidden()
    # once the way is clear again, the same page searches normally
    page.unroute("**/search/index/" + file)
    assert found(retry_with(page, "ドローン")) > 0
    assert page.locator("#jirei-search-results li").count() > 0
    clean(page)


def test_more_results_failing_is_told(watched, real_site_url):
    page = watched
    total = found(open_search(page, real_site_url, "q=" + quote("市")))
    assert total > 20
    page.route("**/search/index/d/*.json", lambda route: route.abort("failed"))
    page.click("#jirei-search-more")
    page.wait_for_function(f"() => document.querySelector('#jirei-search-status').textContent === '{LOAD_ERROR}'")
    assert page.locator("#jirei-search-more").is_hidden()
    clean(page)
