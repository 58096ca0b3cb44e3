"""The one schema of every record type (see design/data-model.md, a contract).

Validation, the JSON Schema editors' YAML files point at, and the site's field reference page
all come from these models. Every field carries a Japanese description.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

FIRST_FISCAL_YEAR = 1990
LAST_FISCAL_YEAR = 2100
# Dates a record can hold: anything outside is a typo, and would overflow date arithmetic.
FIRST_YEAR = 1900
LAST_YEAR = 2100
# Plausible bounds: the largest real values are far below (Tokyo: about 14 million people).
MAX_POPULATION = 20_000_000
MAX_AMOUNT_THOUSAND_YEN = 1_000_000_000  # 1兆円
MAX_PAY_YEN = 1_000_000_000  # 10億円
MAX_URL_LENGTH = 2_000
# Names of generated pages (each folder's list page): no record id or slug may take them.
RESERVED_IDS = frozenset({"index"})


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value) if isinstance(value, str) else None
    if text is None or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise PydanticCustomError("jirei_date", "日付は YYYY-MM-DD の形で書いてください（例: 2024-04-01）")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("jirei_date", "存在しない日付です: {value}（YYYY-MM-DD）", {"value": text}) from None
    _check_year(value.year, text)
    return value


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PydanticCustomError(
            "jirei_date",
            "日付 {value} は {first}〜{last} 年の範囲で書いてください",
            {"value": text, "first": FIRST_YEAR, "last": LAST_YEAR},
        )


def _partial_date(value: Any) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD, kept as text."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    match = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text or "")
    if not match:
        raise PydanticCustomError(
            "jirei_date", "年月は YYYY、YYYY-MM、YYYY-MM-DD のいずれかの形で書いてください（例: 2020-08）"
        )
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise PydanticCustomError("jirei_date", "存在しない年月日です: {value}", {"value": text}) from None
    _check_year(int(year), text)
    return text


def _http_url(value: Any) -> str:
    """An http(s) URL with a host and no white space; checked in linear time, of bounded length."""
    if not isinstance(value, str):
        raise PydanticCustomError("jirei_url", "URL は文字列で書いてください")
    if len(value) > MAX_URL_LENGTH:
        raise PydanticCustomError(
            "jirei_url",
            "URL が長すぎます（{length} 文字、{limit} 文字まで）",
            {"length": f"{len(value):,}", "limit": f"{MAX_URL_LENGTH:,}"},
        )
    scheme, separator, rest = value.partition("://")
    if scheme.lower() not in ("http", "https") or not separator or not rest or rest[0] in "/?#":
        raise PydanticCustomError(
            "jirei_url", "URL は http:// か https:// で始まる必要があります: {value}", {"value": _shorten(value)}
        )
    if _SPACE.search(value):
        raise PydanticCustomError("jirei_url", "URL に空白や改行は書けません: {value}", {"value": _shorten(value)})
    return value


_SPACE = re.compile(r"\s")


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# Line breaks of any kind, and characters that cannot be seen: not in a name, a title or an id.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")


def _one_line(value: str) -> str:
    if _LINE_BREAK.search(value):
        raise PydanticCustomError("jirei_text", "改行は書けません（1行で書いてください）")
    found = _INVISIBLE.search(value)
    if found:
        raise PydanticCustomError(
            "jirei_text",
            "見えない文字 U+{code}（ゼロ幅の文字など）は書けません。削除してください",
            {"code": f"{ord(found.group()):04X}"},
        )
    if not value.strip():
        raise PydanticCustomError("jirei_text", "空白だけの値は書けません")
    return value


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise PydanticCustomError(
            "jirei_id", "「{value}」は一覧ページの名前と重なるため、ID には使えません", {"value": value}
        )
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ]
        }
    ),
]
HttpUrl = Annotated[
    str,
    BeforeValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
FiscalYear = Annotated[int, Field(ge=FIRST_FISCAL_YEAR, le=LAST_FISCAL_YEAR)]
# A reference to a record; OwnId is the id (or slug) a record gives itself, which names its page.
RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
OwnId = Annotated[RecordId, AfterValidator(_not_reserved)]


def _label(max_length: int) -> Any:
    """One line of text (a name, a title, a keyword): no line breaks or invisible characters."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length), AfterValidator(_one_line)]


Name = _label(100)  # names and titles
LongName = _label(200)  # titles of sources and links, notes
Keyword = _label(40)  # tags, themes, skills
Text = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]  # short free text
Prose = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]  # Markdown


