"""Precision and recall of a search function against substring truth over the site's documents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.search import SearchDocument, matches, query_words

QUERIES = Path(__file__).parent / "queries.yaml"


def load_queries() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))


def expected_urls(documents: list[SearchDocument], query: str) -> set[str]:
    """Substring truth: pages whose normalised title and text contain every word."""
    words = query_words(query)
    return {d.url for d in documents if matches(d.title + "\n" + d.text, words)}


@dataclass
class Score:
    kind: str
    queries: int
    precision: float
    recall: float


def evaluate(documents: list[SearchDocument], find: Callable[[str], set[str]]) -> tuple[list[Score], list[str]]:
    """Micro-averaged precision and recall per kind, and the queries that went wrong."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # queries, true pos, found, expected
    mistakes = []
    for item in load_queries():
        expected = expected_urls(documents, item["query"])
        found = find(item["query"])
        t = totals[item["kind"]]
        t[0] += 1
        t[1] += len(found & expected)
        t[2] += len(found)
        t[3] += len(expected)
        if found != expected:
            mistakes.append(
                f"{item['query']}: missing {sorted(expected - found)[:5]}, extra {sorted(found - expected)[:5]}"
            )
    scores = [
        Score(kind, q, tp / found if found else 1.0, tp / expected if expected else 1.0)
        for kind, (q, tp, found, expected) in totals.items()
    ]
    return scores, mistakes


def report(scores: list[Score]) -> str:
    lines = ["kind           queries  precision  recall"]
    lines += [f"{s.kind:<14} {s.queries:>7}  {s.precision:>9.3f}  {s.recall:>6.3f}" for s in scores]
    return "\n".join(lines)
