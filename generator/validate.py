"""Every record checked: against its model, then across records. All problems in one run."""

from __future__ import annotations

import contextlib
import difflib
import errno
import gc
import logging
import multiprocessing
import os
import re
import stat
import threading
import time
import typing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.errors import Problem, display_path
from generator.load import NOT_REGULAR, Document, file_error_message, load_yaml
from generator.models import (
    COLLECTION_FIELDS,
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    SYNONYMS_FILE,
    AdvisorProgram,
    BusinessField,
    Case,
    FundingProgram,
    Posting,
    SynonymGroup,
)
from generator.municipalities import code_problem
from generator.urls import TAXONOMY_DIR as TAXONOMY_DIR  # imported from here by generator.new
from generator.urls import record_type

log = logging.getLogger(__name__)

OUTSIDE_CONTENT = "content フォルダの外を指すリンクです。読み込みません"
RECORD_FILE_STEM = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# The content folders and taxonomy files of the record types, from the table in generator/urls.py.
CASES_DIR = record_type(Case).folder
POSTINGS_DIR = record_type(Posting).folder
ADVISORS_DIR = record_type(AdvisorProgram).folder
FIELDS_PATH = record_type(BusinessField).folder
FUNDING_PATH = record_type(FundingProgram).folder
SYNONYMS_PATH = f"{TAXONOMY_DIR}/{SYNONYMS_FILE}"


@dataclass(frozen=True)
class Content:
    """Every record of content/, all valid."""

    fields: list[BusinessField]
    programs: list[FundingProgram]
    cases: list[Case]
    postings: list[Posting]
    advisors: list[AdvisorProgram]
    synonyms: list[SynonymGroup] = dataclass_field(default_factory=list)  # optional file


class ValidationMemo:
    """What validation made of each record file, by the file's identity (device, inode, size,
    change and modification times, taken before it was read): a later `validate_content` with the
    same memo reads and checks again only the files that changed (`jirei serve`). A file reached
    through a symbolic link is always read again."""

    def __init__(self) -> None:
        self.files: dict[Path, tuple[tuple, Document | None, list[Problem], Any, list[Problem]]] = {}


def _identity(path: Path) -> tuple | None:
    try:
        found = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def validate_content(
    content_dir: Path, *, processes: int | None = None, memo: ValidationMemo | None = None
) -> tuple[Content | None, list[Problem]]:
    """Read and check every record under `content_dir`; the content only when all is valid.

    Many record files are read and parsed by `processes` processes, this one and a pool (by
    default one for each processor this process may use; 1: no pool); the problems are the same
    either way. With a `memo`, only files changed since the memo's last validation are read.
    """
    paused = gc.isenabled()
    # The reading makes millions of small containers that live to the end and hold no cycles:
    # the cyclic collector would walk them again and again for nothing.
    gc.disable()
    try:
        return _validate_content(content_dir, processes, memo)
    finally:
        if paused:
            gc.enable()


