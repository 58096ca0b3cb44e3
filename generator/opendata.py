"""Open data: every record as CSV (for spreadsheets) and JSON (for programs), with the JSON Schema.

`data/<dataset>.csv` has one row per record and Japanese headers, in UTF-8 with a BOM and CRLF line
ends (Excel on Windows reads it without mojibake); a list is joined with ";"; a text cell that a
spreadsheet would run as a formula (it begins with =, +, -, @, a tab or CR) is prefixed with "'"
(OWASP, CSV injection), while numbers stay numbers (a negative amount is not a formula).

`data/<dataset>.json` holds each validated record as it is (valid against the JSON Schema published
beside it, `data/schema/<name>.schema.json`, the same document as schema/) with the values the site
derives from it (population band, kind of local government, 和暦, cost totals per basis, a
posting's status at the build date). Nothing depends on the clock: the build date is catalog.today.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import models, urls
from generator.catalog import (
    CaseEntry,
    Catalog,
    PostingEntry,
    place_name,
    wareki_date,
    wareki_fiscal_year,
    wareki_fiscal_years,
    wareki_period,
)

log = logging.getLogger(__name__)

LIST_SEPARATOR = ";"
# Cells a spreadsheet reads as a formula (OWASP, CSV injection): such text cells get a leading "'".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LICENSE_NAME = "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"
COST_BASES = ("予算", "決算", "事業費")
PAGE_COLUMN = "このサイトの記録のページの URL"


@dataclass(frozen=True)
class Column:
    """A column of a CSV file: its Japanese header, what it holds, and its value for a record."""

    header: str
    description: str
    value: Callable[[Any], Any]  # a record's entry → str, int, float or None (a list is joined first)


@dataclass(frozen=True)
class Dataset:
    """One kind of record published as data/<key>.csv and data/<key>.json."""

    key: str  # the file name: cases, postings, funding, advisors
    label: str  # 事例, 求人…
    schema: str  # the JSON Schema of one record (or, for a list file, of the list): models.json_schemas()
    local: bool  # a row depends on its record alone (and the build's date, URL and programs): a memo may keep it
    description: str
    columns: list[Column]
    entries: Callable[[Catalog], list]  # the records' entries, in the site's order
    record: Callable[[Any], models.Record]
    derived: Callable[[Catalog, Any, str], dict[str, Any]]  # (catalog, entry, site URL) → derived values
    derived_keys: list[tuple[str, str]]  # the keys of "derived" and what each holds

    @property
    def csv_path(self) -> str:
        return urls.url("data_csv", self.key)

    @property
    def json_path(self) -> str:
        return urls.url("data_json", self.key)

    @property
    def schema_key(self) -> str:
        return self.schema.removesuffix(".schema.json")

    @property
    def schema_path(self) -> str:
        return urls.url("data_schema", self.schema_key)


# --- cells ------------------------------------------------------------------------------------


def spreadsheet_cell(value: Any) -> str | int | float:
    """A value as a CSV cell: None is empty, numbers stay numbers, text that a spreadsheet would run
    as a formula is prefixed with a single quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("a yes/no column gives text")  # a column says what true means, in Japanese
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def joined(values) -> str | None:
    """A list as one cell: its items joined with ";" (None when empty)."""
    items = [str(v) for v in values]
    return LIST_SEPARATOR.join(items) if items else None


def _doc(model: type[models.Record], key: str) -> str:
    """The description of a record's key, from the model (the one place a field is defined)."""
    return model.model_fields[key].description or ""


def _source_titles(record) -> str | None:
    return joined(s.title for s in record.sources)


def _source_urls(record) -> str | None:
    """The sources' URLs in the order of their titles (an empty item for a source without one)."""
    return joined(s.url or "" for s in record.sources) if any(s.url for s in record.sources) else None


def _yes(flag: bool | None, word: str = "はい") -> str | None:
    return word if flag else None


def _wareki(value) -> str | None:
    return wareki_date(value) or None


# --- cases ------------------------------------------------------------------------------------


