"""The validated records plus what is derived from them: bands, 和暦, costs, program lineage."""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from operator import itemgetter

from generator import urls
from generator.forked import beside, can_fork
from generator.models import (
    EMPLOYMENT_FORMS,
    NOT_STATED,
    REMOTE_OPTIONS,
    AdvisorProgram,
    BusinessField,
    Case,
    Cost,
    FundingProgram,
    Municipality,
    Posting,
)
from generator.municipalities import (
    GOVERNMENT_KINDS,
    GovernmentKind,
    LocalGovernment,
    Prefecture,
    all_governments,
    prefectures,
)
from generator.validate import Content

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PopulationBand:
    slug: str
    label: str
    low: int | None = None  # inclusive
    high: int | None = None  # exclusive


POPULATION_BANDS = [
    PopulationBand("under-10k", "〜1万人", 0, 10_000),
    PopulationBand("10k-50k", "1万〜5万人", 10_000, 50_000),
    PopulationBand("50k-100k", "5万〜10万人", 50_000, 100_000),
    PopulationBand("100k-300k", "10万〜30万人", 100_000, 300_000),
    PopulationBand("300k-1m", "30万〜100万人", 300_000, 1_000_000),
    PopulationBand("over-1m", "100万人〜", 1_000_000, None),
]
# A prefecture is not a town of its size: prefecture-level cases form their own group.
PREFECTURAL_GROUP = PopulationBand("prefectural", "都道府県")


def population_band(population: int, kind: str) -> PopulationBand:
    if kind == "都道府県":
        return PREFECTURAL_GROUP
    for band in POPULATION_BANDS:
        if population >= band.low and (band.high is None or population < band.high):
            return band
    raise AssertionError(population)


def wareki_fiscal_year(year: int) -> str:
    """令和3年度 for 2021; 元年 for the first year of an era."""
    for era, first in (("令和", 2019), ("平成", 1989), ("昭和", 1926)):
        if year >= first:
            number = year - first + 1
            return f"{era}{'元' if number == 1 else number}年度"
    return f"{year}年度"


def wareki_fiscal_years(years: list[int]) -> str:
    return "、".join(wareki_fiscal_year(y) for y in sorted(years))


def wareki_year_span(years: list[int]) -> str:
    """令和3年度〜令和5年度 for consecutive years, else each year: 令和元年度、令和3年度."""
    distinct = sorted(set(years))
    if len(distinct) > 2 and distinct[-1] - distinct[0] == len(distinct) - 1:
        return f"{wareki_fiscal_year(distinct[0])}〜{wareki_fiscal_year(distinct[-1])}"
    return wareki_fiscal_years(distinct)


# The first day of each era (the last era first): 令和 from 2019-05-01, 平成 from 1989-01-08.
ERAS = [
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1868, 10, 23)),
]


def _era_year(era_start: date, year: int) -> str:
    number = year - era_start.year + 1
    return "元" if number == 1 else str(number)


def wareki_date(value: date | str | None) -> str:
    """A date in 和暦: 令和2年8月1日 for 2020-08-01, 令和2年8月 for "2020-08", 令和2年 for "2020".

    A year or month in which the era changed, given without the day, names both eras:
    "2019" is 平成31年・令和元年, "2019-04" is 平成31年4月, "1989-01" is 昭和64年・平成元年1月."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        year, month, day = value.year, value.month, value.day
    else:
        year, month, day = ([int(p) for p in str(value).split("-")] + [0, 0])[:3]
    first = date(year, month or 1, day or 1)
    last = date(year, month or 12, day or _last_day(year, month or 12))
    names, following = [], None  # following: the first day of the era after this one
    for era, start in ERAS:
        if start <= last and (following is None or following > first):
            names.append(f"{era}{_era_year(start, year)}年")
        following = start
    text = "・".join(reversed(names)) or f"{year}年"
    return text + (f"{month}月" if month else "") + (f"{day}日" if day else "")


def _last_day(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


_PERIOD_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def wareki_period(period: str) -> str:
    """A program's period (free text such as 「2021 (supplementary budget)–2022」) in 和暦 fiscal
    years: 令和3年度（補正予算）〜令和4年度."""
    text = _PERIOD_YEAR.sub(lambda m: wareki_fiscal_year(int(m.group(1))), period)
    text = re.sub(r"\s*\(\s*supplementary budget\s*\)", "（補正予算）", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*[–—-]\s*", "〜", text)
    return text


def place_name(municipality: Municipality, separator: str = " ") -> str:
    """「長野県 伊那市」, or just 「愛媛県」 for a prefecture's own record."""
    m = municipality
    return m.name if m.name == m.prefecture else f"{m.prefecture}{separator}{m.name}"


