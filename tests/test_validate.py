"""One bad-input fixture per validation rule: file, line and message are asserted."""

from __future__ import annotations

import json
import time

import pytest

from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import run_jirei


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# (rule, file stem, file text, the text on the reported line, message fragment)
RULES = [
    (
        "yaml-syntax",
        "bad-syntax",
        case_text("bad-syntax", {"tags: [ドローン]": "tags: [ドローン"}),
        "links:",
        "[ で始めたリストが ] で閉じられていません、23 行目から",
    ),
    (
        "duplicate-key",
        "dup-key",
        case_text("dup-key", {"population: 66000": "population: 66000\npopulation: 67000"}),
        "population: 67000",
        "キー「population」が重複しています（10 行目にもあります）",
    ),
    (
        "unknown-key",
        "unknown-key",
        case_text("unknown-key", {"title:": "titel:"}),
        "titel:",
        "不明なキー「titel」です。「title」の誤りではありませんか",
    ),
    (
        "missing-key",
        "missing-key",
        case_text("missing-key", {"population: 66000\n": ""}),
        "id: missing-key",
        "必須のキー「population」がありません",
    ),
    (
        "wrong-type",
        "wrong-type",
        case_text("wrong-type", {"population: 66000": 'population: "六万"'}),
        "population:",
        "「population」は整数で書いてください",
    ),
    (
        "wrong-type-list",
        "wrong-list",
        case_text("wrong-list", {"tags: [ドローン]": "tags: ドローン"}),
        "tags:",
        "「tags」はリスト",
    ),
    (
        "bad-date",
        "bad-date",
        case_text("bad-date", {"population_as_of: 2023-01-01": "population_as_of: 2023-02-30"}),
        "population_as_of:",
        "存在しない年月日です: 2023-02-30",
    ),
    (
        "bad-date-form",
        "bad-date-form",
        case_text("bad-date-form", {'started: "2020-08"': "started: 2020/08"}),
        "started:",
        "YYYY-MM",
    ),
    (
        "id-not-file-name",
        "file-name",
        case_text("other-name"),
        "id: other-name",
        "id「other-name」がファイル名「file-name」と一致しません",
    ),
    (
        "unknown-field",
        "unknown-field",
        case_text("unknown-field", {"field: 住民生活": "field: 住民生括"}),
        "field: 住民生括",
        "分野「住民生括」はありません。「住民生活」の誤りではありませんか",
    ),
    (
        "unknown-related-field",
        "unknown-related",
        case_text("unknown-related", {"related_fields: [交通]": "related_fields: [交通機関]"}),
        "related_fields:",
        "分野「交通機関」はありません",
    ),
    (
        "unknown-funding",
        "unknown-funding",
        case_text("unknown-funding", {"program: chiho-sosei-suishin-kofukin": "program: chiho-sosei-suishin-kofukn"}),
        "program:",
        "支援制度「chiho-sosei-suishin-kofukn」が funding.yaml にありません。「chiho-sosei-suishin-kofukin」の誤りではありませんか",
    ),
    (
        "code-name-disagree",
        "code-name",
        case_text("code-name", {'code: "202096"': 'code: "202011"'}),
        "code:",
        '伊那市 のコードは "202096" です',
    ),
    (
        "prefecture-disagree",
        "pref-name",
        case_text("pref-name", {"prefecture: 長野県": "prefecture: 山梨県"}),
        "code:",
        '団体コード "202096" は 長野県伊那市 のコードです',
    ),
    (
        "check-digit",
        "check-digit",
        case_text("check-digit", {'code: "202096"': 'code: "202097"'}),
        "code:",
        '団体コード "202097" の検査数字が正しくありません（伊那市 のコードは "202096" です）',
    ),
    (
        "unknown-code",
        "unknown-code",
        case_text("unknown-code", {'code: "202096"': 'code: "209996"', "name: 伊那市": "name: 架空市"}),
        "code:",
        "全国地方公共団体コードにありません",
    ),
    (
        "code-as-integer",
        "code-int",
        case_text("code-int", {'code: "202096"': "code: 202096"}),
        "code:",
        "「municipality.code」は文字列で書いてください",
    ),
    (
        "url-not-http",
        "bad-url",
        case_text("bad-url", {"url: https://example.jp/drone": "url: javascript:alert(1)"}),
        "url: javascript",
        "URL は http:// か https:// で始まる必要があります",
    ),
    (
        "fiscal-year-range",
        "fiscal-year",
        case_text("fiscal-year", {"fiscal_years: [2019, 2020]": "fiscal_years: [2019, 1989]"}),
        "fiscal_years:",
        "1990〜2100 の西暦",
    ),
    (
        "cost-year-range",
        "cost-year",
        case_text("cost-year", {"fiscal_year: 2021": "fiscal_year: 2101"}),
        "fiscal_year: 2101",
        "1990〜2100 の西暦",
    ),
    (
        "negative-amount",
        "negative",
        case_text("negative", {"amount: 39481": "amount: -5"}),
        "amount: -5",
        "「costs[0].amount」は 0 以上にしてください",
    ),
    (
        "title-too-long",
        "long-title",
        case_text("long-title", {"title: テスト用のドローン配送の取組": "title: " + "長" * 81}),
        "title:",
        "80 文字以内",
    ),
    (
        "no-sources",
        "no-sources",
        case_text(
            "no-sources", {"sources:\n  - title: テスト用の出典\n    url: https://example.jp/source\n": "sources: []\n"}
        ),
        "sources: []",
        "「sources」には 1 件以上",
    ),
    (
        "duplicate-source",
        "dup-source",
        case_text(
            "dup-source",
            {
                "    url: https://example.jp/source\n": "    url: https://example.jp/source\n  - title: 同じ出典\n    url: https://example.jp/source\n"
            },
        ),
        "同じ出典",
        "出典の URL が重複しています",
    ),
    ("empty-file", "empty", "", None, "ファイルが空です"),
    (
        "comments-only",
        "comments",
        "# yaml-language-server: $schema=../../schema/case.schema.json\n",
        None,
        "ファイルが空です",
    ),
    ("not-a-mapping", "a-list", "- id: a-list\n", None, "レコードはマッピング"),
    (
        "tab-indent",
        "tabs",
        case_text("tabs", {"  code:": "\tcode:"}),
        "\tcode:",
        "インデントにタブ文字が使われています",
    ),
    (
        "python-tag",
        "python-tag",
        case_text(
            "python-tag",
            {"population: 66000": 'population: !!python/object/apply:os.system ["touch /tmp/jirei-pwned"]'},
        ),
        "population:",
        "タグ !!python/object/apply:os.system は使えません",
    ),
    ("two-documents", "two-docs", case_text("two-docs") + "---\nid: x\n", "---", "レコードは1つです"),
]


