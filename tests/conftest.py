"""Shared fixtures: a copy of the real content, synthetic cases, the CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CONTENT = PROJECT / "content"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/goldens/ from the output")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture
def taxonomy_only(tmp_path) -> Path:
    """A content folder with the real taxonomy and no cases."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    return content


def run_jirei(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd or PROJECT,
        env=env,
        timeout=timeout,
    )
