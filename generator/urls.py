"""Every URL of the site, from one table: record types, page kinds, named pages and feed files.

A record type is what pages are made from: its model, the content folder (one file per record) or
taxonomy file its records come from, the JSON Schema editors check them with (written by
`jirei schema`), the template of its page and the URL pattern of that page. A page kind (a
population band, a kind of local government, a prefecture, a group of postings) has a template
and a pattern but no model: its pages are derived. Named pages (the home page, the indexes) have
one docs path each.

Render asks here for the docs path and template of every page, the templates for every internal
link (the `url` global), the catalog, search and feeds for the URLs of records, the link check
for the URL of a docs path (`page_url`). URLs are site-relative MkDocs directory URLs
("cases/x/"); docs paths are relative to the docs folder ("cases/x.md").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator import models

# Ids and slugs, as models.RecordId: a key never leaves its folder or reads as another page.
_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TAXONOMY_DIR = "taxonomy"  # under content/: the taxonomy files
# Where the site is published when neither --site-url nor JIREI_SITE_URL says (absolute URLs of
# feeds and printed pages).
DEFAULT_SITE_URL = "http://localhost:8000/"
SITE_TITLE = "自治体DX事例集"  # the site's name in feeds and data files (mkdocs.yml's site_name for pages)


@dataclass(frozen=True)
class RecordType:
    """A kind of page with one page per key: `pattern` holds "{key}" (an id or slug)."""

    kind: str
    model: type[models.Record] | None  # None for a page kind (pages derived from the records)
    folder: str | None  # under content/: a folder of one file per record, or a taxonomy file
    schema: str | None  # a file name of models.json_schemas() (schema/)
    template: str  # under generator/templates/
    pattern: str  # site-relative URL, ends with "{key}/"

    def url(self, key: str) -> str:
        if not isinstance(key, str) or not _KEY.fullmatch(key) or key in models.RESERVED_IDS:
            raise ValueError(f"not a page key for {self.kind}: {key!r}")
        return self.pattern.replace("{key}", key)

    def docs_path(self, key: str) -> str:
        return self.url(key)[:-1] + ".md"


@dataclass(frozen=True)
class Page:
    """A page of its own (the home page, an index): one docs path and its template."""

    name: str
    path: str  # docs path
    template: str

    @property
    def url(self) -> str:
        return page_url(self.path)


@dataclass(frozen=True)
class FeedFile:
    """A file the feeds write: the path is also its site URL; "{key}" for one file per key."""

    name: str
    pattern: str

    def url(self, key: str | None) -> str:
        if ("{key}" in self.pattern) != (key is not None):
            raise ValueError(f"{self.name} takes {'a' if '{key}' in self.pattern else 'no'} key")
        if key is None:
            return self.pattern
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a file key for {self.name}: {key!r}")
        return self.pattern.replace("{key}", key)


RECORD_TYPES: dict[str, RecordType] = {
    t.kind: t
    for t in [
        RecordType("case", models.Case, "cases", "case.schema.json", "case.md.j2", "cases/{key}/"),
        RecordType(
            "field",
            models.BusinessField,
            f"{TAXONOMY_DIR}/{models.FIELDS_FILE}",
            "fields.schema.json",
            "field.md.j2",
            "fields/{key}/",
        ),
        RecordType(
            "program",
            models.FundingProgram,
            f"{TAXONOMY_DIR}/{models.FUNDING_FILE}",
            "funding.schema.json",
            "program.md.j2",
            "funding/{key}/",
        ),
        RecordType(
            "posting",
            models.Posting,
            "talent/postings",
            "posting.schema.json",
            "posting.md.j2",
            "talent/postings/{key}/",
        ),
        RecordType(
            "advisor",
            models.AdvisorProgram,
            "talent/advisors",
            "advisor.schema.json",
            "advisor.md.j2",
            "talent/advisors/{key}/",
        ),
        # Page kinds: derived from the records, no content folder of their own.
        RecordType("band", None, None, None, "band.md.j2", "population/{key}/"),
        RecordType("prefecture", None, None, None, "prefecture.md.j2", "prefectures/{key}/"),
        RecordType("kind", None, None, None, "kind.md.j2", "kinds/{key}/"),
        RecordType("employment", None, None, None, "talent_group.md.j2", "talent/employment/{key}/"),
        RecordType("remote", None, None, None, "talent_group.md.j2", "talent/remote/{key}/"),
        RecordType("talent_prefecture", None, None, None, "talent_group.md.j2", "talent/prefectures/{key}/"),
    ]
}

PAGES: dict[str, Page] = {
    p.name: p
    for p in [
        Page("home", "index.md", "home.md.j2"),
        Page("cases", "cases/index.md", "cases.md.j2"),
        Page("fields", "fields/index.md", "fields.md.j2"),
        Page("population", "population/index.md", "population.md.j2"),
        Page("kinds", "kinds/index.md", "kinds.md.j2"),
        Page("funding", "funding/index.md", "funding.md.j2"),
        Page("prefectures", "prefectures/index.md", "prefectures.md.j2"),
        Page("talent", "talent/index.md", "talent.md.j2"),
        Page("advisors", "talent/advisors/index.md", "advisors.md.j2"),
        Page("search", "search/index.md", "search.md.j2"),
        Page("accessibility", "accessibility/index.md", "accessibility.md.j2"),
        Page("about", "about/index.md", "about.md.j2"),
        Page("data", "data/index.md", "data.md.j2"),
        Page("reference", "about/fields.md", "reference.md.j2"),
        Page("contribute", "contribute/index.md", "contribute.md.j2"),
    ]
}

FEED_FILES: dict[str, FeedFile] = {
    f.name: f
    for f in [
        FeedFile("postings_feed", "feeds/postings.xml"),
        FeedFile("prefecture_feed", "feeds/postings/{key}.xml"),
        FeedFile("deadlines", "feeds/deadlines.ics"),
        # Open data (generator/opendata.py): per dataset (cases, postings…) and the records' JSON Schemas.
        FeedFile("data_csv", "data/{key}.csv"),
        FeedFile("data_json", "data/{key}.json"),
        FeedFile("data_schema", "data/schema/{key}.schema.json"),
        FeedFile("cases_feed", "feeds/cases.xml"),
        FeedFile("field_cases_feed", "feeds/fields/{key}.xml"),
        FeedFile("prefecture_cases_feed", "feeds/prefectures/{key}.xml"),
        FeedFile("robots", "robots.txt"),  # for crawlers: names the sitemap (MkDocs writes sitemap.xml)
    ]
}


def page_url(path: str) -> str:
    """The site URL of a docs file (MkDocs directory URLs): cases/x.md → cases/x/, index.md → ""."""
    if path == "index.md":
        return ""
    if path.endswith("/index.md"):
        return path[: -len("index.md")]
    return path[: -len(".md")] + "/"


def url(name: str, key: str | None = None) -> str:
    """The site URL of a record or derived page (`url("case", "x")` → "cases/x/"), of a named page
    (`url("fields")` → "fields/") or of a feed file (`url("prefecture_feed", "nagano")`)."""
    if name in RECORD_TYPES:
        if key is None:
            raise ValueError(f"{name} takes a key")
        return RECORD_TYPES[name].url(key)
    if name in PAGES:
        if key is not None:
            raise ValueError(f"{name} takes no key")
        return PAGES[name].url
    if name in FEED_FILES:
        return FEED_FILES[name].url(key)
    raise KeyError(name)


def docs_path(name: str, key: str | None = None) -> str:
    """The docs path of a record or derived page ("cases/x.md") or of a named page ("cases/index.md")."""
    if name in RECORD_TYPES:
        if key is None:
            raise ValueError(f"{name} takes a key")
        return RECORD_TYPES[name].docs_path(key)
    if key is not None:
        raise ValueError(f"{name} takes no key")
    return PAGES[name].path


def template(name: str) -> str:
    """The template of a record type, page kind or named page."""
    return RECORD_TYPES[name].template if name in RECORD_TYPES else PAGES[name].template


def record_type(model: type[models.Record]) -> RecordType:
    """The record type of a model."""
    for kind in RECORD_TYPES.values():
        if kind.model is model:
            return kind
    raise KeyError(model.__name__)
