"""Talent: status from the date, validation of dates and pay, pages, JSON-LD and feeds."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from icalendar import Calendar

from generator.catalog import monthly_pay, posting_status
from generator.models import Posting
from generator.site import build_site
from generator.validate import validate_content
from tests.conftest import CONTENT
from tests.talent import EXPECTED_STATUS, posting_text, write_postings

TODAY = date(2026, 11, 23)
SITE_URL = "https://jirei.example.jp/"


def posting_from_text(text: str) -> Posting:
    """The model from a record's text (dates as text, as the loader keeps them)."""
    return Posting.model_validate(json.loads(json.dumps(yaml.safe_load(text), default=str)))


def status_on(today: date, opens: date, closes: date, extra: str = "") -> str:
    text = posting_text("x", today, (opens - today).days, (closes - today).days, extra=extra)
    return posting_status(posting_from_text(text), today).label


OPENS, CLOSES = date(2026, 12, 1), date(2026, 12, 20)


@pytest.mark.parametrize(
    ("today", "extra", "label"),
    [
        (OPENS - timedelta(days=1), "", "募集前"),
        (OPENS, "", "募集中"),
        (CLOSES - timedelta(days=8), "", "募集中"),
        (CLOSES - timedelta(days=7), "", "締切間近"),
        (CLOSES, "", "締切間近"),
        (CLOSES + timedelta(days=1), "", "募集終了"),
        (OPENS + timedelta(days=2), "closed_early: filled\n", "募集終了"),
        (OPENS + timedelta(days=2), "closed_early: cancelled\n", "募集終了"),
    ],
)
def test_status_transitions(today, extra, label):
    assert status_on(today, OPENS, CLOSES, extra) == label


@pytest.fixture
def talent_content(taxonomy_only) -> Path:
    write_postings(taxonomy_only, TODAY)
    advisors = taxonomy_only / "talent" / "advisors"
    advisors.mkdir(parents=True)
    for source in sorted((CONTENT / "talent" / "advisors").glob("*.yaml"))[:3]:
        shutil.copy(source, advisors / source.name)
    return taxonomy_only


def test_fixture_statuses(talent_content):
    from generator.catalog import Catalog

    content, problems = validate_content(talent_content)
    assert problems == []
    catalog = Catalog(content, TODAY)
    statuses = {e.id: e.status.label for e in catalog.postings}
    assert statuses == {**EXPECTED_STATUS, "test-archived": "募集終了"}


