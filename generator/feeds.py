"""Feeds and files for readers and crawlers: new cases (Atom: all, per field, per prefecture), the
talent section's postings (Atom: all and per prefecture) and deadlines (iCalendar), robots.txt.

Ids and timestamps come from the records, the repository's history and the build date, never
from the clock, so that two builds of the same content are identical.
"""

from __future__ import annotations

import functools
import html
import logging
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from generator import urls
from generator.catalog import CaseEntry, Catalog, PostingEntry, wareki_fiscal_years
from generator.history import added_dates
from generator.render import record_markdown

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
CASE_FEED_ENTRIES = 100  # the newest cases a feed of cases holds


def render_feeds(catalog: Catalog, site_url: str, content_dir: Path | None = None) -> dict[str, bytes]:
    """Feed files (and robots.txt) by site-relative path. `content_dir` is the content folder the
    catalog was read from: its history in git dates the cases without an `updated` key."""
    site_url = site_url.rstrip("/") + "/"
    files = render_talent_feeds(catalog, site_url)
    files.update(render_case_feeds(catalog, site_url, content_dir))
    files[urls.url("robots")] = robots_txt(site_url)
    return files


def robots_txt(site_url: str) -> bytes:
    """Every page may be crawled; the sitemap (MkDocs writes it at the site's root) lists them.

    Crawlers read robots.txt at the root of a host only: for a site published in a folder (a GitHub
    project page, https://owner.github.io/repo/) it is read when the folder is the root of its own
    domain; the sitemap can be given to search engines directly otherwise."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site_url}sitemap.xml\n".encode()


# --- new cases --------------------------------------------------------------------------------


def render_case_feeds(catalog: Catalog, site_url: str, content_dir: Path | None) -> dict[str, bytes]:
    folder = content_dir / urls.RECORD_TYPES["case"].folder if content_dir is not None else None
    added = added_dates(folder) if folder is not None else {}
    feed = _CaseFeeds(catalog, site_url, {e.id: _dated_at(e, added) for e in catalog.cases})
    path = urls.url("cases_feed")
    files = {path: feed.atom(catalog.cases, path, "新着事例", urls.url("cases"))}
    for field in catalog.fields:
        path = urls.url("field_cases_feed", field.slug)
        title = f"新着事例（{field.no}. {field.name}）"
        files[path] = feed.atom(catalog.cases_in_field(field), path, title, urls.url("field", field.slug))
    for prefecture in catalog.prefectures:
        path = urls.url("prefecture_cases_feed", prefecture.slug)
        title = f"新着事例（{prefecture.name}）"
        entries = catalog.cases_in_prefecture(prefecture)
        files[path] = feed.atom(entries, path, title, urls.url("prefecture", prefecture.slug))
    return files


def _dated_at(entry: CaseEntry, added: dict[str, datetime]) -> tuple[datetime | None, datetime | None]:
    """(published, updated) of a case: published when its file was first committed, updated on its
    `updated` day (00:00 JST) or else when published. (None, None) for a case with neither: no
    history (an export, a shallow clone, a file not yet committed; see generator/history.py). Such
    a case is listed after the dated ones, with the feed's own date, as the talent feeds do with
    undated postings; never a date from the clock or a file's modification time."""
    published = added.get(f"{entry.id}.yaml")
    updated = entry.case.updated
    if updated is not None:
        moment = datetime.combine(updated, time(), tzinfo=JST)
        return published, max(moment, published) if published else moment
    return published, published


# Each feed of cases as the last build in this process made it, with what it was made from: a
# preview's rebuild makes again only the feeds whose entries changed.
_FEEDS_MADE: dict[str, tuple[tuple, bytes]] = {}


