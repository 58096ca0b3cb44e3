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
    """Substring truth: pages whose normalised texts (title, names, keys, text and synonym
    variants; not the lineage of their programs) contain every word, Latin words as words."""
    words = query_words(query)
    return {d.url for d in documents if matches(d.content(), words)}


@dataclass
class Score:
    kind: str
    queries: int
    precision: float
    recall: float


def evaluate(
    documents: list[SearchDocument], find: Callable[[str], set[str]], kinds: set[str] | None = None
) -> tuple[list[Score], list[str]]:
    """Micro-averaged precision and recall per kind (all kinds, or those of `kinds`), and the
    queries that went wrong."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # queries, true pos, found, expected
    mistakes = []
    for item in load_queries():
        if kinds is not None and item["kind"] not in kinds:
            continue
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


def main() -> None:
    """Print precision and recall per kind for `jirei search` over a built site:
    python -m tests.search.evaluate SITE_DIR"""
    import sys
    import tempfile

    from generator.search import open_index, read_documents, search_index

    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    documents = read_documents(site)
    with tempfile.TemporaryDirectory() as cache:
        ix = open_index(site / "search" / "documents.json", Path(cache))
        scores, mistakes = evaluate(
            documents, lambda q: {h.url for h in search_index(ix, q, {}, limit=100_000) if not h.related}
        )
    print(report(scores))
    for mistake in mistakes:
        print(mistake)


def report(scores: list[Score]) -> str:
    lines = ["kind           queries  precision  recall"]
    lines += [f"{s.kind:<14} {s.queries:>7}  {s.precision:>9.3f}  {s.recall:>6.3f}" for s in scores]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