@dataclass(frozen=True)
class CostLine:
    cost: Cost
    per_resident: float  # 円/人


@dataclass(frozen=True)
class CostGroup:
    """The costs of one basis (予算, 決算, 事業費; None where the source does not say), with their
    total when there is more than one: amounts of different bases are never added."""

    basis: str | None
    lines: list[CostLine]
    population: int

    @property
    def years(self) -> list[int]:
        return sorted({line.cost.fiscal_year for line in self.lines if line.cost.fiscal_year is not None})

    @property
    def has_undated(self) -> bool:
        return any(line.cost.fiscal_year is None for line in self.lines)

    @property
    def total(self) -> int | None:
        """The sum of the lines, or None: one line needs none, and lines of no stated basis may be
        of different kinds."""
        if len(self.lines) < 2 or self.basis is None:
            return None
        return sum(line.cost.amount for line in self.lines)

    @property
    def total_per_resident(self) -> float | None:
        total = self.total
        return None if total is None else total * 1000 / self.population


@dataclass(frozen=True)
class CaseEntry:
    """A case with everything the pages derive from it."""

    case: Case
    field: BusinessField
    government: LocalGovernment
    prefecture: Prefecture
    band: PopulationBand

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def url(self) -> str:
        return urls.url("case", self.case.id)

    @property
    def place(self) -> str:
        return place_name(self.case.municipality)

    @property
    def kind(self) -> GovernmentKind:
        """団体の種類 (政令指定都市, 中核市, 町…), from the code list."""
        return self.government.government_kind

    @cached_property
    def cost_lines(self) -> list[CostLine]:
        return [CostLine(c, c.amount * 1000 / self.case.population) for c in self.case.costs]

    @cached_property
    def cost_groups(self) -> list[CostGroup]:
        """The cost lines by basis, in the order each basis first appears (years in order within
        a basis); the lines of no stated basis last."""
        bases = list(dict.fromkeys(line.cost.basis for line in self.cost_lines if line.cost.basis is not None))
        if any(line.cost.basis is None for line in self.cost_lines):
            bases.append(None)
        groups = []
        for basis in bases:
            lines = [line for line in self.cost_lines if line.cost.basis == basis]
            lines.sort(key=lambda line: (line.cost.fiscal_year is None, line.cost.fiscal_year or 0))
            groups.append(CostGroup(basis, lines, self.case.population))
        return groups

    @property
    def latest_cost(self) -> Cost | None:
        """The cost of the latest fiscal year (the last listed when no year is given)."""
        if not self.case.costs:
            return None
        dated = [c for c in self.case.costs if c.fiscal_year is not None]
        return max(dated, key=lambda c: c.fiscal_year) if dated else self.case.costs[-1]


@dataclass(frozen=True)
class ProgramUse:
    """A case that used a program, seen from one program's page."""

    entry: CaseEntry
    program: FundingProgram  # the program the case used
    fiscal_years: list[int]
    relation: str  # "" for the program itself, else 前身 / 後継


# --- talent ---------------------------------------------------------------------------------

CLOSING_SOON_DAYS = 7


@dataclass(frozen=True)
class PostingStatus:
    slug: str
    label: str
    is_open: bool  # accepting applications: JobPosting data, apply link, feeds


UPCOMING = PostingStatus("upcoming", "募集前", False)
OPEN = PostingStatus("open", "募集中", True)
CLOSING_SOON = PostingStatus("closing-soon", "締切間近", True)
CLOSED = PostingStatus("closed", "募集終了", False)


def posting_status(posting: Posting, today: date) -> PostingStatus:
    """From the build date: 募集前, 募集中, 締切間近 (closes within 7 days) or 募集終了."""
    application = posting.application
    closes = application.closes if application else None
    opens = application.opens if application else None
    if posting.closed_early or posting.archived or closes is None or today > closes:
        return CLOSED
    if opens is not None and today < opens:
        return UPCOMING
    if (closes - today).days <= CLOSING_SOON_DAYS:
        return CLOSING_SOON
    return OPEN


