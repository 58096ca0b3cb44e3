"""YAML files → plain data with the line of every value, or problems with file and line.

The loader builds data from PyYAML's event stream itself, iteratively: no Python object is ever
constructed from a tag, aliases are counted as they expand, nesting depth is bounded, duplicate
keys are caught (PyYAML's own loader accepts them silently), and dates stay text so that the
models can check them with a located message.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, "!", *(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))}

Location = tuple[int, int]  # (line, column), both from 1


@dataclass
class Document:
    """The data of one YAML file and where each value stands in it."""

    path: Path
    display: str
    data: Any
    positions: dict[tuple, Location] = field(default_factory=dict)
    key_positions: dict[tuple, Location] = field(default_factory=dict)
    # Values the reader refused (a YAML 1.1 number, a forbidden character): already reported.
    refused: set[Location] = field(default_factory=set)

    def locate(self, loc: tuple, key: bool = False) -> Location:
        """The line of the value at `loc`, else of its nearest parent that the file holds."""
        loc = tuple(loc)
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, loc: tuple, message: str, key: bool = False) -> Problem:
        line, column = self.locate(loc, key=key)
        return Problem(self.display, line, column, message)


class _Stop(Exception):
    """A problem that ends the reading of one file."""

    def __init__(self, line: int, column: int, message: str):
        self.location = (line, column)
        self.message = message


def _at(mark) -> Location:
    return (mark.line + 1, mark.column + 1)


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """The file's text: a regular file (never a FIFO or a device), UTF-8 (a BOM is accepted), of a bounded size."""
    raw, problem = read_bytes(path, display)
    if raw is None:
        return None, [problem]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        message = (
            f"UTF-8 として読めないバイト（0x{raw[error.start]:02x}）があります。ファイルを UTF-8 で保存し直してください"
        )
        return None, [Problem(display, line, column, message)]


NOT_REGULAR = "通常のファイルではありません（FIFO・デバイス・ソケットなどは読み込みません）"


