"""The models are the one schema: the committed JSON Schema must match them."""

from __future__ import annotations

import json

from generator.models import SCHEMAS, Case, json_schemas
from tests.conftest import CONTENT, PROJECT


def test_committed_schema_is_current():
    for name, document in json_schemas().items():
        path = PROJECT / "schema" / name
        assert path.exists(), f"{path} がありません: make schema で生成してください"
        committed = json.loads(path.read_text(encoding="utf-8"))
        assert committed == document, f"{path} が古くなっています: make schema で更新してください"


def test_every_field_has_a_japanese_description():
    def walk(model):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"
            assert any("\u3040" <= ch <= "\u9fff" for ch in field.description), f"{model.__name__}.{name}"

    for model, _ in SCHEMAS.values():
        walk(model)
    schema = json_schemas()["case.schema.json"]
    for definition in schema["$defs"].values():
        for prop in definition["properties"].values():
            assert prop.get("description")


def test_case_schema_forbids_unknown_keys():
    schema = json_schemas()["case.schema.json"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "title", "field", "municipality", "population", "summary", "sources"}
    assert set(schema["properties"]) == set(Case.model_fields)


def test_content_files_point_at_their_schema():
    expected = {
        "cases": "# yaml-language-server: $schema=../../schema/case.schema.json",
        "taxonomy/fields.yaml": "# yaml-language-server: $schema=../../schema/fields.schema.json",
        "taxonomy/funding.yaml": "# yaml-language-server: $schema=../../schema/funding.schema.json",
        "taxonomy/synonyms.yaml": "# yaml-language-server: $schema=../../schema/synonyms.schema.json",
        "talent/postings": "# yaml-language-server: $schema=../../../schema/posting.schema.json",
        "talent/advisors": "# yaml-language-server: $schema=../../../schema/advisor.schema.json",
    }
    files = sorted(CONTENT.rglob("*.yaml"))
    assert files
    for path in files:
        relative = path.relative_to(CONTENT).as_posix()
        key = relative if relative.startswith("taxonomy/") else path.parent.relative_to(CONTENT).as_posix()
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == expected[key], relative
        schema_file = (path.parent / first_line.split("$schema=")[1]).resolve()
        assert schema_file.exists(), schema_file
