"""`jirei new case|posting|advisor`: a commented record template, ready to fill."""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path

from generator.errors import UsageError
from generator.load import load_yaml
from generator.models import FIELDS_FILE, FUNDING_FILE
from generator.municipalities import LocalGovernment, all_governments
from generator.validate import ADVISORS_DIR, CASES_DIR, POSTINGS_DIR, TAXONOMY_DIR

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
# population_note: 出典では約6.6万人  # 出典が概数のときの補足（任意）
# 事業の概要（Markdown）: 次の行から2文字下げて、1〜2文のまとめと3〜4個の箇条書き（「- 」で始まる行）
summary: |
# background: |                     # 取組の経緯・きっかけ（任意）
#
{programs}# advice: |                         # 他団体へのアドバイス（任意）
#
# outcomes: |                       # 成果・効果（任意）。出典に数値があれば数値で
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


POSTING_TEMPLATE = """\
# yaml-language-server: $schema=../../../schema/posting.schema.json
# 求人のひな形です。「# 」で始まる行は説明なので、書き終えたら消してかまいません。
# 募集要項など公開された資料から書き、その資料を sources に挙げてください。
# 書き終えたら jirei validate で確かめます。
id: {id}
title: {title}
municipality:
  code: "{code}"
  prefecture: {prefecture}
  name: {name}
role:                               # 役職・職名（例: CIO補佐官等）
employment:                         # 特別職非常勤職員 / 会計年度任用職員 / 任期付職員 / 業務委託 / 企業派遣 / 副業・兼業 / その他
remote:                             # 可 / 一部可 / 不可
# workload: 月4日程度                # 勤務日数・時間（任意）
# compensation:                     # 報酬（任意、円）
#   unit: 日額                       # 時給 / 日額 / 月額 / 年額 / 総額
#   min: 30000
#   max: 50000
# 業務内容（Markdown）: 次の行から2文字下げて書きます
duties: |
# requirements: |                   # 応募資格（任意、Markdown）
# skills: [データ活用, 情報セキュリティ]
# term: {{start: 2027-04-01, end: 2028-03-31}}   # 任期（任意）
application:
  # opens: 2026-11-01               # 受付開始日（任意）
  closes:                           # 締切日（YYYY-MM-DD、必須）
  # url: https://                   # 募集要項のページ（任意）
  # method: 応募フォームから         # 応募方法（任意）
  # contact: 情報政策課             # 問い合わせ先（任意）
# fiscal_measures: [cio-hosakan-tokukou]   # 対象となる財政措置（任意、funding.yaml の id）
posted:                             # 募集の公表日（YYYY-MM-DD）
sources:                            # 出典（1件以上、必須）。募集要項のページなど
  - title:
    url: https://
"""

ADVISOR_TEMPLATE = """\
# yaml-language-server: $schema=../../../schema/advisor.schema.json
# アドバイザー派遣制度のひな形です。出典にない項目はキーごと削除してください。
id: {id}
name: {title}
administrator:                      # 実施する府省庁・団体
# 制度の概要（Markdown）: 次の行から2文字下げて書きます
summary: |
# personnel:                        # 派遣される人材（任意）
# dispatch:                         # 派遣の期間・回数（任意）
# themes: [AI活用, 自治体システム]    # 支援のテーマ（任意）
# cost_to_municipality: 無償          # 団体の費用負担（任意）
# fiscal_support:                   # 財政措置（任意）
# fiscal_measures: []               # 関係する支援制度（任意、funding.yaml の id）
# eligibility:                      # 対象団体（任意）
# application:                      # 申込方法・時期（任意）
# url: https://                     # 公式ページ（任意）
sources:                            # 出典（1件以上、必須）
  - title:
    url: https://
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
    if not _interactive():
        raise UsageError(f"{label}を指定してください（オプションで渡すか、端末から実行してください）")
    answer = input(f"{label}: ").strip()
    if not answer:
        raise UsageError(f"{label}が空です")
    return answer


PROGRAMS_COMMENT = """\
# support_programs:                 # 活用した国等の支援制度（任意）。program は funding.yaml の id
#   - program: chiho-sosei-suishin-kofukin
#     fiscal_years: [2021]          # 西暦の開始年（令和3年度 = 2021）
#     note:
"""


def _programs_block(chosen: list[tuple[str, str]]) -> str:
    """The support_programs of the template: the chosen programs (their names as comments), or the commented example."""
    if not chosen:
        return PROGRAMS_COMMENT
    lines = ["support_programs:                   # 活用した国等の支援制度"]
    for program_id, name in chosen:
        lines.append(f"  - program: {program_id}  # {name}")
        lines.append("#   fiscal_years: [2021]          # 活用した年度（西暦の開始年。令和3年度 = 2021）")
    return "\n".join(lines) + "\n"


def programs(content_dir: Path) -> list[tuple[str, str]]:
    """(id, name) of every program in the taxonomy, in its order."""
    path = content_dir / TAXONOMY_DIR / FUNDING_FILE
    document, _ = load_yaml(path, str(path)) if path.exists() else (None, [])
    if document is None or not isinstance(document.data, list):
        raise UsageError(f"{path} を読めません。先に jirei validate で確かめてください")
    return [
        (str(item["id"]), f"{item.get('name', '')}（{item.get('ministry', '')}）")
        for item in document.data
        if isinstance(item, dict) and "id" in item
    ]


def _interactive() -> bool:
    return sys.stdin.isatty()


def _completing(candidates: list[str]):
    """Tab completion from these candidates while one question is asked (where readline exists)."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: typing still works
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def completing():
        def complete(text: str, state: int) -> str | None:
            found = [c for c in candidates if c.startswith(text)] or [c for c in candidates if text in c]
            return found[state] if state < len(found) else None

        before = readline.get_completer()
        readline.set_completer(complete)
        readline.set_completer_delims("")
        readline.parse_and_bind("tab: complete")
        try:
            yield
        finally:
            readline.set_completer(before)

    return completing()


