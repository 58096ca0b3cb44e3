"""`jirei new case`: a commented record template, ready to fill."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from generator.errors import UsageError
from generator.load import load_yaml
from generator.models import FIELDS_FILE
from generator.municipalities import LocalGovernment, all_governments
from generator.validate import CASES_DIR, TAXONOMY_DIR

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

CASE_TEMPLATE = """\
# yaml-language-server: $schema=../../schema/case.schema.json
# 事例のひな形です。「# 」で始まる行は説明なので、書き終えたら消してかまいません。
# 事実は必ず公開資料から書き、その資料を sources に挙げてください。文章は自分の言葉で。
# 出典にない項目は、キーごと削除してください（推測で埋めない）。
# 書き終えたら jirei validate で確かめます。
id: {id}
title: {title}
field: {field}
# related_fields: [交通]            # 関連する他の分野（任意）
municipality:
  code: "{code}"
  prefecture: {prefecture}
  name: {name}
population:                         # 人口（人、出典の数値）。例: 66000
# population_as_of: 2023-01-01      # 人口の基準日（任意）
# 事業の概要（Markdown）: 次の行から2文字下げて、1〜2文のまとめと3〜4個の箇条書き（「- 」で始まる行）
summary: |
# background: |                     # 取組の経緯・きっかけ（任意）
#
# support_programs:                 # 活用した国等の支援制度（任意）。program は funding.yaml の id
#   - program: chiho-sosei-suishin-kofukin
#     fiscal_years: [2021]          # 西暦の開始年（令和3年度 = 2021）
#     note:
# advice: |                         # 他団体へのアドバイス（任意）
#
# department: 企画部 企画政策課      # 担当部署（任意）
# costs:                            # 事業費（任意、千円）
#   - fiscal_year: 2021
#     amount: 39481
#     basis: 事業費                  # 予算 / 決算 / 事業費
# started: "2020-08"                # 開始時期（任意、YYYY-MM または YYYY）
# tags: [ドローン, 物流]             # キーワード（任意）
# links:                            # 関連リンク（任意）
#   - title:
#     url: https://
sources:                            # 出典（1件以上、必須）
  - title:
    url: https://
#   published: 2024-04              # 公表日（任意）
"""


def resolve_municipality(text: str) -> LocalGovernment:
    """「伊那市」「長野県伊那市」「長野県 伊那市」 or a code such as 202096."""
    text = re.sub(r"\s+", "", text)
    governments = all_governments()
    if text.isdigit():
        if text in governments:
            return governments[text]
        raise UsageError(f"団体コード {text} は全国地方公共団体コードにありません")
    matches = [
        g
        for g in governments.values()
        if text in (g.name, g.prefecture + g.name) or (g.kind == "都道府県" and text == g.prefecture)
    ]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        candidates = "、".join(f"{g.prefecture}{g.name}" for g in matches)
        raise UsageError(f"「{text}」は複数あります。都道府県名を付けてください（{candidates}）")
    raise UsageError(f"団体「{text}」が見つかりません。「長野県伊那市」のように書くか、団体コードを指定してください")


def field_names(content_dir: Path) -> list[str]:
    path = content_dir / TAXONOMY_DIR / FIELDS_FILE
    document, problems = load_yaml(path, str(path)) if path.exists() else (None, [])
    if document is None or not isinstance(document.data, list):
        raise UsageError(f"{path} を読めません。先に jirei validate で確かめてください")
    return [item.get("name") for item in document.data if isinstance(item, dict)]


def _ask(label: str, value: str | None) -> str:
    if value:
        return value.strip()
    if not sys.stdin.isatty():
        raise UsageError(f"{label}を指定してください（オプションで渡すか、端末から実行してください）")
    answer = input(f"{label}: ").strip()
    if not answer:
        raise UsageError(f"{label}が空です")
    return answer


def _yaml_text(value: str) -> str:
    """A value as a YAML double-quoted string, whatever it holds."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def new_case(
    content_dir: Path, case_id: str | None, municipality: str | None, field: str | None, title: str | None
) -> Path:
    government = resolve_municipality(_ask("団体（例: 長野県伊那市）", municipality))
    names = field_names(content_dir)
    field = _ask(f"事業分野（{'、'.join(names)}）", field)
    if field not in names:
        raise UsageError(f"分野「{field}」はありません。次のいずれかです: {'、'.join(names)}")
    title = _ask("取組名（80文字以内）", title)
    if len(title) > 80:
        raise UsageError(f"取組名が {len(title)} 文字です。80文字以内にしてください")
    case_id = _ask("ID（英小文字・数字・ハイフン、例: ina-drone-shopping）", case_id)
    if not ID_PATTERN.match(case_id):
        raise UsageError(f"ID「{case_id}」は英小文字・数字・ハイフンで書いてください（例: ina-drone-shopping）")
    path = content_dir / CASES_DIR / f"{case_id}.yaml"
    if path.exists():
        raise UsageError(f"{path} はすでにあります。別の ID を指定してください")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        CASE_TEMPLATE.format(
            id=case_id,
            title=_yaml_text(title),
            field=field,
            code=government.code,
            prefecture=government.prefecture,
            name=government.name,
        ),
        encoding="utf-8",
    )
    return path
