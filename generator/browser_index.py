"""The in-browser search index: static JSON files that search.js reads a few at a time.

Pagefind was measured first (see benchmarks/README.md): fed with pre-tokenised records it
matched exactly, but a first query downloaded about 180 KB at 200 cases (its WebAssembly alone
is 68 KB, and each index chunk 25–65 KB), over the 150 KB budget. This index is built for
exactly our tokens and needs no WebAssembly:

- ``meta.json``: the number of shards; for each page where its title and names, keys and text end
  (in token positions: a match before the first end is in the title, after the last only in
  the lineage of its programs); every filter as value → page numbers (so facet counts are exact
  and need no further download), and each filter's values in the order people expect;
- ``b<N>.json``: bigram → [[page, position, ...], ...], sharded by a hash of the bigram;
  positions make a word of several bigrams an exact phrase match;
- ``c<N>.json``: character → [page, ...], for one-character queries;
- ``d/<page>.json``: a page's title, place, field, type, URL and texts, loaded only for the
  results shown (and to verify words that cross punctuation).
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from pathlib import Path

from generator.catalog import (
    CLOSED,
    CLOSING_SOON,
    EMPLOYMENT_CHOICES,
    OPEN,
    POPULATION_BANDS,
    PREFECTURAL_GROUP,
    REMOTE_CHOICES,
    UPCOMING,
)
from generator.models import COLLECTION_FIELDS
from generator.municipalities import GOVERNMENT_KINDS, prefectures
from generator.search import TYPE_LABELS, SearchDocument, is_word_char, marked_runs, normalize

log = logging.getLogger(__name__)

INDEX_DIR = "search/index"
TYPE_ORDER = ["case", "posting", "advisor", "program"]
POSTINGS_PER_BIGRAM_SHARD = 1500
POSTINGS_PER_CHAR_SHARD = 4000
BY_COUNT = {"funding", "tag"}  # filters listed most common first (search.js), not in a fixed order


def shard_of(token: str, shards: int) -> int:
    """FNV-1a over code points; search.js computes the same."""
    value = 2166136261
    for ch in token:
        value = ((value ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return value % shards


def positioned_bigrams(text: str, normalized: bool = False, start: int = 0) -> tuple[list[tuple[str, int]], int]:
    """(bigram, position) of the marked runs: consecutive within a run, with a gap between runs;
    and the position after the last."""
    result, position = [], start
    for run in marked_runs(text if normalized else normalize(text)):
        for i in range(len(run) - 1):
            result.append((run[i : i + 2], position))
            position += 1
        position += 2  # no phrase spans two runs
    return result, position


_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}


def _western_year(label: str) -> int | None:
    """令和3年度 → 2021, 令和元年度 → 2019 (as catalog.wareki_fiscal_year writes them)."""
    era, number = label[:2], label[2:].removesuffix("年度")
    if era not in _ERAS:
        return None
    if number == "元":
        return _ERAS[era] + 1
    return _ERAS[era] + int(number) if number.isdigit() else None


def facet_order(key: str, values) -> list[str]:
    """A filter's values in the order people expect: population bands by size, fields in the
    collection's 1–20 order, prefectures in JIS order, fiscal years in time order, statuses as a
    posting goes through them; programs and keywords by how many pages carry them."""
    known = {
        "type": list(TYPE_LABELS.values()),
        "band": [b.label for b in [*POPULATION_BANDS, PREFECTURAL_GROUP]],
        "kind": [k.label for k in GOVERNMENT_KINDS],
        "field": COLLECTION_FIELDS,
        "prefecture": [p.name for p in prefectures()],
        "employment": [c.value for c in EMPLOYMENT_CHOICES],
        "remote": [c.value for c in REMOTE_CHOICES],
        "status": [s.label for s in (UPCOMING, OPEN, CLOSING_SOON, CLOSED)],
    }.get(key)
    values = dict(values)  # value → pages
    if known is not None:
        place = {value: i for i, value in enumerate(known)}
        return sorted(values, key=lambda v: (place.get(v, len(known)), v))
    if key == "year":
        return sorted(values, key=lambda v: (_western_year(v) or 10_000, v))
    return sorted(values, key=lambda v: (-len(values[v]), normalize(v), v))


def ordered(documents: list[SearchDocument]) -> list[SearchDocument]:
    """Page numbers: cases, postings, advisor programs, funding programs, each by URL."""
    return sorted(documents, key=lambda d: (TYPE_ORDER.index(d.type), d.url))


def _dump(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")


def write_bundle(documents: list[SearchDocument], site: Path) -> None:
    folder = site / INDEX_DIR
    pages = ordered(documents)
    bigrams: dict[str, list[list[int]]] = defaultdict(list)  # bigram → [[page, position, ...], ...]
    characters: dict[str, list[int]] = defaultdict(list)
    ends = []  # per page: where the title and names, the keys and the content end
    filters: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for number, page in enumerate(pages):
        here: dict[str, list[int]] = {}  # this page's bigrams: [page, position, ...]
        position, page_ends = 0, []
        for part in [*page.parts(), page.lineage]:
            found_tokens, position = positioned_bigrams(part, start=position)
            page_ends.append(position)
            for token, at in found_tokens:
                found = here.get(token)
                if found is None:
                    here[token] = [number, at]
                else:
                    found.append(at)
        ends.append(page_ends[:3])
        for token, found in here.items():
            bigrams[token].append(found)  # pages in order
        for ch in sorted(set(normalize(page.content()))):
            if is_word_char(ch):
                characters[ch].append(number)
        for key, values in page.filters.items():
            for value in values:
                filters[key][value].append(number)
        _dump(
            folder / "d" / f"{number}.json",
            {
                "url": page.url,
                "title": page.title,
                "place": page.place,
                "field": page.field,
                "type": page.type,
                "text": page.text,
                "extra": "\n".join([page.names, page.keys, page.variants]),
                "lineage": page.lineage,
            },
        )
    bigram_postings = sum(len(p) for p in bigrams.values())
    bigram_shards = max(8, math.ceil(bigram_postings / POSTINGS_PER_BIGRAM_SHARD))
    char_shards = max(4, math.ceil(sum(len(p) for p in characters.values()) / POSTINGS_PER_CHAR_SHARD))
    shards: dict[int, dict] = defaultdict(dict)
    for token, postings in bigrams.items():
        shards[shard_of(token, bigram_shards)][token] = postings
    for number in range(bigram_shards):
        _dump(folder / f"b{number}.json", shards.get(number, {}))
    char_shard_files: dict[int, dict] = defaultdict(dict)
    for ch, page_numbers in characters.items():
        char_shard_files[shard_of(ch, char_shards)][ch] = page_numbers
    for number in range(char_shards):
        _dump(folder / f"c{number}.json", char_shard_files.get(number, {}))
    _dump(
        folder / "meta.json",
        {
            "version": 2,
            "pages": len(pages),
            "bigramShards": bigram_shards,
            "charShards": char_shards,
            "ends": ends,
            "filters": {key: dict(values) for key, values in filters.items()},
            # programs and keywords are ordered by the browser, by their counts for the current matches
            "order": {key: facet_order(key, values) for key, values in filters.items() if key not in BY_COUNT},
        },
    )
