"""The models are the one schema: the committed JSON Schema must match them."""

from __future__ import annotations

import json

from generator.models import SCHEMAS, Case, json_schemas
from tests.conftest import CONTENT, PROJECT

TAXONOMY = CONTENT / "taxonomy"


def test_committed_schema_is_current():
    """The models and the taxonomy (fields, programs): adding a program without `make schema` fails here."""
    for name, document in json_schemas(TAXONOMY).items():
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


def _japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" for ch in text)


def test_every_title_in_every_schema_is_japanese():
    """What an editor sees on hover in VS Code: no model or key names ("Support Programs")."""
    titles = []

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("title"), str):
                titles.append((where, node["title"]))
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    for name, document in json_schemas(TAXONOMY).items():
        walk(document, name)
    assert len(titles) > 100
    assert [(where, title) for where, title in titles if not _japanese(title)] == []
    case = json_schemas(TAXONOMY)["case.schema.json"]
    assert case["title"] == "事例" and case["properties"]["support_programs"]["title"] == "活用した国等の支援制度"


def _enum(prop: dict) -> dict:
    target = prop["items"] if prop.get("type") == "array" else prop
    target = next((b for b in target.get("anyOf", []) if b.get("type") != "null"), target)
    return target


def test_schema_values_are_the_contents_fields_programs_and_prefectures():
    import yaml

    from generator.municipalities import prefectures

    fields = yaml.safe_load((TAXONOMY / "fields.yaml").read_text(encoding="utf-8"))
    programs = yaml.safe_load((TAXONOMY / "funding.yaml").read_text(encoding="utf-8"))
    schemas = json_schemas(TAXONOMY)
    case = schemas["case.schema.json"]
    assert _enum(case["properties"]["field"])["enum"] == [f["name"] for f in fields]
    assert _enum(case["properties"]["related_fields"])["enum"] == [f["name"] for f in fields]
    program = _enum(case["$defs"]["SupportProgram"]["properties"]["program"])
    assert program["enum"] == [p["id"] for p in programs]
    digital = program["enum"].index("digital-denen-kofukin")
    assert program["markdownEnumDescriptions"][digital].startswith(
        "デジタル田園都市国家構想交付金"
    )  # shown beside the id
    prefecture = _enum(case["$defs"]["Municipality"]["properties"]["prefecture"])
    assert prefecture["enum"] == [p.name for p in prefectures()] and len(prefecture["enum"]) == 47
    for name in ("posting.schema.json", "advisor.schema.json"):
        assert _enum(schemas[name]["properties"]["fiscal_measures"])["enum"] == [p["id"] for p in programs]
    posting = schemas["posting.schema.json"]["properties"]
    assert "特別職非常勤職員" in posting["employment"]["enum"] and "一部可" in posting["remote"]["enum"]
    assert _enum(case["$defs"]["Cost"]["properties"]["basis"])["enum"] == ["予算", "決算", "事業費"]

    # Every real record's values are among them (what VS Code offers is what validation accepts).
    for path in sorted((CONTENT / "cases").glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert record["field"] in _enum(case["properties"]["field"])["enum"], path.name
        assert {u["program"] for u in record.get("support_programs", [])} <= set(program["enum"]), path.name
        assert record["municipality"]["prefecture"] in prefecture["enum"], path.name


def test_a_program_added_to_the_taxonomy_changes_the_schema(tmp_path):
    """The staleness test covers the taxonomy: the schema of a taxonomy with one more program differs."""
    import shutil

    import yaml

    copy = tmp_path / "taxonomy"
    shutil.copytree(TAXONOMY, copy)
    programs = yaml.safe_load((copy / "funding.yaml").read_text(encoding="utf-8"))
    programs.append({**programs[0], "id": "new-program", "name": "新しい交付金"})
    (copy / "funding.yaml").write_text(yaml.safe_dump(programs, allow_unicode=True), encoding="utf-8")
    changed = json_schemas(copy)["case.schema.json"]
    assert changed != json_schemas(TAXONOMY)["case.schema.json"]
    assert "new-program" in _enum(changed["$defs"]["SupportProgram"]["properties"]["program"])["enum"]
