"""Synthetic records for benchmarks: real sentences recombined, written to a temporary folder.

They never enter content/: each benchmark writes them under a temporary directory.

The corpus is meant to look like real content at scale: cases in all 20 business fields, at real
local governments (code, prefecture and name from the ministry's code list, or a real case's
municipality with its population), with several support programs (ids of funding.yaml, fiscal
years 2016–2025), 3–6 tags, costs, departments, links and every other optional field on some of
them; postings are real ones varied (other places, dates and statuses: open, closing soon,
closed, filled, archived); the real advisor programs and taxonomy are copied. Deterministic:
the same count and seed give the same records.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import sys
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
# The build date the benchmarks use: posting statuses are spread around it.
TODAY = date(2026, 11, 23)
FISCAL_YEARS = range(2016, 2026)


def _read_folder(folder: str) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((PROJECT / folder).glob("*.yaml"))]


def _real_cases() -> list[dict]:
    return _read_folder("content/cases")


def _sentences(text: str) -> list[str]:
    return [s.strip(" -\n") + "。" for s in re.split(r"[。\n]", text or "") if len(s.strip(" -\n")) > 8]


@cache
def _pool() -> dict:
    """What synthetic records are made of: taken once from the real content and code list."""
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    from generator.municipalities import all_governments

    real = _real_cases()
    taxonomy = PROJECT / "content/taxonomy"
    fields = [f["name"] for f in yaml.safe_load((taxonomy / "fields.yaml").read_text(encoding="utf-8"))]
    programs = [p["id"] for p in yaml.safe_load((taxonomy / "funding.yaml").read_text(encoding="utf-8"))]
    governments = [
        {"code": g.code, "prefecture": g.prefecture, "name": g.name, "kind": g.kind} for g in all_governments().values()
    ]
    return {
        "real": real,
        "sentences": [s for c in real for s in _sentences(c["summary"]) + _sentences(c.get("background"))],
        "advice": [s for c in real for s in _sentences(c["summary"]) + _sentences(c.get("advice"))],
        "tags": sorted({t for c in real for t in c.get("tags", [])}),
        "fields": fields,
        "programs": programs,
        "notes": sorted({u["note"] for c in real for u in c.get("support_programs", []) if u.get("note")}),
        "departments": sorted({c["department"] for c in real if c.get("department")}),
        "awards": sorted({a for c in real for a in c.get("awards", [])}),
        "places": [(c["municipality"], c["population"]) for c in real],
        "governments": governments,
        "postings": _read_folder("content/talent/postings"),
    }


# Plausible population ranges by kind of local government (log-uniform between the bounds).
_POPULATION = {
    "都道府県": (550_000, 14_000_000),
    "特別区": (55_000, 940_000),
    "市": (20_000, 1_500_000),
    "町": (1_500, 50_000),
    "村": (200, 40_000),
}


def _place(rng: random.Random, pool: dict) -> tuple[dict, int]:
    """A real municipality and a plausible population: a real case's, or any entry of the code list."""
    if rng.random() < 0.25:
        municipality, population = rng.choice(pool["places"])
        return dict(municipality), population
    government = rng.choice(pool["governments"])
    low, high = _POPULATION.get(government["kind"], (5_000, 200_000))
    population = round(math.exp(rng.uniform(math.log(low), math.log(high))), -1)
    return {k: government[k] for k in ("code", "prefecture", "name")}, int(population)


def _government(rng: random.Random, pool: dict) -> dict:
    government = rng.choice(pool["governments"])
    return {k: government[k] for k in ("code", "prefecture", "name")}


def _markdown(rng: random.Random, sentences: list[str], lead: int, bullets: int) -> str:
    text = "".join(rng.sample(sentences, lead))
    if bullets:
        text += "\n\n" + "\n".join("- " + s for s in rng.sample(sentences, bullets))
    return text + "\n"


def _support_programs(rng: random.Random, pool: dict) -> list[dict]:
    uses = []
    for program in rng.sample(pool["programs"], rng.choice((1, 1, 2, 2, 3, 4))):
        years = sorted(rng.sample(FISCAL_YEARS, rng.randint(1, 4)))
        use = {"program": program, "fiscal_years": years}
        if rng.random() < 0.4:
            use["note"] = rng.choice(pool["notes"])
        uses.append(use)
    return uses


def _costs(rng: random.Random) -> list[dict]:
    costs = []
    for year in sorted(rng.sample(FISCAL_YEARS, rng.randint(1, 3))):
        cost = {"fiscal_year": year, "amount": int(math.exp(rng.uniform(math.log(300), math.log(800_000))))}
        cost["basis"] = rng.choice(("予算", "決算", "事業費"))
        if rng.random() < 0.2:
            cost["note"] = "委託料を含む"
        costs.append(cost)
    return costs


