"""Problems in records (user errors) and how they are printed.

A bad record becomes a `Problem` with a file and a line; it never becomes a traceback.
A bug in the program raises an ordinary exception and shows its traceback.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Bidirectional formatting characters (category Cf) that reorder what a terminal or browser shows.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape(ch: str) -> str:
    if ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def visible(text: str) -> str:
    """Text from records or files, safe to print: control characters and bidi controls as escapes.

    Every character of category Cc (C0 with ESC, DEL, C1) and every bidi formatting character
    is written as `\\x1b` or `\\u202e`, so that a record cannot move the cursor, recolour the
    terminal, reorder a line or start a new one.
    """
    if text.isprintable() and not _BIDI_CONTROLS.intersection(text):
        return text
    return "".join(_escape(ch) for ch in text)


def _github_property(value: object) -> str:
    """A property value of a GitHub workflow command (file=, line=, col=)."""
    text = str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C")


def _github_message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str

    def text(self) -> str:
        return f"{visible(self.path)}:{self.line}:{self.column}: {visible(self.message)}"

    def github(self) -> str:
        # GitHub workflow commands: in property values %, CR, LF, ":" and "," are escaped, in the
        # message %, CR and LF; `visible` has already turned every other control character into text.
        file, line, column = (_github_property(v) for v in (visible(self.path), self.line, self.column))
        return f"::error file={file},line={line},col={column}::{_github_message(visible(self.message))}"

    def as_json(self) -> dict[str, object]:
        return {"path": visible(self.path), "line": self.line, "column": self.column, "message": visible(self.message)}


class UserError(Exception):
    """Bad input: reported as problems, exit code 1, no traceback."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


def display_path(path: Path) -> str:
    """The path as an editor expects it: relative to the working directory when inside it.

    A symlink is shown as itself, never as its target (the problem is the link's), and a link
    that cannot be followed (a loop) is shown all the same.
    """
    absolute = Path(os.path.abspath(path))
    cwd = Path.cwd()
    try:
        folder = absolute.parent.resolve()
    except (OSError, RuntimeError):
        folder = absolute.parent
    for candidate, base in ((absolute, cwd), (folder / absolute.name, cwd.resolve())):
        if candidate.is_relative_to(base):
            return str(candidate.relative_to(base))
    return str(path)


def format_problems(problems: list[Problem], form: str) -> str:
    problems = sorted(problems)
    if form == "json":
        return json.dumps([p.as_json() for p in problems], ensure_ascii=False, indent=2)
    if form == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)


class UsageError(Exception):
    """A wrong command-line argument: a Japanese message, exit code 1, no traceback."""
