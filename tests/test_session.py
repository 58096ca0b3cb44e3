"""A build session (`jirei serve`) gives what a build without one gives, after any edit.

The session skips what did not change: record files read again only when they changed, related
cases worked out again only when their inputs changed, and pages rendered again only when their
inputs changed. Each test edits a copy of the real content in many ways and compares, after every
edit, what the session gives with what a fresh validation and rendering give.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator import catalog as catalog_module
from generator.catalog import Catalog, RelatedMemo
from generator.render import RenderMemo, render_pages
from generator.site import BuildSession, build_site
from generator.validate import ValidationMemo, validate_content
from tests.conftest import CONTENT
from tests.test_site import tree_digest

TODAY = date(2026, 11, 23)


class Session:
    """The three memos of a build session, and the pages they give."""

    def __init__(self, content: Path):
        self.content = content
        self.validation, self.related, self.rendering = ValidationMemo(), RelatedMemo(), RenderMemo()

    def pages(self, today: date = TODAY) -> dict[str, str]:
        records, problems = validate_content(self.content, memo=self.validation)
        assert not problems, problems
        return render_pages(Catalog(records, today, self.related), memo=self.rendering)


def fresh_pages(content: Path, today: date = TODAY) -> dict[str, str]:
    records, problems = validate_content(content)
    assert not problems, problems
    return render_pages(Catalog(records, today))


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write(path: Path, record) -> None:
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def edit_case(content: Path, case_id: str, change) -> None:
    path = content / "cases" / f"{case_id}.yaml"
    record = read(path)
    change(record)
    write(path, record)


def test_every_kind_of_edit_gives_the_pages_of_a_fresh_build(content):
    session = Session(content)
    assert session.pages() == fresh_pages(content)
    cases = sorted(p.stem for p in (content / "cases").glob("*.yaml"))
    fields = [f["name"] for f in read(content / "taxonomy" / "fields.yaml")]
    a, b, c = cases[3], cases[40], cases[77]
    town = read(content / "cases" / f"{c}.yaml")["municipality"]  # the page of a lists c's municipality

    edits = [
        (
            "a sentence of the background",
            lambda: edit_case(content, a, lambda r: r.update(background="書き直した経緯。")),
        ),
        ("a title (indices, related lists)", lambda: edit_case(content, a, lambda r: r.update(title="新しい取組名"))),
        ("the tags (related cases)", lambda: edit_case(content, b, lambda r: r.update(tags=["ドローン", "買い物"]))),
        (
            "the field",
            lambda: edit_case(content, c, lambda r: r.update(field=next(f for f in fields if f != r["field"]))),
        ),
        ("the population (band)", lambda: edit_case(content, b, lambda r: r.update(population=1234))),
        (
            "a similar municipality named",
            lambda: edit_case(content, a, lambda r: r.update(similar_municipalities=[town])),
        ),
        (
            "the title of a case of that municipality",
            lambda: edit_case(content, c, lambda r: r.update(title="改めた名")),
        ),
        ("a program's name (taxonomy)", lambda: rename_program(content)),
        ("a case removed", lambda: (content / "cases" / f"{c}.yaml").unlink()),
        ("a case added", lambda: add_case(content, a, "added-case")),
        ("a posting's title", lambda: edit_posting(content)),
    ]
    for what, edit in edits:
        edit()
        assert session.pages() == fresh_pages(content), what
    later = date(2027, 6, 1)  # postings close as the build date moves on
    assert session.pages(later) == fresh_pages(content, later)


def rename_program(content: Path) -> None:
    path = content / "taxonomy" / "funding.yaml"
    programs = read(path)
    programs[0]["name"] = programs[0]["name"] + "（名称変更）"
    write(path, programs)


def add_case(content: Path, source: str, new_id: str) -> None:
    record = read(content / "cases" / f"{source}.yaml")
    record.update(id=new_id, title="追加した取組")
    write(content / "cases" / f"{new_id}.yaml", record)


def edit_posting(content: Path) -> None:
    path = sorted((content / "talent" / "postings").glob("*.yaml"))[0]
    record = read(path)
    record["title"] = record["title"] + "（更新）"
    write(path, record)


def test_random_edits_of_the_text_related_cases_read(content):
    """Titles, summaries and tags (what related cases are worked out from) of random cases."""
    session = Session(content)
    session.pages()
    rng = random.Random(5)
    cases = sorted(p.stem for p in (content / "cases").glob("*.yaml"))
    words = ["ドローン", "買い物", "見守り", "オンライン", "防災", "観光", "子育て", "AI", "LINE", "窓口"]
    for _ in range(8):
        case_id = rng.choice(cases)
        key = rng.choice(["title", "summary", "tags"])
        value = rng.sample(words, 3) if key == "tags" else "と".join(rng.sample(words, 3)) + "の取組"
        edit_case(content, case_id, lambda r, key=key, value=value: r.update({key: value}))
        assert session.pages() == fresh_pages(content), (case_id, key, value)


@pytest.mark.parametrize("direct", [False, True], ids=["copied", "direct"])
def test_a_session_build_gives_the_site_of_a_cold_build(content, tmp_path, direct):
    """Copied into site_dir (jirei serve --site-dir) or the engine's own folder (a temporary preview)."""
    session = BuildSession(direct=direct)
    site = tmp_path / "out" / "site"
    build_site(content, site, TODAY, "https://example.jp/", session=session)
    while not session.search_ready():
        time.sleep(0.05)
    cases = sorted(p.stem for p in (content / "cases").glob("*.yaml"))
    edit_case(content, cases[0], lambda r: r.update(title="セッションで書き換えた取組"))
    again = build_site(content, site, TODAY, "https://example.jp/", session=session)
    assert again.incremental
    published = again.site
    assert (published == site) != direct
    # The pages are there at once; the search index of the previous build until the new one is in.
    assert (published / "search" / "index" / "meta.json").is_file()
    deadline = time.monotonic() + 120
    while not session.search_ready():
        assert time.monotonic() < deadline, "the search index of a session's build never came"
        time.sleep(0.05)
    cold = tmp_path / "cold" / "site"
    build_site(content, cold, TODAY, "https://example.jp/")
    marker = {".jirei-site"}
    assert tree_digest(published).keys() - marker == tree_digest(cold).keys() - marker
    assert {k: v for k, v in tree_digest(published).items() if k not in marker} == {
        k: v for k, v in tree_digest(cold).items() if k not in marker
    }
    assert "セッションで書き換えた取組" in (published / "cases" / cases[0] / "index.html").read_text(encoding="utf-8")


