"""Synthetic cases for benchmarks: real sentences recombined, written to a temporary folder.

They never enter content/: each benchmark writes them under a temporary directory.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent


def _real_cases() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((PROJECT / "content/cases").glob("*.yaml"))]


def _sentences(text: str) -> list[str]:
    return [s.strip(" -\n") + "。" for s in re.split(r"[。\n]", text or "") if len(s.strip(" -\n")) > 8]


def synthetic_cases(count: int, seed: int = 7) -> list[dict]:
    """`count` case records that validate, built from the sentences, tags and places of real ones."""
    rng = random.Random(seed)
    real = _real_cases()
    sentences = [s for c in real for s in _sentences(c["summary"]) + _sentences(c.get("background"))]
    tags = sorted({t for c in real for t in c.get("tags", [])})
    places = [c["municipality"] for c in real]
    fields = sorted({c["field"] for c in real})
    cases = []
    for number in range(count):
        template = real[number % len(real)]
        summary = "".join(rng.sample(sentences, 2)) + "\n\n" + "\n".join("- " + s for s in rng.sample(sentences, 3))
        case = {
            "id": f"synthetic-{number:05d}",
            "title": f"{template['title'][:60]}（合成{number}）",
            "field": rng.choice(fields),
            "municipality": rng.choice(places),
            "population": rng.randint(800, 3_000_000),
            "summary": summary,
            "background": "".join(rng.sample(sentences, 2)),
            "tags": rng.sample(tags, 4),
            "sources": [{"title": "合成データ（ベンチマーク用）", "url": f"https://example.jp/synthetic/{number}"}],
        }
        if template.get("support_programs"):
            case["support_programs"] = template["support_programs"]
        cases.append(case)
    return cases


def write_content(folder: Path, count: int) -> Path:
    """A content folder with the real taxonomy and `count` synthetic cases."""
    content = folder / "content"
    shutil.copytree(PROJECT / "content/taxonomy", content / "taxonomy")
    (content / "cases").mkdir(parents=True)
    for case in synthetic_cases(count):
        text = yaml.safe_dump(case, allow_unicode=True, sort_keys=False)
        (content / "cases" / f"{case['id']}.yaml").write_text(text, encoding="utf-8")
    return content
