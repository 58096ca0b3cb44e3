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
    # The file's text, kept where the positions were left out (load_yaml(locate_later=True)): they
    # are worked out again from it the first time a problem is located, and most documents have
    # none. Such a document is also far cheaper to send to another process (Document.portable).
    text: str | None = field(default=None, repr=False, compare=False)

    def portable(self) -> tuple:
        """What another process needs to make this document again (Document.from_portable)."""
        return self.data, self.refused, self.text

    @classmethod
    def from_portable(cls, path: Path, display: str, portable: tuple) -> Document:
        data, refused, text = portable
        return cls(path, display, data, refused=refused, text=text)

    def locate(self, loc: tuple, key: bool = False) -> Location:
        """The line of the value at `loc`, else of its nearest parent that the file holds."""
        if not self.positions and self.text is not None:
            self._read_positions()
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

    def _read_positions(self) -> None:
        """The positions left out by the first reading: the same text gives the same ones."""
        again = Document(self.path, self.display, None)
        _Builder(again).run(self.text)
        self.positions, self.key_positions = again.positions, again.key_positions


class _Stop(Exception):
    """A problem that ends the reading of one file."""

    def __init__(self, line: int, column: int, message: str):
        self.location = (line, column)
        self.message = message


def _at(mark) -> Location:
    return (mark.line + 1, mark.column + 1)


def read_text(path: Path, display: str, follow_symlinks: bool = True) -> tuple[str | None, list[Problem]]:
    """The file's text: a regular file (never a FIFO or a device), UTF-8 (a BOM is accepted), of a bounded size."""
    raw, problem = read_bytes(path, display, follow_symlinks)
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


REPLACED_BY_LINK = "読み込む直前にシンボリックリンクに置き換えられました。もう一度実行してください"