def _items(max_items: int) -> Any:
    return Field(max_length=max_items)


# The 20 事業分野 of the 参考事例集 第2.0版, in its order (data-model.md).
COLLECTION_FIELDS = [
    "地域活性化", "住民生活", "消防・防災", "医療・福祉・健康", "子育て", "公衆衛生", "環境", "労働", "農林水産業",
    "商業・工業", "観光", "交通", "土木・インフラ", "文化・スポーツ", "教育", "デジタルデバイド対策",
    "地域におけるデジタル人材の育成", "孤独・孤立対策", "キャッシュレス", "ローカル5G",
]  # fmt: skip


# --- Taxonomies ---------------------------------------------------------------------------


class BusinessField(Record):
    """事業分野（参考事例集 第2.0版の20分野）。"""

    no: int = Field(ge=1, le=20, description="分野番号（1〜20、参考事例集の順）")
    name: Name = Field(description="分野名（例: 住民生活）")
    slug: OwnId = Field(description="URL に使う英小文字の名前（例: daily-life）")
    description: Text = Field(description="この分野にどのような取組が入るかの説明")


FundingKind = Literal["交付金", "補助金", "特別交付税措置", "地方交付税", "委託事業", "人的支援", "その他"]


class Source(Record):
    """出典。"""

    title: LongName = Field(description="出典の名称（資料名、ページ名、媒体名）")
    url: HttpUrl | None = Field(None, description="出典の URL（http または https）。URL のない資料では省略")
    published: PartialDate | None = Field(None, description="公表日（YYYY、YYYY-MM、YYYY-MM-DD）")


class FundingProgram(Record):
    """国（や都道府県）の支援制度: 交付金、補助金、特別交付税措置など。"""

    id: OwnId = Field(description="制度の ID（英小文字とハイフン）。事例や求人から参照される")
    name: Name = Field(description="制度の正式名称")
    ministry: Name = Field(description="所管する府省庁・団体（例: 内閣府）")
    kind: FundingKind = Field(description="制度の種類")
    rate: Keyword | None = Field(None, description='補助率など（出典の書き方のまま、例: "1/2"）')
    period: Name | None = Field(None, description="実施期間（自由記述、例: 2016–2022）")
    successor: RecordId | None = Field(None, description="この制度を引き継いだ制度の ID")
    aliases: Annotated[list[Name], _items(20)] = Field([], description="略称・別名（検索でも使う、20件まで）")
    url: HttpUrl | None = Field(None, description="制度の公式ページ")
    description: Prose = Field(description="制度の説明（Markdown）")
    sources: Annotated[list[Source], _items(20)] = Field([], description="出典（20件まで）")


# --- Municipality ------------------------------------------------------------------------


class Municipality(Record):
    """地方公共団体: 全国地方公共団体コードと都道府県名・団体名（コードと一致すること）。"""

    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] = Field(
        description='全国地方公共団体コード（6桁、最後は検査数字）。"202096" のように引用符で囲む'
    )
    prefecture: Name = Field(description="都道府県名（例: 長野県）")
    name: Name = Field(description="団体名（例: 伊那市）。都道府県の事例では都道府県名")


# --- Case --------------------------------------------------------------------------------


class SupportProgram(Record):
    """事例が活用した国等の支援制度。"""

    program: RecordId = Field(description="支援制度の ID（content/taxonomy/funding.yaml の id）")
    fiscal_years: Annotated[list[FiscalYear], _items(30)] = Field(
        [], description="活用した年度（西暦の開始年、令和3年度 = 2021）"
    )
    note: LongName | None = Field(None, description="活用の内容（任意、交付金のタイプなど）")


class Cost(Record):
    """事業費（千円）。"""

    fiscal_year: FiscalYear | None = Field(
        None, description="年度（西暦の開始年、令和3年度 = 2021）。出典に年度がなければ省略"
    )
    amount: int = Field(ge=0, le=MAX_AMOUNT_THOUSAND_YEN, description="金額（千円）")
    basis: Literal["予算", "決算", "事業費"] | None = Field(
        None, description="金額の種類（出典の書き方: 予算 / 決算 / 事業費）"
    )
    note: LongName | None = Field(None, description="補足")


class Link(Record):
    """関連リンク。"""

    title: LongName = Field(description="リンクの名称")
    url: HttpUrl = Field(description="リンク先のURL（http または https）")


