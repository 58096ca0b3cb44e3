"""Record files read by a pool of processes give the same problems, in the same order, as read in one."""

from __future__ import annotations

import multiprocessing
import os
import pickle

import pytest

from generator import validate
from generator.load import Document, load_yaml
from generator.validate import validate_content
from tests.cases import case_text

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the pool is forked where fork exists"
)

VALID = 420  # more than validate.PARALLEL_FILES: validate_content uses a pool by itself too

# Broken records: every kind of problem the reader, the models and the rules across records find.
BROKEN = {
    "model-population": case_text("model-population", {"population: 66000": "population: -1"}),
    "model-missing": case_text("model-missing", {"title: テスト用のドローン配送の取組\n": ""}),
    "model-unknown-key": case_text("model-unknown-key", {"title:": "titel:"}),
    "model-url": case_text("model-url", {"https://example.jp/drone": "ftp://example.jp/drone"}),
    "model-date": case_text("model-date", {'started: "2020-08"': 'started: "2020-13"'}),
    "duplicate-key": case_text("duplicate-key", {"population: 66000": "population: 66000\npopulation: 1"}),
    "octal": case_text("octal", {"population: 66000": "population: 066000"}),
    "base-60": case_text("base-60", {"amount: 39481": "amount: 1:30"}),
    "bidi": case_text("bidi", {"テスト用の概要です。": "テスト用の\u202e概要です。"}),
    "control": case_text(
        "control", {"title: テスト用のドローン配送の取組": 'title: "テスト用の\\x07ドローン配送の取組"'}
    ),
    "tag": case_text("tag", {"population: 66000": "population: !!python/object:os.system 1"}),
    "syntax": case_text("syntax", {"tags: [ドローン]": "tags: [ドローン"}),
    "tab": case_text("tab", {"  code:": "\tcode:"}),
    "alias": case_text("alias", {"tags: [ドローン]": "tags: &t [ドローン]\nawards: *t\nlinks2: *missing"}),
    "two-documents": case_text("two-documents") + "---\nid: other\n",
    "not-mapping": "- 1\n- 2\n",
    "empty": "",
    "id-mismatch": case_text("some-other-id"),
    "same-id-a": case_text("same-id"),
    "same-id-b": case_text("same-id"),
    "program": case_text("program", {"chiho-sosei-suishin-kofukin": "no-such-program"}),
    "field": case_text("field", {"field: 住民生活": "field: 住民せいかつ"}),
    "related-field": case_text("related-field", {"related_fields: [交通]": "related_fields: [住民生活]"}),
    "municipality": case_text("municipality", {'code: "202096"': 'code: "202097"'}),
    "deep": "a: " + "[" * 80 + "]" * 80 + "\n",
    "bool-tag": case_text("bool-tag", {"population: 66000": "population: !!bool maybe"}),
}


@pytest.fixture
def may_fork(monkeypatch):
    """A pool even beside the threads other tests leave running (a server of the browser tests):
    the workers only read files."""
    monkeypatch.setattr(validate, "_can_fork", lambda: True)