def read_bytes(path: Path, display: str, follow_symlinks: bool = True) -> tuple[bytes | None, Problem | None]:
    """At most MAX_FILE_BYTES of a regular file. Opened without blocking, checked after opening
    (a FIFO swapped in after a check cannot make the read wait), read with a bound (a device
    that never ends cannot make it run forever). Without `follow_symlinks` (a file that was
    listed as no link), a symlink swapped in since is refused rather than followed."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if not follow_symlinks and error.errno == errno.ELOOP:
            return None, Problem(display, 1, 1, REPLACED_BY_LINK)
        return None, Problem(display, 1, 1, file_error_message(error))
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return None, Problem(display, 1, 1, NOT_REGULAR)
        try:
            raw = _read_at_most(descriptor, MAX_FILE_BYTES + 1, status.st_size)
        except OSError as error:
            return None, Problem(display, 1, 1, file_error_message(error))
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), os.stat(path).st_size)
        message = f"ファイルが大きすぎます（{size:,} バイト、上限 {MAX_FILE_BYTES:,} バイト）"
        return None, Problem(display, 1, 1, message)
    return raw, None


def _read_at_most(descriptor: int, limit: int, size: int) -> bytes:
    """Up to `limit` bytes, to the end of the file. The first read asks for the size the file had
    (plus one byte, to find its end) rather than for `limit`: a buffer of `limit` bytes per file
    would cost more than the reading. A file that grows meanwhile is read on, to the limit."""
    chunks = []
    total = 0
    want = min(size + 1, limit)
    while total < limit:
        chunk = os.read(descriptor, min(want, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = 1 << 16
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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


def load_yaml(
    path: Path, display: str, *, follow_symlinks: bool = True, locate_later: bool = False
) -> tuple[Document | None, list[Problem]]:
    """The document of one file, or None; the problems found. `follow_symlinks=False` for a file
    listed as no link (see read_bytes). With `locate_later` the positions of the values are left
    out, and the text kept to work them out if a problem is located (see Document.text)."""
    text, problems = read_text(path, display, follow_symlinks)
    if text is None:
        return None, problems
    document = Document(path, display, None, text=text if locate_later else None)
    builder = _Builder(document, locating=not locate_later)
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


_NO_KEY = object()

# The event classes, dispatched on by identity (the parser makes exactly these), the most frequent first.
_ScalarEvent = yaml.ScalarEvent
_AliasEvent = yaml.AliasEvent
_MappingStartEvent = yaml.MappingStartEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_DocumentStartEvent = yaml.DocumentStartEvent
_StreamEndEvent = yaml.StreamEndEvent
_QUIET_EVENTS = (yaml.StreamStartEvent, yaml.DocumentEndEvent)

_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_TYPED = frozenset({_INT, _FLOAT, _BOOL, _NULL})

# PyYAML's implicit resolvers by a plain scalar's first character, exactly as Resolver.resolve
# looks them up: a plain scalar whose first character has none is a string without a regex.
_WILDCARD = tuple(_resolver.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {
    first: tuple(resolvers) + _WILDCARD
    for first, resolvers in _resolver.yaml_implicit_resolvers.items()
    if first is not None
}
# Path resolvers would make the resolution depend on more than the value: then ask PyYAML each time.
_PLAIN_RESOLVE = not _resolver.yaml_path_resolvers
# The tags of short plain scalars that needed a regex (keys such as "title", years, numbers): the
# same values come back in every file. Bounded in number and length.
_RESOLVED: dict[str, str] = {}
_RESOLVED_LENGTH = 64
_RESOLVED_COUNT = 10_000


class _Builder:
    """Data from the event stream, in one loop: the collection being filled and its path, key and
    anchor are local variables, the enclosing ones a stack of tuples (at most MAX_DEPTH)."""

    def __init__(self, document: Document, locating: bool = True):
        self.document = document
        # Without locating, the positions are left out (to be worked out again from the text).
        self.locating = locating
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.documents = 0

    def run(self, text: str) -> None:
        parser = _Parser(text)
        try:
            self._build(parser.get_event)
        finally:
            parser.dispose()

    def _build(self, get_event) -> None:
        document = self.document
        positions = document.positions
        key_positions = document.key_positions
        anchors = self.anchors
        implicit = _IMPLICIT
        wildcard = _WILDCARD
        allowed = _ALLOWED_TAGS
        typed = _TYPED
        forbidden = _FORBIDDEN.search
        no_key = _NO_KEY
        locating = self.locating
        resolved = _RESOLVED
        nodes = 0
        # The collection being filled (None: the document itself), and where it stands.
        stack: list[tuple] = []
        container: Any = None
        is_map = False
        path: tuple = ()
        key: Any = no_key
        key_at: Location = (1, 1)
        keys_at: dict[str, Any] = {}  # key → the mark where the mapping first has it
        anchor = None
        first_node = 0
        while True:
            event = get_event()
            kind = event.__class__
            if kind is _ScalarEvent:
                tag = event.tag
                if tag is not None and tag not in allowed:
                    self._tag_problem(event)
                nodes += 1
                if nodes > MAX_NODES:
                    self._too_many(event)
                value = event.value
                # Every forbidden character is unprintable, and a line break is allowed: the regex
                # runs only where one could be (a multi-line text is checked without its line breaks).
                if not value.isprintable() and not value.replace("\n", "").isprintable() and forbidden(value):
                    self.check_characters(event)
                if tag is None or tag == "!":
                    if not event.implicit[0]:
                        tag = _STR
                    elif _PLAIN_RESOLVE:
                        tag = _STR
                        resolvers = implicit.get(value[0] if value else "", wildcard)
                        if resolvers:
                            known = resolved.get(value)
                            if known is not None:
                                tag = known
                            else:
                                for candidate, regexp in resolvers:
                                    if regexp.match(value):
                                        tag = candidate
                                        break
                                if len(value) <= _RESOLVED_LENGTH and len(resolved) < _RESOLVED_COUNT:
                                    resolved[value] = tag
                    else:
                        tag = _resolver.resolve(yaml.ScalarNode, value, event.implicit)
                # Any other tag keeps the text: strings, and timestamps for the models to check.
                if tag in typed:
                    value = self.typed(event, tag)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                tag = event.tag
                if tag is not None and tag not in allowed:
                    self._tag_problem(event)
                nodes += 1
                if nodes > MAX_NODES:
                    self._too_many(event)
                if len(stack) >= MAX_DEPTH:
                    raise _Stop(*_at(event.start_mark), f"入れ子が深すぎます（{MAX_DEPTH} 段まで）")
                if container is None:
                    child: tuple = ()
                elif not is_map:
                    child = (*path, len(container))
                elif key is no_key:
                    raise _Stop(
                        *_at(event.start_mark),
                        "マッピングのキーには文字列を書いてください（リストやマッピングは使えません）",
                    )
                else:
                    child = (*path, key)
                if locating:
                    # A collection under a key is located at its key: "application:" rather than its first item.
                    positions[child] = key_at if is_map else _at(event.start_mark)
                stack.append((container, is_map, path, key, key_at, keys_at, anchor, first_node))
                is_map = kind is _MappingStartEvent
                container = {} if is_map else []
                path, key, key_at, keys_at, anchor, first_node = child, no_key, (1, 1), {}, event.anchor, nodes
                continue
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                value = container
                if anchor:
                    anchors[anchor] = (value, nodes - first_node + 1)
                container, is_map, path, key, key_at, keys_at, anchor, first_node = stack.pop()
                if container is None:
                    document.data = value
                elif is_map:
                    # A collection is never a key (refused at its start): this is the value of `key`.
                    if locating:
                        key_positions[(*path, key)] = key_at
                    if key not in container:
                        container[key] = value
                    key = no_key
                else:
                    container.append(value)
                continue
            elif kind is _AliasEvent:
                if event.anchor not in anchors:
                    raise _Stop(*_at(event.start_mark), f"エイリアス *{event.anchor} のアンカーが定義されていません")
                value, size = anchors[event.anchor]
                nodes += size
                if nodes > MAX_NODES:
                    self._too_many(event)
            elif kind is _DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise _Stop(
                        *_at(event.start_mark),
                        "1つのファイルに書けるレコードは1つです（--- で区切られた2つ目の文書があります）",
                    )
                continue
            elif kind is _StreamEndEvent:
                self.nodes = nodes
                return
            elif isinstance(event, _QUIET_EVENTS):
                continue
            else:
                raise TypeError(f"unexpected YAML event {event!r}")

            # A scalar or an alias: the document itself, an item, a key or the value of a key.
            if is_map:
                if key is no_key:
                    key = event.value if kind is _ScalarEvent else str(value)
                    if key in keys_at:
                        line = keys_at[key].line + 1
                        self.problems.append(
                            Problem(
                                document.display,
                                *_at(event.start_mark),
                                f"キー「{key}」が重複しています（{line} 行目にもあります）",
                            )
                        )
                    else:
                        keys_at[key] = event.start_mark
                    if locating:
                        mark = event.start_mark
                        key_at = (mark.line + 1, mark.column + 1)
                else:
                    if locating:
                        where = (*path, key)
                        key_positions[where] = key_at
                        mark = event.start_mark
                        positions[where] = (mark.line + 1, mark.column + 1)
                    if key not in container:
                        container[key] = value
                    key = no_key
            elif container is not None:
                if locating:
                    mark = event.start_mark
                    positions[(*path, len(container))] = (mark.line + 1, mark.column + 1)
                container.append(value)
            else:
                document.data = value
                if locating:
                    positions[()] = _at(event.start_mark)

    def _tag_problem(self, event) -> None:
        shown = event.tag.replace(_CORE, "!!")
        raise _Stop(*_at(event.start_mark), f"タグ {shown} は使えません（YAML のタグは読み込みません）")

    def _too_many(self, event) -> None:
        raise _Stop(
            *_at(event.start_mark),
            f"値が多すぎます（エイリアスの展開を含めて {MAX_NODES:,} 個まで）。エイリアスの使いすぎではありませんか",
        )

    def typed(self, event, tag: str) -> Any:
        """A scalar resolved (or tagged) as a number, a boolean or null."""
        try:
            if tag == _INT:
                return self.integer(event)
            if tag == _FLOAT:
                if ":" in event.value:
                    self.refuse(event, f"「{event.value[:40]}」は YAML 1.1 では60進数として読まれます。{_AS_TEXT}")
                node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
                return _constructor.construct_yaml_float(node)
            if tag == _BOOL:
                if event.value.lower() not in _constructor.bool_values:  # only with an explicit !!bool
                    raise _Stop(*_at(event.start_mark), f"true か false で書いてください: {event.value[:40]}")
                node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
                return _constructor.construct_yaml_bool(node)
            return None
        except ValueError:
            raise _Stop(*_at(event.start_mark), f"数値として読めません: {event.value[:40]}") from None

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
