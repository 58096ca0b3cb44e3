"""content/taxonomy/synonyms.yaml: validated like every record (located Japanese messages, exit 1)."""

from __future__ import annotations

import shutil

from generator.validate import validate_content
from tests.conftest import CONTENT, run_jirei


def test_bad_synonyms_are_located_in_japanese(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "taxonomy" / "synonyms.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = len(lines) + 1
    bad = ["- terms: [買物]", "- terms: [ｽﾏﾎ, 携帯電話]", "- term: [ウェブ, web]", '- terms: ["・・", 窓口]']
    path.write_text("\n".join([*lines, *bad]) + "\n", encoding="utf-8")
    result = run_jirei("validate", "--content", str(content))
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    shown = result.stdout + result.stderr
    where = "content/taxonomy/synonyms.yaml"
    assert f"{where}:{start}:3: 「terms」には 2 件以上書いてください" in shown
    assert f"{where}:{start + 1}:11: 同義語「ｽﾏﾎ」は「スマホ」と同じ語として、すでに挙がっています" in shown
    assert f"{where}:{start + 2}:3: 不明なキー「term」です" in shown
    assert f"{where}:{start + 3}:11: 同義語「・・」には文字か数字を含めてください" in shown


def test_synonyms_file_is_optional(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "taxonomy" / "synonyms.yaml").unlink()
    found, problems = validate_content(content)
    assert problems == [] and found.synonyms == []


def test_synonyms_are_read(tmp_path):
    found, problems = validate_content(CONTENT)
    assert problems == []
    assert ["買い物", "買物"] in [group.terms for group in found.synonyms]
