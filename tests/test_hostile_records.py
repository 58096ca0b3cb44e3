"""Records and files that once passed validation and then broke or subverted the build.

Each fixture names the file, the line it must be reported at and the message; the checks run on
the decoded values, so every way of writing a character (raw, "\\x86", "\\u0086") is one case.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import PROJECT
from tests.talent import posting_text
from tests.test_validate import line_of


def _case(stem: str, replace: dict[str, str]) -> tuple[str, str]:
    return f"cases/{stem}.yaml", case_text(stem, replace)


def _posting(stem: str, old: str, new: str) -> tuple[str, str]:
    from datetime import date

    text = posting_text(stem, date(2026, 11, 23), -5, 20)
    assert old in text, old
    return f"talent/postings/{stem}.yaml", text.replace(old, new)


ADVISOR = """\
id: {id}
name: テスト用のアドバイザー制度
administrator: 総務省
summary: テスト用の概要。
sources:
  - title: テスト用の出典
    url: https://example.jp/advisor
"""


def _advisor(stem: str, old: str = "", new: str = "") -> tuple[str, str]:
    text = ADVISOR.format(id=stem)
    assert old in text
    return f"talent/advisors/{stem}.yaml", text.replace(old, new, 1) if old else text


TITLE = "title: テスト用のドローン配送の取組"
URL = "url: https://example.jp/drone"

# (name, (file, text), the text on the reported line, message fragment)
RECORDS = [
    # characters that HTML or XML cannot carry, in every record type and however they are written
    ("c1-in-case-title", _case("c1", {TITLE: 'title: "ドローン\\x86配送"'}), "title:", "U+0086（制御文字）"),
    ("c1-raw-escape-u", _case("c1u", {TITLE: 'title: "ドローン\\u0085配送"'}), "title:", "U+0085（制御文字）"),
    ("ffff-in-case-title", _case("ffff", {TITLE: 'title: "ドローン\\uFFFF"'}), "title:", "U+FFFF（非文字"),
    (
        "ffff-in-posting-title",
        _posting("pffff", "title: テスト用のCIO補佐官等の募集", 'title: "募集\\uFFFF"'),
        "title:",
        "U+FFFF",
    ),
    (
        "c1-in-advisor-name",
        _advisor("ac1", "name: テスト用のアドバイザー制度", 'name: "\\x9b31mアドバイザー"'),
        "name:",
        "U+009B",
    ),
    (
        "nul-in-posting-duties",
        _posting("pnul", "duties: |\n  自治体DXの推進を助言する。", 'duties: "a\\0b"'),
        "duties:",
        "U+0000",
    ),
    (
        "c0-in-summary",
        _case("c0", {"summary: |\n  テスト用の概要です。\n  - 箇条書き": 'summary: "テスト\\x1b[31m"'}),
        "summary:",
        "U+001B",
    ),
    ("fffe-in-tag", _case("fffe", {"tags: [ドローン]": 'tags: ["ドローン\\uFFFE"]'}), "tags:", "U+FFFE"),
    ("astral-nonchar", _case("astral", {"tags: [ドローン]": 'tags: ["\\U0010FFFF"]'}), "tags:", "U+10FFFF"),
    ("surrogate", _case("surrogate", {TITLE: 'title: "\\uD800"'}), "title:", "使えない文字のエスケープ"),
    ("bidi-override", _case("bidi", {TITLE: 'title: "市\\u202Egnp.exe"'}), "title:", "U+202E（文字の向き"),
    ("bidi-in-key", _case("bidikey", {"population: 66000": '"popul\\u2066ation": 66000'}), "popul", "U+2066"),
    ("zero-width-in-title", _case("zw", {TITLE: 'title: "ドロ\\u200Bーン"'}), "title:", "見えない文字 U+200B"),
    ("zero-width-in-name", _case("zwname", {"name: 伊那市": 'name: "伊那\\uFEFF市"'}), 'name: "伊那', "U+FEFF"),
    (
        "line-break-in-title",
        _case("nl", {TITLE: 'title: "ドローン\\n\\n[x](javascript:alert(1))"'}),
        "title:",
        "改行は書けません",
    ),
    ("line-separator-in-tag", _case("ls", {"tags: [ドローン]": 'tags: ["a\\u2028b"]'}), "tags:", "改行は書けません"),
    # ids and slugs that would take a generated page's place
    ("case-id-index", _case("index", {}), "id: index", "一覧ページの名前と重なる"),
    ("advisor-id-index", _advisor("index"), "id: index", "一覧ページの名前と重なる"),
    ("posting-id-index", _posting("index", "role:", "role:"), "id: index", "一覧ページの名前と重なる"),
    # dates near the calendar's ends, numbers beyond any real amount
    (
        "closes-9999",
        _posting("late", "closes: 2026-12-13", "closes: 9999-12-31"),
        "closes: 9999",
        "1900〜2100 年の範囲",
    ),
    ("posted-0001", _posting("early", "posted: 2026-11-18", 'posted: "0001"'), "posted:", "1900〜2100 年の範囲"),
    ("started-0001", _case("start1", {'started: "2020-08"': "started: 0001-01"}), "started:", "1900〜2100"),
    ("population-10-400", _case("big", {"population: 66000": "population: 1" + "0" * 400}), "population:", "桁"),
    (
        "population-too-large",
        _case("pop", {"population: 66000": "population: 200000000"}),
        "population:",
        "20,000,000 以下",
    ),
    ("amount-too-large", _case("amount", {"amount: 39481": "amount: 99999999999999"}), "amount:", "以下"),
    (
        "pay-too-large",
        _posting("pay", "min: 30000, max: 50000", "min: 30000, max: 500000000000"),
        "compensation:",
        "1,000,000,000 以下",
    ),
    # YAML 1.1 numbers that silently change value
    ("octal", _case("octal", {"population: 66000": "population: 066000"}), "population:", "8進数"),
    ("base-60", _case("sexa", {"population: 66000": "population: 1:06:00"}), "population:", "60進数"),
    ("hex", _case("hex", {"population: 66000": "population: 0x10000"}), "population:", "10進数の整数"),
    ("underscore", _case("under", {"population: 66000": "population: 66_000"}), "population:", "10進数の整数"),
    # lengths of text and lists
    (
        "tags-too-many",
        _case("tags", {"tags: [ドローン]": f"tags: [{', '.join(f't{i}' for i in range(31))}]"}),
        "tags:",
        "30 件まで",
    ),
    ("tag-too-long", _case("tag", {"tags: [ドローン]": f"tags: [{'あ' * 41}]"}), "tags:", "40 文字以内"),
    ("summary-too-long", _case("long", {"テスト用の概要です。": "あ" * 10_001}), "summary:", "10000 文字以内"),
    (
        "sources-too-many",
        _case(
            "sources",
            {
                "  - title: テスト用の出典\n    url: https://example.jp/source\n": "".join(
                    f"  - title: 出典{i}\n    url: https://example.jp/{i}\n" for i in range(21)
                )
            },
        ),
        "sources:",
        "20 件まで",
    ),
    (
        "url-too-long",
        _case("url", {URL: URL + "/" + "a" * 100_000}),
        "url: https://example.jp/drone/",
        "URL が長すぎます",
    ),
    ("url-with-space", _case("urlsp", {URL: 'url: "https://example.jp/a b"'}), 'url: "https', "空白や改行"),
]


@pytest.mark.parametrize(("name", "record", "line_text", "message"), RECORDS, ids=[r[0] for r in RECORDS])
def test_hostile_record_is_located(taxonomy_only, name, record, line_text, message):
    relative, text = record
    path = taxonomy_only / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    content, problems = validate_content(taxonomy_only)
    assert time.perf_counter() - started < 5
    assert content is None
    matching = [p for p in problems if message in p.message]
    assert matching, [p.text() for p in problems]
    assert matching[0].path.endswith(relative)
    assert matching[0].line == line_of(text, line_text), matching[0].text()


def test_generated_page_names_are_reserved_in_funding_and_fields(taxonomy_only):
    funding = taxonomy_only / "taxonomy" / "funding.yaml"
    funding.write_text(
        funding.read_text(encoding="utf-8").replace("- id: chiho-sosei-kyoten-seibi-kofukin", "- id: index"),
        encoding="utf-8",
    )
    fields = taxonomy_only / "taxonomy" / "fields.yaml"
    fields.write_text(fields.read_text(encoding="utf-8").replace("slug: daily-life", "slug: index"), encoding="utf-8")
    _, problems = validate_content(taxonomy_only)
    reserved = [p for p in problems if "一覧ページの名前と重なる" in p.message]
    assert {Path(p.path).name for p in reserved} == {"funding.yaml", "fields.yaml"}
    funding_text = funding.read_text(encoding="utf-8")
    assert [p.line for p in reserved if p.path.endswith("funding.yaml")] == [line_of(funding_text, "- id: index")]


def test_a_long_url_is_checked_in_linear_time(taxonomy_only):
    """Almost 1 MB of URL with a space at the end: the old check took over an hour."""
    text = case_text("url", {URL: 'url: "https://example.jp/' + "a" * 990_000 + ' "'})
    (taxonomy_only / "cases" / "url.yaml").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    _, problems = validate_content(taxonomy_only)
    assert time.perf_counter() - started < 5
    assert any("URL が長すぎます（990,020 文字" in p.message for p in problems), problems


# --- files that are not regular files ------------------------------------------------------


def _validate_in_subprocess(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=60,
    )


def test_fifo_is_reported_without_waiting(taxonomy_only):
    os.mkfifo(taxonomy_only / "cases" / "pipe.yaml")
    result = _validate_in_subprocess(taxonomy_only)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cases/pipe.yaml:1:1: 通常のファイルではありません" in result.stderr


def test_device_is_reported_without_reading_forever(taxonomy_only):
    path = taxonomy_only / "cases" / "zero.yaml"
    try:
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
    except PermissionError:
        pytest.skip("この環境ではデバイスファイルを作れません（root でないとき）")
    result = _validate_in_subprocess(taxonomy_only)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cases/zero.yaml:1:1: 通常のファイルではありません" in result.stderr


def test_socket_is_reported(taxonomy_only):
    path = taxonomy_only / "cases" / "sock.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = _validate_in_subprocess(taxonomy_only)
    finally:
        server.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cases/sock.yaml:1:1: 通常のファイルではありません" in result.stderr


def test_symlink_loop_and_dangling_link_are_reported_at_the_link(taxonomy_only):
    cases = taxonomy_only / "cases"
    (cases / "loop-a.yaml").symlink_to("loop-b.yaml")
    (cases / "loop-b.yaml").symlink_to("loop-a.yaml")
    (cases / "dangling.yaml").symlink_to("missing.yaml")
    result = _validate_in_subprocess(taxonomy_only)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cases/loop-a.yaml:1:1: シンボリックリンクが循環しています" in result.stderr
    assert "cases/loop-b.yaml:1:1: シンボリックリンクが循環しています" in result.stderr
    assert "cases/dangling.yaml:1:1: リンク先のファイルがありません" in result.stderr


def test_problems_of_a_linked_record_are_reported_at_the_link(taxonomy_only):
    drafts = taxonomy_only / "drafts"
    drafts.mkdir()
    (drafts / "draft.yaml").write_text(case_text("linked", {"population: 66000": "population: -1"}), encoding="utf-8")
    (taxonomy_only / "cases" / "linked.yaml").symlink_to(drafts / "draft.yaml")
    _, problems = validate_content(taxonomy_only)
    assert [Path(p.path).name for p in problems] == ["linked.yaml"], problems
    assert problems[0].path.endswith("cases/linked.yaml")


def test_unreadable_file_is_reported(taxonomy_only, monkeypatch):
    """Root reads any file whatever its mode: the refusal is simulated where the file is opened."""
    path = taxonomy_only / "cases" / "secret.yaml"
    path.write_text(case_text("secret"), encoding="utf-8")
    real_open = os.open

    def refusing_open(name, flags, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    _, problems = validate_content(taxonomy_only)
    assert [p.text().split(": ", 1)[1] for p in problems] == ["ファイルを読む権限がありません"]
    assert problems[0].path.endswith("cases/secret.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root はアクセス権に関係なく読めるため")
def test_unreadable_file_is_reported_by_mode(taxonomy_only):
    path = taxonomy_only / "cases" / "secret.yaml"
    path.write_text(case_text("secret"), encoding="utf-8")
    path.chmod(0)
    result = _validate_in_subprocess(taxonomy_only)
    assert result.returncode == 1 and "cases/secret.yaml:1:1: ファイルを読む権限がありません" in result.stderr