@dataclass(frozen=True)
class Choice:
    """A value of an enumerated key with its URL slug (employment forms, remote options)."""

    value: str
    slug: str


EMPLOYMENT_CHOICES = [
    Choice(value, slug)
    for value, slug in zip(
        [*EMPLOYMENT_FORMS, NOT_STATED],
        [
            "tokubetsushoku-hijokin",
            "kaikei-nendo-ninyo",
            "ninkitsuki",
            "gyomu-itaku",
            "kigyo-haken",
            "fukugyo-kengyo",
            "sonota",
            "not-stated",
        ],
        strict=True,
    )
]
REMOTE_CHOICES = [
    Choice(value, slug)
    for value, slug in zip([*REMOTE_OPTIONS, NOT_STATED], ["yes", "partial", "no", "not-stated"], strict=True)
]

_WORKLOAD = re.compile(r"(月|週)\s*(\d+(?:\.\d+)?)\s*(日|時間)")
WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class MonthlyPay:
    low: int
    high: int | None
    how: str  # how the figure was computed, shown on the page


def monthly_pay(posting: Posting) -> MonthlyPay | None:
    """The pay as a monthly equivalent, where the record gives enough to compute it."""
    pay = posting.compensation
    if pay is None:
        return None
    factor, how = None, ""
    if pay.unit == "月額":
        factor, how = 1, "月額のまま"
    elif pay.unit == "年額":
        factor, how = 1 / 12, "年額を12で割った額"
    elif pay.unit == "総額" and posting.term and posting.term.start and posting.term.end:
        months = _months(posting.term.start, posting.term.end)
        if months >= 1:
            factor, how = 1 / months, f"総額を任期の{months}か月で割った額"
    elif pay.unit in ("日額", "時給") and posting.workload:
        match = _WORKLOAD.search(posting.workload)
        unit_word = "日" if pay.unit == "日額" else "時間"
        if match and match.group(3) == unit_word:
            count = float(match.group(2))
            factor = count if match.group(1) == "月" else count * WEEKS_PER_MONTH
            how = f"{pay.unit}に勤務量（{match.group(0)}）を掛けた額"
            if match.group(1) == "週":
                how += "（1か月を52÷12週として計算）"
    if factor is None:
        return None
    return MonthlyPay(round(pay.min * factor), round(pay.max * factor) if pay.max else None, how)


def _months(start: date, end: date) -> int:
    """Whole months of a term: 2027-04-01 to 2028-03-31 is 12."""
    following = end + timedelta(days=1)
    return (following.year - start.year) * 12 + following.month - start.month


@dataclass(frozen=True)
class PostingEntry:
    posting: Posting
    government: LocalGovernment
    prefecture: Prefecture
    status: PostingStatus
    employment: Choice
    remote: Choice
    monthly: MonthlyPay | None

    @property
    def id(self) -> str:
        return self.posting.id

    @property
    def url(self) -> str:
        return urls.url("posting", self.posting.id)

    @property
    def place(self) -> str:
        return place_name(self.posting.municipality)

    @property
    def kind(self) -> GovernmentKind:
        return self.government.government_kind

    @property
    def closes(self) -> date | None:
        return self.posting.application.closes if self.posting.application else None

    @property
    def opens(self) -> date | None:
        return self.posting.application.opens if self.posting.application else None


