"""YAML files → plain data with the line of every value, or problems with file and line.

The loader builds data from PyYAML's event stream itself, iteratively: no Python object is ever
constructed from a tag, aliases are counted as they expand, nesting depth is bounded, duplicate
keys are caught (PyYAML's own loader accepts them silently), and dates stay text so that the
models can check them with a located message.
"""

from __future__ import annotations

import logging
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
    """The file's text: UTF-8 (a BOM is accepted), of a bounded size."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        message = f"ファイルが大きすぎます（{size:,} バイト、上限 {MAX_FILE_BYTES:,} バイト）"
        return None, [Problem(display, 1, 1, message)]
    raw = path.read_bytes()
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
        tag = event.tag
        if tag in (None, "!"):
            tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            if tag == _CORE + "int":
                return _constructor.construct_yaml_int(node)
            if tag == _CORE + "float":
                return _constructor.construct_yaml_float(node)
            if tag == _CORE + "bool":
                return _constructor.construct_yaml_bool(node)
            if tag == _CORE + "null":
                return None
        except ValueError:
            raise _Stop(*_at(event.start_mark), f"数値として読めません: {event.value[:40]}") from None
        # Strings, and timestamps kept as text for the models to check.
        return event.value