@pytest.fixture
def broken_content(taxonomy_only, tmp_path):
    cases = taxonomy_only / "cases"
    for number in range(VALID):
        (cases / f"case-{number:03d}.yaml").write_text(case_text(f"case-{number:03d}"), encoding="utf-8")
    for name, text in BROKEN.items():
        (cases / f"{name}.yaml").write_text(text, encoding="utf-8")
    (cases / "latin1.yaml").write_bytes(case_text("latin1").encode("utf-8").replace("伊那市".encode(), b"\xe9"))
    # Names and entries that are not record files.
    (cases / "Bad_Name.yaml").write_text(case_text("bad-name"), encoding="utf-8")
    (cases / "notes.txt").write_text("メモ\n", encoding="utf-8")
    (cases / ".hidden.yaml").write_text("ignored: [\n", encoding="utf-8")
    (cases / "folder.yaml").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(case_text("secret"), encoding="utf-8")
    (cases / "secret.yaml").symlink_to(outside / "secret.yaml")
    (cases / "dangling.yaml").symlink_to("missing.yaml")
    (cases / "loop-a.yaml").symlink_to("loop-b.yaml")
    (cases / "loop-b.yaml").symlink_to("loop-a.yaml")
    drafts = taxonomy_only / "drafts"
    drafts.mkdir()
    (drafts / "linked.yaml").write_text(case_text("linked", {"population: 66000": "population: 0x10"}), "utf-8")
    (cases / "linked.yaml").symlink_to(drafts / "linked.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(cases / "pipe.yaml")
    postings = taxonomy_only / "talent" / "postings"
    postings.mkdir(parents=True)
    (postings / "posting-a.yaml").write_text("id: posting-a\ntitle: [\n", encoding="utf-8")
    (postings / "posting-b.yaml").write_text("id: posting-b\ntitle: 求人\n", encoding="utf-8")
    return taxonomy_only


def test_pool_and_one_process_find_the_same_problems_in_the_same_order(broken_content, monkeypatch, may_fork):
    serial_content, serial = validate_content(broken_content, processes=1)

    rebuilt = []
    from_portable = Document.from_portable
    monkeypatch.setattr(
        Document, "from_portable", classmethod(lambda cls, *args: rebuilt.append(args[1]) or from_portable(*args))
    )
    pooled_content, pooled = validate_content(broken_content, processes=2)
    default_content, default = validate_content(broken_content)

    assert serial_content is None and pooled_content is None and default_content is None
    assert pooled == serial
    assert default == serial
    # Documents did come from a worker (the first tasks: this process reads from the end).
    assert len(rebuilt) >= validate.FILES_PER_TASK
    # Some of what the comparison covers, located in files read by the workers.
    texts = [problem.text() for problem in serial]
    for expected in (
        "cases/bidi.yaml:12:10: 使えない文字 U+202E",
        "cases/control.yaml:3:8: 使えない文字 U+0007",
        "cases/octal.yaml:10:13: 「066000」は先頭が 0 のため",
        "cases/duplicate-key.yaml:11:1: キー「population」が重複しています（10 行目にもあります）",
        "cases/model-population.yaml:10:13: 「population」は 0 より大きくしてください",
        "cases/model-unknown-key.yaml:3:1: 不明なキー「titel」です",
        "cases/secret.yaml:1:1: content フォルダの外を指すリンクです",
        "cases/linked.yaml:10:13: 「0x10」は10進数の整数として書いてください",
        "cases/same-id-b.yaml:2:5: id「same-id」は",
        "cases/bool-tag.yaml:10:13: true か false で書いてください: maybe",
        "talent/postings/posting-b.yaml:1:1: 必須のキー「duties」がありません",
    ):
        assert any(expected in text for text in texts), (expected, texts)


def test_positions_worked_out_later_are_those_read_at_once(taxonomy_only):
    path = taxonomy_only / "cases" / "one.yaml"
    text = case_text("one", {"population: 66000": "population: -1\npopulation: 1", "tags: [ドローン]": "tags: [a, b]"})
    path.write_text(text, encoding="utf-8")
    here, found_here = load_yaml(path, "one.yaml")
    later, found_later = validate._load_record_file(path, "one.yaml", False, taxonomy_only)
    assert found_later == found_here and found_here[0].message.startswith("キー「population」が重複")
    assert here.positions and later.positions == {} and later.data == here.data
    again = Document.from_portable(path, "one.yaml", pickle.loads(pickle.dumps(later.portable())))
    for document in (later, again):
        for loc in [("population",), ("sources", 0, "url"), ("support_programs", 0, "fiscal_years", 1), ("x", 3)]:
            assert document.locate(loc) == here.locate(loc)
        assert document.locate(("title",), key=True) == here.locate(("title",), key=True)
        assert (document.positions, document.key_positions) == (here.positions, here.key_positions)


def test_no_pool_for_few_files_or_beside_other_threads(monkeypatch):
    monkeypatch.setattr(validate, "_can_fork", lambda: True)
    assert validate._processes(10, None) == 1
    assert validate._processes(10_000, 1) == 1
    assert validate._processes(10_000, 2) == 2
    assert validate._processes(150, 8) == 2  # a task of 100 files each
    monkeypatch.undo()
    monkeypatch.setattr(validate.threading, "active_count", lambda: 2)
    assert not validate._can_fork()
    assert validate._processes(10_000, 2) == 1


def _dying_load_task(task):
    """The workers' task (only workers run it), ending the process as if the kernel had killed it."""
    os._exit(1)


def test_a_worker_that_dies_leaves_its_files_to_this_process(broken_content, monkeypatch, caplog, may_fork):
    _, serial = validate_content(broken_content, processes=1)
    monkeypatch.setattr(validate, "_load_task", _dying_load_task)
    content, pooled = validate_content(broken_content, processes=2)
    assert content is None and pooled == serial
    assert "ファイルを読むプロセスが途中で終了しました" in caplog.text