class Catalog:
    """Everything the pages need, derived once from valid content."""

    def __init__(self, content: Content, today: date, related_memo: RelatedMemo | None = None):
        self.today = today
        self.related_memo = related_memo
        self.fields = content.fields
        self.field_by_name = {f.name: f for f in content.fields}
        self.programs = {p.id: p for p in content.programs}
        self.prefectures = prefectures()
        self.prefecture_by_name = {p.name: p for p in self.prefectures}
        governments = all_governments()
        self.cases = [
            CaseEntry(
                case=case,
                field=self.field_by_name[case.field],
                government=(government := governments[case.municipality.code]),
                prefecture=self.prefecture_by_name[case.municipality.prefecture],
                band=population_band(case.population, government.kind),
            )
            for case in content.cases
        ]
        self.case_by_id = {e.id: e for e in self.cases}
        employment = {c.value: c for c in EMPLOYMENT_CHOICES}
        remote = {c.value: c for c in REMOTE_CHOICES}
        self.postings = [
            PostingEntry(
                posting=posting,
                government=governments[posting.municipality.code],
                prefecture=self.prefecture_by_name[posting.municipality.prefecture],
                status=posting_status(posting, today),
                employment=employment[posting.employment],
                remote=remote[posting.remote],
                monthly=monthly_pay(posting),
            )
            for posting in content.postings
        ]
        self.advisors: list[AdvisorProgram] = content.advisors
        self.synonyms = content.synonyms  # for search (content/taxonomy/synonyms.yaml)

    @cached_property
    def related(self) -> dict[str, list[CaseEntry]]:
        """Up to five cases like each case (see `related_cases`)."""
        return {
            case_id: [self.case_by_id[i] for i in ids]
            for case_id, ids in related_cases(self.cases, self.related_memo).items()
        }

    # --- groupings ---

    def cases_in_field(self, field: BusinessField) -> list[CaseEntry]:
        return self._by_field.get(field.name, [])

    def cases_related_to_field(self, field: BusinessField) -> list[CaseEntry]:
        return self._by_related_field.get(field.name, [])

    def cases_in_band(self, band: PopulationBand) -> list[CaseEntry]:
        return sorted(self._by_band.get(band.slug, []), key=lambda e: e.case.population)

    def cases_in_prefecture(self, prefecture: Prefecture) -> list[CaseEntry]:
        return sorted(self._by_prefecture.get(prefecture.slug, []), key=lambda e: e.case.municipality.code)

    def cases_of_municipality(self, code: str) -> list[CaseEntry]:
        return self._by_municipality.get(code, [])

    @property
    def government_kinds(self) -> list[GovernmentKind]:
        """都道府県, 政令指定都市, 中核市, その他の市, 特別区, 町, 村."""
        return GOVERNMENT_KINDS

    def cases_of_kind(self, kind: GovernmentKind) -> list[CaseEntry]:
        """The cases of local governments of this kind, the smallest population first."""
        return self._by_kind.get(kind.slug, [])

    def cases_of_kind_in_band(self, kind: GovernmentKind, band: PopulationBand) -> list[CaseEntry]:
        return self._by_kind_and_band.get((kind.slug, band.slug), [])

    def bands_of_kind(self, kind: GovernmentKind) -> list[PopulationBand]:
        """The population groups that hold cases of this kind, smallest first."""
        return [band for band in self.population_groups if (kind.slug, band.slug) in self._by_kind_and_band]

    def same_size_cases(self, entry: CaseEntry) -> list[CaseEntry]:
        """Up to five cases of other local governments of the same population band and kind,
        the nearest in population first (then by id)."""
        group = self._by_kind_and_band[(entry.kind.slug, entry.band.slug)]
        position = self._position_in_size_group[entry.id]
        found: list[CaseEntry] = []
        low, high = position - 1, position + 1
        population = entry.case.population
        while len(found) < SAME_SIZE_LIMIT and (low >= 0 or high < len(group)):
            below = group[low] if low >= 0 else None
            above = group[high] if high < len(group) else None
            take_below = above is None or (
                below is not None
                and (population - below.case.population, below.id) <= (above.case.population - population, above.id)
            )
            if take_below:
                other, low = below, low - 1
            else:
                other, high = above, high + 1
            if other.case.municipality.code != entry.case.municipality.code:
                found.append(other)
        return found

    # Each grouping worked out once, in the catalog's order: a page asks in constant time.

    @cached_property
    def _by_field(self) -> dict[str, list[CaseEntry]]:
        return _grouped(self.cases, lambda e: [e.case.field])

    @cached_property
    def _by_related_field(self) -> dict[str, list[CaseEntry]]:
        return _grouped(self.cases, lambda e: e.case.related_fields)

    @cached_property
    def _by_band(self) -> dict[str, list[CaseEntry]]:
        return _grouped(self.cases, lambda e: [e.band.slug])

    @cached_property
    def _by_prefecture(self) -> dict[str, list[CaseEntry]]:
        return _grouped(self.cases, lambda e: [e.prefecture.slug])

    @cached_property
    def _by_municipality(self) -> dict[str, list[CaseEntry]]:
        return _grouped(self.cases, lambda e: [e.case.municipality.code])

    @cached_property
    def _by_kind(self) -> dict[str, list[CaseEntry]]:
        return _grouped(sorted(self.cases, key=_by_size), lambda e: [e.kind.slug])

    @cached_property
    def _by_kind_and_band(self) -> dict[tuple[str, str], list[CaseEntry]]:
        return _grouped(sorted(self.cases, key=_by_size), lambda e: [(e.kind.slug, e.band.slug)])

    @cached_property
    def _position_in_size_group(self) -> dict[str, int]:
        return {e.id: i for group in self._by_kind_and_band.values() for i, e in enumerate(group)}

    @cached_property
    def _by_program(self) -> dict[str, list[CaseEntry]]:
        """The cases that used each program directly."""
        return _grouped(self.cases, lambda e: dict.fromkeys(u.program for u in e.case.support_programs))

    @property
    def population_groups(self) -> list[PopulationBand]:
        return [*POPULATION_BANDS, PREFECTURAL_GROUP]

    # --- funding programs and their succession ---

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for program in self.programs.values():
            if program.successor:
                found[program.successor].append(program.id)
        return found

    def ancestors(self, program_id: str) -> list[str]:
        """Every program this one replaced, nearest first."""
        result, queue = [], list(self.predecessors.get(program_id, []))
        while queue:
            current = queue.pop(0)
            if current not in result:
                result.append(current)
                queue.extend(self.predecessors.get(current, []))
        return result

    def descendants(self, program_id: str) -> list[str]:
        """The programs that replaced this one, in order."""
        result, current = [], self.programs[program_id].successor
        while current and current not in result:
            result.append(current)
            current = self.programs[current].successor
        return result

    def program_uses(self, program_id: str) -> list[ProgramUse]:
        """Cases that used this program, then those under its predecessors and successors."""
        relations = [(program_id, "")]
        relations += [(p, "前身") for p in self.ancestors(program_id)]
        relations += [(p, "後継") for p in self.descendants(program_id)]
        uses = []
        for used_id, relation in relations:
            for entry in self._by_program.get(used_id, []):
                for use in entry.case.support_programs:
                    if use.program == used_id:
                        uses.append(ProgramUse(entry, self.programs[used_id], list(use.fiscal_years), relation))
        return uses

    # --- talent ---

    @cached_property
    def open_postings(self) -> list[PostingEntry]:
        """Accepting applications, the nearest closing date first."""
        return sorted((e for e in self.postings if e.status.is_open), key=lambda e: (e.closes, e.id))

    @cached_property
    def upcoming_postings(self) -> list[PostingEntry]:
        return sorted((e for e in self.postings if e.status == UPCOMING), key=lambda e: (e.opens, e.id))

    @cached_property
    def closed_postings(self) -> list[PostingEntry]:
        """The archive, the most recently posted first; those whose source gives no date last."""
        return sorted(
            (e for e in self.postings if e.status == CLOSED),
            key=lambda e: (e.posting.posted is not None, e.posting.posted or "", e.id),
            reverse=True,
        )

    def postings_sorted(self, entries) -> list[PostingEntry]:
        """Open first (nearest deadline), then upcoming, then the archive."""
        return sorted(entries, key=lambda e: self._posting_order[id(e)])

    @cached_property
    def _posting_order(self) -> dict[int, int]:
        return {id(e): i for i, e in enumerate(self.open_postings + self.upcoming_postings + self.closed_postings)}

    def postings_where(self, attribute: str, value) -> list[PostingEntry]:
        return self.postings_sorted(e for e in self.postings if getattr(e, attribute) == value)

    @property
    def employment_choices(self) -> list[Choice]:
        return EMPLOYMENT_CHOICES

    @property
    def remote_choices(self) -> list[Choice]:
        return REMOTE_CHOICES

    @property
    def posting_prefectures(self) -> list[Prefecture]:
        return [p for p in self.prefectures if any(e.prefecture == p for e in self.postings)]

    def postings_citing(self, program_id: str) -> list[PostingEntry]:
        return self.postings_sorted(e for e in self.postings if program_id in e.posting.fiscal_measures)

    def advisors_citing(self, program_id: str) -> list[AdvisorProgram]:
        return [a for a in self.advisors if program_id in a.fiscal_measures]

    def direct_use_count(self, program_id: str) -> int:
        return len(self._by_program.get(program_id, []))