def _cost_line(cost: models.Cost) -> str:
    year = wareki_fiscal_year(cost.fiscal_year) if cost.fiscal_year is not None else "年度の記載なし"
    basis = f" {cost.basis}" if cost.basis else ""
    note = f"（{cost.note}）" if cost.note else ""
    return f"{year}{basis} {cost.amount:,}千円{note}"


def basis_total(entry: CaseEntry, basis: str) -> int | None:
    """The sum of a case's costs of one basis (予算, 決算 or 事業費), or None when it has none.
    Amounts of different bases are never added, nor those of no stated basis."""
    amounts = [c.amount for c in entry.case.costs if c.basis == basis]
    return sum(amounts) if amounts else None


def _program_use(catalog: Catalog, use: models.SupportProgram) -> str:
    name = catalog.programs[use.program].name
    return f"{name}（{wareki_fiscal_years(use.fiscal_years)}）" if use.fiscal_years else name


def _case_columns(catalog: Catalog, site_url: str) -> list[Column]:
    C, M = models.Case, models.Municipality
    columns = [
        Column("ID", _doc(C, "id"), lambda e: e.case.id),
        Column("取組名", _doc(C, "title"), lambda e: e.case.title),
        Column("事業分野", _doc(C, "field"), lambda e: e.case.field),
        Column("関連分野", _doc(C, "related_fields"), lambda e: joined(e.case.related_fields)),
        Column("団体コード", _doc(M, "code").split("。")[0], lambda e: e.case.municipality.code),
        Column("都道府県", _doc(M, "prefecture"), lambda e: e.case.municipality.prefecture),
        Column("団体名", _doc(M, "name"), lambda e: e.case.municipality.name),
        Column(
            "団体の種類",
            "政令指定都市・中核市・その他の市・特別区・町・村・都道府県（団体コードから）",
            lambda e: e.kind.label,
        ),
        Column("人口", _doc(C, "population"), lambda e: e.case.population),
        Column("人口の基準日", _doc(C, "population_as_of"), lambda e: e.case.population_as_of),
        Column("人口規模", "人口による区分（都道府県の事例は「都道府県」）", lambda e: e.band.label),
        Column("人口の補足", _doc(C, "population_note"), lambda e: e.case.population_note),
        Column("開始時期", _doc(C, "started"), lambda e: e.case.started),
        Column("開始時期（和暦）", "開始時期を和暦で", lambda e: _wareki(e.case.started)),
        Column("担当部署", _doc(C, "department"), lambda e: e.case.department),
        Column(
            "活用した支援制度",
            "制度の名称と活用した年度（和暦）",
            lambda e: joined(_program_use(catalog, u) for u in e.case.support_programs),
        ),
        Column(
            "支援制度ID",
            "活用した支援制度の ID（funding.csv の ID）",
            lambda e: joined(u.program for u in e.case.support_programs),
        ),
        Column(
            "事業費の内訳",
            "年度（和暦）・金額の種類・金額（千円）",
            lambda e: joined(_cost_line(c) for c in e.case.costs),
        ),
    ]
    for basis in COST_BASES:
        columns.append(
            Column(
                f"{basis}の合計（千円）",
                f"金額の種類が「{basis}」の事業費の合計（千円、整数）。種類の違う金額や種類の記載のない金額は合計しない",
                lambda e, basis=basis: basis_total(e, basis),
            )
        )
    columns += [
        Column("キーワード", _doc(C, "tags"), lambda e: joined(e.case.tags)),
        Column("受賞歴", _doc(C, "awards"), lambda e: joined(e.case.awards)),
        Column(
            "類似の取組を行っている団体",
            _doc(C, "similar_municipalities"),
            lambda e: joined(place_name(m) for m in e.case.similar_municipalities),
        ),
        Column("概要", _doc(C, "summary"), lambda e: e.case.summary),
        Column("経緯・きっかけ", _doc(C, "background"), lambda e: e.case.background),
        Column("成果・効果", _doc(C, "outcomes").split(":")[0], lambda e: e.case.outcomes),
        Column("アドバイス", _doc(C, "advice"), lambda e: e.case.advice),
        Column("関連リンク", "関連リンクの名称", lambda e: joined(link.title for link in e.case.links)),
        Column(
            "関連リンクURL", "関連リンクの URL（名称と同じ順）", lambda e: joined(link.url for link in e.case.links)
        ),
        Column("出典", "出典の名称", lambda e: _source_titles(e.case)),
        Column("出典URL", "出典の URL（名称と同じ順。URL のない資料は空）", lambda e: _source_urls(e.case)),
        Column("最終確認日", _doc(C, "updated"), lambda e: e.case.updated and e.case.updated.isoformat()),
        Column("ページ", PAGE_COLUMN, lambda e: site_url + e.url),
    ]
    return columns