class Case(Record):
    """事例: 地方公共団体のデジタル化の取組。"""

    id: OwnId = Field(description="事例の ID。ファイル名（拡張子なし）と同じ、英小文字とハイフン")
    title: _label(80) = Field(description="取組名（80文字以内）")
    field: Name = Field(description="事業分野（20分野のいずれかの名前）")
    field_guessed: bool | None = Field(
        None, description="出典が分野を示さず、内容から分野を選んだ場合は true（ページには表示しない）"
    )
    related_fields: Annotated[list[Name], _items(19)] = Field([], description="関連する他の事業分野")
    municipality: Municipality = Field(description="取組を行った団体")
    population: int = Field(gt=0, le=MAX_POPULATION, description="人口（人、出典の数値のまま）")
    population_as_of: PartialDate | None = Field(
        None, description="人口の基準日（YYYY-MM-DD、出典が月や年までなら YYYY-MM や YYYY）"
    )
    population_note: LongName | None = Field(
        None, description="人口の補足（出典が概数のときは「出典では約17万人」のように書く）"
    )
    summary: Prose = Field(description="事業の概要（Markdown）")
    background: Prose | None = Field(None, description="取組の経緯・きっかけ、課題認識（Markdown）")
    support_programs: Annotated[list[SupportProgram], _items(20)] = Field([], description="活用した国等の支援制度")
    advice: Prose | None = Field(None, description="これから取り組む団体へのアドバイス（Markdown）")
    outcomes: Prose | None = Field(
        None, description="成果・効果（Markdown）: 取組で変わったこと。出典に数値があれば数値で"
    )
    department: Name | None = Field(None, description="担当部署")
    costs: Annotated[list[Cost], _items(30)] = Field([], description="事業費（年度ごと、千円）")
    started: PartialDate | None = Field(None, description="開始時期（YYYY-MM または YYYY）")
    tags: Annotated[list[Keyword], _items(30)] = Field([], description="キーワード（技術、テーマ。30件まで）")
    links: Annotated[list[Link], _items(20)] = Field([], description="関連リンク（20件まで）")
    awards: Annotated[list[LongName], _items(20)] = Field([], description="受賞歴")
    similar_municipalities: Annotated[list[Municipality], _items(30)] = Field(
        [], description="類似の取組を行っている団体"
    )
    sources: Annotated[list[Source], Field(min_length=1, max_length=20)] = Field(
        description="出典（1〜20件）: 事実の根拠となる資料"
    )
    updated: IsoDate | None = Field(None, description="最終確認日（YYYY-MM-DD）")


# --- Talent ------------------------------------------------------------------------------

EMPLOYMENT_FORMS = [
    "特別職非常勤職員",
    "会計年度任用職員",
    "任期付職員",
    "業務委託",
    "企業派遣",
    "副業・兼業",
    "その他",
]
REMOTE_OPTIONS = ["可", "一部可", "不可"]
# Past postings whose source does not say: an honest value instead of a guess.
NOT_STATED = "記載なし"


class Compensation(Record):
    """報酬（円）。"""

    unit: Literal["時給", "日額", "月額", "年額", "総額"] = Field(description="報酬の単位")
    min: int = Field(ge=0, le=MAX_PAY_YEN, description="金額（円）。幅があるときは下限")
    max: int | None = Field(None, ge=0, le=MAX_PAY_YEN, description="上限（円、任意）")
    note: LongName | None = Field(None, description="補足（手当の有無など）")


class Term(Record):
    """任用・契約の期間。"""

    start: IsoDate | None = Field(None, description="開始日（YYYY-MM-DD）")
    end: IsoDate | None = Field(None, description="終了日（YYYY-MM-DD）")


class Application(Record):
    """応募の方法と期間。"""

    opens: IsoDate | None = Field(None, description="受付開始日（YYYY-MM-DD、任意）")
    closes: IsoDate | None = Field(None, description="締切日（YYYY-MM-DD）。archived: true の過去の募集を除いて必須")
    url: HttpUrl | None = Field(None, description="応募・募集要項のページ")
    method: Text | None = Field(None, description="応募方法")
    contact: Text | None = Field(None, description="問い合わせ先")