SAME_SIZE_LIMIT = 5


def _by_size(entry: CaseEntry) -> tuple[int, str]:
    return (entry.case.population, entry.id)


def _grouped(entries: list[CaseEntry], keys) -> dict:
    """The entries under each of their keys (`keys(entry)`), in order."""
    found: dict[str, list[CaseEntry]] = defaultdict(list)
    for entry in entries:
        for key in keys(entry):
            found[key].append(entry)
    return found


# --- related cases ---------------------------------------------------------------------------

RELATED_LIMIT = 5
TERMS_PER_CASE = 16  # a case's most distinctive bigrams propose its candidates
COMMON_TERM = 24  # a bigram or tag shared by more cases than this proposes none
TEXT_CANDIDATES = 30  # the cases nearest in text that are ranked with the other signals
RELATED_MIN_TEXT = 0.1  # the shared-word score (cosine of the bigram weights) that makes a case related
PARALLEL_RELATED = 1000  # more cases than this: half of them are ranked by a forked process


class RelatedMemo:
    """What `related_cases` worked out last (`jirei serve`): the bigrams of each text, the weights
    of every case's words, and the result for the inputs it was given (the same inputs give it at
    once; an edited case is weighed and ranked again with the few cases it touches)."""

    def __init__(self) -> None:
        self.bags: dict[str, Counter] = {}
        self.last: tuple[list, dict[str, list[str]]] | None = None
        self.words: _Words | None = None  # the weights of the last call's texts
        self.ranked: _Ranking | None = None  # what the ranking of the last call read