def _case_derived(catalog: Catalog, entry: CaseEntry, site_url: str) -> dict[str, Any]:
    case = entry.case
    return {
        "url": site_url + entry.url,
        "prefecture": {"code": entry.prefecture.code, "slug": entry.prefecture.slug},
        "municipality_kind": {"slug": entry.kind.slug, "label": entry.kind.label},
        "population_band": {"slug": entry.band.slug, "label": entry.band.label},
        "wareki": {
            "population_as_of": _wareki(case.population_as_of),
            "started": _wareki(case.started),
            "updated": _wareki(case.updated),
        },
        "support_programs": [
            {
                "program": use.program,
                "name": catalog.programs[use.program].name,
                "fiscal_years_wareki": [wareki_fiscal_year(y) for y in use.fiscal_years],
            }
            for use in case.support_programs
        ],
        "costs": [
            {
                "fiscal_year_wareki": wareki_fiscal_year(line.cost.fiscal_year) if line.cost.fiscal_year else None,
                "per_resident_yen": round(line.per_resident, 2),
            }
            for line in entry.cost_lines
        ],
        "cost_totals": [
            {
                "basis": group.basis,
                "total": sum(line.cost.amount for line in group.lines),
                "lines": len(group.lines),
                "fiscal_years": group.years,
                "fiscal_years_wareki": [wareki_fiscal_year(y) for y in group.years],
                "per_resident_yen": round(sum(line.per_resident for line in group.lines), 2),
            }
            for group in entry.cost_groups
            if group.basis is not None
        ],
    }


CASE_DERIVED = [
    ("url", "事例のページの URL"),
    ("prefecture", "都道府県の JIS コード（2桁）と、サイトの URL に使う名前"),
    ("municipality_kind", "団体の種類（政令指定都市・中核市・その他の市・特別区・町・村・都道府県）"),
    ("population_band", "人口規模の区分（都道府県の事例は「都道府県」）"),
    ("wareki", "人口の基準日・開始時期・最終確認日の和暦"),
    ("support_programs", "活用した支援制度ごとの名称と年度の和暦（record.support_programs と同じ順）"),
    ("costs", "事業費ごとの年度の和暦と住民1人あたりの額（円、掲載の人口で割った参考値。record.costs と同じ順）"),
    (
        "cost_totals",
        "金額の種類（予算・決算・事業費）ごとの合計（千円）、件数、年度、住民1人あたりの額（円）。種類の違う金額は合計しない",
    ),
]


# --- postings ---------------------------------------------------------------------------------

CLOSED_EARLY = {"filled": "採用決定", "cancelled": "中止"}