def synthetic_cases(count: int, seed: int = 7) -> list[dict]:
    """`count` case records that validate, built from the sentences, tags and places of real ones."""
    rng = random.Random(seed)
    pool = _pool()
    real, sentences, fields = pool["real"], pool["sentences"], pool["fields"]
    cases = []
    for number in range(count):
        template = real[number % len(real)]
        # Every one of the 20 fields appears (the first 20 cases take them in order).
        field = fields[number] if number < len(fields) else rng.choice(fields)
        municipality, population = _place(rng, pool)
        case = {
            "id": f"synthetic-{number:05d}",
            "title": f"{template['title'][:60]}（合成{number}）",
            "field": field,
        }
        if rng.random() < 0.8:
            case["field_guessed"] = True
        if rng.random() < 0.4:
            case["related_fields"] = rng.sample([f for f in fields if f != field], rng.randint(1, 3))
        case["municipality"] = municipality
        case["population"] = population
        if rng.random() < 0.8:
            case["population_as_of"] = rng.choice(("2020-10-01", "2023-01-01", "2024-04", "2025"))
        case["summary"] = _markdown(rng, sentences, rng.randint(2, 3), rng.randint(2, 4))
        case["background"] = _markdown(rng, sentences, rng.randint(2, 3), 0)
        if rng.random() < 0.7:
            case["support_programs"] = _support_programs(rng, pool)
        if rng.random() < 0.3:
            case["advice"] = _markdown(rng, pool["advice"], 2, rng.choice((0, 2)))
        if rng.random() < 0.5:
            case["department"] = rng.choice(pool["departments"])
        if rng.random() < 0.35:
            case["costs"] = _costs(rng)
        if rng.random() < 0.6:
            year = rng.choice(FISCAL_YEARS)
            case["started"] = f"{year}-{rng.randint(1, 12):02d}" if rng.random() < 0.7 else str(year)
        case["tags"] = rng.sample(pool["tags"], rng.randint(3, 6))
        if rng.random() < 0.2:
            case["links"] = [
                {"title": f"関連ページ {k + 1}", "url": f"https://example.jp/synthetic/{number}/link-{k}"}
                for k in range(rng.randint(1, 2))
            ]
        if rng.random() < 0.05:
            case["awards"] = rng.sample(pool["awards"], 1)
        if rng.random() < 0.1:
            others = [_government(rng, pool) for _ in range(rng.randint(1, 3))]
            case["similar_municipalities"] = [m for m in others if m["code"] != municipality["code"]]
        case["sources"] = [
            {"title": "合成データ（ベンチマーク用）", "url": f"https://example.jp/synthetic/{number}"},
            *(
                {"title": f"合成データの出典 {k + 2}", "url": f"https://example.jp/synthetic/{number}/source-{k}"}
                for k in range(rng.randint(0, 2))
            ),
        ]
        if rng.random() < 0.5:
            case["updated"] = (TODAY - timedelta(days=rng.randint(0, 900))).isoformat()
        cases.append({k: v for k, v in case.items() if v != []})
    return cases


def synthetic_postings(count: int, seed: int = 11, today: date = TODAY) -> list[dict]:
    """`count` posting records that validate: real postings at other places, with dates and
    statuses spread around `today` (open, closing soon, upcoming, closed, filled, archived)."""
    rng = random.Random(seed)
    pool = _pool()
    postings = []
    for number in range(count):
        template = pool["postings"][number % len(pool["postings"])]
        old = template["municipality"]["name"]
        municipality = _government(rng, pool)
        posting = {
            k: v for k, v in template.items() if k not in ("application", "archived", "closed_early", "term", "updated")
        }
        posting["id"] = f"synthetic-posting-{number:05d}"
        posting["title"] = template["title"].replace(old, municipality["name"])[:90] + f"（合成{number}）"
        posting["municipality"] = municipality
        posting["duties"] = template["duties"].replace(old, municipality["name"])
        status = rng.choice(("open", "open", "closing", "upcoming", "closed", "closed", "filled", "archived"))
        if status == "archived":
            posting["archived"] = True
            posted = TODAY - timedelta(days=rng.randint(400, 2500))
        else:
            opens_in, closes_in = {
                "open": (-rng.randint(1, 30), rng.randint(8, 60)),
                "closing": (-rng.randint(10, 30), rng.randint(0, 7)),
                "upcoming": (rng.randint(1, 20), rng.randint(25, 60)),
                "closed": (-rng.randint(60, 900), -rng.randint(1, 50)),
                "filled": (-rng.randint(10, 30), rng.randint(8, 60)),
            }[status]
            opens, closes = today + timedelta(days=opens_in), today + timedelta(days=closes_in)
            posting["application"] = {
                "opens": opens.isoformat(),
                "closes": closes.isoformat(),
                "url": f"https://example.jp/synthetic/posting/{number}",
            }
            if status == "filled":
                posting["closed_early"] = "filled"
            posted = min(opens, today)
            start = closes + timedelta(days=rng.randint(20, 60))
            posting["term"] = {"start": start.isoformat(), "end": (start + timedelta(days=364)).isoformat()}
        posting["posted"] = posted.isoformat()
        if not posting.get("fiscal_measures") and rng.random() < 0.3:
            posting["fiscal_measures"] = ["cio-hosakan-tokukou"]
        postings.append(posting)
    return postings


class _Dumper(yaml.SafeDumper):
    """Multi-line text as block scalars (`|`), as people write it in content/."""


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(record: dict) -> str:
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def write_content(folder: Path, count: int, postings: int | None = None) -> Path:
    """A content folder with the real taxonomy and advisor programs, `count` synthetic cases and
    `postings` synthetic postings (by default one for every 10 cases)."""
    content = folder / "content"
    shutil.copytree(PROJECT / "content/taxonomy", content / "taxonomy")
    shutil.copytree(PROJECT / "content/talent/advisors", content / "talent/advisors")
    (content / "cases").mkdir(parents=True)
    (content / "talent/postings").mkdir(parents=True)
    for case in synthetic_cases(count):
        (content / "cases" / f"{case['id']}.yaml").write_text(dump(case), encoding="utf-8")
    for posting in synthetic_postings(count // 10 if postings is None else postings):
        (content / "talent/postings" / f"{posting['id']}.yaml").write_text(dump(posting), encoding="utf-8")
    return content