def _choose(label: str, options: list[tuple[str, str]], answer: str) -> str:
    """The value of an option chosen by its number, its value or its label (as shown)."""
    answer = answer.strip()
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1][0]
    for value, shown in options:
        if answer in (value, shown):
            return value
    raise UsageError(f"{label}「{answer}」は選べません。番号か、一覧にある名前で答えてください")


def _show(options: list[tuple[str, str]]) -> None:
    for number, (value, shown) in enumerate(options, 1):
        print(f"  {number:>2}. {shown}" if value == shown else f"  {number:>2}. {value}  {shown}")


def _ask_municipality(value: str | None) -> LocalGovernment:
    """The municipality given, or asked with Tab completion; a name found more than once, or
    only in part, is chosen from a numbered list."""
    if value:
        return resolve_municipality(value)
    if not _interactive():
        raise UsageError("団体（例: 長野県伊那市）を指定してください（オプションで渡すか、端末から実行してください）")
    governments = list(all_governments().values())
    names = [g.prefecture + (g.name if g.name != g.prefecture else "") for g in governments]
    with _completing(names):
        text = re.sub(r"\s+", "", input("団体（例: 長野県伊那市。Tab で補完）: "))
    try:
        return resolve_municipality(text)
    except UsageError:
        found = [(g.code, name) for g, name in zip(governments, names, strict=True) if text and text in name]
        if not found or len(found) > 30:
            raise
    print(f"「{text}」を含む団体:")
    _show([(code, name) for code, name in found])
    return all_governments()[_choose("団体", found, input("番号: "))]


def _ask_field(names: list[str], value: str | None) -> str:
    if value or not _interactive():
        field = _ask("事業分野", value)
        if field not in names:
            raise UsageError(f"分野「{field}」はありません。次のいずれかです: {'、'.join(names)}")
        return field
    print("事業分野:")
    options = [(name, name) for name in names]
    _show(options)
    with _completing(names):
        return _choose("事業分野", options, input("番号または名前: "))


def _ask_programs(available: list[tuple[str, str]], given: list[str] | None) -> list[tuple[str, str]]:
    """The programs given (ids), or chosen on a terminal: a word narrows the list, numbers choose."""
    names = dict(available)
    if given is not None or not _interactive():
        unknown = [i for i in given or [] if i not in names]
        if unknown:
            raise UsageError(
                f"支援制度「{'、'.join(unknown)}」はありません（content/taxonomy/funding.yaml の id で指定してください）"
            )
        return [(i, names[i]) for i in dict.fromkeys(given or [])]
    print(
        "活用した国等の支援制度（任意）: 番号をカンマ区切りで選ぶか、名前の一部で絞り込みます。空のまま Enter で終わります。"
    )
    shown = list(available)
    _show(shown)
    chosen: list[tuple[str, str]] = []
    while True:
        answer = input("絞り込む語、番号、または Enter: ").strip()
        if not answer:
            return chosen
        if all(part.strip().isdigit() for part in answer.split(",")) and shown:
            for part in answer.split(","):
                value = _choose("支援制度", shown, part)
                if value not in [c for c, _ in chosen]:
                    chosen.append((value, names[value]))
            print("選んだ制度: " + "、".join(n for _, n in chosen))
            continue
        shown = [(i, n) for i, n in available if answer.lower() in (i + n).lower()]
        if not shown:
            print(f"「{answer}」を含む制度はありません。")
        _show(shown)


def _yaml_text(value: str) -> str:
    """A value as a YAML double-quoted string, whatever it holds."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def new_record(
    kind: str,
    content_dir: Path,
    record_id: str | None,
    municipality: str | None,
    field: str | None,
    title: str | None,
    program_ids: list[str] | None = None,
) -> Path:
    """Write a commented template for a case, posting or advisor program; never overwrite.

    On a terminal, what is not given is asked: the municipality with Tab completion from the code
    list, the field and (for a case) the support programs chosen from numbered lists."""
    values: dict[str, str] = {}
    if kind in ("case", "posting"):
        government = _ask_municipality(municipality)
        values.update(code=government.code, prefecture=government.prefecture, name=government.name)
    if kind == "case":
        values["field"] = _ask_field(field_names(content_dir), field)
        chosen = _ask_programs(programs(content_dir), program_ids)
        values["programs"] = _programs_block(chosen)
    label, limit = {"case": ("取組名", 80), "posting": ("募集の名称", 100), "advisor": ("制度の名称", 200)}[kind]
    title = _ask(f"{label}（{limit}文字以内）", title)
    if len(title) > limit:
        raise UsageError(f"{label}が {len(title)} 文字です。{limit}文字以内にしてください")
    record_id = _ask("ID（英小文字・数字・ハイフン、例: ina-drone-shopping）", record_id)
    if not ID_PATTERN.match(record_id):
        raise UsageError(f"ID「{record_id}」は英小文字・数字・ハイフンで書いてください（例: ina-drone-shopping）")
    folder, template = {
        "case": (CASES_DIR, CASE_TEMPLATE),
        "posting": (POSTINGS_DIR, POSTING_TEMPLATE),
        "advisor": (ADVISORS_DIR, ADVISOR_TEMPLATE),
    }[kind]
    path = content_dir / folder / f"{record_id}.yaml"
    if path.exists():
        raise UsageError(f"{path} はすでにあります。別の ID を指定してください")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.format(id=record_id, title=_yaml_text(title), **values), encoding="utf-8")
    return path