def _posting_columns(catalog: Catalog, site_url: str) -> list[Column]:
    P, M = models.Posting, models.Municipality
    pay = models.Compensation

    def application(e: PostingEntry, key: str):
        return getattr(e.posting.application, key) if e.posting.application else None

    def term(e: PostingEntry, key: str):
        value = getattr(e.posting.term, key) if e.posting.term else None
        return value.isoformat() if value else None

    def iso(value):
        return value.isoformat() if value else None

    return [
        Column("ID", _doc(P, "id"), lambda e: e.posting.id),
        Column("募集の名称", _doc(P, "title"), lambda e: e.posting.title),
        Column("団体コード", _doc(M, "code").split("。")[0], lambda e: e.posting.municipality.code),
        Column("都道府県", _doc(M, "prefecture"), lambda e: e.posting.municipality.prefecture),
        Column("団体名", _doc(M, "name"), lambda e: e.posting.municipality.name),
        Column(
            "団体の種類",
            "政令指定都市・中核市・その他の市・特別区・町・村・都道府県（団体コードから）",
            lambda e: e.kind.label,
        ),
        Column("役職", _doc(P, "role"), lambda e: e.posting.role),
        Column("任用形態", _doc(P, "employment"), lambda e: e.posting.employment),
        Column("リモート勤務", _doc(P, "remote"), lambda e: e.posting.remote),
        Column("勤務日数・時間", _doc(P, "workload"), lambda e: e.posting.workload),
        Column("報酬の単位", _doc(pay, "unit"), lambda e: e.posting.compensation and e.posting.compensation.unit),
        Column("報酬（円）", _doc(pay, "min"), lambda e: e.posting.compensation and e.posting.compensation.min),
        Column("報酬の上限（円）", _doc(pay, "max"), lambda e: e.posting.compensation and e.posting.compensation.max),
        Column("報酬の補足", _doc(pay, "note"), lambda e: e.posting.compensation and e.posting.compensation.note),
        Column("月額換算（円）", "報酬を月額に換算した額（計算できる場合）", lambda e: e.monthly and e.monthly.low),
        Column("月額換算の上限（円）", "報酬の上限を月額に換算した額", lambda e: e.monthly and e.monthly.high),
        Column("業務内容", _doc(P, "duties"), lambda e: e.posting.duties),
        Column("応募資格", _doc(P, "requirements"), lambda e: e.posting.requirements),
        Column("スキル", _doc(P, "skills"), lambda e: joined(e.posting.skills)),
        Column("任期の開始日", _doc(models.Term, "start"), lambda e: term(e, "start")),
        Column("任期の終了日", _doc(models.Term, "end"), lambda e: term(e, "end")),
        Column("受付開始日", _doc(models.Application, "opens"), lambda e: iso(application(e, "opens"))),
        Column("締切日", "締切日（YYYY-MM-DD）", lambda e: iso(e.closes)),
        Column("締切日（和暦）", "締切日を和暦で", lambda e: _wareki(e.closes)),
        Column("募集の状態", "生成日時点の状態（募集前・募集中・締切間近・募集終了）", lambda e: e.status.label),
        Column(
            "締切前の終了",
            "締切前に募集を終えた理由（採用決定・中止）",
            lambda e: CLOSED_EARLY.get(e.posting.closed_early or ""),
        ),
        Column("過去の募集", "出典に締切日のない過去の募集は「はい」", lambda e: _yes(e.posting.archived)),
        Column("応募方法", _doc(models.Application, "method"), lambda e: application(e, "method")),
        Column("応募ページ", _doc(models.Application, "url"), lambda e: application(e, "url")),
        Column("問い合わせ先", _doc(models.Application, "contact"), lambda e: application(e, "contact")),
        Column(
            "財政措置ID", "対象となる財政措置の ID（funding.csv の ID）", lambda e: joined(e.posting.fiscal_measures)
        ),
        Column("公表日", "募集の公表日（YYYY-MM-DD、YYYY-MM または YYYY）", lambda e: e.posting.posted),
        Column("出典", "出典の名称", lambda e: _source_titles(e.posting)),
        Column("出典URL", "出典の URL（名称と同じ順。URL のない資料は空）", lambda e: _source_urls(e.posting)),
        Column("最終確認日", _doc(P, "updated"), lambda e: iso(e.posting.updated)),
        Column("ページ", PAGE_COLUMN, lambda e: site_url + e.url),
    ]


def _posting_derived(catalog: Catalog, entry: PostingEntry, site_url: str) -> dict[str, Any]:
    posting = entry.posting
    term = posting.term
    return {
        "url": site_url + entry.url,
        "prefecture": {"code": entry.prefecture.code, "slug": entry.prefecture.slug},
        "municipality_kind": {"slug": entry.kind.slug, "label": entry.kind.label},
        "status": {"slug": entry.status.slug, "label": entry.status.label, "as_of": catalog.today.isoformat()},
        "monthly_pay": (
            {"low": entry.monthly.low, "high": entry.monthly.high, "how": entry.monthly.how} if entry.monthly else None
        ),
        "wareki": {
            "posted": _wareki(posting.posted),
            "opens": _wareki(entry.opens),
            "closes": _wareki(entry.closes),
            "term_start": _wareki(term.start if term else None),
            "term_end": _wareki(term.end if term else None),
            "updated": _wareki(posting.updated),
        },
    }


