"""The ministry's 全国地方公共団体コード list (generator/data/municipality-codes.csv), and the
kind of each local government (都道府県, 政令指定都市, 中核市, その他の市, 特別区, 町, 村).

Sources: 総務省「全国地方公共団体コード」 https://www.soumu.go.jp/denshijiti/code.html, and the
ministry's lists of 指定都市 and 中核市 (generator/data/README.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LocalGovernment:
    code: str
    prefecture: str
    name: str  # the prefecture's own name for a prefecture-level entry

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]

    @property
    def kind(self) -> str:
        """都道府県 / 特別区 / 市 / 町 / 村."""
        if self.code[2:5] == "000":
            return "都道府県"
        if self.code.startswith("131"):
            return "特別区"
        return self.name[-1]

    @property
    def government_kind(self) -> GovernmentKind:
        """The kind readers compare by: a 市 is a 政令指定都市, a 中核市 or その他の市."""
        kind = self.kind
        if kind == "市":
            if self.code in designated_city_codes():
                return DESIGNATED_CITY
            if self.code in core_city_codes():
                return CORE_CITY
            return OTHER_CITY
        return _KIND_BY_LABEL[kind]


@dataclass(frozen=True)
class GovernmentKind:
    """団体の種類: a group of local governments of one standing (URL slug and Japanese label)."""

    slug: str
    label: str
    description: str


PREFECTURE = GovernmentKind("prefecture", "都道府県", "都道府県（人口は都道府県全体）")
DESIGNATED_CITY = GovernmentKind(
    "designated-city", "政令指定都市", "地方自治法の指定都市（人口50万人以上の市から政令で指定）"
)
CORE_CITY = GovernmentKind("core-city", "中核市", "地方自治法の中核市（人口20万人以上の市から政令で指定）")
OTHER_CITY = GovernmentKind("other-city", "その他の市", "政令指定都市・中核市ではない市")
SPECIAL_WARD = GovernmentKind("special-ward", "特別区", "東京都の23区")
TOWN = GovernmentKind("town", "町", "町")
VILLAGE = GovernmentKind("village", "村", "村")
GOVERNMENT_KINDS = [PREFECTURE, DESIGNATED_CITY, CORE_CITY, OTHER_CITY, SPECIAL_WARD, TOWN, VILLAGE]
_KIND_BY_LABEL = {"都道府県": PREFECTURE, "特別区": SPECIAL_WARD, "町": TOWN, "村": VILLAGE}


def _codes(file_name: str) -> frozenset[str]:
    with open(DATA / file_name, encoding="utf-8", newline="") as f:
        return frozenset(r["code"] for r in csv.DictReader(f))


@cache
def designated_city_codes() -> frozenset[str]:
    """The 20 指定都市 (generator/data/designated-cities.csv)."""
    return _codes("designated-cities.csv")


@cache
def core_city_codes() -> frozenset[str]:
    """The 中核市 (generator/data/core-cities.csv)."""
    return _codes("core-cities.csv")


def check_digit(first_five: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


@cache
def all_governments() -> dict[str, LocalGovernment]:
    with open(DATA / "municipality-codes.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["code"]: LocalGovernment(r["code"], r["prefecture"], r["city"] or r["prefecture"]) for r in rows}


@cache
def codes_by_name() -> dict[tuple[str, str], str]:
    return {(g.prefecture, g.name): g.code for g in all_governments().values()}


@dataclass(frozen=True)
class Prefecture:
    code: str  # 2 digits, JIS X 0401 order
    name: str
    slug: str


@cache
def prefectures() -> list[Prefecture]:
    with open(DATA / "prefectures.csv", encoding="utf-8", newline="") as f:
        return [Prefecture(r["code"], r["name"], r["slug"]) for r in csv.DictReader(f)]


def code_problem(code: str, prefecture: str, name: str) -> str | None:
    """What is wrong with a (code, prefecture, name) triple, in Japanese, or None."""
    if len(code) != 6 or not code.isdigit():
        return f'団体コード "{code}" は6桁の数字である必要があります'
    suggestion = codes_by_name().get((prefecture, name))
    hint = f'（{name} のコードは "{suggestion}" です）' if suggestion else ""
    if check_digit(code[:5]) != int(code[5]):
        return f'団体コード "{code}" の検査数字が正しくありません{hint}'
    government = all_governments().get(code)
    if government is None:
        return f'団体コード "{code}" は全国地方公共団体コードにありません{hint}'
    if (government.prefecture, government.name) != (prefecture, name):
        if suggestion:
            return f'{name} のコードは "{suggestion}" です（"{code}" は {government.prefecture}{_suffix(government)}）'
        return (
            f'団体コード "{code}" は {government.prefecture}{_suffix(government)} のコードです。'
            f"prefecture と name をコードに合わせてください"
        )
    return None


def _suffix(government: LocalGovernment) -> str:
    return "" if government.kind == "都道府県" else government.name
