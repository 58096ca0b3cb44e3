"""The one schema of every record type (see design/data-model.md, a contract).

Validation, the JSON Schema editors' YAML files point at, and the site's field reference page
all come from these models. Every field carries a Japanese description.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
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


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value) if isinstance(value, str) else None
    if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise PydanticCustomError("jirei_date", "日付は YYYY-MM-DD の形で書いてください（例: 2024-04-01）")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("jirei_date", "存在しない日付です: {value}（YYYY-MM-DD）", {"value": text}) from None


def _partial_date(value: Any) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD, kept as text."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text or "")
    if not match:
        raise PydanticCustomError(
            "jirei_date", "年月は YYYY、YYYY-MM、YYYY-MM-DD のいずれかの形で書いてください（例: 2020-08）"
        )
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise PydanticCustomError("jirei_date", "存在しない年月日です: {value}", {"value": text}) from None
    return text


def _http_url(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("jirei_url", "URL は文字列で書いてください")
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value, flags=re.IGNORECASE):
        raise PydanticCustomError(
            "jirei_url", "URL は http:// か https:// で始まる必要があります: {value}", {"value": value}
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
RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1)]


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
    name: Text = Field(description="分野名（例: 住民生活）")
    slug: RecordId = Field(description="URL に使う英小文字の名前（例: daily-life）")
    description: Text = Field(description="この分野にどのような取組が入るかの説明")


FundingKind = Literal["交付金", "補助金", "特別交付税措置", "地方交付税", "委託事業", "人的支援", "その他"]


class Source(Record):
    """出典。"""

    title: Text = Field(description="出典の名称（資料名、ページ名、媒体名）")
    url: HttpUrl | None = Field(None, description="出典の URL（http または https）。URL のない資料では省略")
    published: PartialDate | None = Field(None, description="公表日（YYYY、YYYY-MM、YYYY-MM-DD）")


class FundingProgram(Record):
    """国（や都道府県）の支援制度: 交付金、補助金、特別交付税措置など。"""

    id: RecordId = Field(description="制度の ID（英小文字とハイフン）。事例や求人から参照される")
    name: Text = Field(description="制度の正式名称")
    ministry: Text = Field(description="所管する府省庁・団体（例: 内閣府）")
    kind: FundingKind = Field(description="制度の種類")
    rate: str | None = Field(None, description='補助率など（出典の書き方のまま、例: "1/2"）')
    period: str | None = Field(None, description="実施期間（自由記述、例: 2016–2022）")
    successor: RecordId | None = Field(None, description="この制度を引き継いだ制度の ID")
    aliases: list[Text] = Field([], description="略称・別名（検索でも使う）")
    url: HttpUrl | None = Field(None, description="制度の公式ページ")
    description: Text = Field(description="制度の説明（Markdown）")
    sources: list[Source] = Field([], description="出典")


# --- Municipality ------------------------------------------------------------------------


class Municipality(Record):
    """地方公共団体: 全国地方公共団体コードと都道府県名・団体名（コードと一致すること）。"""

    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] = Field(
        description='全国地方公共団体コード（6桁、最後は検査数字）。"202096" のように引用符で囲む'
    )
    prefecture: Text = Field(description="都道府県名（例: 長野県）")
    name: Text = Field(description="団体名（例: 伊那市）。都道府県の事例では都道府県名")


# --- Case --------------------------------------------------------------------------------


class SupportProgram(Record):
    """事例が活用した国等の支援制度。"""

    program: RecordId = Field(description="支援制度の ID（content/taxonomy/funding.yaml の id）")
    fiscal_years: list[FiscalYear] = Field([], description="活用した年度（西暦の開始年、令和3年度 = 2021）")
    note: Text | None = Field(None, description="活用の内容（任意、交付金のタイプなど）")


class Cost(Record):
    """事業費（千円）。"""

    fiscal_year: FiscalYear | None = Field(
        None, description="年度（西暦の開始年、令和3年度 = 2021）。出典に年度がなければ省略"
    )
    amount: int = Field(ge=0, description="金額（千円）")
    basis: Literal["予算", "決算", "事業費"] | None = Field(
        None, description="金額の種類（出典の書き方: 予算 / 決算 / 事業費）"
    )
    note: Text | None = Field(None, description="補足")


class Link(Record):
    """関連リンク。"""

    title: Text = Field(description="リンクの名称")
    url: HttpUrl = Field(description="URL（http または https）")


class Case(Record):
    """事例: 地方公共団体のデジタル化の取組。"""

    id: RecordId = Field(description="事例の ID。ファイル名（拡張子なし）と同じ、英小文字とハイフン")
    title: Annotated[str, StringConstraints(min_length=1, max_length=80)] = Field(description="取組名（80文字以内）")
    field: Text = Field(description="事業分野（20分野のいずれかの名前）")
    field_guessed: bool | None = Field(
        None, description="出典が分野を示さず、内容から分野を選んだ場合は true（ページには表示しない）"
    )
    related_fields: list[Text] = Field([], description="関連する他の事業分野")
    municipality: Municipality = Field(description="取組を行った団体")
    population: int = Field(gt=0, description="人口（人、出典の数値のまま）")
    population_as_of: PartialDate | None = Field(
        None, description="人口の基準日（YYYY-MM-DD、出典が月や年までなら YYYY-MM や YYYY）"
    )
    summary: Text = Field(description="事業の概要（Markdown）")
    background: Text | None = Field(None, description="取組の経緯・きっかけ、課題認識（Markdown）")
    support_programs: list[SupportProgram] = Field([], description="活用した国等の支援制度")
    advice: Text | None = Field(None, description="これから取り組む団体へのアドバイス（Markdown）")
    department: Text | None = Field(None, description="担当部署")
    costs: list[Cost] = Field([], description="事業費（年度ごと、千円）")
    started: PartialDate | None = Field(None, description="開始時期（YYYY-MM または YYYY）")
    tags: list[Text] = Field([], description="キーワード（技術、テーマ）")
    links: list[Link] = Field([], description="関連リンク")
    awards: list[Text] = Field([], description="受賞歴")
    similar_municipalities: list[Municipality] = Field([], description="類似の取組を行っている団体")
    sources: Annotated[list[Source], Field(min_length=1)] = Field(description="出典（1件以上）: 事実の根拠となる資料")
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
    min: int = Field(ge=0, description="金額（円）。幅があるときは下限")
    max: int | None = Field(None, ge=0, description="上限（円、任意）")
    note: Text | None = Field(None, description="補足（手当の有無など）")


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

    id: RecordId = Field(description="求人の ID。ファイル名（拡張子なし）と同じ、英小文字・数字とハイフン")
    title: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="募集の名称（100文字以内）"
    )
    municipality: Municipality = Field(description="募集する団体")
    role: Text = Field(description="役職・職名（例: CIO補佐官等）")
    employment: Literal[*EMPLOYMENT_FORMS, NOT_STATED] = Field(
        description="任用・契約の形態（出典に記載がなければ 記載なし）"
    )
    remote: Literal[*REMOTE_OPTIONS, NOT_STATED] = Field(
        description="リモート勤務の可否（出典に記載がなければ 記載なし）"
    )
    workload: Text | None = Field(None, description="勤務日数・時間（例: 月4日程度）")
    compensation: Compensation | None = Field(None, description="報酬")
    duties: Text = Field(description="業務内容（Markdown）")
    requirements: Text | None = Field(None, description="応募資格・求める経験（Markdown）")
    skills: list[Text] = Field([], description="求めるスキル")
    term: Term | None = Field(None, description="任用・契約の期間")
    application: Application | None = Field(None, description="応募の方法と期間")
    closed_early: Literal["filled", "cancelled"] | None = Field(
        None, description="締切前に募集を終えた場合: filled（採用決定）または cancelled（中止）"
    )
    archived: bool | None = Field(None, description="出典に締切日のない過去の募集は true（常に募集終了として扱う）")
    fiscal_measures: list[RecordId] = Field(
        [], description="対象となる財政措置（funding.yaml の id、例: cio-hosakan-tokukou）"
    )
    posted: PartialDate = Field(description="募集の公表日（YYYY-MM-DD。日が分からなければ YYYY-MM か YYYY）")
    sources: Annotated[list[Source], Field(min_length=1)] = Field(description="出典（1件以上）")
    updated: IsoDate | None = Field(None, description="最終確認日（YYYY-MM-DD）")


class AdvisorProgram(Record):
    """アドバイザー派遣制度: 国などが専門家を地方公共団体に派遣する制度。"""

    id: RecordId = Field(description="制度の ID。ファイル名（拡張子なし）と同じ")
    name: Text = Field(description="制度の名称")
    administrator: Text = Field(description="実施する府省庁・団体")
    summary: Text = Field(description="制度の概要（Markdown）")
    dispatch: Text | None = Field(None, description="派遣の期間・回数")
    personnel: Text | None = Field(None, description="派遣される人材")
    themes: list[Text] = Field([], description="支援のテーマ")
    cost_to_municipality: Text | None = Field(None, description="団体の費用負担（例: 無償）")
    fiscal_support: Text | None = Field(None, description="財政措置")
    fiscal_measures: list[RecordId] = Field([], description="関係する支援制度（funding.yaml の id）")
    eligibility: Text | None = Field(None, description="対象となる団体")
    application: Text | None = Field(None, description="申込方法・時期")
    url: HttpUrl | None = Field(None, description="制度の公式ページ")
    sources: Annotated[list[Source], Field(min_length=1)] = Field(description="出典（1件以上）")
    updated: IsoDate | None = Field(None, description="最終確認日（YYYY-MM-DD）")


FIELDS_FILE = "fields.yaml"
FUNDING_FILE = "funding.yaml"

# Record types by the folder (or file) they live in, and the schema file editors point at.
SCHEMAS: dict[str, tuple[type[Record], bool]] = {
    # schema name: (model, is a list of records in one file)
    "case": (Case, False),
    "fields": (BusinessField, True),
    "funding": (FundingProgram, True),
    "posting": (Posting, False),
    "advisor": (AdvisorProgram, False),
}


def json_schemas() -> dict[str, dict]:
    """JSON Schema documents by file name, for editors (yaml-language-server)."""
    from pydantic import TypeAdapter

    documents = {}
    for name, (model, is_list) in SCHEMAS.items():
        schema = TypeAdapter(list[model] if is_list else model).json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{name}.schema.json",
            "title": model.__doc__.strip() if not is_list else f"{model.__doc__.strip()}（一覧）",
            **schema,
        }
        documents[f"{name}.schema.json"] = schema
    return documents
