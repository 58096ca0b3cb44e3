"""Problems in records (user errors) and how they are printed.

A bad record becomes a `Problem` with a file and a line; it never becomes a traceback.
A bug in the program raises an ordinary exception and shows its traceback.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"

    def github(self) -> str:
        # GitHub workflow commands: %, CR and LF must be escaped in the message.
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line},col={self.column}::{message}"


class UserError(Exception):
    """Bad input: reported as problems, exit code 1, no traceback."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


def display_path(path: Path) -> str:
    """The path as an editor expects it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def format_problems(problems: list[Problem], form: str) -> str:
    problems = sorted(problems)
    if form == "json":
        return json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2)
    if form == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)


class UsageError(Exception):
    """A wrong command-line argument: a Japanese message, exit code 1, no traceback."""