def _rarity(count: int, n: int) -> float | None:
    """The weight of a bigram held by n of count cases; None if too rare or too common to count."""
    return math.log(count / n) if 2 <= n <= COMMON_TERM else None


def _weighed(bag: Counter, rarity) -> list[tuple[str, float]]:
    """A text's counted bigrams, weighted (tf × idf), normalised, the heaviest first."""
    weights = [(term, (1 + math.log(n)) * rarity[term]) for term, n in bag.items() if term in rarity]
    weights.sort(key=lambda item: (-item[1], item[0]))
    norm = math.sqrt(sum(w * w for _, w in weights)) or 1.0
    return [(term, w / norm) for term, w in weights]


class _Words:
    """The weighed bigrams of every case's text and, for each bigram, who holds it with what weight
    (`postings`, in case order). `update` brings it to new texts by weighing again only the edited
    cases and those holding a bigram whose rarity the edit changed."""

    def __init__(self, texts: list[str], bags: list[Counter], updatable: bool = False):
        self.texts, self.bags, self.count = list(texts), list(bags), len(bags)
        self.frequency = Counter()
        for bag in bags:
            self.frequency.update(bag.keys())
        rarity = {t: r for t, n in self.frequency.items() if (r := _rarity(self.count, n)) is not None}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.weights: list[list[tuple[str, float]]] = []
        for index, bag in enumerate(bags):
            weights = _weighed(bag, rarity)
            for term, weight in weights:
                self.postings[term].append((index, weight))
            self.weights.append(weights)
        self.chosen = [weights[:TERMS_PER_CASE] for weights in self.weights]
        self.holders: dict[str, set[int]] = defaultdict(set)  # every bigram's cases, if updatable
        if updatable:
            for index, bag in enumerate(bags):
                for term in bag:
                    self.holders[term].add(index)

    def update(self, texts: list[str], bags: list[Counter]) -> tuple[set[str], set[int]]:
        """Take the new texts (as many as before, in the same order); returns the bigrams whose
        postings changed and the cases whose chosen bigrams changed. Needs `updatable`."""
        holders, frequency = self.holders, self.frequency
        edited = [i for i, text in enumerate(texts) if text != self.texts[i]]
        before: dict[str, int] = {}
        for index in edited:
            for term in self.bags[index]:
                before.setdefault(term, frequency[term])
                frequency[term] -= 1
                holders[term].discard(index)
            for term in bags[index]:
                before.setdefault(term, frequency[term])
                frequency[term] += 1
                holders[term].add(index)
            self.texts[index], self.bags[index] = texts[index], bags[index]
        reweigh = set(edited)
        for term, n in before.items():
            if _rarity(self.count, n) != _rarity(self.count, frequency[term]):
                reweigh |= holders[term]
            if not frequency[term]:
                del frequency[term], holders[term]
        rarity = _LazyRarity(self.count, frequency)
        dirty: set[str] = set()
        rechosen: set[int] = set()
        for index in sorted(reweigh):
            weights = _weighed(self.bags[index], rarity)
            if weights != self.weights[index]:
                dirty.update(term for term, _ in self.weights[index])
                dirty.update(term for term, _ in weights)
                self.weights[index] = weights
                if weights[:TERMS_PER_CASE] != self.chosen[index]:
                    self.chosen[index] = weights[:TERMS_PER_CASE]
                    rechosen.add(index)
        changed: set[str] = set()
        maps: dict[int, dict[str, float]] = {}
        for term in dirty:
            held = None
            if term in rarity:
                held = []
                for i in sorted(holders[term]):
                    weight = maps[i] if i in maps else maps.setdefault(i, dict(self.weights[i]))
                    held.append((i, weight[term]))
            if held != self.postings.get(term):
                changed.add(term)
                if held is None:
                    del self.postings[term]
                else:
                    self.postings[term] = held
        return changed, rechosen


