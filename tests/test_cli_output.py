"""What the command line prints: problems in every format, text from records, and argparse in Japanese."""

from __future__ import annotations

import argparse
import json
import re
import unicodedata

import pytest

from generator.cli import main
from generator.errors import Problem, format_problems, visible
from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import run_jirei

# Every character that must never reach a terminal raw: category Cc and the bidi controls.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
DANGEROUS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cc"] + list(BIDI)
DANGEROUS_RE = re.compile("[" + re.escape("".join(DANGEROUS)) + "]")
FORGED = "evil\n::error file=other.yaml::forged\r\x1b[2J\u202e%,:.yaml"
ENGLISH = (
    "usage:",
    "error:",
    "invalid choice",
    "the following arguments",
    "unrecognized",
    "show this help",
    "options:",
)


def raw_controls(text: str, allowed: str = "\n") -> list[str]:
    return [ch for ch in DANGEROUS_RE.findall(text) if ch not in allowed]


# --- visible() ---------------------------------------------------------------------------


def test_visible_escapes_every_control_and_bidi_character():
    assert len(DANGEROUS) == 65 + len(BIDI)
    for ch in DANGEROUS:
        shown = visible(f"a{ch}b")
        assert raw_controls(shown, allowed="") == [], repr(ch)
        assert shown == (f"a\\x{ord(ch):02x}b" if ord(ch) < 0x100 else f"a\\u{ord(ch):04x}b")
    assert visible("\x1b[31m赤\x7f\x9b\u202e") == "\\x1b[31m赤\\x7f\\x9b\\u202e"


def test_visible_leaves_ordinary_text_alone():
    text = "長野県伊那市：ドローン配送（ＡＩ）、ｱﾌﾟﾘ 😀 \\x1b 100% a,b:c"
    assert visible(text) == text


# --- problems in the three formats ---------------------------------------------------------

PROBLEMS = [
    Problem(FORGED, 3, 7, "不明なキー「titl\x1b]0;title\x07\u2066e」です\n::error file=x.yaml::偽物 100%"),
    Problem("content/cases/a,b:c.yaml", 12, 1, "必須のキー「title」がありません\r\n2行目"),
    Problem("content/cases/good.yaml", 1, 1, "ふつうの問題"),
]


def test_github_format_is_one_escaped_command_per_problem():
    output = format_problems(PROBLEMS, "github")
    lines = output.split("\n")
    assert len(lines) == len(PROBLEMS)
    assert all(line.startswith("::error file=") for line in lines)
    assert "\r" not in output and raw_controls(output, allowed="\n") == []
    forged = next(line for line in lines if "evil" in line)
    # Properties: % : , CR LF escaped (the control characters were made visible first), so the
    # first "::" after the command's own ends the properties and the rest is the message.
    properties, message = forged.removeprefix("::").split("::", 1)
    assert properties == (
        "error file=evil\\x0a%3A%3Aerror file=other.yaml%3A%3Aforged\\x0d\\x1b[2J\\u202e%25%2C%3A.yaml,line=3,col=7"
    )
    assert message == "不明なキー「titl\\x1b]0;title\\x07\\u2066e」です\\x0a::error file=x.yaml::偽物 100%25"
    assert (
        "::error file=content/cases/a%2Cb%3Ac.yaml,line=12,col=1::必須のキー「title」がありません\\x0d\\x0a2行目"
        in lines
    )


def test_text_format_shows_controls_as_escapes():
    output = format_problems(PROBLEMS, "text")
    lines = output.split("\n")
    assert len(lines) == len(PROBLEMS) and raw_controls(output) == []
    assert (
        "evil\\x0a::error file=other.yaml::forged\\x0d\\x1b[2J\\u202e%,:.yaml:3:7: 不明なキー「titl\\x1b]0;" in output
    )
    assert "content/cases/good.yaml:1:1: ふつうの問題" in lines


def test_json_format_strings_are_visible_too():
    output = format_problems(PROBLEMS, "json")
    assert raw_controls(output) == []
    data = json.loads(output)
    assert [set(item) for item in data] == [{"path", "line", "column", "message"}] * 3
    by_line = {item["line"]: item for item in data}
    assert by_line[3]["path"] == visible(FORGED) and raw_controls(by_line[3]["message"], allowed="") == []
    assert by_line[12]["message"] == "必須のキー「title」がありません\\x0d\\x0a2行目"


@pytest.fixture
def hostile_content(taxonomy_only):
    """A record whose file name forges an annotation, and one whose unknown key holds escapes."""
    cases = taxonomy_only / "cases"
    (cases / "evil\n::error file=other.yaml::forged\x1b[2J\u202e.yaml").write_text(case_text("evil"), encoding="utf-8")
    key = '"titl\\e[31m\\u202e\\x9b,%:x": 1\n'
    (cases / "keys.yaml").write_text(case_text("keys") + key, encoding="utf-8")
    return taxonomy_only