class Posting(Record):
    """求人: 地方公共団体による外部デジタル人材の募集。"""

    id: OwnId = Field(description="求人の ID。ファイル名（拡張子なし）と同じ、英小文字・数字とハイフン")
    title: Name = Field(description="募集の名称（100文字以内）")
    municipality: Municipality = Field(description="募集する団体")
    role: Name = Field(description="役職・職名（例: CIO補佐官等）")
    employment: Literal[*EMPLOYMENT_FORMS, NOT_STATED] = Field(
        description="任用・契約の形態（出典に記載がなければ 記載なし）"
    )
    remote: Literal[*REMOTE_OPTIONS, NOT_STATED] = Field(
        description="リモート勤務の可否（出典に記載がなければ 記載なし）"
    )
    workload: LongName | None = Field(None, description="勤務日数・時間（例: 月4日程度）")
    compensation: Compensation | None = Field(None, description="報酬")
    duties: Prose = Field(description="業務内容（Markdown）")
    requirements: Prose | None = Field(None, description="応募資格・求める経験（Markdown）")
    skills: Annotated[list[Keyword], _items(30)] = Field([], description="求めるスキル（30件まで）")
    term: Term | None = Field(None, description="任用・契約の期間")
    application: Application | None = Field(None, description="応募の方法と期間")
    closed_early: Literal["filled", "cancelled"] | None = Field(
        None, description="締切前に募集を終えた場合: filled（採用決定）または cancelled（中止）"
    )
    archived: bool | None = Field(None, description="出典に締切日のない過去の募集は true（常に募集終了として扱う）")
    fiscal_measures: Annotated[list[RecordId], _items(20)] = Field(
        [], description="対象となる財政措置（funding.yaml の id、例: cio-hosakan-tokukou）"
    )
    posted: PartialDate | None = Field(
        None,
        description="募集の公表日（YYYY-MM-DD。日が分からなければ YYYY-MM か YYYY）。必須。"
        "ただし archived: true の過去の募集で出典に日付がなければ省略する（「掲載日の記載なし」と表示）",
    )
    sources: Annotated[list[Source], Field(min_length=1, max_length=20)] = Field(description="出典（1〜20件）")
    updated: IsoDate | None = Field(None, description="最終確認日（YYYY-MM-DD）")


class AdvisorProgram(Record):
    """アドバイザー派遣制度: 国などが専門家を地方公共団体に派遣する制度。"""

    id: OwnId = Field(description="制度の ID。ファイル名（拡張子なし）と同じ")
    name: Name = Field(description="制度の名称")
    administrator: Name = Field(description="実施する府省庁・団体")
    summary: Prose = Field(description="制度の概要（Markdown）")
    dispatch: Text | None = Field(None, description="派遣の期間・回数")
    personnel: Text | None = Field(None, description="派遣される人材")
    themes: Annotated[list[Keyword], _items(30)] = Field([], description="支援のテーマ（30件まで）")
    cost_to_municipality: Text | None = Field(None, description="団体の費用負担（例: 無償）")
    fiscal_support: Text | None = Field(None, description="財政措置")
    fiscal_measures: Annotated[list[RecordId], _items(20)] = Field(
        [], description="関係する支援制度（funding.yaml の id）"
    )
    eligibility: Text | None = Field(None, description="対象となる団体")
    application: Text | None = Field(None, description="申込方法・時期")
    url: HttpUrl | None = Field(None, description="制度の公式ページ")
    sources: Annotated[list[Source], Field(min_length=1, max_length=20)] = Field(description="出典（1〜20件）")
    updated: IsoDate | None = Field(None, description="最終確認日（YYYY-MM-DD）")


class SynonymGroup(Record):
    """同義語: 同じ語の別の書き方・略称のまとまり。検索では、どれで探しても、ほかの書き方のページも見つかる。"""

    terms: Annotated[list[Keyword], Field(min_length=2, max_length=10)] = Field(
        description="同じ意味の書き方（2〜10件、例: [買い物, 買物]）。言い換えや関連語ではなく、同じ語の表記の違いと略称だけ"
    )


FIELDS_FILE = "fields.yaml"
FUNDING_FILE = "funding.yaml"
SYNONYMS_FILE = "synonyms.yaml"  # optional: search works without synonyms

# Record types by the folder (or file) they live in, and the schema file editors point at.
SCHEMAS: dict[str, tuple[type[Record], bool]] = {
    # schema name: (model, is a list of records in one file)
    "case": (Case, False),
    "fields": (BusinessField, True),
    "funding": (FundingProgram, True),
    "posting": (Posting, False),
    "advisor": (AdvisorProgram, False),
}


# Records that make no page of their own (so they have no row in generator/urls.py's table).
OTHER_SCHEMAS: dict[str, tuple[type[Record], bool]] = {
    "synonyms": (SynonymGroup, True),
}


