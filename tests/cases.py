"""Synthetic case records for tests (never real content)."""

VALID_CASE = """\
# yaml-language-server: $schema=../../schema/case.schema.json
id: {id}
title: テスト用のドローン配送の取組
field: 住民生活
related_fields: [交通]
municipality:
  code: "202096"
  prefecture: 長野県
  name: 伊那市
population: 66000
population_as_of: 2023-01-01
summary: |
  テスト用の概要です。
  - 箇条書き
support_programs:
  - program: chiho-sosei-suishin-kofukin
    fiscal_years: [2019, 2020]
costs:
  - fiscal_year: 2021
    amount: 39481
    basis: 事業費
started: "2020-08"
tags: [ドローン]
links:
  - title: 関連ページ
    url: https://example.jp/drone
sources:
  - title: テスト用の出典
    url: https://example.jp/source
"""


def case_text(case_id: str = "test-case", replace: dict[str, str] | None = None) -> str:
    """The valid case with parts replaced: {"population: 66000": "population: -1"}."""
    text = VALID_CASE.format(id=case_id)
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text
