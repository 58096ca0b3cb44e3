"""Feeds of new cases (Atom): all cases, per field, per prefecture; dated from the records and git."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from generator import urls
from generator.catalog import Catalog
from generator.feeds import CASE_FEED_ENTRIES, render_feeds
from generator.site import build_site
from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import BUILD_DATE, CONTENT, PROJECT

REAL_SITE_URL = "http://127.0.0.1/"  # conftest's real_site
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(data: bytes):
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def catalog(real_content) -> Catalog:
    return Catalog(real_content, BUILD_DATE)


def test_every_case_is_in_its_field_and_prefecture_feeds(real_site, catalog):
    everything = parse((real_site / urls.url("cases_feed")).read_bytes())
    assert len(everything.entries) == min(len(catalog.cases), CASE_FEED_ENTRIES)
    groups = [("field_cases_feed", f.slug, catalog.cases_in_field(f)) for f in catalog.fields]
    groups += [("prefecture_cases_feed", p.slug, catalog.cases_in_prefecture(p)) for p in catalog.prefectures]
    seen: dict[str, int] = {}
    for name, slug, entries in groups:
        feed = parse((real_site / urls.url(name, slug)).read_bytes())
        links = [e.link for e in feed.entries]
        expected = {REAL_SITE_URL + e.url for e in entries}
        assert len(links) == len(set(links)) == min(len(expected), CASE_FEED_ENTRIES), (name, slug)
        assert set(links) <= expected
        if len(expected) <= CASE_FEED_ENTRIES:
            assert set(links) == expected, (name, slug)
        for link in links:
            seen[link] = seen.get(link, 0) + 1
        assert feed.feed.link == REAL_SITE_URL + urls.url(name.replace("_cases_feed", ""), slug)
    # Every case of the real content is in exactly one field feed and one prefecture feed.
    assert seen == {REAL_SITE_URL + e.url: 2 for e in catalog.cases}


def _first_commit(path: Path) -> datetime:
    """When git added the file, asked file by file (the build asks once for the whole folder)."""
    found = subprocess.run(
        ["git", "log", "--first-parent", "--diff-filter=A", "--no-renames", "--format=%cI", "--", str(path.resolve())],
        capture_output=True,
        text=True,
        cwd=CONTENT.resolve(),
        check=True,
    ).stdout.split()
    return datetime.fromisoformat(found[-1])


def test_real_cases_are_dated_by_the_commit_that_added_them(real_site, catalog):
    shallow = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"], capture_output=True, text=True, cwd=CONTENT.resolve()
    )
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        pytest.skip("the repository's full history is needed (not a shallow clone or an export)")
    feed = parse((real_site / urls.url("cases_feed")).read_bytes())
    by_link = {e.link: e for e in feed.entries}
    assert len(by_link) == min(len(catalog.cases), CASE_FEED_ENTRIES)
    for entry in catalog.cases:
        item = by_link.get(REAL_SITE_URL + entry.url)
        if item is None:
            continue  # older than the newest CASE_FEED_ENTRIES
        added = _first_commit(CONTENT / "cases" / f"{entry.id}.yaml")
        assert moment(item.published) == added, entry.id
        if entry.case.updated is None:
            assert moment(item.updated) == added, entry.id
    dates = [moment(e.updated) for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert moment(feed.feed.updated) == dates[0]  # the newest entry, not the time of the build


def _git(repo: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def history(tmp_path) -> Path:
    """A repository whose cases were committed on known dates: a and b first, c later; b has an
    `updated` key; d is in the folder but not committed."""
    repo = tmp_path / "repo"
    content = repo / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    cases = content / "cases"
    cases.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "test")
    _git(repo, "config", "user.email", "test@example.jp")
    (cases / "case-a.yaml").write_text(case_text("case-a"), encoding="utf-8")
    updated = case_text("case-b").replace("sources:", "updated: 2026-02-03\nsources:")
    (cases / "case-b.yaml").write_text(updated, encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "a and b", when="2025-04-01T10:00:00+09:00")
    (cases / "case-c.yaml").write_text(case_text("case-c"), encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "c", when="2025-06-01T12:30:00+09:00")
    (cases / "case-d.yaml").write_text(case_text("case-d"), encoding="utf-8")
    return content


def _case_feed(content: Path, site_url: str = "https://example.jp/jirei/") -> feedparser.FeedParserDict:
    found, problems = validate_content(content)
    assert problems == []
    files = render_feeds(Catalog(found, BUILD_DATE), site_url, content)
    return parse(files[urls.url("cases_feed")])


def test_dates_from_updated_or_the_first_commit(history):
    feed = _case_feed(history)
    entries = {e.link.rsplit("/", 2)[-2]: e for e in feed.entries}
    assert [e.link.rsplit("/", 2)[-2] for e in feed.entries] == ["case-b", "case-c", "case-a", "case-d"]
    assert moment(entries["case-a"].published) == moment(entries["case-a"].updated) == moment("2025-04-01T10:00+09:00")
    assert moment(entries["case-b"].published) == moment("2025-04-01T10:00+09:00")
    assert moment(entries["case-b"].updated) == moment("2026-02-03T00:00+09:00")  # its `updated` day, JST
    assert moment(entries["case-c"].published) == moment("2025-06-01T12:30+09:00")
    # Not committed yet: no date of its own, listed last with the feed's date (the newest entry's).
    assert "published" not in entries["case-d"]
    assert moment(entries["case-d"].updated) == moment(feed.feed.updated) == moment("2026-02-03T00:00+09:00")
    assert _case_feed(history) == feed  # the same answer the second time (kept while HEAD is the same)


def test_a_later_commit_is_seen(history):
    _git(history.parent, "add", ".")
    _git(history.parent, "commit", "-q", "-m", "d", when="2025-07-01T09:00:00+09:00")
    entries = {e.link.rsplit("/", 2)[-2]: e for e in _case_feed(history).entries}
    assert moment(entries["case-d"].published) == moment("2025-07-01T09:00+09:00")


def test_without_full_history_cases_are_undated_and_stable(history, tmp_path, caplog):
    """A shallow clone would date every file by its one commit, an export has no history: both
    list the cases undated, dated like the feed (the build date when nothing has a date)."""
    _git(history.parent, "add", ".")
    _git(history.parent, "commit", "-q", "-m", "d", when="2025-07-01T09:00:00+09:00")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{history.parent}", str(shallow)],
        check=True,
        capture_output=True,
    )
    export = tmp_path / "export"
    shutil.copytree(history, export)
    build_day = moment(f"{BUILD_DATE.isoformat()}T00:00+09:00")
    with caplog.at_level("WARNING", logger="generator.history"):
        _case_feed(shallow / "content")
    assert "fetch-depth: 0" in caplog.text  # the shallow clone is named, with what to do
    for content in (shallow / "content", export):
        feed = _case_feed(content)
        assert len(feed.entries) == 4
        assert all("published" not in e for e in feed.entries)
        # b keeps its `updated` day; the others take the feed's date
        assert [moment(e.updated) for e in feed.entries] == [moment("2026-02-03T00:00+09:00")] * 4
    shutil.rmtree(export / "cases")
    (export / "cases").mkdir()
    (export / "cases" / "case-a.yaml").write_text(case_text("case-a"), encoding="utf-8")
    feed = _case_feed(export)
    assert moment(feed.feed.updated) == moment(feed.entries[0].updated) == build_day


HOSTILE_TITLE = "<script>alert(1)</script> & 「A&B」の取組"


def test_record_text_stays_escaped(taxonomy_only):
    text = case_text("hostile-title", {"title: テスト用のドローン配送の取組": f'title: "{HOSTILE_TITLE}"'})
    text = text.replace("テスト用の概要です。", "概要 <script>alert(2)</script> & <b>太字</b>")
    (taxonomy_only / "cases" / "hostile-title.yaml").write_text(text, encoding="utf-8")
    found, problems = validate_content(taxonomy_only)
    assert problems == []
    files = render_feeds(Catalog(found, BUILD_DATE), "https://example.jp/", taxonomy_only)
    for path in (urls.url("cases_feed"), urls.url("field_cases_feed", "daily-life"), "feeds/prefectures/nagano.xml"):
        raw = files[path]
        assert b"<script" not in raw and b"<b>" not in raw
        feed = parse(raw)
        assert feed.entries[0].title == f"{HOSTILE_TITLE}（長野県 伊那市）"
        # The entry's HTML (the element's text): the record's markup as text, never as markup.
        content = ET.fromstring(raw).find(f"{ATOM}entry/{ATOM}content")
        assert content.get("type") == "html"
        assert "<script" not in content.text and "<b>" not in content.text
        assert "概要 &lt;script&gt;alert(2)&lt;/script&gt; &amp; &lt;b&gt;太字&lt;/b&gt;" in content.text
        assert "伊那市" in content.text and "住民生活" in content.text
        assert "地方創生推進交付金" in content.text  # the programs it used


def test_urls_are_absolute_from_the_site_url(catalog):
    site_url = "https://example.jp/jirei/"
    files = render_feeds(catalog, site_url, CONTENT)
    feeds = [p for p in files if p.startswith("feeds/") and p.endswith(".xml")]
    assert len(feeds) == 1 + 47 + 1 + len(catalog.fields) + 47  # postings, cases
    for path in feeds:
        root = ET.fromstring(files[path])
        hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
        ids = [element.text for element in root.iter(f"{ATOM}id")]
        assert hrefs and ids
        assert all(value.startswith(site_url) for value in hrefs + ids), path
        for entry in root.iter(f"{ATOM}entry"):
            content = entry.find(f"{ATOM}content")
            for href in re.findall(r'href="([^"]*)"', content.text if content is not None else ""):
                assert href.startswith(("https://", "http://")), (path, href)
        assert b"localhost" not in files[path]
    assert files["robots.txt"].decode() == f"User-agent: *\nAllow: /\n\nSitemap: {site_url}sitemap.xml\n"


def test_two_builds_give_identical_feeds(real_site, tmp_path):
    again = tmp_path / "site"
    build_site(CONTENT, again, BUILD_DATE, REAL_SITE_URL)
    first = sorted(p.relative_to(real_site) for p in (real_site / "feeds").rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in (again / "feeds").rglob("*") if p.is_file())
    assert first == second and len(first) > 100
    for path in [*first, Path("robots.txt")]:
        assert (real_site / path).read_bytes() == (again / path).read_bytes(), path


def _head_links(page: Path) -> list[tuple[str, str, str]]:
    # rel as written (not split into link types): "alternate " keeps Material from fetching a sitemap
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser", multi_valued_attributes=None)
    return [(link.get("rel"), link.get("type"), link.get("href")) for link in soup.head.find_all("link")]


@pytest.mark.parametrize(
    ("kind", "slug", "feed"),
    [("field", "daily-life", "field_cases_feed"), ("prefecture", "nagano", "prefecture_cases_feed")],
)
def test_field_and_prefecture_pages_link_their_feeds(real_site, kind, slug, feed):
    page = real_site / urls.url(kind, slug) / "index.html"
    alternate = [(href, kind_) for rel, kind_, href in _head_links(page) if rel.strip() == "alternate"]
    assert alternate == [
        ("../../" + urls.url(feed, slug), "application/atom+xml"),
        ("../../" + urls.url("cases_feed"), "application/atom+xml"),
    ]
    for href, _ in alternate:
        assert (page.parent / href).resolve().is_file()
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    visible = soup.select_one("article p.jirei-feeds")
    assert "フィード" in visible.get_text()
    assert [a["href"] for a in visible.find_all("a")] == [href for href, _ in alternate]


def test_no_page_names_a_link_that_makes_material_fetch_a_sitemap(real_site):
    """Material fetches <folder>/sitemap.xml for every <link rel="alternate"> (rel exactly so)."""
    pages = list(real_site.rglob("*.html"))
    assert len(pages) > 300
    for page in pages:
        for rel, _, href in _head_links(page):
            assert rel != "alternate", (page, href)


def test_the_published_site_gets_its_address_and_full_history():
    """The real build (GitHub Pages) gives the feeds the site's address, never localhost, and
    checks out the whole history, which dates the cases."""
    workflow = (PROJECT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert re.search(r"fetch-depth: 0\b", workflow)
    assert re.search(
        r"- run: make build\n\s+env:\n\s+JIREI_SITE_URL: \$\{\{ steps\.pages\.outputs\.base_url \}\}/", workflow
    )


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["fields/daily-life/", "prefectures/nagano/"])
def test_the_feed_line_is_one_line_under_the_heading(page, real_site_url, path, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(real_site_url + path)
    line = page.locator("article p.jirei-feeds")
    box, heading = line.bounding_box(), page.locator("article h1").bounding_box()
    height = line.evaluate("p => parseFloat(getComputedStyle(p).lineHeight)")
    assert box["height"] <= height * 1.2  # one line: no link broken over two
    assert 0 <= box["x"] and box["x"] + box["width"] <= width
    assert heading["y"] + heading["height"] <= box["y"] < heading["y"] + heading["height"] + 80  # just below
    links = line.locator("a")
    assert links.count() == 2
    for index in range(2):
        assert links.nth(index).get_attribute("type") == "application/atom+xml"
        assert page.request.get(real_site_url + path + links.nth(index).get_attribute("href")).ok


def test_a_build_without_a_site_url_takes_the_one_of_mkdocs_yml(taxonomy_only, tmp_path, monkeypatch):
    monkeypatch.delenv("JIREI_SITE_URL", raising=False)
    (taxonomy_only / "cases" / "plain-case.yaml").write_text(case_text("plain-case"), encoding="utf-8")
    site = tmp_path / "site"
    build_site(taxonomy_only, site, BUILD_DATE)
    configured = re.search(r"(?m)^site_url: (\S+)$", (PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))[1]
    assert configured.startswith("https://") and configured.endswith("/")
    case_url = configured + urls.url("case", "plain-case")
    assert [e.link for e in parse((site / urls.url("cases_feed")).read_bytes()).entries] == [case_url]
    assert parse((site / urls.url("postings_feed")).read_bytes()).feed.link == configured + urls.url("talent")
    assert f"<loc>{case_url}</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"Sitemap: {configured}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{case_url}">' in (site / "cases/plain-case/index.html").read_text("utf-8")
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".ics"):
            assert b"localhost" not in path.read_bytes(), path


@pytest.mark.parametrize("path", ["", "cases/"])
def test_home_and_case_list_offer_the_feed_of_all_cases(real_site, path):
    page = real_site / path / "index.html"
    alternate = [
        href for rel, kind, href in _head_links(page) if rel == "alternate " and kind == "application/atom+xml"
    ]
    assert len(alternate) == 1
    assert (page.parent / alternate[0]).resolve() == (real_site / urls.url("cases_feed")).resolve()
