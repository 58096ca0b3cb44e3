"""The one table of record types and their URLs: every page, link, feed and folder comes from it."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest

from generator import render, urls
from generator.catalog import Catalog
from generator.feeds import render_feeds
from generator.links import _resolve, external_urls
from generator.models import SCHEMAS, json_schemas
from generator.opendata import data_files
from generator.search import search_documents
from generator.validate import validate_content
from tests.conftest import CONTENT, PROJECT

TEMPLATES = PROJECT / "generator" / "templates"
_HREF = re.compile(r'\shref="([^"]*)"')


@pytest.fixture(scope="module")
def catalog(real_content) -> Catalog:
    return Catalog(real_content, date(2026, 11, 30))


@pytest.fixture(scope="module")
def rendered(catalog) -> tuple[dict[str, str], list[str]]:
    """The real site's pages, and the template each was rendered with (in the same order)."""
    used: list[str] = []
    make_environment = render.environment

    def recording_environment():
        env = make_environment()
        get_template = env.get_template

        def recorded(name, *args, **kwargs):
            if not name.startswith("_"):  # not the macros a template imports
                used.append(name)
            return get_template(name, *args, **kwargs)

        env.get_template = recorded
        return env

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "environment", recording_environment)
        pages = render.render_pages(catalog)
    return pages, used


def keys_by_kind(catalog: Catalog) -> dict[str, set[str]]:
    """The keys the catalog has for every record type and page kind of the table."""
    return {
        "case": {e.id for e in catalog.cases},
        "field": {f.slug for f in catalog.fields},
        "program": set(catalog.programs),
        "posting": {e.id for e in catalog.postings},
        "advisor": {a.id for a in catalog.advisors},
        "band": {b.slug for b in catalog.population_groups},
        "prefecture": {p.slug for p in catalog.prefectures},
        "kind": {k.slug for k in catalog.government_kinds},
        "employment": {c.slug for c in catalog.employment_choices if catalog.postings_where("employment", c)},
        "remote": {c.slug for c in catalog.remote_choices if catalog.postings_where("remote", c)},
        "talent_prefecture": {p.slug for p in catalog.posting_prefectures},
    }


def match_url(url: str) -> tuple[str, str | None]:
    """The one table entry a site URL belongs to: (name, key), key None for a named page or file."""
    found = [(page.name, None) for page in urls.PAGES.values() if page.url == url]
    found += [(f.name, None) for f in urls.FEED_FILES.values() if f.pattern == url]
    patterns = [(t.kind, t.pattern) for t in urls.RECORD_TYPES.values()]
    patterns += [(f.name, f.pattern) for f in urls.FEED_FILES.values() if "{key}" in f.pattern]
    for name, pattern in patterns:
        before, after = pattern.split("{key}")
        middle = url[len(before) : len(url) - len(after)]
        if url.startswith(before) and url.endswith(after) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", middle):
            found.append((name, middle))
    assert len(found) == 1, (url, found)
    return found[0]


def test_names_are_unique_and_urls_agree_with_docs_paths():
    names = [*urls.RECORD_TYPES, *urls.PAGES, *urls.FEED_FILES]
    assert len(names) == len(set(names))
    for kind, record_type in urls.RECORD_TYPES.items():
        assert record_type.kind == kind and record_type.pattern.endswith("{key}/")
        assert urls.page_url(urls.docs_path(kind, "x-1")) == urls.url(kind, "x-1")
    for name, page in urls.PAGES.items():
        assert urls.docs_path(name) == page.path and urls.page_url(page.path) == urls.url(name)
    page_urls = [urls.url(name) for name in urls.PAGES]
    assert len(page_urls) == len(set(page_urls))
    assert urls.url("case", "ina-drone-shopping") == "cases/ina-drone-shopping/"
    assert urls.docs_path("case", "ina-drone-shopping") == "cases/ina-drone-shopping.md"
    assert urls.url("fields") == "fields/" and urls.docs_path("fields") == "fields/index.md"
    assert urls.url("home") == "" and urls.docs_path("home") == "index.md"
    assert urls.url("reference") == "about/fields/" and urls.docs_path("reference") == "about/fields.md"
    assert urls.url("prefecture_feed", "nagano") == "feeds/postings/nagano.xml"
    assert urls.page_url("talent/advisors/index.md") == "talent/advisors/"


@pytest.mark.parametrize("key", ["", "../x", "a/b", "index", "Ina", "a--b", "-a", "a b", None])
def test_a_key_that_is_not_an_id_or_slug_is_refused(key):
    with pytest.raises(ValueError):
        urls.url("case", key)
    with pytest.raises(ValueError):
        urls.docs_path("field", key)


def test_a_named_page_takes_no_key_and_unknown_names_fail():
    with pytest.raises(ValueError):
        urls.url("fields", "x")
    with pytest.raises(ValueError):
        urls.docs_path("cases", "x")
    with pytest.raises(ValueError):
        urls.url("postings_feed", "x")
    with pytest.raises(ValueError):
        urls.url("prefecture_feed")
    with pytest.raises(KeyError):
        urls.url("nowhere")


def test_every_kind_and_named_page_has_a_template():
    for name in [*urls.RECORD_TYPES, *urls.PAGES]:
        assert (TEMPLATES / urls.template(name)).is_file(), name


