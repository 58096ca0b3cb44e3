"""Search: normalisation, the command line over the evaluation set, related cases."""

from __future__ import annotations

import json

import pytest

from generator.search import (
    crosses_punctuation,
    matches,
    normalize,
    open_index,
    query_words,
    read_documents,
    search_index,
    tokens,
)
from tests.conftest import CONTENT, run_jirei
from tests.search.evaluate import evaluate, report


@pytest.mark.parametrize(
    ("text", "normalized"),
    [("ＡＩ", "ai"), ("５Ｇ", "5g"), ("ドローン", "どろーん"), ("ｱﾌﾟﾘ", "あぷり"), ("ＤＸ推進", "dx推進"), ("ヴ", "ゔ")],
)
def test_normalize(text, normalized):
    assert normalize(text) == normalized


def test_tokens_are_the_bigrams_of_each_run():
    # Latin words are framed by a mark, so that their bigrams match whole words only
    assert tokens(normalize("ドローン配送、AI、市")) == ["どろ", "ろー", "ーん", "ん配", "配送", "\x01a", "ai", "i\x01"]
    assert tokens(normalize("AIカメラ")) == ["\x01a", "ai", "i\x01", "\x01か", "かめ", "めら"]
    assert crosses_punctuation("wi-fi") and not crosses_punctuation("どろーん") and not crosses_punctuation("市")


def test_matches_is_substring_after_normalisation():
    assert matches("ドローンで配送する", ["どろーん"])
    assert not matches("ドローンで配送する", ["どろーん配送"])
    assert matches("ＡＩと５Ｇ", ["ai", "5g"])


@pytest.mark.parametrize(
    ("text", "query", "found"),
    [
        ("AIカメラで混雑を把握", "AI", True),
        ("総務省 affairs の資料", "AI", False),  # a Latin word matches as a word
        ("AIoT の実証", "AI", False),
        ("5Gを活用", "5G", True),
        ("5GHz帯", "5G", False),
        ("令和13年度", "3年度", False),  # digits are a word too
        ("令和3年度", "3年度", True),
        ("ごみ分別にAIがチャットで回答", "AIチャット", True),  # cut where Latin meets Japanese
        ("AIチャットボット", "ＡＩチャット", True),
        ("ＬＩＮＥで相談", "line", True),
        ("オンラインで相談", "line", False),
        ("Wi-Fiを整備", "wi-fi", True),
    ],
)
def test_latin_words_match_as_words(text, query, found):
    assert matches(text, query_words(query)) is found


def test_query_words_cut_between_latin_and_japanese():
    assert query_words("AIチャット　ドローン") == ["ai", "ちゃっと", "どろーん"]
    assert query_words("DX推進 Wi-Fi 「AI」 5G") == ["dx", "推進", "wi-fi", "ai", "5g"]


@pytest.fixture(scope="module")
def cli_index(real_site, tmp_path_factory):
    return open_index(real_site / "search" / "documents.json", tmp_path_factory.mktemp("cache"))


def test_command_line_evaluation_set(real_site, cli_index):
    documents = read_documents(real_site)
    scores, mistakes = evaluate(
        documents, lambda q: {h.url for h in search_index(cli_index, q, {}, limit=100_000) if not h.related}
    )
    print("\ncommand line:\n" + report(scores))
    assert mistakes == []
    for score in scores:
        assert score.recall == 1.0 and score.precision >= 0.95, score


def test_filters_combine(cli_index):
    hits = search_index(cli_index, "", {"type": ["事例"], "field": ["交通"]}, limit=1000)
    assert hits and all(h.type == "case" for h in hits)
    fewer = search_index(cli_index, "", {"type": ["事例"], "field": ["交通"], "population": ["1万〜5万人"]}, limit=1000)
    assert 0 < len(fewer) < len(hits)
    assert {h.url for h in fewer} <= {h.url for h in hits}


def test_kind_of_local_government_filters_cases_with_the_population_band(real_site, cli_index):
    """団体の種類 (中核市, 町 …), alone or with a population band, on the command line and in the
    browser's index (whose values come in the ministry's order)."""
    documents = {d.url: d for d in read_documents(real_site)}
    kinds = {url: d.filters.get("kind") for url, d in documents.items() if d.type == "case"}
    assert all(len(kind) == 1 for kind in kinds.values()) and len({k[0] for k in kinds.values()}) >= 3
    towns = {url for url, kind in kinds.items() if kind == ["町"]}
    hits = search_index(cli_index, "", {"kind": ["町"]}, limit=1000)
    assert {h.url for h in hits} == towns
    band = documents[next(iter(towns))].filters["band"]
    both = search_index(cli_index, "", {"kind": ["町"], "population": band}, limit=1000)
    assert {h.url for h in both} == {url for url in towns if documents[url].filters["band"] == band}
    meta = json.loads((real_site / "search" / "index" / "meta.json").read_text(encoding="utf-8"))
    order = ["都道府県", "政令指定都市", "中核市", "その他の市", "特別区", "町", "村"]
    assert meta["order"]["kind"] == [kind for kind in order if kind in meta["filters"]["kind"]]
    result = run_jirei("search", "--kind", "町", "--json", "--limit", "1000", "--site-dir", str(real_site))
    assert result.returncode == 0, result.stderr
    assert {json.loads(line)["url"] for line in result.stdout.splitlines()} == towns
    wrong = run_jirei("search", "--kind", "大都市", "--site-dir", str(real_site))
    assert wrong.returncode == 1 and "団体の種類「大都市」はありません" in wrong.stderr


def test_jirei_search_json(real_site):
    result = run_jirei("search", "デジ田", "--json", "--limit", "3", "--site-dir", str(real_site))
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(hits) == 3
    assert set(hits[0]) == {"id", "type", "title", "url", "score", "related"}
    assert hits[0]["url"] == "funding/digital-denen-kofukin/" and hits[0]["type"] == "program"
    by_type = run_jirei(
        "search",
        "ドローン",
        "--type",
        "case",
        "--funding",
        "chiho-sosei-suishin-kofukin",
        "--json",
        "--site-dir",
        str(real_site),
    )
    # Exactly the cases funded by the program whose record mentions drones, the best known first.
    expected = {
        path.stem
        for path in (CONTENT / "cases").glob("*.yaml")
        if "chiho-sosei-suishin-kofukin" in (text := path.read_text(encoding="utf-8")) and "ドローン" in text
    }
    found = [json.loads(line)["id"] for line in by_type.stdout.splitlines()]
    assert found[0] == "ina-drone-shopping" and set(found) == expected


def test_jirei_search_errors(real_site, tmp_path):
    missing = run_jirei("search", "x", "--site-dir", str(tmp_path))
    assert missing.returncode == 1 and "jirei build" in missing.stderr and "Traceback" not in missing.stderr
    bad = run_jirei("search", "x", "--population", "大きい", "--site-dir", str(real_site))
    assert bad.returncode == 1 and "人口規模「大きい」はありません" in bad.stderr


def test_related_cases_never_list_the_case_itself(real_site):
    from bs4 import BeautifulSoup

    for page in sorted((real_site / "cases").glob("*/index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        related = soup.select("ul.jirei-related a")
        assert len(related) <= 5
        assert f"../../cases/{page.parent.name}/" not in [a["href"] for a in related]
    ina = BeautifulSoup((real_site / "cases/ina-drone-shopping/index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(ina.select("ul.jirei-related a")) == 5
