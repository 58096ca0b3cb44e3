"""`jirei search`: the command line over the built site's search documents."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from generator.catalog import POPULATION_BANDS, PREFECTURAL_GROUP
from generator.errors import UsageError, visible
from generator.municipalities import GOVERNMENT_KINDS
from generator.search import (
    DOCUMENTS_FILE,
    TYPE_LABELS,
    DocumentsError,
    Hit,
    open_index,
    program_names,
    search_index,
)


def _filters(args: argparse.Namespace, program_names: dict[str, str]) -> dict[str, list[str]]:
    bands = {b.slug: b.label for b in [*POPULATION_BANDS, PREFECTURAL_GROUP]}
    labels = set(TYPE_LABELS.values())
    for value in args.type:
        if value not in TYPE_LABELS and value not in labels:
            raise UsageError(f"種類「{value}」はありません。case / posting / advisor / program のいずれかです")
    for value in args.population:
        if value not in bands and value not in bands.values():
            raise UsageError(f"人口規模「{value}」はありません。次のいずれかです: {'、'.join(bands.values())}")
    kinds = [k.label for k in GOVERNMENT_KINDS]
    for value in args.kind:
        if value not in kinds:
            raise UsageError(f"団体の種類「{value}」はありません。次のいずれかです: {'、'.join(kinds)}")
    return {
        "field": args.field,
        "kind": args.kind,
        "funding": [program_names.get(v, v) for v in args.funding],
        "population": [bands.get(v, v) for v in args.population],
        "prefecture": args.prefecture,
        "type": [TYPE_LABELS.get(v, v) for v in args.type],
    }


def _json_line(hit: Hit) -> str:
    """One hit as JSON; control and bidi characters as JSON escapes, so the terminal shows them as text."""
    text = json.dumps(asdict(hit), ensure_ascii=False)
    return "".join(ch if visible(ch) == ch else f"\\u{ord(ch):04x}" for ch in text)


def run_search(args: argparse.Namespace) -> int:
    documents_path = args.site_dir / DOCUMENTS_FILE
    shown = visible(str(documents_path))
    if not documents_path.exists():
        raise UsageError(f"{shown} がありません。先に jirei build でサイトを生成してください")
    if args.limit < 1:
        raise UsageError("--limit は1以上にしてください")
    try:
        ix = open_index(documents_path)
    except DocumentsError as error:
        raise UsageError(f"{shown} を使えません: {error}。jirei build でサイトを生成し直してください") from None
    hits = search_index(ix, args.query, _filters(args, program_names(ix)), args.limit)
    if args.json:
        for hit in hits:
            print(_json_line(hit))
        return 0
    if not hits:
        print("見つかりませんでした。")
        return 0
    for number, hit in enumerate(hits, 1):
        kind = TYPE_LABELS[hit.type] + ("・前身または後継の制度で実施" if hit.related else "")
        print(f"{number}. {visible(hit.title)}（{kind}）\n   {visible(hit.url)}  スコア {hit.score}")
    return 0