def read_bytes(path: Path, display: str) -> tuple[bytes | None, Problem | None]:
    """At most MAX_FILE_BYTES of a regular file. Opened without blocking, checked after opening
    (a FIFO swapped in after a check cannot make the read wait), read with a bound (a device
    that never ends cannot make it run forever)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return None, Problem(display, 1, 1, file_error_message(error))
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None, Problem(display, 1, 1, NOT_REGULAR)
        try:
            raw = stream.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            return None, Problem(display, 1, 1, file_error_message(error))
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), os.stat(path).st_size)
        message = f"ファイルが大きすぎます（{size:,} バイト、上限 {MAX_FILE_BYTES:,} バイト）"
        return None, Problem(display, 1, 1, message)
    return raw, None


def file_error_message(error: OSError) -> str:
    """An operating-system error on opening or reading a file, in Japanese."""
    if error.errno == errno.ELOOP:
        return "シンボリックリンクが循環しています（リンクの先をたどれません）"
    if error.errno == errno.ENOENT:
        return "ファイルがありません（シンボリックリンクならリンク先がありません）"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "ファイルを読む権限がありません"
    if error.errno == errno.EISDIR:
        return "ファイルではなくフォルダです"
    return f"ファイルを読めません（{error.strerror or error}）"


def load_yaml(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    document = Document(path, display, None)
    builder = _Builder(document)
    try:
        builder.run(text)
    except _Stop as stop:
        return None, [Problem(display, *stop.location, stop.message)]
    except yaml.YAMLError as error:
        return None, [_syntax_problem(error, text, display)]
    if document.data is None:
        return None, [Problem(display, 1, 1, "ファイルが空です。レコードの内容を書いてください")]
    # Duplicate keys do not stop the reading: the rest of the file is still checked.
    return document, builder.problems


_SYNTAX_MESSAGES = {
    "did not find expected ',' or ']'": "[ で始めたリストが ] で閉じられていません",
    "did not find expected ',' or '}'": "{ で始めたマッピングが } で閉じられていません",
    "mapping values are not allowed here": "ここに「キー: 値」は書けません（値の中の「: 」は引用符で囲みます）",
    "could not find expected ':'": "キーのあとの「:」が見つかりません",
    "did not find expected key": "キーがあるべき位置に別のものがあります（字下げがずれていませんか）",
    "did not find expected '-' indicator": "リストの「- 」があるべき位置に別のものがあります（字下げがずれていませんか）",
    "found unexpected end of stream": "ファイルが途中で終わっています（引用符が閉じられていません）",
    "found unknown escape character": '"..." の中に使えないエスケープ（\\ の後の文字）があります',
    "special characters are not allowed": "YAML で使えない制御文字があります",
    "found invalid Unicode character escape code": '"..." の中に使えない文字のエスケープ（サロゲートなど）があります',
}


def _syntax_problem(error: yaml.YAMLError, text: str, display: str) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = _at(mark) if mark is not None else (1, 1)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indent:
        message = "インデントにタブ文字が使われています。スペースで字下げしてください"
        return Problem(display, line, indent.index("\t") + 1, message)
    problem = getattr(error, "problem", None) or str(error)
    message = next((ja for en, ja in _SYNTAX_MESSAGES.items() if problem.startswith(en)), problem)
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    where = f"、{context_mark.line + 1} 行目から" if context and context_mark and context_mark.line + 1 != line else ""
    return Problem(display, line, column, f"YAML の構文エラーです: {message}{where}")


class _Frame:
    __slots__ = ("container", "path", "key", "key_at", "anchor", "first_node", "keys_at")

    def __init__(self, container, path, anchor, first_node):
        self.container = container
        self.path = path
        self.key = _NO_KEY
        self.key_at: Location = (1, 1)
        self.anchor = anchor
        self.first_node = first_node
        self.keys_at: dict[str, Location] = {}


_NO_KEY = object()


class _Builder:
    def __init__(self, document: Document):
        self.document = document
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.documents = 0

    def run(self, text: str) -> None:
        parser = _Parser(text)
        try:
            while True:
                event = parser.get_event()
                if isinstance(event, yaml.StreamEndEvent):
                    return
                self.handle(event)
        finally:
            parser.dispose()

    def handle(self, event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _Stop(
                    *_at(event.start_mark),
                    "1つのファイルに書けるレコードは1つです（--- で区切られた2つ目の文書があります）",
                )
            return
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame.anchor:
                self.anchors[frame.anchor] = (frame.container, self.nodes - frame.first_node + 1)
            self.add(frame.container, None, is_collection_end=True)
            return
        tag = getattr(event, "tag", None)
        if tag not in _ALLOWED_TAGS:
            shown = tag.replace(_CORE, "!!")
            raise _Stop(*_at(event.start_mark), f"タグ {shown} は使えません（YAML のタグは読み込みません）")
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise _Stop(*_at(event.start_mark), f"エイリアス *{event.anchor} のアンカーが定義されていません")
            value, size = self.anchors[event.anchor]
            self.count(size, event)
            self.add(value, event)
            return
        self.count(1, event)
        if isinstance(event, yaml.ScalarEvent):
            value = self.scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self.add(value, event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                raise _Stop(*_at(event.start_mark), f"入れ子が深すぎます（{MAX_DEPTH} 段まで）")
            container = {} if isinstance(event, yaml.MappingStartEvent) else []
            path = self.child_path(event)
            # A collection under a key is located at its key: "application:" rather than its first item.
            under_key = self.stack and isinstance(self.stack[-1].container, dict)
            self.document.positions[path] = self.stack[-1].key_at if under_key else _at(event.start_mark)
            self.stack.append(_Frame(container, path, event.anchor, self.nodes))

    def count(self, size: int, event) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise _Stop(
                *_at(event.start_mark),
                f"値が多すぎます（エイリアスの展開を含めて {MAX_NODES:,} 個まで）。エイリアスの使いすぎではありませんか",
            )

    def child_path(self, event) -> tuple:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            return (*parent.path, len(parent.container))
        if parent.key is _NO_KEY:
            raise _Stop(
                *_at(event.start_mark), "マッピングのキーには文字列を書いてください（リストやマッピングは使えません）"
            )
        return (*parent.path, parent.key)

    def add(self, value: Any, event, is_collection_end: bool = False) -> None:
        if not self.stack:
            self.document.data = value
            if event is not None:
                self.document.positions[()] = _at(event.start_mark)
            return
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            if not is_collection_end:
                self.document.positions[(*parent.path, len(parent.container))] = _at(event.start_mark)
            parent.container.append(value)
            return
        if parent.key is _NO_KEY:
            key = event.value if isinstance(event, yaml.ScalarEvent) else str(value)
            location = _at(event.start_mark)
            if key in parent.keys_at:
                line = parent.keys_at[key][0]
                self.problems.append(
                    Problem(
                        self.document.display, *location, f"キー「{key}」が重複しています（{line} 行目にもあります）"
                    )
                )
            else:
                parent.keys_at[key] = location
            parent.key, parent.key_at = key, location
            return
        path = (*parent.path, parent.key)
        self.document.key_positions[path] = parent.key_at
        if not is_collection_end:
            self.document.positions[path] = _at(event.start_mark)
        if parent.key not in parent.container:
            parent.container[parent.key] = value
        parent.key = _NO_KEY

    def scalar(self, event) -> Any:
        self.check_characters(event)
        tag = event.tag
        if tag in (None, "!"):
            tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            if tag == _CORE + "int":
                return self.integer(event)
            if tag == _CORE + "float":
                if ":" in event.value:
                    self.refuse(event, f"「{event.value[:40]}」は YAML 1.1 では60進数として読まれます。{_AS_TEXT}")
                return _constructor.construct_yaml_float(node)
            if tag == _CORE + "bool":
                return _constructor.construct_yaml_bool(node)
            if tag == _CORE + "null":
                return None
        except ValueError:
            raise _Stop(*_at(event.start_mark), f"数値として読めません: {event.value[:40]}") from None
        # Strings, and timestamps kept as text for the models to check.
        return event.value

    def integer(self, event) -> int:
        """Only plain decimal integers: YAML 1.1 reads 066000 as octal and 1:06:00 as base 60."""
        if _DECIMAL.fullmatch(event.value):
            if len(event.value.lstrip("-")) > MAX_DIGITS:
                self.refuse(event, f"数値の桁が多すぎます（{MAX_DIGITS} 桁まで）")
                return 0
            return int(event.value)
        shown = event.value[:40]
        if ":" in event.value:
            self.refuse(event, f"「{shown}」は YAML 1.1 では60進数として読まれます。{_AS_TEXT}")
        elif _LEADING_ZERO.fullmatch(event.value):
            decimal = int(event.value.replace("_", "").lstrip("+-").lstrip("0") or "0")
            self.refuse(
                event,
                f"「{shown}」は先頭が 0 のため YAML 1.1 では8進数として読まれます。"
                f"数値なら {decimal} と書き、文字列なら引用符で囲んでください",
            )
        else:
            self.refuse(
                event, f"「{shown}」は10進数の整数として書いてください（+、_、0x、0b は使えません）。{_AS_TEXT}"
            )
        return 0

    def refuse(self, event, message: str) -> None:
        self.document.refused.add(_at(event.start_mark))
        self.problems.append(Problem(self.document.display, *_at(event.start_mark), message))

    def check_characters(self, event) -> None:
        """Characters that HTML or XML cannot carry, and bidi controls, in any key or value."""
        match = _FORBIDDEN.search(event.value)
        if match:
            self.refuse(event, forbidden_character_message(match.group(), match.start()))


# Plain decimal integers: what a person means by a number.
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")
MAX_DIGITS = 15
_AS_TEXT = "文字列なら引用符で囲んでください"

# C0 controls (but tab, LF and CR), DEL, C1 controls, surrogates and noncharacters: XML 1.0 cannot
# carry them and HTML calls them errors. Bidi controls reorder text invisibly (Trojan Source).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(17))
    + "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def forbidden_character_message(character: str, index: int) -> str:
    code = ord(character)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "制御文字"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "サロゲート"
    elif character in BIDI_CONTROLS:
        kind = "文字の向きを変える制御文字"
    else:
        kind = "非文字（Unicode で文字に割り当てられない符号）"
    return f"使えない文字 U+{code:04X}（{kind}）が値の {index + 1} 文字目にあります。削除してください"