class _CaseFeeds:
    """The Atom feeds of cases: each case's entry text made once for all the feeds it is in."""

    def __init__(self, catalog: Catalog, site_url: str, dates: dict[str, tuple[datetime | None, datetime | None]]):
        self.catalog, self.site_url, self.dates = catalog, site_url, dates
        self.contents: dict[str, str] = {}

    def newest_first(self, entries: list[CaseEntry]) -> list[CaseEntry]:
        def key(entry: CaseEntry):
            updated = self.dates[entry.id][1]
            return (updated is not None, updated.timestamp() if updated else 0, entry.id)

        return sorted(entries, key=key, reverse=True)[:CASE_FEED_ENTRIES]

    def atom(self, entries: list[CaseEntry], path: str, title: str, page: str) -> bytes:
        listed = self.newest_first(entries)
        dated = [self.dates[e.id][1] for e in listed if self.dates[e.id][1] is not None]
        # The newest entry's date; the build date only when no case has one.
        newest = max(dated, default=None) or datetime.combine(self.catalog.today, time(), tzinfo=JST)
        items = [
            (
                entry.url,
                f"{entry.case.title}（{entry.place}）",
                (entry.field.name, f"{entry.field.no}. {entry.field.name}"),
                *self.dates[entry.id],
                self.content(entry),
            )
            for entry in listed
        ]
        inputs = (self.site_url, title, page, newest, items)
        remembered = _FEEDS_MADE.get(path)
        if remembered is not None and remembered[0] == inputs:
            return remembered[1]
        made = self._atom(path, title, page, newest, items)
        _FEEDS_MADE[path] = (inputs, made)
        return made

    def _atom(self, path: str, title: str, page: str, newest: datetime, items: list[tuple]) -> bytes:
        site_url = self.site_url
        feed = _feed(site_url, path, title, page)
        feed.updated(newest)
        for url, entry_title, (term, label), published, updated, content in reversed(items):
            item = feed.add_entry()  # feedgen prepends: the oldest is added first
            item.id(site_url + url)
            item.title(entry_title)
            item.link(href=site_url + url)
            item.category(term=term, label=label)
            if published is not None:
                item.published(published)
            item.updated(updated or newest)
            item.content(content, type="html")
        return feed.atom_str(pretty=True)

    def content(self, entry: CaseEntry) -> str:
        """The entry's HTML: municipality, field, summary, programs. Record text is escaped (the
        summary is rendered by render.record_markdown, which refuses raw HTML)."""
        if entry.id not in self.contents:
            self.contents[entry.id] = self._content(entry)
        return self.contents[entry.id]

    def _content(self, entry: CaseEntry) -> str:
        case, e = entry.case, html.escape
        parts = [
            f"<p>団体: {e(entry.place)}（人口 {case.population:,}人）<br>分野: {entry.field.no}. {e(entry.field.name)}</p>",
            _summary_html(case.summary),
        ]
        programs = []
        for use in case.support_programs:
            program = self.catalog.programs[use.program]
            years = f"（{wareki_fiscal_years(use.fiscal_years)}）" if use.fiscal_years else ""
            link = self.site_url + urls.url("program", program.id)
            programs.append(f'<li><a href="{e(link)}">{e(program.name)}</a>{e(years)}</li>')
        if programs:
            parts.append(f"<p>活用した支援制度:</p><ul>{''.join(programs)}</ul>")
        return "\n".join(parts)


@functools.lru_cache(maxsize=8192)
def _summary_html(summary: str) -> str:
    """A summary's HTML, kept for the next build in the same process (a preview re-renders only the
    summaries that changed): a feed lists at most CASE_FEED_ENTRIES cases, 68 feeds at most 6,800."""
    return str(record_markdown(summary))


# --- talent -----------------------------------------------------------------------------------