POSTING_DERIVED = [
    ("url", "求人のページの URL"),
    ("prefecture", "都道府県の JIS コード（2桁）と、サイトの URL に使う名前"),
    ("municipality_kind", "団体の種類"),
    (
        "status",
        "生成日（as_of）時点の募集の状態: upcoming 募集前、open 募集中、closing-soon 締切間近（7日以内）、closed 募集終了",
    ),
    ("monthly_pay", "報酬の月額換算（low・high、円）と計算のしかた（計算できない場合は null）"),
    ("wareki", "公表日・受付開始日・締切日・任期・最終確認日の和暦"),
]


# --- funding programs -------------------------------------------------------------------------


def _funding_columns(catalog: Catalog, site_url: str) -> list[Column]:
    F = models.FundingProgram
    return [
        Column("ID", _doc(F, "id"), lambda p: p.id),
        Column("名称", _doc(F, "name"), lambda p: p.name),
        Column("所管", _doc(F, "ministry"), lambda p: p.ministry),
        Column("種類", _doc(F, "kind"), lambda p: p.kind),
        Column("補助率など", _doc(F, "rate"), lambda p: p.rate),
        Column("実施期間", _doc(F, "period"), lambda p: p.period),
        Column("実施期間（和暦）", "実施期間を和暦の年度で", lambda p: wareki_period(p.period) if p.period else None),
        Column("後継の制度ID", _doc(F, "successor"), lambda p: p.successor),
        Column("前身の制度ID", "この制度が引き継いだ制度の ID", lambda p: joined(catalog.predecessors.get(p.id, []))),
        Column("略称・別名", "略称・別名", lambda p: joined(p.aliases)),
        Column("公式ページ", _doc(F, "url"), lambda p: p.url),
        Column("説明", _doc(F, "description"), lambda p: p.description),
        Column(
            "活用した事例の数",
            "この制度を直接活用した事例の数（前身・後継の制度の事例を除く）",
            lambda p: catalog.direct_use_count(p.id),
        ),
        Column("出典", "出典の名称", _source_titles),
        Column("出典URL", "出典の URL（名称と同じ順。URL のない資料は空）", _source_urls),
        Column("ページ", PAGE_COLUMN, lambda p: site_url + urls.url("program", p.id)),
    ]


def _funding_derived(catalog: Catalog, program: models.FundingProgram, site_url: str) -> dict[str, Any]:
    return {
        "url": site_url + urls.url("program", program.id),
        "period_wareki": wareki_period(program.period) if program.period else None,
        "predecessors": catalog.ancestors(program.id),
        "successors": catalog.descendants(program.id),
        "cases": list(dict.fromkeys(use.entry.id for use in catalog.program_uses(program.id) if not use.relation)),
        "postings": [entry.id for entry in catalog.postings_citing(program.id)],
        "advisors": [advisor.id for advisor in catalog.advisors_citing(program.id)],
    }


FUNDING_DERIVED = [
    ("url", "制度のページの URL"),
    ("period_wareki", "実施期間を和暦の年度で"),
    ("predecessors", "この制度が引き継いだ制度（前身、近いものから）の ID"),
    ("successors", "この制度を引き継いだ制度（後継、順に）の ID"),
    ("cases", "この制度を直接活用した事例の ID"),
    ("postings", "この制度を財政措置とする求人の ID"),
    ("advisors", "この制度に関係するアドバイザー派遣制度の ID"),
]


# --- advisor programs -------------------------------------------------------------------------


