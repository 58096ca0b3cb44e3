"""The in-browser search index: static JSON files that search.js reads a few at a time.

Pagefind was measured first (see benchmarks/README.md): fed with pre-tokenised records it
matched exactly, but a first query downloaded about 180 KB at 200 cases (its WebAssembly alone
is 68 KB, and each index chunk 25–65 KB), over the 150 KB budget. This index is built for
exactly our tokens and needs no WebAssembly:

- ``meta.json``: the number of shards, each page's title length in tokens, and every filter
  as value → page numbers (so facet counts are exact and need no further download);
- ``b<N>.json``: bigram → [[page, position, ...], ...], sharded by a hash of the bigram;
  positions make a word of several bigrams an exact phrase match;
- ``c<N>.json``: character → [page, ...], for one-character queries;
- ``d/<page>.json``: a page's title, place, field, type, URL and text, loaded only for the
  results shown (and to verify words that cross punctuation).
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from pathlib import Path

from generator.search import SearchDocument, is_word_char, normalize, runs

log = logging.getLogger(__name__)

INDEX_DIR = "search/index"
TYPE_ORDER = ["case", "posting", "advisor", "program"]
POSTINGS_PER_BIGRAM_SHARD = 1500
POSTINGS_PER_CHAR_SHARD = 4000


def shard_of(token: str, shards: int) -> int:
    """FNV-1a over code points; search.js computes the same."""
    value = 2166136261
    for ch in token:
        value = ((value ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return value % shards


def positioned_bigrams(text: str, normalized: bool = False) -> list[tuple[str, int]]:
    """(bigram, position): consecutive within a run, with a gap between runs."""
    result, position = [], 0
    for run in runs(text if normalized else normalize(text)):
        for i in range(len(run) - 1):
            result.append((run[i : i + 2], position))
            position += 1
        position += 2  # no phrase spans two runs
    return result


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
    title_lengths = []
    filters: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for number, page in enumerate(pages):
        title_tokens = positioned_bigrams(page.title)
        title_lengths.append(title_tokens[-1][1] + 1 if title_tokens else 0)
        text = normalize(page.title + "\n" + page.text)
        here: dict[str, list[int]] = {}  # this page's bigrams: [page, position, ...]
        for token, position in positioned_bigrams(text, normalized=True):
            found = here.get(token)
            if found is None:
                here[token] = [number, position]
            else:
                found.append(position)
        for token, found in here.items():
            bigrams[token].append(found)  # pages in order
        for ch in sorted(set(text)):
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
            "version": 1,
            "pages": len(pages),
            "bigramShards": bigram_shards,
            "charShards": char_shards,
            "titleLengths": title_lengths,
            "filters": {key: dict(values) for key, values in filters.items()},
        },
    )