@pytest.mark.parametrize("form", ["text", "github", "json"])
def test_validate_prints_hostile_names_and_keys_escaped(hostile_content, form):
    _, problems = validate_content(hostile_content)
    assert len(problems) >= 2
    result = run_jirei("validate", "--content", str(hostile_content), "--format", form)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert raw_controls(result.stderr) == [] and "\r" not in result.stderr
    shown = result.stderr
    if form == "github":
        lines = result.stderr.splitlines()
        assert len(lines) == len(problems) and all(line.startswith("::error file=") for line in lines)
        shown = shown.replace("%3A", ":")
    if form == "json":
        data = json.loads(result.stderr)
        assert len(data) == len(problems)
        shown = "\n".join(f"{item['path']}: {item['message']}" for item in data)
    assert "evil\\x0a::error file=other.yaml::forged\\x1b[2J\\u202e.yaml" in shown


# --- other text from records or files ------------------------------------------------------


def test_new_prints_the_path_escaped(taxonomy_only):
    content = taxonomy_only.rename(taxonomy_only.with_name("con\x1b[31mtent\u202e"))
    result = run_jirei("new", "advisor", "--content", str(content), "--id", "test-advisor", "--title", "テスト制度")
    assert result.returncode == 0, result.stderr
    assert (content / "talent" / "advisors" / "test-advisor.yaml").exists()
    assert raw_controls(result.stdout) == [] and "con\\x1b[31mtent\\u202e" in result.stdout


def test_search_prints_titles_from_a_tampered_site_escaped(tmp_path, monkeypatch):
    monkeypatch.setenv("JIREI_CACHE_DIR", str(tmp_path / "cache"))
    title = "偽の\x1b[2J事例\u202e\x9b31m"
    document = {
        "url": "cases/fake\x07/",
        "type": "case",
        "title": title,
        "place": "どこか",
        "field": "住民生活",
        "text": "ドローンの本文",
        "filters": {"type": ["事例"]},
        **dict.fromkeys(["names", "keys", "variants", "lineage"], ""),  # the other keys jirei build writes
    }
    (tmp_path / "site" / "search").mkdir(parents=True)
    (tmp_path / "site" / "search" / "documents.json").write_text(json.dumps([document]), encoding="utf-8")
    text = run_jirei("search", "ドローン", "--site-dir", str(tmp_path / "site"))
    assert text.returncode == 0, text.stderr
    assert raw_controls(text.stdout) == []
    assert "1. 偽の\\x1b[2J事例\\u202e\\x9b31m（事例）" in text.stdout and "cases/fake\\x07/" in text.stdout
    as_json = run_jirei("search", "ドローン", "--json", "--site-dir", str(tmp_path / "site"))
    assert as_json.returncode == 0, as_json.stderr
    assert raw_controls(as_json.stdout) == []
    assert json.loads(as_json.stdout)["title"] == title  # JSON escapes: the data itself is kept


def test_usage_error_messages_escape_arguments(tmp_path):
    result = run_jirei("new", "case", "--content", str(tmp_path), "--municipality", "\x1b[2J\u202e")
    assert result.returncode == 1 and raw_controls(result.stderr) == []
    assert "団体「\\x1b[2J\\u202e」が見つかりません" in result.stderr
    bad_option = run_jirei("build", "--\x1b[31mbogus")
    assert bad_option.returncode == 1 and "\\x1b[31mbogus" in bad_option.stderr
    assert raw_controls(bad_option.stderr) == []


# --- argparse in Japanese ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "次の引数を指定してください: コマンド"),
        (["frobnicate"], "「frobnicate」は選べません。次のいずれかです: 'validate', 'build', 'new', 'search'"),
        (["build", "--bogus"], "解釈できない引数があります: --bogus"),
        (["validate", "--format", "xml"], "--format: 「xml」は選べません。次のいずれかです: 'text', 'json', 'github'"),
        (["search", "--limit", "abc"], "--limit: 1以上の整数で指定してください: abc"),
        (["search", "--limit", "0"], "--limit: 1以上にしてください: 0"),
        (["search", "--limit", "-3"], "--limit: 1以上にしてください: -3"),
        (["search", "--limit"], "--limit: 値を1つ指定してください"),
        (["new"], "次の引数を指定してください: {case,posting,advisor}"),
        (["build", "--today", "2026-13-01"], "--today: 日付は YYYY-MM-DD の形で指定してください: 2026-13-01"),
    ],
)
def test_usage_errors_are_japanese_with_exit_code_1(args, expected):
    result = run_jirei(*args)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("エラー: ") and expected in lines[0]
    assert lines[1].endswith(" --help で使い方を表示します。") and lines[1].startswith("jirei")
    assert not [phrase for phrase in ENGLISH if phrase in result.stderr.lower()]


@pytest.mark.parametrize("command", [[], ["validate"], ["build"], ["new"], ["search"], ["check-links"], ["schema"]])
def test_help_is_japanese(command):
    result = run_jirei(*command, "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(f"使い方: jirei{''.join(' ' + c for c in command)} [-h]")
    assert "オプション:" in result.stdout and "-h, --help" in result.stdout
    assert "このヘルプを表示して終了する" in result.stdout
    assert not [phrase for phrase in ENGLISH if phrase in result.stdout.lower()]
    if command in ([], ["search"]):
        assert "引数:" in result.stdout


def test_in_process_usage_error_and_argparse_left_english(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith("エラー: --format: 「xml」は選べません")
    # Other parsers in the same process (pytest's own) still speak English.
    plain = argparse.ArgumentParser(prog="other")
    assert plain.format_usage().startswith("usage: ") and "show this help message" in plain.format_help()