def _advisor_columns(catalog: Catalog, site_url: str) -> list[Column]:
    A = models.AdvisorProgram
    return [
        Column("ID", _doc(A, "id"), lambda a: a.id),
        Column("名称", _doc(A, "name"), lambda a: a.name),
        Column("実施団体", _doc(A, "administrator"), lambda a: a.administrator),
        Column("概要", _doc(A, "summary"), lambda a: a.summary),
        Column("派遣の期間・回数", _doc(A, "dispatch"), lambda a: a.dispatch),
        Column("派遣される人材", _doc(A, "personnel"), lambda a: a.personnel),
        Column("テーマ", _doc(A, "themes"), lambda a: joined(a.themes)),
        Column("団体の費用負担", _doc(A, "cost_to_municipality"), lambda a: a.cost_to_municipality),
        Column("財政措置", _doc(A, "fiscal_support"), lambda a: a.fiscal_support),
        Column("関係する支援制度ID", "関係する支援制度の ID（funding.csv の ID）", lambda a: joined(a.fiscal_measures)),
        Column("対象となる団体", _doc(A, "eligibility"), lambda a: a.eligibility),
        Column("申込方法・時期", _doc(A, "application"), lambda a: a.application),
        Column("公式ページ", _doc(A, "url"), lambda a: a.url),
        Column("出典", "出典の名称", _source_titles),
        Column("出典URL", "出典の URL（名称と同じ順。URL のない資料は空）", _source_urls),
        Column("最終確認日", _doc(A, "updated"), lambda a: a.updated and a.updated.isoformat()),
        Column("ページ", PAGE_COLUMN, lambda a: site_url + urls.url("advisor", a.id)),
    ]


def _advisor_derived(catalog: Catalog, advisor: models.AdvisorProgram, site_url: str) -> dict[str, Any]:
    return {
        "url": site_url + urls.url("advisor", advisor.id),
        "fiscal_measures": [
            {"program": program_id, "name": catalog.programs[program_id].name}
            for program_id in advisor.fiscal_measures
            if program_id in catalog.programs
        ],
        "wareki": {"updated": _wareki(advisor.updated)},
    }


ADVISOR_DERIVED = [
    ("url", "制度のページの URL"),
    ("fiscal_measures", "関係する支援制度の ID と名称"),
    ("wareki", "最終確認日の和暦"),
]


# --- the datasets -----------------------------------------------------------------------------


def datasets(catalog: Catalog, site_url: str = "") -> list[Dataset]:
    """The four datasets of the site, in the order the data page lists them; their pages' URLs
    begin with `site_url`."""
    return [
        Dataset(
            "cases",
            "事例",
            "case.schema.json",
            True,
            "地方公共団体のデジタル化の取組。1行が1件の事例です。",
            _case_columns(catalog, site_url),
            lambda c: c.cases,
            lambda e: e.case,
            _case_derived,
            CASE_DERIVED,
        ),
        Dataset(
            "postings",
            "求人",
            "posting.schema.json",
            True,
            "地方公共団体による外部デジタル人材の募集（過去の募集を含む）。1行が1件の募集です。",
            _posting_columns(catalog, site_url),
            lambda c: c.postings_sorted(c.postings),
            lambda e: e.posting,
            _posting_derived,
            POSTING_DERIVED,
        ),
        Dataset(
            "funding",
            "支援制度",
            "funding.schema.json",
            False,  # a program's row counts the cases that used it
            "事例や求人が活用した国などの支援制度（交付金・補助金・特別交付税措置など）。1行が1件の制度です。",
            _funding_columns(catalog, site_url),
            lambda c: list(c.programs.values()),
            lambda p: p,
            _funding_derived,
            FUNDING_DERIVED,
        ),
        Dataset(
            "advisors",
            "アドバイザー派遣制度",
            "advisor.schema.json",
            True,
            "国などが専門家を地方公共団体に派遣する制度。1行が1件の制度です。",
            _advisor_columns(catalog, site_url),
            lambda c: c.advisors,
            lambda a: a,
            _advisor_derived,
            ADVISOR_DERIVED,
        ),
    ]


class DataMemo:
    """The encoded rows of the records of the last `data_files` (`jirei serve`): a record that is
    the same object as last time (the preview reads again only the files that changed), under the
    same site URL, build date and programs, is not encoded again."""

    def __init__(self) -> None:
        self.shared: Any = None
        self.rows: dict[str, dict[str, tuple[models.Record, str, str]]] = {}  # dataset → id → (record, CSV, JSON)


