"""The real content: valid, complete and sourced."""

from __future__ import annotations

import re
import unicodedata

import pytest
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


REFERENCE = PROJECT.parent / "shared/reference"
# What a copied sentence may differ by: width (NFKC), spaces, punctuation, brackets, Markdown marks.
_NOT_WORDS = re.compile(r"[\s、。，．,.・:：;；!！?？「」『』（）()\[\]【】〈〉《》“”\"'‘’\-－—―〜~*_`#>|]+")
_OPENING, _CLOSING = "「『（(【〈《“", "」』）)】〉》”"


def _normal(text: str) -> str:
    return _NOT_WORDS.sub("", unicodedata.normalize("NFKC", text))


def _sentences(text: str) -> list[str]:
    """The sentences of a Markdown text: list items and paragraphs (lines joined), cut after 。！？
    outside brackets (「デジタる！大人の…」 is one sentence)."""
    blocks: list[str] = []
    for line in text.splitlines():
        item = re.match(r"\s*(?:[-*+]|\d+\.)\s+", line)
        if not line.strip():
            blocks.append("")
        elif item or not blocks or not blocks[-1]:
            blocks.append(line[item.end() :] if item else line.strip())
        else:
            blocks[-1] += line.strip()
    sentences = []
    for block in filter(None, blocks):
        depth, current = 0, ""
        for char in block:
            current += char
            depth += (char in _OPENING) - (char in _CLOSING)
            if depth <= 0 and char in "。！？!?":
                sentences.append(current)
                depth, current = 0, ""
        sentences.append(current)
    return [s for s in sentences if _normal(s)]


def test_sentence_splitting_keeps_quotes_and_wrapped_lines():
    text = "市は「デジタる！大人の講演会」を開いた。対象は\n現役世代。\n\n- 公民館で開く\n- 参加は無料！"
    assert [_normal(s) for s in _sentences(text)] == [
        "市はデジタる大人の講演会を開いた",
        "対象は現役世代",
        "公民館で開く",
        "参加は無料",
    ]


def test_no_case_sentence_is_a_reference_facts_line(real_content):
    """Issue 13, item 6: summaries, backgrounds, advice and outcomes are written in the editors'
    own words: none of their sentences is a reference `facts` line (or a sentence of one) with
    only spacing, width or punctuation changed."""
    path = REFERENCE / "cases.yaml"
    if not path.exists():
        pytest.skip("the reference facts (../shared/reference/cases.yaml) are not here")
    facts: dict[str, str] = {}
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        for line in entry.get("facts") or []:
            facts.setdefault(_normal(line), line)
            for sentence in _sentences(line):
                if len(_normal(sentence)) >= 10:  # a short phrase in common is not a copy
                    facts.setdefault(_normal(sentence), line)
    copied = [
        f"{case.id} {key}: {sentence.strip()}（reference: {facts[_normal(sentence)]}）"
        for case in real_content.cases
        for key in ("summary", "background", "advice", "outcomes")
        for sentence in _sentences(getattr(case, key) or "")
        if _normal(sentence) in facts
    ]
    assert copied == [], "参照資料の facts をそのまま写した文があります:\n" + "\n".join(copied)
