"""Property tests: any bytes, any YAML document either validates or yields located problems."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import CONTENT

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as work:
        content = Path(work) / "content"
        shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
        (content / "cases").mkdir()
        path = content / "cases" / "fuzz.yaml"
        path.write_bytes(raw)
        result, problems = validate_content(content)
        lines = raw.count(b"\n") + 1
        assert (result is None) == bool(problems)
        for problem in problems:
            assert problem.path.endswith("cases/fuzz.yaml"), problem
            assert 1 <= problem.line <= lines + 1, (problem, lines)
            assert problem.column >= 1 and problem.message


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes(raw):
    check(raw)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("id: -[]{}&*!|>'\"#\n\t ,?あ1\\%@`")), max_size=400))
def test_yaml_punctuation_soup(text):
    check(text.encode("utf-8"))


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(yaml_values)
def test_any_yaml_document(value):
    check(yaml.safe_dump(value, allow_unicode=True).encode("utf-8"))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["title", "population", "summary", "tags", "costs", "sources", "municipality", "started"]),
        yaml_values,
        max_size=4,
    )
)
def test_valid_record_with_keys_replaced(changes):
    record = yaml.safe_load(case_text("fuzz"))
    record.update(changes)
    check(yaml.safe_dump(record, allow_unicode=True).encode("utf-8"))