@pytest.mark.parametrize(
    ("replace", "line_text", "message"),
    [
        (
            {"  opens: 2026-11-13": "  opens: 2027-01-30"},
            "  closes:",
            "締切日 2026-12-23 が受付開始日 2027-01-30 より前です",
        ),
        ({"end: 2028-03-31": "end: 2027-03-31"}, "term:", "任期の終了日 2027-03-31 が開始日 2027-04-01 より前です"),
        (
            {"min: 30000, max: 50000": "min: 30000, max: 20000"},
            "compensation:",
            "報酬の上限 20,000 円が下限 30,000 円より小さくなっています",
        ),
        ({"  closes: 2026-12-23\n": ""}, "application:", "締切日「application.closes」がありません"),
        ({"posted: 2026-11-13\n": ""}, "id:", "公表日「posted」がありません"),
        ({"posted: 2026-11-13\n": "posted:\n"}, "posted:", "公表日「posted」がありません"),
        (
            {"remote: 可": "remote: たぶん"},
            "remote:",
            "「remote」は次のいずれかにしてください: 可 / 一部可 / 不可 / 記載なし",
        ),
        (
            {"fiscal_measures: [cio-hosakan-tokukou]": "fiscal_measures: [cio-hosakan-tokukuo]"},
            "fiscal_measures:",
            "「cio-hosakan-tokukou」の誤りではありませんか",
        ),
    ],
)
def test_posting_rules_are_located(taxonomy_only, replace, line_text, message):
    text = posting_text("rule", TODAY, -10, 30)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    folder = taxonomy_only / "talent" / "postings"
    folder.mkdir(parents=True)
    (folder / "rule.yaml").write_text(text, encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    matching = [p for p in problems if message in p.message]
    assert matching, [p.text() for p in problems]
    assert matching[0].line == text[: text.index(line_text)].count("\n") + 1
    assert matching[0].path.endswith("talent/postings/rule.yaml")


def test_monthly_equivalent():
    data = posting_from_text(posting_text("pay", TODAY, -10, 30)).model_dump(mode="json", exclude_none=True)
    pay = monthly_pay(Posting.model_validate(data))
    assert (pay.low, pay.high) == (120_000, 200_000)
    assert "月4日" in pay.how
    data["workload"] = "週2日"
    pay = monthly_pay(Posting.model_validate(data))
    assert pay.low == round(30000 * 2 * 52 / 12)
    data["workload"] = "随時"
    assert monthly_pay(Posting.model_validate(data)) is None
    data["compensation"] = {"unit": "年額", "min": 12_000_000}
    assert monthly_pay(Posting.model_validate(data)).low == 1_000_000


@pytest.fixture
def talent_site(talent_content, tmp_path) -> Path:
    site = tmp_path / "site"
    build_site(talent_content, site, TODAY, SITE_URL)
    return site


def soup_of(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def json_ld(soup: BeautifulSoup) -> list[dict]:
    return [json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')]


def test_talent_index_orders_open_upcoming_archive(talent_site):
    article = soup_of(talent_site, "talent").select_one("article")
    tables = article.select("table.jirei-postings")
    ids = [[a["href"].split("/")[-2] for a in t.select("tbody td:first-child a")] for t in tables]
    assert ids[0] == ["test-closing-soon", "test-open"]  # nearest deadline first
    assert ids[1] == ["test-upcoming"]
    assert set(ids[2]) == {"test-closed", "test-filled", "test-archived"}
    text = article.get_text()
    assert "募集中: 2 件（うち締切まで7日以内: 1 件）" in text
    assert "募集前: 1 件" in text and "募集終了（過去の募集の記録）: 3 件" in text


def test_json_ld_exactly_on_open_postings(talent_site):
    required = {"title", "description", "datePosted", "validThrough", "hiringOrganization", "jobLocation"}
    for posting_id, label in {**EXPECTED_STATUS, "test-archived": "募集終了"}.items():
        soup = soup_of(talent_site, f"talent/postings/{posting_id}")
        data = json_ld(soup)
        if label in ("募集中", "締切間近"):
            assert len(data) == 1, posting_id
            posting = data[0]
            assert posting["@type"] == "JobPosting" and required <= set(posting)
            assert posting["employmentType"] == ["PART_TIME"]
            assert posting["jobLocationType"] == "TELECOMMUTE"
            assert posting["applicantLocationRequirements"] == {"@type": "Country", "name": "Japan"}
            assert posting["baseSalary"]["value"] == {
                "@type": "QuantitativeValue",
                "minValue": 30000,
                "maxValue": 50000,
                "unitText": "DAY",
            }
            assert posting["hiringOrganization"]["name"] == "長野県伊那市"
        else:
            assert data == [], posting_id


def test_closed_posting_has_banner_and_no_apply_link(talent_site):
    soup = soup_of(talent_site, "talent/postings/test-closed")
    article = soup.select_one("article")
    assert article.select_one(".jirei-status-banner--closed").get_text().startswith("募集終了")
    assert not [a for a in article.select("a[href]") if "example.jp/apply" in a["href"]]
    open_page = soup_of(talent_site, "talent/postings/test-open").select_one("article")
    assert [a for a in open_page.select("a[href]") if a["href"] == "https://example.jp/apply/test-open"]
    assert "月額に換算すると 120,000円〜200,000円" in open_page.get_text()
    assert "../../../funding/cio-hosakan-tokukou/" in [a["href"] for a in open_page.select("a[href]")]


def test_json_ld_survives_hostile_text(taxonomy_only, tmp_path):
    folder = taxonomy_only / "talent" / "postings"
    folder.mkdir(parents=True)
    text = posting_text("hostile", TODAY, -5, 20, duties='"quotes" </script><script>alert(1)</script> & {{ 7*7 }}')
    (folder / "hostile.yaml").write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    build_site(taxonomy_only, site, TODAY, SITE_URL)
    html = (site / "talent/postings/hostile/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    data = json_ld(BeautifulSoup(html, "html.parser"))
    assert "&quot;quotes&quot; &lt;/script&gt;&lt;script&gt;" in data[0]["description"]
    assert html.count("</script>") == html.count("<script")


def test_atom_feeds(talent_site):
    feed = feedparser.parse((talent_site / "feeds/postings.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    links = [e.link for e in feed.entries]
    assert sorted(links) == sorted(
        SITE_URL + f"talent/postings/{i}/" for i in ("test-open", "test-closing-soon", "test-upcoming")
    )
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)  # newest first
    assert feed.entries[0].link.endswith("/test-upcoming/")
    nagano = feedparser.parse((talent_site / "feeds/postings/nagano.xml").read_bytes())
    assert len(nagano.entries) == 3
    tokyo = feedparser.parse((talent_site / "feeds/postings/tokyo.xml").read_bytes())
    assert not tokyo.bozo and tokyo.entries == []


def test_deadline_calendar(talent_site):
    calendar = Calendar.from_ical((talent_site / "feeds/deadlines.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"test-open@jirei", "test-closing-soon@jirei"}
    event = events["test-closing-soon@jirei"]
    assert event.decoded("dtstart") == TODAY + timedelta(days=3)
    assert event.decoded("dtend") == TODAY + timedelta(days=4)
    assert "締切" in str(event["summary"])


def test_feeds_are_discoverable(talent_site):
    head = soup_of(talent_site, "talent").head
    types = {link["type"] for link in head.select('link[rel="alternate"]')}
    assert {"application/atom+xml", "text/calendar"} <= types
    hrefs = [a["href"] for a in soup_of(talent_site, "talent").select("article a[href]")]
    assert "../feeds/postings.xml" in hrefs and "../feeds/deadlines.ics" in hrefs


def test_advisor_table_lists_every_program(talent_content, talent_site):
    names = {path.stem for path in (talent_content / "talent" / "advisors").glob("*.yaml")}
    rows = soup_of(talent_site, "talent/advisors").select("table.jirei-compare tbody tr")
    linked = {row.select_one("th a")["href"].split("/")[-2] for row in rows}
    assert linked == names
    assert all(len(row.select("td")) == 8 for row in rows)


def test_group_pages_and_funding_page_list_postings(talent_site):
    assert (talent_site / "talent/employment/tokubetsushoku-hijokin/index.html").exists()
    assert (talent_site / "talent/remote/yes/index.html").exists()
    assert (talent_site / "talent/prefectures/nagano/index.html").exists()
    funding = soup_of(talent_site, "funding/cio-hosakan-tokukou").select_one("article")
    listed = {a["href"].split("/")[-2] for a in funding.select("table.jirei-postings tbody td:first-child a")}
    assert {"test-open", "test-closed"} <= listed


def test_nothing_open_says_how_to_submit(taxonomy_only, tmp_path):
    site = tmp_path / "site"
    build_site(taxonomy_only, site, TODAY, SITE_URL)
    text = soup_of(site, "talent").select_one("article").get_text()
    assert "いま募集中の求人はありません" in text and "プルリクエスト" in text


def undated_archived(content: Path) -> Path:
    """The synthetic content with a second archived posting whose source gives no date at all."""
    folder = content / "talent" / "postings"
    text = (folder / "test-archived.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith(("posted:", "  opens:"))]
    undated = "".join(lines).replace("id: test-archived", "id: test-undated")
    assert "posted" not in undated and "archived: true" in undated
    (folder / "test-undated.yaml").write_text(undated, encoding="utf-8")
    return content


def test_closed_posting_without_posted_builds_and_says_so(talent_content, tmp_path):
    content = undated_archived(talent_content)
    found, problems = validate_content(content)
    assert problems == [], [p.text() for p in problems]
    assert next(p for p in found.postings if p.id == "test-undated").posted is None
    site = tmp_path / "site"
    build_site(content, site, TODAY, SITE_URL)
    rows = {
        row.select_one("th").get_text(): row.select_one("td").get_text()
        for row in soup_of(site, "talent/postings/test-undated").select("article table.jirei-facts tr")
    }
    assert rows["公表"] == "掲載日の記載なし"
    assert rows["状態"].startswith("募集終了")
    dated = soup_of(site, "talent/postings/test-archived").select_one("article table.jirei-facts").get_text()
    assert "掲載日の記載なし" not in dated
    # The archive: most recently posted first, the undated one last, and the list says why.
    article = soup_of(site, "talent").select_one("article")
    archive = article.select("table.jirei-postings")[-1]
    ids = [a["href"].split("/")[-2] for a in archive.select("tbody td:first-child a")]
    assert ids[-1] == "test-undated" and "test-archived" in ids
    assert "出典に掲載日の記載がない募集は最後に並べています" in article.get_text()
    assert json_ld(soup_of(site, "talent/postings/test-undated")) == []


def test_feeds_never_invent_a_posting_date(talent_content, tmp_path):
    from generator.catalog import Catalog
    from generator.feeds import _posted_at, atom_feed

    folder = undated_archived(talent_content)
    content, problems = validate_content(folder)
    assert problems == []
    catalog = Catalog(content, TODAY)
    entries = {e.id: e for e in catalog.postings}
    assert _posted_at(entries["test-undated"]) is None
    # The built feeds list open and upcoming postings only: the undated one is not there.
    site = tmp_path / "site"
    build_site(folder, site, TODAY, SITE_URL)
    feed = feedparser.parse((site / "feeds/postings.xml").read_bytes())
    assert not feed.bozo and not [e for e in feed.entries if "test-undated" in e.link]
    assert Calendar.from_ical((site / "feeds/deadlines.ics").read_bytes())
    # Given one anyway, a feed does not crash and gives it no published date of its own.
    xml = atom_feed(catalog, [entries["test-undated"], entries["test-open"]], SITE_URL, "feeds/x.xml", "テスト")
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception
    undated = next(e for e in parsed.entries if "test-undated" in e.link)
    dated = next(e for e in parsed.entries if "test-open" in e.link)
    assert "published" not in undated and "published" in dated
    assert undated.updated_parsed == dated.updated_parsed == parsed.feed.updated_parsed
    assert parsed.entries[-1] is undated  # sorted as the oldest
