"""Search quality on the real content: programs find the cases that used them, a page is found
by its own text, ranking, and synonyms (content/taxonomy/synonyms.yaml)."""

from __future__ import annotations

import pytest

from generator.catalog import Catalog
from generator.search import (
    match_place,
    memory_index,
    normalize,
    query_words,
    read_documents,
    search_documents,
    search_index,
    searchable,
)
from tests.conftest import BUILD_DATE


@pytest.fixture(scope="module")
def catalog(real_content):
    return Catalog(real_content, BUILD_DATE)


@pytest.fixture(scope="module")
def documents(real_site):
    return read_documents(real_site)


@pytest.fixture(scope="module")
def index(documents):
    return memory_index(documents)


def search(index, query: str, **filters) -> list:
    return search_index(index, query, filters, limit=100_000)


def funded(catalog, program_ids) -> set[str]:
    return {e.url for e in catalog.cases if {u.program for u in e.case.support_programs} & set(program_ids)}


@pytest.mark.parametrize(
    ("query", "program"),
    [
        ("デジ田", "digital-denen-kofukin"),
        ("デジタル田園都市国家構想交付金", "digital-denen-kofukin"),
        ("推進交付金", "chiho-sosei-suishin-kofukin"),
        ("臨時交付金", "corona-rinji-kofukin"),
        ("ローカル5G開発実証", "local5g-kaihatsu-jissho"),
        ("地域おこし企業人", "chiiki-kasseika-kigyojin"),
    ],
)
def test_a_program_name_or_alias_finds_the_cases_that_used_it(catalog, index, query, program):
    hits = search(index, query)
    direct = {h.url for h in hits if not h.related and h.type == "case"}
    assert funded(catalog, [program]) <= direct and funded(catalog, [program])
    # cases under its predecessors and successors, marked, after every direct hit
    lineage = [*catalog.ancestors(program), *catalog.descendants(program)]
    related = {h.url for h in hits if h.related}
    assert related == funded(catalog, lineage) - direct
    flags = [h.related for h in hits]
    assert flags == sorted(flags)
    assert all(h.type == "case" for h in hits if h.related)


def test_digiden_finds_its_four_cases_and_the_program_first(catalog, index):
    hits = search(index, "デジ田")
    assert hits[0].url == "funding/digital-denen-kofukin/"
    cases = funded(catalog, ["digital-denen-kofukin"])
    assert len(cases) >= 4
    assert {h.url for h in hits[1 : 1 + len(cases)]} == cases


def test_a_page_is_found_by_its_own_text_not_the_titles_it_shows(catalog, documents):
    """A case page lists related cases and a program page the cases that used it: their titles
    are not part of the page's searchable text."""
    by_url = {d.url: d for d in documents}
    own = {e.url: searchable(e.case.title) for e in catalog.cases}
    for entry, related in ((e, catalog.related[e.id]) for e in catalog.cases):
        text = searchable(by_url[entry.url].content())
        for other in related:
            if other.case.title != entry.case.title:
                assert own[other.url] not in text, (entry.id, other.id)
    for program in catalog.programs.values():
        text = searchable(by_url[f"funding/{program.id}/"].content())
        for use in catalog.program_uses(program.id):
            assert searchable(use.entry.case.title) not in text, (program.id, use.entry.id)


def test_drone_finds_cases_not_pages_that_quote_them(index):
    hits = search(index, "ドローン")
    assert hits and all(h.type == "case" for h in hits)


def test_ai_does_not_match_inside_latin_words(index, documents):
    by_url = {d.url: d for d in documents}
    for hit in search(index, "AI"):
        text = searchable(by_url[hit.url].content())
        assert "\x01ai\x01" in text, hit.url
    assert search(index, "affairs") == [] or all(
        "affairs" in normalize(by_url[h.url].content()) for h in search(index, "affairs")
    )


def test_ai_chat_finds_ai_ga_chatto(index):
    urls = [h.url for h in search(index, "AIチャット")]
    assert "cases/yokohama-ai-waste-sorting-chat/" in urls


@pytest.mark.parametrize("query", ["AI", "ドローン", "防災", "デジ田", "オンライン", "子育て 相談"])
def test_title_tag_and_program_matches_rank_first_and_cases_before_other_pages(index, documents, query):
    by_url = {d.url: d for d in documents}
    words = query_words(query)
    hits = [h for h in search(index, query) if not h.related]
    places = [min(match_place([searchable(p) for p in [*by_url[h.url].parts(), ""]], words), 2) for h in hits]
    assert places == sorted(places), query
    order = {"case": 0, "posting": 1, "advisor": 2, "program": 3}
    for place in set(places):
        kinds = [order[h.type] for h, p in zip(hits, places, strict=True) if p == place]
        assert kinds == sorted(kinds), (query, place)


