"""`jirei search`: the command line over the built site's search documents."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from generator.catalog import POPULATION_BANDS, PREFECTURAL_GROUP
from generator.errors import UsageError
from generator.search import DOCUMENTS_FILE, TYPE_LABELS, open_index, program_names, search_index


def _filters(args: argparse.Namespace, program_names: dict[str, str]) -> dict[str, list[str]]:
    bands = {b.slug: b.label for b in [*POPULATION_BANDS, PREFECTURAL_GROUP]}
    labels = set(TYPE_LABELS.values())
    for value in args.type:
        if value not in TYPE_LABELS and value not in labels:
            raise UsageError(f"種類「{value}」はありません。case / posting / advisor / program のいずれかです")
    for value in args.population:
        if value not in bands and value not in bands.values():
            raise UsageError(f"人口規模「{value}」はありません。次のいずれかです: {'、'.join(bands.values())}")
    return {
        "field": args.field,
        "funding": [program_names.get(v, v) for v in args.funding],
        "population": [bands.get(v, v) for v in args.population],
        "prefecture": args.prefecture,
        "type": [TYPE_LABELS.get(v, v) for v in args.type],
    }


def run_search(args: argparse.Namespace) -> int:
    documents_path = args.site_dir / DOCUMENTS_FILE
    if not documents_path.exists():
        raise UsageError(f"{documents_path} がありません。先に jirei build でサイトを生成してください")
    if args.limit < 1:
        raise UsageError("--limit は1以上にしてください")
    ix = open_index(documents_path)
    hits = search_index(ix, args.query, _filters(args, program_names(ix)), args.limit)
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit), ensure_ascii=False))
        return 0
    if not hits:
        print("見つかりませんでした。")
        return 0
    for number, hit in enumerate(hits, 1):
        print(f"{number}. {hit.title}（{TYPE_LABELS[hit.type]}）\n   {hit.url}  スコア {hit.score}")
    return 0