def data_files(catalog: Catalog, site_url: str, content_dir: Path, memo: DataMemo | None = None) -> dict[str, bytes]:
    """The open data files by site path: a CSV and a JSON file per dataset, and their JSON Schemas
    (those `jirei schema` writes to schema/, with the values of the content's taxonomy)."""
    taxonomy = content_dir / urls.TAXONOMY_DIR
    site_url = site_url.rstrip("/") + "/"
    shared = (site_url, catalog.today, tuple(catalog.programs.values()))
    if memo is not None and memo.shared != shared:
        memo.shared, memo.rows = shared, {}
    files: dict[str, bytes] = {}
    for dataset in datasets(catalog, site_url):
        known = memo.rows.get(dataset.key, {}) if memo is not None and dataset.local else {}
        encoded: dict[str, tuple[models.Record, str, str]] = {}
        for entry in dataset.entries(catalog):
            record = dataset.record(entry)
            kept = known.get(record.id)
            encoded[record.id] = (
                kept if kept and kept[0] is record else (record, *_encoded(catalog, dataset, entry, site_url))
            )
        if memo is not None and dataset.local:
            memo.rows[dataset.key] = encoded
        rows = [row for _, row, _ in encoded.values()]
        files[dataset.csv_path] = csv_file(dataset, rows)
        files[dataset.json_path] = json_file(catalog, dataset, [item for _, _, item in encoded.values()], site_url)
        files[dataset.schema_path] = published_schemas(taxonomy, _taxonomy_key(catalog))[dataset.schema]
    return files


def _encoded(catalog: Catalog, dataset: Dataset, entry, site_url: str) -> tuple[str, str]:
    """A record's CSV row (with its CRLF) and its JSON item (one line)."""
    out = io.StringIO()
    _csv_writer(out).writerow([spreadsheet_cell(column.value(entry)) for column in dataset.columns])
    item = {
        "record": dataset.record(entry).model_dump(mode="json"),
        "derived": dataset.derived(catalog, entry, site_url),
    }
    return out.getvalue(), json.dumps(item, ensure_ascii=False)


def _csv_writer(out: io.StringIO):
    # Every text cell quoted (numbers are not: a spreadsheet reads them as numbers), rows end in CRLF.
    return csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")


def csv_file(dataset: Dataset, rows: list[str]) -> bytes:
    """The header and the rows: UTF-8 with a BOM (Excel on Windows reads it as UTF-8), CRLF."""
    out = io.StringIO()
    out.write("\ufeff")
    _csv_writer(out).writerow([spreadsheet_cell(column.header) for column in dataset.columns])
    out.writelines(rows)
    return out.getvalue().encode("utf-8")


def json_file(catalog: Catalog, dataset: Dataset, items: list[str], site_url: str) -> bytes:
    """The records as validated (`record`) with what the site derives from them (`derived`), one
    item a line: readable, comparable line by line, and written by json's C encoder (an indented
    dump is Python's own, several times slower)."""
    document = {
        "title": f"{urls.SITE_TITLE} {dataset.label}データ",
        "description": dataset.description,
        "url": site_url + dataset.json_path,
        "page": site_url + urls.url("data"),
        "build_date": catalog.today.isoformat(),
        "build_date_wareki": wareki_date(catalog.today),
        "license": {
            "text": "このサイトが書いた文章とデータの構成",
            "name": LICENSE_NAME,
            "url": LICENSE_URL,
            "facts": "事実（数値・名称など）は各出典にもとづきます。出典の資料そのものは、それぞれの利用条件に従ってください。",
        },
        "record_schema": site_url + dataset.schema_path,
        "count": len(items),
    }
    head = json.dumps(document, ensure_ascii=False, indent=1).removesuffix("\n}")
    lines = ",\n".join(items)
    return f'{head},\n "items": [\n{lines}\n ]\n}}\n'.encode()


def _taxonomy_key(catalog: Catalog) -> tuple:
    """What of the taxonomy the schemas list (field names, program ids and names), as validated."""
    return tuple(f.name for f in catalog.fields), tuple((p.id, p.name) for p in catalog.programs.values())


@functools.lru_cache(maxsize=4)
def published_schemas(taxonomy: Path, key: tuple) -> dict[str, bytes]:
    """The JSON Schema documents as `jirei schema` writes them to schema/, made once for each
    taxonomy (`key`, the values they list; the models do not change while jirei runs)."""
    return {
        name: (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        for name, document in models.json_schemas(taxonomy).items()
    }