class _LazyRarity:
    """`term in rarity` and `rarity[term]` of _weighed, worked out from the frequencies on demand."""

    def __init__(self, count: int, frequency: Counter):
        self.count, self.frequency = count, frequency

    def __contains__(self, term: str) -> bool:
        return _rarity(self.count, self.frequency.get(term, 0)) is not None

    def __getitem__(self, term: str) -> float:
        return _rarity(self.count, self.frequency[term])


@dataclass
class _Ranking:
    """Everything `rank` reads besides the words, and what it gave: the next call re-ranks only
    the cases whose reading changed (an edited case, and the cases that share its rarer words or
    tags)."""

    ids: list[str]
    tag_sets: list[set[str]]
    tag_postings: dict[str, list[int]]
    facts: list[tuple]  # per case: (field, fields, programs), what a candidate is ranked by
    related: dict[str, list[str]]

    def changed_since(self, old: _Ranking, words: _Words, changed_terms: set[str], rechosen: set[int]) -> set[int]:
        """The indexes whose ranking may differ from the old one's: the same result for the others
        is certain, as rank() reads nothing else."""
        changed_tags = {
            t
            for t in self.tag_postings.keys() | old.tag_postings.keys()
            if self.tag_postings.get(t) != old.tag_postings.get(t)
        }
        # Cases that changed as candidates: every case that may propose them is re-ranked too.
        moved = {i for i, fact in enumerate(self.facts) if fact != old.facts[i] or self.tag_sets[i] != old.tag_sets[i]}
        affected = moved | rechosen
        for index, chosen in enumerate(words.chosen):
            if any(term in changed_terms for term, _ in chosen) or not self.tag_sets[index].isdisjoint(changed_tags):
                affected.add(index)
        for index in moved:
            for term, _ in words.weights[index]:
                affected.update(i for i, _ in words.postings.get(term, ()))
            for tag in self.tag_sets[index] | old.tag_sets[index]:
                affected.update(self.tag_postings.get(tag, ()))
        return affected


def _related_inputs(entry: CaseEntry) -> tuple:
    case = entry.case
    programs = tuple(use.program for use in case.support_programs)
    return (entry.id, case.title, case.summary, tuple(case.tags), case.field, tuple(case.related_fields), programs)


