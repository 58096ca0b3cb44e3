"""The ministry's 全国地方公共団体コード list (generator/data/municipality-codes.csv).

Source: 総務省「全国地方公共団体コード」 https://www.soumu.go.jp/denshijiti/code.html
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
