"""The validated records plus what is derived from them: bands, 和暦, costs, program lineage."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from generator.models import BusinessField, Case, Cost, FundingProgram
from generator.municipalities import LocalGovernment, Prefecture, all_governments, prefectures
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


@dataclass(frozen=True)
class CostLine:
    cost: Cost
    per_resident: float  # 円/人


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
        return f"cases/{self.case.id}/"

    @property
    def place(self) -> str:
        """「長野県 伊那市」, or just 「愛媛県」 for a prefecture-level case."""
        m = self.case.municipality
        return m.name if m.name == m.prefecture else f"{m.prefecture} {m.name}"

    @cached_property
    def cost_lines(self) -> list[CostLine]:
        return [CostLine(c, c.amount * 1000 / self.case.population) for c in self.case.costs]

    @property
    def total_cost(self) -> int:
        return sum(c.amount for c in self.case.costs)

    @property
    def total_per_resident(self) -> float:
        return self.total_cost * 1000 / self.case.population

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


class Catalog:
    """Everything the pages need, derived once from valid content."""

    def __init__(self, content: Content, today: date):
        self.today = today
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

    # --- groupings ---

    def cases_in_field(self, field: BusinessField) -> list[CaseEntry]:
        return [e for e in self.cases if e.case.field == field.name]

    def cases_related_to_field(self, field: BusinessField) -> list[CaseEntry]:
        return [e for e in self.cases if field.name in e.case.related_fields]

    def cases_in_band(self, band: PopulationBand) -> list[CaseEntry]:
        return sorted((e for e in self.cases if e.band == band), key=lambda e: e.case.population)

    def cases_in_prefecture(self, prefecture: Prefecture) -> list[CaseEntry]:
        return sorted((e for e in self.cases if e.prefecture == prefecture), key=lambda e: e.case.municipality.code)

    def cases_of_municipality(self, code: str) -> list[CaseEntry]:
        return [e for e in self.cases if e.case.municipality.code == code]

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
            for entry in self.cases:
                for use in entry.case.support_programs:
                    if use.program == used_id:
                        uses.append(ProgramUse(entry, self.programs[used_id], list(use.fiscal_years), relation))
        return uses

    def direct_use_count(self, program_id: str) -> int:
        return sum(1 for e in self.cases if any(u.program == program_id for u in e.case.support_programs))