def related_cases(entries: list[CaseEntry], memo: RelatedMemo | None = None) -> dict[str, list[str]]:
    """Up to five cases like each case, in time linear in the number of cases.

    Each case proposes candidates through an inverted index of its most distinctive bigrams (of
    title, summary and tags) and its tags, each list cut at COMMON_TERM cases; candidates are then
    ranked by the weight of the bigrams they share, shared tags, field and support programs. A case
    is related by what it does: a candidate that shares no tag and no program and too few words
    (RELATED_MIN_TEXT) is left out, whatever its field, so a case may have fewer than five or none.
    """
    from generator.search import normalize, tokens  # search builds on the catalog

    inputs = [_related_inputs(e) for e in entries] if memo is not None else []
    if memo is not None and memo.last is not None and memo.last[0] == inputs:
        return memo.last[1]
    count = len(entries)
    ids = [e.id for e in entries]
    texts = ["\n".join([e.case.title, e.case.summary, " ".join(e.case.tags)]) for e in entries]
    known = memo.bags if memo is not None else {}
    bags = [known[text] if text in known else Counter(tokens(normalize(text))) for text in texts]
    previous = memo.ranked if memo is not None and memo.words is not None else None
    if previous is not None and previous.ids == ids:
        words, memo.words = memo.words, None  # not kept if the update fails half-way
        changed_terms, rechosen = words.update(texts, bags)
    else:
        previous, words = None, _Words(texts, bags, updatable=memo is not None)
    if memo is not None:
        memo.bags = dict(zip(texts, bags, strict=True))
    tag_sets = [{normalize(tag) for tag in e.case.tags} for e in entries]
    tag_frequency = Counter(tag for tags in tag_sets for tag in tags)
    postings, chosen = words.postings, words.chosen
    tag_postings: dict[str, list[int]] = defaultdict(list)
    for index, tags in enumerate(tag_sets):
        for tag in tags:
            if tag_frequency[tag] <= COMMON_TERM:
                tag_postings[tag].append(index)
    fields = [{e.case.field, *e.case.related_fields} for e in entries]
    programs = [{use.program for use in e.case.support_programs} for e in entries]
    main_fields = [e.case.field for e in entries]

    def rank(indexes: range) -> dict[str, list[str]]:
        """The related cases of the cases at these indexes."""
        related: dict[str, list[str]] = {}
        for index in indexes:
            entry = entries[index]
            case = entry.case
            text: dict[int, float] = {}
            for term, weight in chosen[index]:
                for other, other_weight in postings[term]:
                    text[other] = text.get(other, 0.0) + weight * other_weight
            text.pop(index, None)
            nearest = dict(heapq.nlargest(TEXT_CANDIDATES, text.items(), key=itemgetter(1)))  # as Counter.most_common
            candidates = set(nearest) | {other for tag in tag_sets[index] for other in tag_postings.get(tag, ())}
            candidates.discard(index)
            best = max(nearest.values(), default=0.0) or 1.0
            scored = []
            tags, in_fields, used, field = tag_sets[index], fields[index], programs[index], case.field
            for other in candidates:
                # Admitted by what the cases do: a shared tag or program, or enough shared words.
                # A shared field ranks the admitted cases but admits none.
                shared_text = nearest.get(other, 0.0)
                if not (shared_text >= RELATED_MIN_TEXT or tags & tag_sets[other] or used & programs[other]):
                    continue
                score = 2.0 * shared_text / best
                score += 2.0 * len(tags & tag_sets[other])
                score += 1.5 * (main_fields[other] == field) + 0.5 * len(in_fields & fields[other])
                score += 1.0 * len(used & programs[other])
                scored.append((-score, ids[other]))
            related[entry.id] = [other_id for _, other_id in sorted(scored)[:RELATED_LIMIT]]
        return related

    facts = [(main_fields[i], frozenset(fields[i]), frozenset(programs[i])) for i in range(count)]
    ranking = _Ranking(ids, tag_sets, dict(tag_postings), facts, {})
    if previous is not None:
        # One edited case changes the ranking of the few that read it: those alone are ranked again.
        again = ranking.changed_since(previous, words, changed_terms, rechosen)
        ranking.related = {**previous.related, **rank(sorted(again))}
        related = {i: ranking.related[i] for i in ids}
    elif count > PARALLEL_RELATED and can_fork():  # every other case ranked by a forked process
        with beside(rank, range(1, count, 2)) as odd:
            even = rank(range(0, count, 2))
            odd_ranked = odd()
        related = {e.id: (even if index % 2 == 0 else odd_ranked)[e.id] for index, e in enumerate(entries)}
    else:
        related = rank(range(count))
    if memo is not None:
        ranking.related = related
        memo.last, memo.ranked, memo.words = (inputs, related), ranking, words
    return related