@pytest.mark.parametrize(("rule", "stem", "text", "line_text", "message"), RULES, ids=[r[0] for r in RULES])
def test_rule_reports_file_line_and_message(taxonomy_only, rule, stem, text, line_text, message):
    path = taxonomy_only / "cases" / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    content, problems = validate_content(taxonomy_only)
    assert content is None
    matching = [p for p in problems if message in p.message]
    assert matching, [p.text() for p in problems]
    problem = matching[0]
    assert problem.path.endswith(f"cases/{stem}.yaml")
    expected_line = line_of(text, line_text) if line_text else 1
    assert problem.line == expected_line, problem.text()
    assert problem.column >= 1


def test_python_tag_is_never_constructed(taxonomy_only, tmp_path):
    marker = tmp_path / "pwned"
    text = case_text("tag", {"population: 66000": f'population: !!python/object/apply:os.system ["touch {marker}"]'})
    (taxonomy_only / "cases" / "tag.yaml").write_text(text, encoding="utf-8")
    validate_content(taxonomy_only)
    assert not marker.exists()


def test_every_problem_of_a_file_in_one_run(taxonomy_only):
    text = case_text(
        "many",
        {
            "title:": "titel:",
            "field: 住民生活": "field: 住民生括",
            'code: "202096"': 'code: "202097"',
            "amount: 39481": "amount: -5",
            "url: https://example.jp/drone": "url: ftp://example.jp",
        },
    )
    (taxonomy_only / "cases" / "many.yaml").write_text(text, encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    lines = {p.line for p in problems}
    for needle in ("titel:", "field:", "code:", "amount:", "url: ftp"):
        assert line_of(text, needle) in lines, (needle, [p.text() for p in problems])


def test_duplicate_ids_across_files(taxonomy_only):
    cases = taxonomy_only / "cases"
    (cases / "same-id.yaml").write_text(case_text("same-id"), encoding="utf-8")
    (cases / "zz-other.yaml").write_text(case_text("same-id"), encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    messages = [p.text() for p in problems if "でも使われています" in p.message]
    assert len(messages) == 1 and "zz-other.yaml:2:" in messages[0]


def test_non_utf8_bytes_are_located(taxonomy_only):
    raw = case_text("latin").encode("utf-8").replace("テスト用の概要".encode(), b"caf\xe9")
    (taxonomy_only / "cases" / "latin.yaml").write_bytes(raw)
    _, problems = validate_content(taxonomy_only)
    assert len(problems) == 1
    assert problems[0].line == line_of(case_text("latin"), "テスト用の概要")
    assert "UTF-8 として読めないバイト（0xe9）" in problems[0].message


def test_bom_and_crlf_are_accepted(taxonomy_only):
    raw = b"\xef\xbb\xbf" + case_text("windows").replace("\n", "\r\n").encode("utf-8")
    (taxonomy_only / "cases" / "windows.yaml").write_bytes(raw)
    content, problems = validate_content(taxonomy_only)
    assert problems == []
    assert content.cases[0].summary.startswith("テスト用の概要です。")


def test_alias_bomb_is_bounded(taxonomy_only):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    (taxonomy_only / "cases" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    _, problems = validate_content(taxonomy_only)
    assert time.perf_counter() - started < 10
    assert any("エイリアスの展開" in p.message for p in problems)


def test_deep_nesting_is_a_located_error(taxonomy_only):
    (taxonomy_only / "cases" / "deep.yaml").write_text("id: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    assert [p.line for p in problems] == [1]
    assert "入れ子が深すぎます" in problems[0].message


def test_huge_file_is_refused_before_parsing(taxonomy_only):
    (taxonomy_only / "cases" / "huge.yaml").write_text("summary: " + "あ" * 7_000_000 + "\n", encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    assert len(problems) == 1 and "ファイルが大きすぎます" in problems[0].message


def test_symlink_outside_content_is_not_read(taxonomy_only, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(case_text("secret"), encoding="utf-8")
    (taxonomy_only / "cases" / "secret.yaml").symlink_to(secret)
    _, problems = validate_content(taxonomy_only)
    assert [p.message for p in problems] == ["content フォルダの外を指すリンクです。読み込みません"]


def test_unknown_key_in_nested_mapping_suggests_the_nested_key(taxonomy_only):
    text = case_text("nested", {"    fiscal_years: [2019, 2020]": "    fiscal_yaers: [2019, 2020]"})
    (taxonomy_only / "cases" / "nested.yaml").write_text(text, encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    assert problems[0].message == "不明なキー「fiscal_yaers」です。「fiscal_years」の誤りではありませんか"
    assert problems[0].line == line_of(text, "fiscal_yaers")


def test_cli_text_format_and_exit_code(taxonomy_only):
    text = case_text("cli", {"title:": "titel:"})
    (taxonomy_only / "cases" / "cli.yaml").write_text(text, encoding="utf-8")
    result = run_jirei("validate", "--content", str(taxonomy_only))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.endswith("cli.yaml:2:1: 必須のキー「title」がありません")
    assert "cli.yaml:3:1: 不明なキー「titel」です。「title」の誤りではありませんか" in result.stderr


def test_cli_json_and_github_formats(taxonomy_only):
    text = case_text("fmt", {"amount: 39481": "amount: -5"})
    (taxonomy_only / "cases" / "fmt.yaml").write_text(text, encoding="utf-8")
    line = line_of(text, "amount: -5")
    as_json = run_jirei("validate", "--content", str(taxonomy_only), "--format", "json")
    problems = json.loads(as_json.stderr)
    assert as_json.returncode == 1
    assert problems[0]["line"] == line and problems[0]["path"].endswith("fmt.yaml")
    github = run_jirei("validate", "--content", str(taxonomy_only), "--format", "github")
    assert github.stderr.startswith("::error file=")
    assert f",line={line},col=" in github.stderr


def test_cli_valid_content_exits_zero(taxonomy_only):
    (taxonomy_only / "cases" / "good.yaml").write_text(case_text("good"), encoding="utf-8")
    result = run_jirei("validate", "--content", str(taxonomy_only))
    assert result.returncode == 0, result.stderr
    assert "問題はありません" in result.stdout


def test_fields_must_be_the_twenty_of_the_collection(taxonomy_only):
    path = taxonomy_only / "taxonomy" / "fields.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("name: ローカル5G", "name: 宇宙")
    path.write_text(text, encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    messages = [p.message for p in problems]
    assert "分野番号 20 は「ローカル5G」です（参考事例集の20分野）" in messages
    assert "20分野のうち次の分野がありません: ローカル5G" in messages
    located = [p for p in problems if p.message.startswith("分野番号 20")][0]
    assert located.line == line_of(text, "name: 宇宙")