def test_a_file_changed_in_place_is_read_again(content):
    """Same size, same modification time: the change time still tells."""
    memo = ValidationMemo()
    validate_content(content, memo=memo)
    path = content / "cases" / "ina-drone-shopping.yaml"
    record = read(path)
    title = record["title"]
    text = path.read_text(encoding="utf-8")
    swapped = title[1] + title[0] + title[2:]  # the same bytes, in another order
    before = path.stat()
    path.write_text(text.replace(f"title: {title}", f"title: {swapped}", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    records, problems = validate_content(content, memo=memo)
    assert not problems
    assert next(case for case in records.cases if case.id == "ina-drone-shopping").title == swapped


def test_related_cases_re_ranked_in_part_are_those_of_a_fresh_ranking(content, monkeypatch):
    """The session re-ranks only the cases an edit can reach (RelatedMemo.ranked): after every kind
    of edit that related cases read, the lists are those worked out from nothing."""
    validation, memo = ValidationMemo(), RelatedMemo()
    rng = random.Random(11)
    cases = sorted(p.stem for p in (content / "cases").glob("*.yaml"))
    fields = [f["name"] for f in read(content / "taxonomy" / "fields.yaml")]
    programs = [p["id"] for p in read(content / "taxonomy" / "funding.yaml")]
    words = ["ドローン", "買い物", "見守り", "オンライン", "防災", "観光", "子育て", "AI", "LINE", "窓口"]
    edits = {
        "title": lambda r: r.update(title="と".join(rng.sample(words, 3)) + "の取組"),
        "summary": lambda r: r.update(summary=r["summary"] + "\n" + "、".join(rng.sample(words, 4)) + "。"),
        "tags": lambda r: r.update(tags=rng.sample(words, rng.randint(0, 4))),
        "field": lambda r: r.update(field=rng.choice(fields), related_fields=[]),
        "programs": lambda r: r.update(support_programs=[{"program": p} for p in rng.sample(programs, 2)]),
    }
    re_ranked: list[int] = []  # how many cases each call ranked again
    changed_since = catalog_module._Ranking.changed_since
    monkeypatch.setattr(
        catalog_module._Ranking,
        "changed_since",
        lambda self, *args: (found := changed_since(self, *args), re_ranked.append(len(found)))[0],
    )
    for step in range(25):
        records, problems = validate_content(content, memo=validation)
        assert not problems, problems
        fresh = Catalog(records, TODAY).related
        assert Catalog(records, TODAY, memo).related == fresh, step
        what = rng.choice(sorted(edits))
        edit_case(content, rng.choice(cases), edits[what])
    assert len(re_ranked) == 24  # every call after the first re-ranked in part, none from nothing
    assert min(re_ranked) < len(cases), re_ranked  # not always all of them (at 2,000 cases most are spared)