def _validate_content(
    content_dir: Path, processes: int | None, memo: ValidationMemo | None
) -> tuple[Content | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        root = content_dir.resolve(strict=True)
    except (OSError, RuntimeError):
        root = None
    if root is None or not root.is_dir():
        return None, [Problem(display_path(content_dir), 1, 1, "content フォルダがありません")]

    fields = _read_list(root / FIELDS_PATH, BusinessField, root, problems)
    programs = _read_list(root / FUNDING_PATH, FundingProgram, root, problems)
    synonyms_path = root / SYNONYMS_PATH
    synonyms = _read_list(synonyms_path, SynonymGroup, root, problems) if os.path.lexists(synonyms_path) else []
    folders = [(CASES_DIR, Case), (POSTINGS_DIR, Posting), (ADVISORS_DIR, AdvisorProgram)]
    listed = []  # per folder: the problems of its listing, its record files
    for folder, _ in folders:
        listing: list[Problem] = []
        listed.append((listing, _record_files(root / folder, root, listing)))
    cases, postings, advisors = [], [], []
    remembered = memo.files if memo is not None else {}
    known, unread = {}, []  # files unchanged since the memo's validation; files to read
    for path, display, linked in (file for _, files in listed for file in files):
        identity = None if linked or memo is None else _identity(path)
        if identity is not None and remembered.get(path, (None,))[0] == identity:
            known[path] = remembered[path]
        else:
            unread.append((path, display, linked))
            if identity is not None:
                known[path] = (identity,)  # taken before the read: a later change reads it again
    if memo is not None:
        memo.files = {}
    # Read by a pool (if any) while the records read so far are checked here.
    with contextlib.closing(_load_files(unread, root, processes)) as loaded:
        for (_, model), (listing, files), records in zip(folders, listed, (cases, postings, advisors), strict=True):
            problems.extend(listing)
            for path, _, _ in files:
                seen = known.get(path, ())
                if len(seen) == 5:
                    _, document, found, record, record_problems = seen
                else:
                    document, found = next(loaded)
                    record_problems = []
                    record = _record(document, model, record_problems)
                if memo is not None and seen:
                    memo.files[path] = (seen[0], document, found, record, record_problems)
                problems.extend(found)
                problems.extend(record_problems)
                records.append((document, record))

    _check_fields(fields, problems)
    _check_programs(programs, problems)
    _check_synonyms(synonyms, problems)
    field_names = [record.name for _, record in fields]
    program_ids = {record.id for _, record in programs}
    for records in (cases, postings, advisors):
        _check_records(records, program_ids, problems)
    _check_cases(cases, field_names, program_ids, problems)
    _check_postings(postings, problems)
    if problems:
        return None, sorted(set(problems))
    return Content(
        fields=[f for _, f in fields],
        programs=[p for _, p in programs],
        cases=_sorted_records(cases),
        postings=_sorted_records(postings),
        advisors=_sorted_records(advisors),
        synonyms=[s for _, s in synonyms],
    ), []


def _sorted_records(records: list) -> list:
    return sorted((record for _, record in records), key=lambda record: record.id)


# --- files --------------------------------------------------------------------------------


def _entry_problem(path: Path, root: Path) -> str | None:
    """Why a path cannot be read as a record file, or None: it must be (or link to) a regular file inside root.

    A symlink is followed without reading anything; a loop, a missing target or a target outside
    the content folder is reported at the link's own path.
    """
    try:
        target = _follow(path)
        mode = target.stat().st_mode
    except FileNotFoundError:
        return "リンク先のファイルがありません" if path.is_symlink() else "ファイルがありません"
    except OSError as error:
        return file_error_message(error)
    if not target.is_relative_to(root):
        return OUTSIDE_CONTENT
    if stat.S_ISDIR(mode):
        return f"{path.parent.name}/ の中にフォルダは置けません"
    if not stat.S_ISREG(mode):
        return NOT_REGULAR
    return None


# A record file to read: its path, how problems name it, and whether it is a symlink (a link is
# checked again, target and type, right before it is read; a file listed as no link is opened
# without following one).
RecordFile = tuple[Path, str, bool]


def _record_files(folder: Path, root: Path, problems: list[Problem]) -> list[RecordFile]:
    if not os.path.lexists(folder):
        return []
    problem = _folder_problem(folder, root)
    if problem:
        problems.append(Problem(display_path(folder), 1, 1, problem))
        return []
    try:
        with os.scandir(folder) as listing:
            # In the order of sorted(folder.iterdir()): paths of one folder compare by their names.
            entries = sorted(listing, key=lambda entry: os.path.normcase(entry.name))
    except OSError as error:
        problems.append(Problem(display_path(folder), 1, 1, f"フォルダを読めません（{error.strerror or error}）"))
        return []
    display = _displays(folder)
    files = []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        path = folder / name
        linked = entry.is_symlink()
        problem = _entry_problem(path, root) if linked else _listed_entry_problem(entry, path, root)
        if problem:
            problems.append(Problem(display(name), 1, 1, problem))
        elif not name.endswith(".yaml"):  # the name is not ".yaml" itself: that one is hidden
            problems.append(Problem(display(name), 1, 1, "レコードのファイル名は .yaml で終わる必要があります"))
        elif not RECORD_FILE_STEM.fullmatch(name[: -len(".yaml")]):
            message = (
                f"ファイル名「{name}」は英小文字・数字・ハイフンと .yaml にしてください（例: ina-drone-shopping.yaml）"
            )
            problems.append(Problem(display(name), 1, 1, message))
        else:
            files.append((path, display(name), linked))
    return files


def _listed_entry_problem(entry: os.DirEntry, path: Path, root: Path) -> str | None:
    """_entry_problem of a folder entry that is no symlink, from the type the listing gives.

    Such an entry of a folder inside root is inside root: a regular file is a record file, a folder
    is not; anything else (or an entry gone since the listing) gets the full check.
    """
    try:
        if entry.is_file(follow_symlinks=False):
            return None
        if entry.is_dir(follow_symlinks=False):
            return f"{path.parent.name}/ の中にフォルダは置けません"
    except OSError:
        pass
    return _entry_problem(path, root)


def _displays(folder: Path):
    """display_path(folder / name) for the files of one folder, the folder's part worked out once."""
    absolute = Path(os.path.abspath(folder))
    cwd = Path.cwd()
    try:
        resolved = absolute.resolve()
    except (OSError, RuntimeError):
        resolved = absolute
    real_cwd = cwd.resolve()
    if cwd.is_relative_to(absolute) or real_cwd.is_relative_to(resolved):
        # Working in the folder, or below it: left to display_path for each file.
        return lambda name: display_path(folder / name)
    # As display_path: relative to the working directory, else through the folder's real path.
    for candidate, base in ((absolute, cwd), (resolved, real_cwd)):
        if candidate.is_relative_to(base):
            prefix = os.path.join(str(candidate.relative_to(base)), "")
            return lambda name: prefix + name
    prefix = os.path.join(str(folder), "")
    return lambda name: prefix + name


def _follow(path: Path) -> Path:
    """The real path a path leads to; a symlink loop is an OSError (ELOOP) like any other."""
    try:
        return Path(os.path.realpath(path, strict=True))
    except RuntimeError:
        raise OSError(errno.ELOOP, "loop", str(path)) from None


def _folder_problem(folder: Path, root: Path) -> str | None:
    """A record folder must be a folder inside the content folder (it may be a link to one)."""
    try:
        target = _follow(folder)
    except OSError as error:
        return file_error_message(error)
    if not target.is_relative_to(root):
        return OUTSIDE_CONTENT
    if not target.is_dir():
        return "レコードのフォルダであるべき場所にファイルがあります"
    return None


def _load(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    display = display_path(path)
    if not os.path.lexists(path):
        problems.append(Problem(display, 1, 1, "ファイルがありません"))
        return None
    problem = _entry_problem(path, root)
    if problem:
        problems.append(Problem(display, 1, 1, problem))
        return None
    document, found = load_yaml(path, display)
    problems.extend(found)
    return document


def _record(document: Document | None, model: type[BaseModel], problems: list[Problem]):
    if document is None:
        return None
    if not isinstance(document.data, dict):
        problems.append(document.problem((), "レコードはマッピング（キー: 値 の組）で書いてください"))
        return None
    return _validate_model(document, (), document.data, model, problems)


# Reading in parallel: only for this many record files or more (starting a worker costs about as
# much as reading a hundred files), in tasks of this many files.
PARALLEL_FILES = 400
FILES_PER_TASK = 100
TASKS_AHEAD = 4  # for each worker: enough that it never waits while this process reads a task


def _load_files(files: list[RecordFile], root: Path, processes: int | None) -> Iterator[tuple[Document | None, list]]:
    """(document, problems) of each record file, in order: the same whether read here or by a pool.

    With `processes` > 1, a pool of `processes` - 1 workers reads tasks of FILES_PER_TASK files
    from the front, and this process, which checks the documents in order, reads too: whenever the
    task it needs next is not ready, it reads the last task not given to the pool. No process
    waits while there is work, and only what the workers read is pickled.
    """
    processes = _processes(len(files), processes)
    if processes <= 1:
        for path, display, linked in files:
            yield _load_record_file(path, display, linked, root)
        return
    tasks = [(start, min(start + FILES_PER_TASK, len(files))) for start in range(0, len(files), FILES_PER_TASK)]
    workers = processes - 1
    done = 0
    # Forked, the workers have the list of files already: a task is a range of it. Each document
    # comes back as its data and text (its positions, if a problem needs them, are worked out here).
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(files, root, os.getpid()),
    )
    try:
        given: dict[int, Future] = {}  # tasks given to the pool and not yet used, by index
        front, back = 0, len(tasks)  # tasks before `front` went to the pool; from `back` on, read here
        taken: dict[int, list] = {}
        for index, (start, stop) in enumerate(tasks):
            while True:
                # A few tasks ahead for each worker (a task is never taken back: see gh-107219).
                while front < back and len(given) < TASKS_AHEAD * workers:
                    given[front] = pool.submit(_load_task, tasks[front])
                    front += 1
                if index >= back or front >= back or given[index].done():
                    break
                back -= 1
                taken[back] = [_load_record_file(*file, root) for file in files[slice(*tasks[back])]]
            if index >= back:
                loaded = taken.pop(index)
            else:
                results = given.pop(index).result()
                loaded = [
                    (None if portable is None else Document.from_portable(path, display, portable), found)
                    for (path, display, _), (portable, found) in zip(files[start:stop], results, strict=True)
                ]
            for result in loaded:
                done += 1
                yield result
    except BrokenProcessPool:
        # A worker was killed (out of memory, a signal): what it had to read is read here.
        log.warning(
            "ファイルを読むプロセスが途中で終了しました。残りの %d 件はこのプロセスで読みます", len(files) - done
        )
    finally:
        # All read: the workers are idle and end at once. Stopped early (an error, Ctrl-C): not waited for.
        finished = done == len(files)
        pool.shutdown(wait=finished, cancel_futures=not finished)
    for path, display, linked in files[done:]:
        yield _load_record_file(path, display, linked, root)


def _processes(count: int, processes: int | None) -> int:
    """How many processes read `count` files, this one included (by default one for each processor
    it may use): 1 for few files, or where a pool cannot be forked."""
    if processes is None:
        if count < PARALLEL_FILES:
            return 1
        try:
            processes = len(os.sched_getaffinity(0))
        except AttributeError:
            processes = os.cpu_count() or 1
    processes = min(processes, -(-count // FILES_PER_TASK))
    return processes if processes > 1 and _can_fork() else 1


def _can_fork() -> bool:
    """Whether a pool may be forked here. Not beside other threads (a lock one of them holds would
    stay held in the child; spawning fresh interpreters instead would cost more than the reading
    saves), nor in a daemonic process (itself a worker of a pool: it may not have children)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


_worker_files: list[RecordFile] = []
_worker_root: Path | None = None


def _start_worker(files: list[RecordFile], root: Path, parent: int) -> None:
    global _worker_files, _worker_root
    _worker_files, _worker_root = files, root
    threading.Thread(target=_end_with_parent, args=(parent,), name="jirei-validate-parent", daemon=True).start()


def _end_with_parent(parent: int) -> None:
    """Ends this worker once the process that started it is gone: killed, it could not stop its pool,
    and the workers would wait for tasks forever."""
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(1)


def _load_task(task: tuple[int, int]) -> list[tuple[tuple | None, list[Problem]]]:
    start, stop = task
    results = []
    for path, display, linked in _worker_files[start:stop]:
        document, found = _load_record_file(path, display, linked, _worker_root)
        results.append((None if document is None else document.portable(), found))
    return results


def _load_record_file(path: Path, display: str, linked: bool, root: Path) -> tuple[Document | None, list[Problem]]:
    """A listed record file read: a symlink is checked again right before (as _load does). The
    positions of its values are worked out only if a problem is located in it (most have none)."""
    if linked:
        if not os.path.lexists(path):
            return None, [Problem(display, 1, 1, "ファイルがありません")]
        problem = _entry_problem(path, root)
        if problem:
            return None, [Problem(display, 1, 1, problem)]
    return load_yaml(path, display, follow_symlinks=linked, locate_later=True)


def _read_list(path: Path, model: type[BaseModel], root: Path, problems: list[Problem]) -> list:
    document = _load(path, root, problems)
    if document is None:
        return []
    if not isinstance(document.data, list):
        problems.append(document.problem((), "このファイルはリスト（- で始まる項目）で書いてください"))
        return []
    records = []
    for index, item in enumerate(document.data):
        record = _validate_model(document, (index,), item, model, problems)
        if record is not None:
            records.append(((document, (index,)), record))
    return records


# --- model errors in Japanese --------------------------------------------------------------


def _validate_model(document: Document, prefix: tuple, data: Any, model, problems) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            loc = (*prefix, *detail["loc"])
            key = detail["type"] == "extra_forbidden"
            problem = document.problem(loc, _message(detail, model), key=key)
            if (problem.line, problem.column) not in document.refused:  # the reader has told why
                problems.append(problem)
        return None


def _key_name(loc: tuple) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(ファイル全体)"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model that holds the keys at `loc` (list indexes skipped)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return None
        current = _find_model(fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _find_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def closest(word: str, candidates) -> str | None:
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _message(detail: dict, model: type[BaseModel]) -> str:
    loc, kind, ctx = detail["loc"], detail["type"], detail.get("ctx", {})
    key = _key_name(loc)
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"必須のキー「{key}」がありません"
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = list(parent.model_fields) if parent else []
        guess = closest(last, known)
        hint = f"「{guess}」の誤りではありませんか" if guess else f"使えるキー: {', '.join(known)}"
        return f"不明なキー「{last}」です。{hint}"
    if detail.get("input", "") is None and (
        kind.endswith("_type") or kind.startswith("jirei_") or kind == "literal_error"
    ):
        return f"「{key}」が空です。値を書いてください"
    if kind.startswith("jirei_"):
        return f"「{key}」: {detail['msg']}"
    if kind == "string_type":
        return f'「{key}」は文字列で書いてください（数字だけの値は "..." で囲みます）'
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"「{key}」は整数で書いてください（引用符や小数点は付けません）"
    if kind == "bool_type":
        return f"「{key}」は true か false で書いてください"
    if kind == "list_type":
        return f"「{key}」はリスト（- で始まる項目、または [a, b]）で書いてください"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"「{key}」はマッピング（キー: 値 の組）で書いてください"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("' or '", "', '").replace("'", "").split(", ")
        return f"「{key}」は次のいずれかにしてください: {' / '.join(expected)}"
    if kind == "string_too_long":
        return f"「{key}」は {ctx['max_length']} 文字以内にしてください"
    if kind == "string_too_short":
        return f"「{key}」を空にはできません"
    if kind == "too_long":
        return f"「{key}」は {ctx.get('max_length')} 件までにしてください（{ctx.get('actual_length')} 件あります）"
    if kind == "too_short":
        return f"「{key}」には {ctx.get('min_length', 1)} 件以上書いてください"
    if kind == "string_pattern_mismatch":
        if last == "code":
            return f'「{key}」は6桁の数字を引用符で囲んで書いてください（例: "202096"）'
        return f"「{key}」は英小文字・数字・ハイフンで書いてください（例: ina-drone-shopping）"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than"):
        if last in ("fiscal_year",) or (len(loc) >= 2 and loc[-2] == "fiscal_years"):
            return (
                f"「{key}」の年度は {FIRST_FISCAL_YEAR}〜{LAST_FISCAL_YEAR} の西暦で書いてください（令和3年度 = 2021）"
            )
        if kind == "greater_than_equal":
            return f"「{key}」は {ctx['ge']} 以上にしてください（負の値は書けません）"
        if kind == "greater_than":
            return f"「{key}」は {ctx['gt']} より大きくしてください"
        return f"「{key}」は {ctx['le']:,} 以下にしてください（桁の誤りではありませんか）"
    return f"「{key}」の値が正しくありません（{detail['msg']}）"


# --- rules across records ------------------------------------------------------------------


def _check_fields(fields: list, problems: list[Problem]) -> None:
    for attribute in ("no", "name", "slug"):
        seen: dict = {}
        for (document, prefix), record in fields:
            value = getattr(record, attribute)
            if value in seen:
                problems.append(document.problem((*prefix, attribute), f"{attribute}「{value}」が重複しています"))
            seen[value] = True
    for (document, prefix), record in fields:
        expected = COLLECTION_FIELDS[record.no - 1]
        if record.name != expected:
            problems.append(
                document.problem((*prefix, "name"), f"分野番号 {record.no} は「{expected}」です（参考事例集の20分野）")
            )
    if fields:
        missing = [name for name in COLLECTION_FIELDS if name not in {record.name for _, record in fields}]
        if missing:
            document, _ = fields[0][0]
            problems.append(document.problem((), f"20分野のうち次の分野がありません: {'、'.join(missing)}"))


def _check_synonyms(groups: list, problems: list[Problem]) -> None:
    """A term is in one group only, once (compared as search compares them: NFKC, case, kana),
    and holds letters or digits."""
    from generator.search import normalize, runs

    seen: dict[str, str] = {}  # normalised term → the term as first written
    for (document, prefix), group in groups:
        for index, term in enumerate(group.terms):
            key = normalize(term)
            where = (*prefix, "terms", index)
            if not runs(key):
                problems.append(document.problem(where, f"同義語「{term}」には文字か数字を含めてください"))
            elif key in seen:
                problems.append(
                    document.problem(where, f"同義語「{term}」は「{seen[key]}」と同じ語として、すでに挙がっています")
                )
            else:
                seen[key] = term


def _check_programs(programs: list, problems: list[Problem]) -> None:
    ids: dict[str, Any] = {}
    for (document, prefix), program in programs:
        if program.id in ids:
            problems.append(document.problem((*prefix, "id"), f"制度の id「{program.id}」が重複しています"))
        ids[program.id] = program
    for (document, prefix), program in programs:
        if program.successor is None:
            continue
        if program.successor not in ids:
            guess = closest(program.successor, ids)
            hint = f"。「{guess}」の誤りではありませんか" if guess else ""
            problems.append(
                document.problem(
                    (*prefix, "successor"), f"後継制度「{program.successor}」が funding.yaml にありません{hint}"
                )
            )
            continue
        seen, current = {program.id}, ids[program.successor]
        while current is not None:
            if current.id in seen:
                problems.append(
                    document.problem((*prefix, "successor"), f"後継制度のつながりが循環しています（{program.id}）")
                )
                break
            seen.add(current.id)
            current = ids.get(current.successor) if current.successor else None


def _records_data(records: list):
    for document, _ in records:
        if document is not None and isinstance(document.data, dict):
            yield document, document.data


def _check_records(records: list, program_ids: set[str], problems: list[Problem]) -> None:
    """Rules every record type shares, on the raw data: they run even where the model failed."""
    seen_ids: dict[str, str] = {}
    for document, data in _records_data(records):
        record_id, stem = data.get("id"), document.path.stem
        if isinstance(record_id, str):
            if record_id != stem:
                problems.append(document.problem(("id",), f"id「{record_id}」がファイル名「{stem}」と一致しません"))
            if record_id in seen_ids:
                problems.append(
                    document.problem(("id",), f"id「{record_id}」は {seen_ids[record_id]} でも使われています")
                )
            seen_ids.setdefault(record_id, document.display)
        _check_municipality(document, ("municipality",), data.get("municipality"), problems)
        for index, other in _items(data, "similar_municipalities"):
            _check_municipality(document, ("similar_municipalities", index), other, problems)
        _check_duplicate_sources(document, data, problems)
        if program_ids:
            for index, measure in _items(data, "fiscal_measures"):
                _check_program_id(document, ("fiscal_measures", index), measure, program_ids, problems)


def _check_cases(cases: list, field_names: list[str], program_ids: set[str], problems: list[Problem]) -> None:
    for document, data in _records_data(cases):
        if field_names:
            field = data.get("field")
            if isinstance(field, str):
                _check_field_name(document, ("field",), field, field_names, problems)
            for index, name in _items(data, "related_fields"):
                if isinstance(name, str):
                    _check_field_name(document, ("related_fields", index), name, field_names, problems)
                    if name == field:
                        problems.append(
                            document.problem(
                                ("related_fields", index), "related_fields に field と同じ分野は書けません"
                            )
                        )
        if program_ids:
            for index, use in _items(data, "support_programs"):
                program = use.get("program") if isinstance(use, dict) else None
                _check_program_id(document, ("support_programs", index, "program"), program, program_ids, problems)


def _check_program_id(document: Document, loc: tuple, program: Any, program_ids: set[str], problems) -> None:
    if isinstance(program, str) and program not in program_ids:
        guess = closest(program, program_ids)
        hint = f"。「{guess}」の誤りではありませんか" if guess else ""
        problems.append(document.problem(loc, f"支援制度「{program}」が funding.yaml にありません{hint}"))


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _check_postings(postings: list, problems: list[Problem]) -> None:
    for document, data in _records_data(postings):
        application = data.get("application") if isinstance(data.get("application"), dict) else {}
        opens, closes = _as_date(application.get("opens")), _as_date(application.get("closes"))
        if opens and closes and closes < opens:
            problems.append(
                document.problem(("application", "closes"), f"締切日 {closes} が受付開始日 {opens} より前です")
            )
        if data.get("archived") is not True and application.get("closes") is None:
            loc = (
                ("application", "closes")
                if "closes" in application
                else ("application",)
                if "application" in data
                else ()
            )
            problems.append(
                document.problem(
                    loc,
                    "締切日「application.closes」がありません（出典に締切日のない過去の募集は archived: true と書きます）",
                )
            )
        if data.get("archived") is not True and data.get("posted") is None:
            problems.append(
                document.problem(
                    ("posted",) if "posted" in data else (),
                    "公表日「posted」がありません（省略できるのは、出典に日付のない過去の募集で archived: true と書いたものだけです）",
                )
            )
        term = data.get("term") if isinstance(data.get("term"), dict) else {}
        start, end = _as_date(term.get("start")), _as_date(term.get("end"))
        if start and end and end < start:
            problems.append(document.problem(("term", "end"), f"任期の終了日 {end} が開始日 {start} より前です"))
        pay = data.get("compensation") if isinstance(data.get("compensation"), dict) else {}
        low, high = pay.get("min"), pay.get("max")
        if isinstance(low, int) and isinstance(high, int) and high < low:
            problems.append(
                document.problem(
                    ("compensation", "max"), f"報酬の上限 {high:,} 円が下限 {low:,} 円より小さくなっています"
                )
            )


def _check_duplicate_sources(document: Document, data: dict, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for index, source in _items(data, "sources"):
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str):
            if url in seen:
                problems.append(
                    document.problem(("sources", index), f"出典の URL が重複しています: {url}（1件にまとめてください）")
                )
            seen.add(url)


def _items(data: dict, key: str) -> list[tuple[int, Any]]:
    value = data.get(key)
    return list(enumerate(value)) if isinstance(value, list) else []


def _check_municipality(document: Document, loc: tuple, municipality: Any, problems) -> None:
    if not isinstance(municipality, dict):
        return
    code, prefecture, name = (municipality.get(k) for k in ("code", "prefecture", "name"))
    if not all(isinstance(v, str) for v in (code, prefecture, name)):
        return  # the model reports the missing or mistyped key
    message = code_problem(code, prefecture, name)
    if message:
        problems.append(document.problem((*loc, "code"), message))


def _check_field_name(document, loc, name, field_names, problems) -> None:
    if name not in field_names:
        guess = closest(name, field_names)
        hint = f"「{guess}」の誤りではありませんか" if guess else f"分野: {'、'.join(field_names)}"
        problems.append(document.problem(loc, f"分野「{name}」はありません。{hint}"))
