"""`jirei new case` writes a template that an editor fills to a valid record."""

from __future__ import annotations

from generator.validate import validate_content
from tests.conftest import run_jirei


def test_new_case_template_is_ready_to_fill(taxonomy_only):
    result = run_jirei(
        "new",
        "case",
        "--content",
        str(taxonomy_only),
        "--municipality",
        "長野県伊那市",
        "--field",
        "住民生活",
        "--title",
        'ドローン "配送"',
        "--id",
        "ina-new-case",
    )
    assert result.returncode == 0, result.stderr
    path = taxonomy_only / "cases" / "ina-new-case.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/case.schema.json\n")
    assert 'code: "202096"' in text and "prefecture: 長野県" in text and "name: 伊那市" in text
    # Unfilled, it tells the editor exactly what is missing.
    _, problems = validate_content(taxonomy_only)
    messages = {p.message for p in problems}
    assert "「population」が空です。値を書いてください" in messages
    assert "「summary」を空にはできません" in messages
    # Filled, it validates.
    filled = (
        text.replace("population:                         # 人口", "population: 66000  # 人口")
        .replace("summary: |\n", "summary: |\n  概要です。\n")
        .replace("  - title:\n    url: https://\n", "  - title: 出典\n    url: https://example.jp/\n")
    )
    path.write_text(filled, encoding="utf-8")
    content, problems = validate_content(taxonomy_only)
    assert problems == [], [p.text() for p in problems]
    assert content.cases[0].title == 'ドローン "配送"'


def test_new_case_by_code_and_for_a_prefecture(taxonomy_only):
    result = run_jirei(
        "new",
        "case",
        "--content",
        str(taxonomy_only),
        "--municipality",
        "380008",
        "--field",
        "消防・防災",
        "--title",
        "t",
        "--id",
        "ehime-test",
    )
    assert result.returncode == 0, result.stderr
    text = (taxonomy_only / "cases" / "ehime-test.yaml").read_text(encoding="utf-8")
    assert "prefecture: 愛媛県\n  name: 愛媛県" in text


def test_new_case_errors_are_japanese_without_traceback(taxonomy_only):
    common = ["new", "case", "--content", str(taxonomy_only), "--field", "住民生活", "--title", "t"]
    ambiguous = run_jirei(*common, "--municipality", "府中市", "--id", "fuchu")
    assert ambiguous.returncode == 1 and "東京都府中市、広島県府中市" in ambiguous.stderr
    bad_field = run_jirei(
        "new",
        "case",
        "--content",
        str(taxonomy_only),
        "--municipality",
        "伊那市",
        "--field",
        "宇宙",
        "--title",
        "t",
        "--id",
        "x",
    )
    assert bad_field.returncode == 1 and "分野「宇宙」はありません" in bad_field.stderr
    bad_id = run_jirei(*common, "--municipality", "伊那市", "--id", "Ina Case")
    assert bad_id.returncode == 1 and "英小文字・数字・ハイフン" in bad_id.stderr
    no_tty = run_jirei("new", "case", "--content", str(taxonomy_only))
    assert no_tty.returncode == 1 and "を指定してください" in no_tty.stderr
    for result in (ambiguous, bad_field, bad_id, no_tty):
        assert "Traceback" not in result.stderr


def test_new_case_never_overwrites(taxonomy_only):
    args = [
        "new",
        "case",
        "--content",
        str(taxonomy_only),
        "--municipality",
        "伊那市",
        "--field",
        "住民生活",
        "--title",
        "t",
        "--id",
        "ina-once",
    ]
    assert run_jirei(*args).returncode == 0
    second = run_jirei(*args)
    assert second.returncode == 1 and "すでにあります" in second.stderr


def _filled(text: str) -> str:
    return (
        text.replace("population:                         # 人口", "population: 66000  # 人口")
        .replace("summary: |\n", "summary: |\n  概要です。\n")
        .replace("  - title:\n    url: https://\n", "  - title: 出典\n    url: https://example.jp/\n")
    )


def test_programs_given_on_the_command_line_are_written_and_validate(taxonomy_only):
    result = run_jirei(
        "new", "case", "--content", str(taxonomy_only), "--municipality", "伊那市", "--field", "住民生活",
        "--title", "取組", "--id", "ina-programs", "--program", "digital-denen-kofukin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = taxonomy_only / "cases" / "ina-programs.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  - program: digital-denen-kofukin  # デジタル田園都市国家構想交付金" in text
    path.write_text(_filled(text), encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    assert problems == []
    unknown = run_jirei(
        "new", "case", "--content", str(taxonomy_only), "--municipality", "伊那市", "--field", "住民生活",
        "--title", "取組", "--id", "ina-unknown", "--program", "no-such-program",
    )  # fmt: skip
    assert unknown.returncode == 1 and "支援制度「no-such-program」はありません" in unknown.stderr
    assert "Traceback" not in unknown.stderr and not (taxonomy_only / "cases" / "ina-unknown.yaml").exists()


def test_on_a_terminal_values_are_chosen_from_lists(taxonomy_only, monkeypatch, capsys):
    """The municipality from the code list (a partial name gives numbered candidates), the field by
    its number, programs narrowed by a word and chosen by number; the file validates once filled."""
    from generator import new

    answers = iter(
        [
            "府中",  # 府中市 is in 東京都 and 広島県: chosen from a list
            "2",  # 広島県府中市
            "2",  # the second field
            "デジタル田園",  # narrows the programs
            "1",  # the first shown
            "",  # done
            "府中市のテスト取組",
            "fuchu-test",
        ]
    )
    monkeypatch.setattr(new, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    path = new.new_record("case", taxonomy_only, None, None, None, None)
    shown = capsys.readouterr().out
    assert "東京都府中市" in shown and "広島県府中市" in shown and " 2. 住民生活" in shown
    text = path.read_text(encoding="utf-8")
    assert "prefecture: 広島県" in text and "name: 府中市" in text and "field: 住民生活" in text
    assert "  - program: digital-denen-" in text
    path.write_text(_filled(text), encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    assert problems == []