def test_folders_and_schemas_of_the_record_types_exist():
    schemas = json_schemas()
    models = {t.model for t in urls.RECORD_TYPES.values() if t.model is not None}
    assert models == {model for model, _ in SCHEMAS.values()}  # every record model has its row
    for record_type in urls.RECORD_TYPES.values():
        if record_type.model is None:  # a page kind: derived pages, nothing to read
            assert record_type.folder is None and record_type.schema is None
            continue
        assert record_type.schema in schemas
        assert SCHEMAS[record_type.schema.removesuffix(".schema.json")][0] is record_type.model
        schema_file = PROJECT / "schema" / record_type.schema
        assert schema_file.is_file(), schema_file
        source = CONTENT / record_type.folder
        files = [source] if source.suffix == ".yaml" else sorted(source.glob("*.yaml"))
        assert source.exists() and files, source
        for path in files:  # the header editors follow names the table's schema
            header = path.read_text(encoding="utf-8").splitlines()[0]
            assert header.startswith("# yaml-language-server: $schema="), path
            assert (path.parent / header.split("$schema=")[1]).resolve() == schema_file.resolve(), path


def test_validation_reads_the_folders_of_the_table(tmp_path):
    content = tmp_path / "content"
    for record_type in urls.RECORD_TYPES.values():
        if record_type.folder is None:
            continue
        source, target = CONTENT / record_type.folder, content / record_type.folder
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            target.mkdir()
            first = sorted(source.glob("*.yaml"))[0]
            (target / first.name).write_bytes(first.read_bytes())
        else:
            target.write_bytes(source.read_bytes())
    found, problems = validate_content(content)
    assert problems == []
    assert len(found.cases) == len(found.postings) == len(found.advisors) == 1
    assert found.fields and found.programs


def test_every_page_is_at_the_docs_path_of_its_kind_with_its_template(catalog, rendered):
    pages, templates = rendered
    assert len(templates) == len(pages)
    expected = keys_by_kind(catalog)
    seen: dict[str, set[str]] = {kind: set() for kind in urls.RECORD_TYPES}
    named = set()
    for path, template in zip(pages, templates, strict=True):
        name, key = match_url(urls.page_url(path))
        assert urls.docs_path(name, key) == path
        assert urls.template(name) == template, path
        if key is None:
            named.add(name)
        else:
            seen[name].add(key)
    assert named == set(urls.PAGES)
    assert seen == expected
    assert all(expected.values())


def test_every_internal_link_points_at_a_url_of_the_table(catalog, rendered):
    pages, _ = rendered
    keys = keys_by_kind(catalog)
    feeds = set(render_feeds(catalog, "https://example.jp/")) | set(data_files(catalog, "https://example.jp/", CONTENT))
    linked = set()
    for path, markdown in pages.items():
        here = urls.page_url(path)
        for href in map(html.unescape, _HREF.findall(markdown)):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("#"):
                continue
            assert href.startswith("../" * here.count("/")), (path, href)  # from the site's root
            target = _resolve(here, unquote(parts.path))
            name, key = match_url(target)
            if name in urls.FEED_FILES:
                assert target in feeds, (path, href)
            elif key is not None:
                assert key in keys[name], (path, href)
            linked.add(name)
    # links of every kind were checked (robots.txt is for crawlers: no page links it)
    assert set(urls.RECORD_TYPES) | (set(urls.FEED_FILES) - {"robots"}) <= linked


def test_feeds_search_and_check_links_use_the_table(real_content, catalog):
    files = render_feeds(catalog, "https://example.jp/")
    expected = {urls.url("postings_feed"), urls.url("deadlines")}
    expected |= {urls.url("prefecture_feed", p.slug) for p in catalog.prefectures}
    expected |= {urls.url("cases_feed"), urls.url("robots")}
    expected |= {urls.url("field_cases_feed", f.slug) for f in catalog.fields}
    expected |= {urls.url("prefecture_cases_feed", p.slug) for p in catalog.prefectures}
    assert set(files) == expected
    assert b'href="https://example.jp/talent/"' in files["feeds/postings.xml"]

    keys = keys_by_kind(catalog)
    documents = search_documents(catalog)
    assert {d.type for d in documents} == {"case", "posting", "advisor", "program"}
    for document in documents:
        name, key = match_url(document.url)
        assert name == document.type and key in keys[name]

    cited = external_urls(real_content)
    records = {where for wheres in cited.values() for where in wheres}
    assert records
    assert {match_url(where + "/")[0] for where in records} == {"case", "posting", "advisor", "program"}


def test_the_theme_and_navigation_name_pages_of_the_table():
    """MkDocs reads mkdocs.yml and the theme overrides itself: their paths are checked here."""
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:") :]
    nav_paths = re.findall(r"(?m)^\s*-\s(?:[^:\n]+:\s)?(\S+\.md)$", nav)
    assert sorted(nav_paths) == sorted(page.path for page in urls.PAGES.values())
    overrides = "".join(p.read_text(encoding="utf-8") for p in (PROJECT / "generator/overrides").rglob("*.html"))
    linked = re.findall(r"\{\{ '([^']*)' \| url \}\}", overrides)
    linked += re.findall(r'\{\{ base_url \}\}/([^"]*)"', overrides)
    prefixes = re.findall(r'page\.url\.startswith\("([^"]*)"\)', overrides)
    assert linked and prefixes
    for target in [*linked, *prefixes]:
        match_url(target)


def test_templates_write_no_internal_path_by_hand():
    """A link from the site's root is `{{ base }}` and then a URL the table gave: url(...) or an entry's url."""
    query = r"\?(q|edit)=\{\{ [\w.]+ \| urlencode \}\}"  # a search for a record's name, the form to correct it
    asked = re.compile(
        r"\{\{ base \}\}(\{\{ url\(\"[a-z_]+\"(, [\w.]+)?\) \}\}|\{\{ [\w.]+\.url \}\})(#[\w-]+|" + query + r")?\""
    )
    found = 0
    for path in sorted(TEMPLATES.glob("*.j2")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{\{ base \}\}", text):
            assert asked.match(text, match.start()), f"{path.name}: {text[match.start() : match.start() + 60]}"
            found += 1
    assert found > 40
