"""The contribution form's data (contribute/): what the browser needs to check a new case and
write its YAML, taken from the models' JSON Schema and the content, never written twice.

The page (templates/contribute.md.j2) and its script (assets/contribute.js) read one JSON
document: the case schema with the content's values (models.json_schemas), the municipalities of
the ministry's code list, and the fields and programs to choose from."""

from __future__ import annotations

import functools

from generator import models
from generator.catalog import Catalog
from generator.municipalities import all_governments

CASES_FOLDER = "content/cases"  # where a new case's file goes in the repository
BRANCH = "main"


def form_data(catalog: Catalog) -> dict:
    """The JSON document of the contribution form."""
    fields = tuple((f.name, f.no) for f in catalog.fields)
    programs = tuple((p.id, p.name, p.ministry) for p in catalog.programs.values())
    return {
        "schema": _case_schema(fields, programs),
        "municipalities": _municipalities(),
        "fields": [f.name for f in catalog.fields],
        "programs": [[p.id, p.name, p.ministry] for p in catalog.programs.values()],
        "folder": CASES_FOLDER,
        "branch": BRANCH,
    }


@functools.lru_cache(maxsize=4)
def _case_schema(fields: tuple, programs: tuple) -> dict:
    """The case schema with these values, made once while they stay the same (every build renders
    the form's page; the schema takes 0.1 s to make). Read only."""
    return models.json_schemas(values=models.schema_values(list(fields), list(programs)))["case.schema.json"]


@functools.cache
def _municipalities() -> list[list[str]]:
    return [[g.code, g.prefecture, g.name] for g in all_governments().values()]