def json_schemas(taxonomy: Path | None = None, values: dict | None = None) -> dict[str, dict]:
    """JSON Schema documents by file name, for editors (yaml-language-server).

    With the taxonomy folder (content/taxonomy), the keys whose values the content defines list
    them (`enum`, with their Japanese names as the descriptions editors see beside each value):
    fields, funding program ids, prefectures. Every key and record type has a Japanese title."""
    from pydantic import TypeAdapter

    if values is None:
        values = _taxonomy_values(taxonomy) if taxonomy is not None else {}
    documents = {}
    for name, (model, is_list) in {**SCHEMAS, **OTHER_SCHEMAS}.items():
        schema = TypeAdapter(list[model] if is_list else model).json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{name}.schema.json",
            **schema,
            "title": _label(model.__doc__) if not is_list else f"{_label(model.__doc__)}（一覧）",
        }
        for type_name, properties in _property_groups(schema, None if is_list else model.__name__):
            for key, prop in properties.items():
                prop["title"] = _key_title(prop.get("description"), key)
                kind = _VALUES_OF.get((type_name, key))
                if kind in values:
                    _with_values(prop, *values[kind])
        documents[f"{name}.schema.json"] = schema
    return documents


def _label(doc: str | None) -> str:
    """A record type's Japanese name: its docstring's first phrase (「事例: …」 → 事例)."""
    text = (doc or "").strip().splitlines()[0]
    return re.split(r"[:：。]", text, maxsplit=1)[0].strip()


def _key_title(description: str | None, key: str) -> str:
    """A key's Japanese title: its description's first phrase (「取組名（80文字以内）」 → 取組名)."""
    if not description:
        raise AssertionError(f"{key} に説明（description）がありません")
    return re.split(r"[（(。:：、]", description, maxsplit=1)[0].strip() or description


# The keys whose allowed values the content defines: (record type, key) → kind of value.
_VALUES_OF = {
    ("Case", "field"): "fields",
    ("Case", "related_fields"): "fields",
    ("SupportProgram", "program"): "programs",
    ("Municipality", "prefecture"): "prefectures",
    ("Posting", "fiscal_measures"): "programs",
    ("AdvisorProgram", "fiscal_measures"): "programs",
    ("FundingProgram", "successor"): "programs",
}


def _property_groups(schema: dict, root: str | None):
    """(record type, its properties) of the document's root record and of each definition."""
    if root is not None and "properties" in schema:
        yield root, schema["properties"]
    for type_name, definition in schema.get("$defs", {}).items():
        if "properties" in definition:
            definition["title"] = _label(definition.get("description"))
            yield type_name, definition["properties"]


def _with_values(prop: dict, allowed: list[str], names: list[str]) -> None:
    """Add the allowed values to a key's schema (to the items of a list, to the non-null branch of
    an optional key), with a description for each (VS Code shows it beside the value)."""
    target = prop
    if target.get("type") == "array":
        target = target["items"]
    elif "anyOf" in target:
        target = next(branch for branch in target["anyOf"] if branch.get("type") != "null")
    target["enum"] = allowed
    target["enumDescriptions"] = names
    target["markdownEnumDescriptions"] = names


def _taxonomy_values(taxonomy: Path) -> dict[str, tuple[list[str], list[str]]]:
    """The values the content defines: field names, program ids (described by their names) and
    the 47 prefectures, read from the taxonomy files as they are (validation checks them)."""
    import yaml

    def entries(file_name: str) -> list[dict]:
        with open(taxonomy / file_name, encoding="utf-8") as f:
            loaded = yaml.safe_load(f) or []
        return [entry for entry in loaded if isinstance(entry, dict)]

    fields = entries(FIELDS_FILE)
    programs = entries(FUNDING_FILE)
    return schema_values(
        [(str(f["name"]), f.get("no", "")) for f in fields],
        [(str(p["id"]), str(p.get("name", "")), str(p.get("ministry", ""))) for p in programs],
    )


def schema_values(fields: list[tuple[str, object]], programs: list[tuple[str, str, str]]) -> dict:
    """The allowed values of json_schemas: fields as (name, number), programs as (id, name, ministry)."""
    from generator.municipalities import prefectures

    return {
        "fields": ([name for name, _ in fields], [f"{no}. {name}" for name, no in fields]),
        "programs": ([i for i, _, _ in programs], [f"{name}（{ministry}）" for _, name, ministry in programs]),
        "prefectures": ([p.name for p in prefectures()], [f"{p.code[:2]} {p.name}" for p in prefectures()]),
    }
