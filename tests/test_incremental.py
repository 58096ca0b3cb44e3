"""A second build reuses the engine's work and gives the same bytes as a cold build."""

from __future__ import annotations

import gc
import shutil
from datetime import date

import pytest

from generator.errors import UserError
from generator.site import build_site
from tests.cases import case_text
from tests.conftest import CONTENT
from tests.talent import write_postings
from tests.test_site import tree_digest

TODAY = date(2026, 11, 23)


def test_incremental_build_is_byte_identical_to_a_cold_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    cases = content / "cases"
    cases.mkdir()
    for case_id in ("case-a", "case-b", "case-c"):
        (cases / f"{case_id}.yaml").write_text(case_text(case_id), encoding="utf-8")
    write_postings(content, TODAY)
    site = tmp_path / "out" / "site"
    first = build_site(content, site, TODAY, "https://example.jp/")
    assert not first.incremental

    again = build_site(content, site, TODAY, "https://example.jp/")
    assert again.incremental
    assert again.stages["mkdocs"] < first.stages["mkdocs"]

    # One case changed, one added, one removed; a posting closes as the build date moves on.
    (cases / "case-a.yaml").write_text(
        case_text("case-a", {"テスト用のドローン配送の取組": "書き直したドローン配送の取組"}), encoding="utf-8"
    )
    (cases / "case-d.yaml").write_text(case_text("case-d", {"field: 住民生活": "field: 観光"}), encoding="utf-8")
    (cases / "case-c.yaml").unlink()
    later = date(2026, 11, 30)
    changed = build_site(content, site, later, "https://example.jp/")
    assert changed.incremental

    cold = tmp_path / "cold" / "site"
    build_site(content, cold, later, "https://example.jp/")
    assert tree_digest(site) == tree_digest(cold)
    assert "書き直したドローン配送の取組" in (site / "cases" / "case-a" / "index.html").read_text(encoding="utf-8")
    assert not (site / "cases" / "case-c").exists()


def test_a_changed_site_url_renders_everything_again(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    (content / "cases" / "case-a.yaml").write_text(case_text("case-a"), encoding="utf-8")
    site = tmp_path / "site"
    build_site(content, site, TODAY, "https://example.jp/")
    moved = build_site(content, site, TODAY, "https://other.example.jp/")
    assert not moved.incremental
    cold = tmp_path / "cold"
    build_site(content, cold, TODAY, "https://other.example.jp/")
    assert tree_digest(site) == tree_digest(cold)


def test_two_processes_render_the_pages_one_process_renders(tmp_path, monkeypatch):
    import generator.site

    halves = []
    build_in_two = generator.site._build_in_two
    monkeypatch.setattr(generator.site, "_build_in_two", lambda *args: halves.append(1) or build_in_two(*args))
    parallel = tmp_path / "two"
    build_site(CONTENT, parallel, TODAY, "https://example.jp/")
    assert halves, "the real content has more pages than PARALLEL_PAGES: two processes render them"

    monkeypatch.setattr(generator.site, "PARALLEL_PAGES", 10**9)
    single = tmp_path / "one"
    build_site(CONTENT, single, TODAY, "https://example.jp/")
    assert len(halves) == 1
    assert tree_digest(parallel) == tree_digest(single)


def test_the_next_build_does_not_write_through_the_published_site(tmp_path):
    """The published site shares its files with the engine's cache (hard links): a later build
    replaces those files and never writes into them."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    (content / "cases" / "case-a.yaml").write_text(case_text("case-a"), encoding="utf-8")
    site = tmp_path / "site"
    build_site(content, site, TODAY, "https://example.jp/")
    kept = {}
    for relative in ("cases/case-a/index.html", "sitemap.xml", "sitemap.xml.gz", "index.html"):
        kept[relative] = (site / relative).read_bytes()
        (tmp_path / relative.replace("/", "_")).hardlink_to(site / relative)  # the first build's file

    (content / "cases" / "case-a.yaml").write_text(
        case_text("case-a", {"テスト用のドローン配送の取組": "書き直したドローン配送の取組"}), encoding="utf-8"
    )
    later = build_site(content, site, date(2026, 11, 30), "https://example.jp/")
    assert later.incremental
    assert "書き直した" in (site / "cases/case-a/index.html").read_text(encoding="utf-8")
    assert (site / "sitemap.xml").read_bytes() != kept["sitemap.xml"]  # dated with the new build date
    for relative, data in kept.items():
        assert (tmp_path / relative.replace("/", "_")).read_bytes() == data, relative


def test_a_build_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    """A one-off build collects less often and sets its records and pages aside from the collector
    (site._collecting_for_one_build): after it, and after a build that fails, the collector's
    thresholds are as before and nothing stays set aside."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    (content / "cases" / "case-a.yaml").write_text(case_text("case-a"), encoding="utf-8")
    before = gc.get_threshold()
    frozen_during = []
    freeze = gc.freeze
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gc, "freeze", lambda: frozen_during.append(gc.get_threshold()) or freeze())
        build_site(content, tmp_path / "site", TODAY, "https://example.jp/")
    assert frozen_during and frozen_during[0][0] > before[0]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

    (content / "cases" / "case-b.yaml").write_text("id: [", encoding="utf-8")
    with pytest.raises(UserError):
        build_site(content, tmp_path / "site", TODAY, "https://example.jp/")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