# --- synonyms -----------------------------------------------------------------------------


def test_the_content_has_synonyms(real_content):
    terms = {term for group in real_content.synonyms for term in group.terms}
    assert {"買い物", "買物", "電子申請", "オンライン申請"} <= terms


@pytest.fixture(scope="module")
def synonym_documents(real_content):
    catalog = Catalog(real_content, BUILD_DATE)
    catalog.synonyms = real_content.synonyms  # what the build hands to search_documents
    return search_documents(catalog)


@pytest.mark.parametrize(
    ("query", "spelled"),
    [
        ("買物", "買い物"),
        ("電子申請", "オンライン申請"),
        ("スマホ", "スマートフォン"),
        ("スマートフォン", "スマホ"),
        ("取り組み", "取組"),
    ],
)
def test_a_synonym_finds_the_other_spellings(synonym_documents, query, spelled):
    index = memory_index(synonym_documents)
    found = {h.url for h in search(index, query) if not h.related}
    spelling = [
        d.url
        for d in synonym_documents
        if normalize(spelled) in normalize("\n".join([d.title, d.names, d.keys, d.text]))
    ]
    assert spelling, spelled
    assert set(spelling) <= found
    # within a compound too: 買物支援 finds 買い物支援
    if query == "買物":
        compound = {d.url for d in synonym_documents if "買い物支援" in d.title + d.text}
        assert compound and compound <= {h.url for h in search(index, "買物支援")}


def test_latin_synonyms_replace_whole_words_only(real_content):
    from generator.search import variants

    groups = [[normalize(t) for t in g.terms] for g in real_content.synonyms]
    assert "人工知能" in variants("AIカメラ", groups)
    assert variants("mail で連絡", groups) == ""  # "ai" inside "mail" is not the word AI


def test_evaluation_set_with_synonyms(synonym_documents):
    """The evaluation set over documents made with the content's synonyms (as the build makes
    them once the catalog hands them over): every kind keeps recall 1.0, precision ≥ 0.95."""
    from tests.search.evaluate import evaluate, report

    index = memory_index(synonym_documents)
    scores, mistakes = evaluate(
        synonym_documents, lambda q: {h.url for h in search_index(index, q, {}, limit=100_000) if not h.related}
    )
    print("\ncommand line, with synonyms:\n" + report(scores))
    assert mistakes == []
    assert {s.kind for s in scores} >= {"program", "synonym", "latin"}
    for score in scores:
        assert score.recall == 1.0 and score.precision >= 0.95, score
    # and a synonym query finds more than its own spelling
    own = {d.url for d in synonym_documents if "買物" in d.title + d.names + d.keys + d.text}
    assert len({h.url for h in search_index(index, "買物", {}, limit=1000)}) > len(own)


@pytest.fixture(scope="module")
def synonym_site_url(real_site, synonym_documents, tmp_path_factory):
    """The real site with its search files made from the documents with synonyms."""
    import shutil

    from generator.browser_index import write_bundle
    from generator.search import write_documents
    from tests.conftest import serve

    site = tmp_path_factory.mktemp("synonyms") / "site"
    shutil.copytree(real_site, site)
    shutil.rmtree(site / "search" / "index")
    write_documents(synonym_documents, site)
    write_bundle(synonym_documents, site)
    server, url = serve(site)
    yield url
    server.shutdown()


def test_browser_evaluation_set_with_synonyms(page, synonym_documents, synonym_site_url):
    from urllib.parse import quote

    from tests.search.evaluate import evaluate, report

    done = "() => { const s = document.querySelector('#jirei-search-status'); return s && s.textContent && !s.textContent.startsWith('検索しています'); }"

    def find(query: str) -> set[str]:
        page.goto(synonym_site_url + "search/?q=" + quote(query))
        page.wait_for_function(done)
        return {url.lstrip("/") for url in page.evaluate("jireiSearch.resultUrls()")}

    scores, mistakes = evaluate(synonym_documents, find, kinds={"program", "synonym", "latin"})
    print("\nbrowser, with synonyms:\n" + report(scores))
    assert mistakes == []
    assert {s.kind for s in scores} == {"program", "synonym", "latin"}
    for score in scores:
        assert score.recall == 1.0 and score.precision >= 0.95, score
    assert "cases/ina-drone-shopping/" in find("買物")  # its text says 買い物
    assert page.errors == []
