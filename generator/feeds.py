"""Feeds of the talent section: Atom (all and per prefecture) and an iCalendar of deadlines.

Ids and timestamps come from the records and the build date, never from the clock, so that
two builds of the same content are identical.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from generator import urls
from generator.catalog import Catalog, PostingEntry
from generator.render import record_markdown

log = logging.getLogger(__name__)

SITE_TITLE = "自治体DX事例集"


def render_feeds(catalog: Catalog, site_url: str) -> dict[str, bytes]:
    """Feed files by site-relative path."""
    site_url = site_url.rstrip("/") + "/"
    listed = [e for e in catalog.postings if e.status.is_open or e.status.slug == "upcoming"]
    path = urls.url("postings_feed")
    files = {path: atom_feed(catalog, listed, site_url, path, "外部デジタル人材の募集")}
    for prefecture in catalog.prefectures:
        path = urls.url("prefecture_feed", prefecture.slug)
        entries = [e for e in listed if e.prefecture == prefecture]
        files[path] = atom_feed(catalog, entries, site_url, path, f"外部デジタル人材の募集（{prefecture.name}）")
    files[urls.url("deadlines")] = deadlines_calendar(catalog, site_url)
    return files


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
    feed = FeedGenerator()
    feed.id(site_url + path)
    feed.title(f"{title} | {SITE_TITLE}")
    feed.link(href=site_url + urls.url("talent"), rel="alternate")
    feed.link(href=site_url + path, rel="self")
    feed.language("ja")
    feed.author({"name": SITE_TITLE})
    feed.generator("jirei")
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
    calendar = Calendar()
    calendar.add("prodid", "-//jirei//自治体DX事例集//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"外部デジタル人材の募集の締切 | {SITE_TITLE}")
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
