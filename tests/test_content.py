"""The real content: valid, complete and sourced."""

from __future__ import annotations

import yaml

from generator.validate import validate_content
from tests.conftest import CONTENT, PROJECT


def test_real_content_is_valid():
    content, problems = validate_content(CONTENT)
    assert problems == [], "\n".join(p.text() for p in problems)
    assert len(content.fields) == 20
    assert len(content.cases) >= 110


def test_fields_in_the_order_of_the_collection():
    content, _ = validate_content(CONTENT)
    names = [f.name for f in content.fields]
    assert names[:3] == ["地域活性化", "住民生活", "消防・防災"]
    assert names[-2:] == ["キャッシュレス", "ローカル5G"]
    assert [f.no for f in content.fields] == list(range(1, 21))


def test_reference_funding_ids_and_succession_are_kept():
    reference = (
        yaml.safe_load((PROJECT.parent / "shared/reference/funding.yaml").read_text(encoding="utf-8"))
        if (PROJECT.parent / "shared/reference/funding.yaml").exists()
        else None
    )
    content, _ = validate_content(CONTENT)
    programs = {p.id: p for p in content.programs}
    # The succession of the regional revitalisation grants is a contract.
    chain = [
        "chiho-sosei-suishin-kofukin",
        "digital-denen-kofukin",
        "atarashii-chiho-keizai-kofukin",
        "chiiki-mirai-kofukin",
    ]
    for current, following in zip(chain, chain[1:], strict=False):
        assert programs[current].successor == following
    if reference is not None:
        for entry in reference:
            assert entry["id"] in programs
            assert programs[entry["id"]].successor == entry.get("successor")


def test_every_case_cites_a_source_with_a_title():
    content, _ = validate_content(CONTENT)
    for case in content.cases:
        assert case.sources and all(s.title.strip() for s in case.sources), case.id


def test_every_funding_program_cites_a_source(real_content):
    """Issue 13, item 4: every program names where its description comes from (the ministry's page,
    or for a prefecture's own grant whose page could not be found, the case source naming it)."""
    unsourced = [p.id for p in real_content.programs if not p.sources]
    assert unsourced == [], f"出典のない支援制度: {unsourced}"
    for program in real_content.programs:
        assert all(s.title.strip() for s in program.sources), program.id
