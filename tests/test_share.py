"""Share and find: canonical URL, OpenGraph and Twitter card tags on every page, sitemap.xml, robots.txt."""

from __future__ import annotations

import gzip
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import urls
from generator.catalog import Catalog
from generator.render import record_markdown
from generator.site import build_site
from tests.cases import case_text
from tests.conftest import BUILD_DATE, PROJECT

SITE_URL = "http://127.0.0.1/"  # conftest's real_site
CONFIG = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
SITE_NAME = re.search(r"(?m)^site_name: (.+)$", CONFIG)[1]
SITE_DESCRIPTION = re.search(r"(?m)^site_description: (.+)$", CONFIG)[1]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def head(page: Path) -> BeautifulSoup:
    text = page.read_text(encoding="utf-8")
    return BeautifulSoup(text[: text.index("</head>")] + "</head>", "html.parser")


def share_tags(page: Path) -> dict[str, str]:
    """The page's sharing tags: name or property → content, and "canonical" → href."""
    soup = head(page)
    tags: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = meta.get("property") or meta.get("name")
        if key and (key.startswith(("og:", "twitter:")) or key == "description"):
            assert key not in tags, (page, key)  # each once
            tags[key] = meta.get("content")
    canonical = soup.find_all("link", rel="canonical")
    assert len(canonical) == 1, page
    tags["canonical"] = canonical[0]["href"]
    return tags


def expected_description(markdown: str) -> str:
    """Plain text of a record's Markdown, blocks joined (no space after 「。」), at most 120 characters."""
    text = " ".join(BeautifulSoup(str(record_markdown(markdown)), "html.parser").get_text().split())
    text = text.replace("。 ", "。")
    return text if len(text) <= 120 else text[:119] + "…"


def assert_shared_as(tags: dict[str, str], url: str, title: str, description: str, kind: str = "article") -> None:
    assert tags == {
        "description": description,
        "canonical": url,
        "og:type": kind,
        "og:site_name": SITE_NAME,
        "og:title": title,
        "og:description": description,
        "og:url": url,
        "og:locale": "ja_JP",
        "twitter:card": "summary",
        "twitter:title": title,
        "twitter:description": description,
    }


@pytest.fixture(scope="module")
def catalog(real_content) -> Catalog:
    return Catalog(real_content, BUILD_DATE)


def test_case_page_is_shared_with_its_title_and_summary(real_site, catalog):
    longest = max(catalog.cases, key=lambda e: len(e.case.summary))
    shortest = min(catalog.cases, key=lambda e: len(e.case.summary))
    for entry in (longest, shortest):
        tags = share_tags(real_site / entry.url / "index.html")
        description = expected_description(entry.case.summary)
        assert_shared_as(tags, SITE_URL + entry.url, entry.case.title, description)
        assert 20 < len(description) <= 120 and "\n" not in description and "<" not in description
    assert share_tags(real_site / longest.url / "index.html")["description"].endswith("…")


def test_field_and_prefecture_pages_describe_themselves(real_site, catalog):
    field = catalog.fields[0]
    tags = share_tags(real_site / urls.url("field", field.slug) / "index.html")
    assert_shared_as(
        tags,
        SITE_URL + urls.url("field", field.slug),
        f"{field.no}. {field.name}",
        expected_description(field.description),
    )
    prefecture = catalog.prefecture_by_name["長野県"]
    count = len(catalog.cases_in_prefecture(prefecture))
    tags = share_tags(real_site / urls.url("prefecture", prefecture.slug) / "index.html")
    assert tags["og:description"].startswith(f"長野県の地方公共団体のデジタル化の取組事例（{count}件）")


def test_home_page_is_shared_as_the_site(real_site):
    assert_shared_as(share_tags(real_site / "index.html"), SITE_URL, SITE_NAME, SITE_DESCRIPTION, kind="website")


def built_pages(site: Path) -> dict[str, Path]:
    """Every page of a built site by its URL (MkDocs directory URLs), the 404 page aside."""
    return {
        SITE_URL + ("" if p.parent == site else p.parent.relative_to(site).as_posix() + "/"): p
        for p in site.rglob("index.html")
    }


def test_every_page_has_a_canonical_url_and_share_tags(real_site):
    pages = built_pages(real_site)
    assert len(pages) > 300
    for url, page in pages.items():
        tags = share_tags(page)
        assert tags["canonical"] == tags["og:url"] == url, page
        for key in ("og:title", "og:description", "twitter:title", "twitter:description", "og:site_name"):
            assert tags[key] and tags[key].strip() == tags[key], (page, key)
        assert tags["og:locale"] == "ja_JP" and tags["twitter:card"] == "summary"


def test_sitemap_lists_every_page_and_robots_names_it(real_site):
    sitemap = (real_site / "sitemap.xml").read_bytes()
    assert gzip.decompress((real_site / "sitemap.xml.gz").read_bytes()) == sitemap
    locations = [loc.text for loc in ET.fromstring(sitemap).iter(f"{SITEMAP}loc")]
    assert len(locations) == len(set(locations))
    assert set(locations) == set(built_pages(real_site))
    assert SITE_URL + urls.url("field", "daily-life") in locations  # generated pages too
    robots = (real_site / "robots.txt").read_text(encoding="utf-8")
    assert re.search(rf"(?m)^Sitemap: {re.escape(SITE_URL)}sitemap\.xml$", robots)
    assert re.search(r"(?m)^User-agent: \*$", robots)


HOSTILE_TITLE = '"><script>alert(1)</script> & <b>取組</b>'


def test_record_text_in_share_tags_stays_text(taxonomy_only, tmp_path):
    text = case_text("hostile-share", {"title: テスト用のドローン配送の取組": "title: '" + HOSTILE_TITLE + "'"})
    text = text.replace("テスト用の概要です。", '概要 "><script>alert(2)</script> & <img src=x onerror=alert(3)>')
    (taxonomy_only / "cases" / "hostile-share.yaml").write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    build_site(taxonomy_only, site, BUILD_DATE, "https://example.jp/")
    page = site / "cases" / "hostile-share" / "index.html"
    soup = head(page)
    assert not [s for s in soup.find_all("script") if "alert" in s.get_text()]
    assert not soup.find_all(["img", "b"])
    tags = share_tags(page)
    assert tags["og:title"] == tags["twitter:title"] == HOSTILE_TITLE
    assert tags["og:description"] == '概要 "><script>alert(2)</script> & <img src=x onerror=alert(3)> 箇条書き'
    shutil.rmtree(site)


@pytest.mark.parametrize("path", ["fields/daily-life/", "prefectures/nagano/", "talent/", "cases/", ""])
def test_a_page_requests_nothing_that_is_missing(page, real_site_url, path):
    """Every request a page makes is answered (Material would fetch <folder>/sitemap.xml for a
    link rel="alternate", and a missing one answers 404)."""
    failed: list[str] = []
    requested: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
    page.on("request", lambda request: requested.append(request.url))
    page.goto(real_site_url + path, wait_until="networkidle")
    page.wait_for_timeout(500)  # scripts that fetch after the page has loaded
    assert failed == []
    assert not [url for url in requested if "sitemap" in url]
    assert len(requested) > 3  # the page, its styles and scripts were seen
    assert page.errors == []