def render_talent_feeds(catalog: Catalog, site_url: str) -> dict[str, bytes]:
    listed = [e for e in catalog.postings if e.status.is_open or e.status.slug == "upcoming"]
    path = urls.url("postings_feed")
    files = {path: atom_feed(catalog, listed, site_url, path, "外部デジタル人材の募集")}
    for prefecture in catalog.prefectures:
        path = urls.url("prefecture_feed", prefecture.slug)
        entries = [e for e in listed if e.prefecture == prefecture]
        files[path] = atom_feed(catalog, entries, site_url, path, f"外部デジタル人材の募集（{prefecture.name}）")
    files[urls.url("deadlines")] = deadlines_calendar(catalog, site_url)
    return files


def _feed(site_url: str, path: str, title: str, page: str) -> FeedGenerator:
    """An Atom feed of the site at `path`, offering the page `page` (both site paths)."""
    from feedgen.feed import FeedGenerator  # here: a build makes its feeds in a process of their own

    feed = FeedGenerator()
    feed.id(site_url + path)
    feed.title(f"{title} | {urls.SITE_TITLE}")
    feed.link(href=site_url + page, rel="alternate")
    feed.link(href=site_url + path, rel="self")
    feed.language("ja")
    feed.author({"name": urls.SITE_TITLE})
    feed.generator("jirei")
    return feed


def _posted_at(entry: PostingEntry) -> datetime | None:
    """The moment a posting counts as published: its posted day (or opening day), 00:00 JST.

    None for a past posting whose source gives neither (never a date made up for it)."""
    text = entry.posting.posted
    moment = None
    if text:
        year, month, day = (text.split("-") + ["01", "01"])[:3]
        moment = datetime(int(year), int(month), int(day), tzinfo=UTC) - timedelta(hours=9)
    if entry.opens and (moment is None or entry.opens > moment.date()):
        moment = datetime.combine(entry.opens, time(), tzinfo=UTC) - timedelta(hours=9)
    return moment


def atom_feed(catalog: Catalog, entries: list[PostingEntry], site_url: str, path: str, title: str) -> bytes:
    feed = _feed(site_url, path, title, urls.url("talent"))
    build_moment = datetime.combine(catalog.today, time(), tzinfo=UTC)
    # Undated postings (only past ones can be) sort as the oldest and carry no published date.
    ordered = sorted(
        entries, key=lambda e: (_posted_at(e) is not None, _posted_at(e) or build_moment, e.id), reverse=True
    )
    newest = max((m for m in map(_posted_at, ordered) if m is not None), default=None)
    feed.updated(newest or build_moment)
    for entry in reversed(ordered):  # feedgen prepends: add the oldest first
        posting = entry.posting
        posted_at = _posted_at(entry)
        item = feed.add_entry()
        item.id(site_url + entry.url)
        item.title(f"{posting.title}（{entry.place}）")
        item.link(href=site_url + entry.url)
        if posted_at is not None:
            item.published(posted_at)
        # Atom requires an update time: the feed's own (the newest posting's, or the build date).
        item.updated(posted_at or newest or build_moment)
        closes = f"締切: {entry.closes}" if entry.closes else ""
        item.summary(f"{entry.status.label}。{posting.role}、{posting.employment}、リモート{posting.remote}。{closes}")
        item.content(str(record_markdown(posting.duties)), type="html")
    return feed.atom_str(pretty=True)


def deadlines_calendar(catalog: Catalog, site_url: str) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//jirei//自治体DX事例集//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"外部デジタル人材の募集の締切 | {urls.SITE_TITLE}")
    for entry in sorted(catalog.open_postings, key=lambda e: (e.closes, e.id)):
        posting = entry.posting
        event = Event()
        event.add("uid", f"{posting.id}@jirei")
        event.add("dtstamp", _posted_at(entry) or datetime.combine(catalog.today, time(), tzinfo=UTC))
        event.add("dtstart", entry.closes)
        event.add("dtend", entry.closes + timedelta(days=1))
        event.add("summary", f"締切: {posting.title}（{entry.place}）")
        event.add("description", f"{posting.role}、{posting.employment}。{site_url}{entry.url}")
        event.add("url", site_url + entry.url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
