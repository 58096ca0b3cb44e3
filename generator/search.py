"""Search: one normalisation and tokenisation for the browser index, the command line and tests.

Japanese has no spaces, and dictionary segmenters split the index and the query differently
(Pagefind issue #1237). So text is normalised (NFKC, lower case, katakana folded to hiragana)
and cut into runs of letters and digits, and runs into overlapping character bigrams, as
Lucene's CJK analyzer does. A word of the query matches where its bigrams stand at consecutive
positions (a phrase), a one-character word wherever the character occurs; a page matches when
it contains every word. That is substring search on the normalised text, with two refinements:

- Latin words match as words: every run of ASCII letters and digits is framed by a mark
  (U+0001, never in a record) before the bigrams are taken, so 「ai」 is the phrase
  ␁a·ai·i␁ and does not match "affairs" but does match 「AIカメラ」.
- A query word is cut where Latin letters meet Japanese (「AIチャット」 → ai, ちゃっと), so
  it finds 「AIがチャットで回答」 as well as 「AIチャット」.

Synonyms (content/taxonomy/synonyms.yaml) are applied when the documents are made: a line
of a page that uses one spelling of a group is added to its `variants` with the others, so the
browser and the command line find 買物 wherever 買い物 is written, with the same index.

generator/assets/search.js implements the same `normalize`, `runs`, marks and query words for
the browser; tests/test_browser_search.py checks that both agree.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh.analysis import Token, Tokenizer

from generator import urls
from generator.catalog import Catalog, wareki_fiscal_year
from generator.errors import visible
from generator.render import plain_text

log = logging.getLogger(__name__)

DOCUMENTS_FILE = "search/documents.json"
TYPE_LABELS = {"case": "事例", "posting": "求人", "advisor": "アドバイザー制度", "program": "支援制度"}

_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6


_HIRAGANA = {code: code - 0x60 for code in range(_KATAKANA_START, _KATAKANA_END + 1)}


def normalize(text: str) -> str:
    """NFKC, lower case, katakana → hiragana (ー and ヴ kept as they fold in NFKC)."""
    return unicodedata.normalize("NFKC", text).lower().translate(_HIRAGANA)


_WORD_CHARS: dict[str, bool] = {}  # character → letter, digit or mark (the common ones, remembered)


def is_word_char(ch: str) -> bool:
    """A letter, a digit or a mark: the characters of a run."""
    known = _WORD_CHARS.get(ch)
    if known is None:
        known = unicodedata.category(ch)[0] in "LNM"
        if len(_WORD_CHARS) < 0x10000:
            _WORD_CHARS[ch] = known
    return known


def runs(normalized: str) -> list[str]:
    """Maximal runs of letters, digits and marks.

    Each distinct character is classified once: the others become spaces and the text is split
    (no letter, digit or mark is white space)."""
    separators = {ord(ch): " " for ch in set(normalized) if not is_word_char(ch)}
    return normalized.translate(separators).split()


MARK = "\x01"  # frames a Latin word; a control character, which no record may contain
_LATIN = re.compile(r"[a-z0-9]+")
# Where ASCII letters meet a non-ASCII character: a query word is cut there (AIチャット → ai ちゃっと).
_SCRIPT_BOUNDARY = re.compile(r"(?<=[a-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[a-z])")


def mark(normalized: str) -> str:
    """Each run of ASCII letters and digits framed by MARK: 「aiかめら」 → 「␁ai␁かめら」."""
    return _LATIN.sub(lambda m: MARK + m.group() + MARK, normalized)


def marked_runs(normalized: str) -> list[str]:
    """The runs with their Latin words marked: what the bigrams are taken from."""
    return [mark(run) for run in runs(normalized)]


def tokens(normalized: str) -> list[str]:
    """Index tokens: every bigram of every marked run of two characters or more."""
    return [run[i : i + 2] for run in marked_runs(normalized) for i in range(len(run) - 1)]


def query_words(query: str) -> list[str]:
    """The words of a query, normalised and cut where Latin letters meet Japanese; a page must
    contain every one."""
    return [part for word in normalize(query).split() for part in _SCRIPT_BOUNDARY.split(word) if runs(part)]


def crosses_punctuation(word: str) -> bool:
    """A word that is not one run ("wi-fi", "「ai」"): index matches are checked against the text."""
    found = runs(word)
    return len(found) != 1 or found[0] != word


def searchable(text: str) -> str:
    """A text as words are looked for in it: normalised, Latin words marked."""
    return mark(normalize(text))


def matches(text: str, words: list[str]) -> bool:
    """Every word is in the text (the truth the indexes are measured against)."""
    marked = searchable(text)
    return all(mark(word) in marked for word in words)


# --- documents: the text of the built pages -----------------------------------------------


@dataclass
class SearchDocument:
    url: str  # site-relative, e.g. cases/ina-drone-shopping/
    type: str  # case | posting | advisor | program
    title: str
    place: str  # municipality, or the administrator of a program
    field: str  # 事業分野, or the record type's label
    text: str  # what the record itself says (excerpts are taken from it)
    filters: dict[str, list[str]] = field(default_factory=dict)
    names: str = ""  # the page's other names (a program's aliases): a match ranks like the title
    keys: str = ""  # tags and the programs used (names and aliases): a match ranks next
    variants: str = ""  # lines of the page with another spelling of a synonym (normalised)
    lineage: str = ""  # names of the predecessors and successors of the programs a case used

    def parts(self) -> list[str]:
        """The texts a word is looked for in, best place first: title and names, keys, the rest."""
        return [self.title + "\n" + self.names, self.keys, self.text + "\n" + self.variants]

    def content(self) -> str:
        """Everything that makes a page a match (not the lineage: that finds related pages)."""
        return "\n".join(self.parts())


def _lines(*parts) -> str:
    """Non-empty parts, one per line; lists joined with 「、」."""
    lines = []
    for part in parts:
        if isinstance(part, (list, tuple)):
            part = "、".join(str(p) for p in part if p)
        if part:
            lines.append(str(part))
    return "\n".join(lines)


def _program_words(catalog: Catalog, ids) -> list[str]:
    """Names and aliases of programs: a case is found by デジ田 as well as by the full name."""
    return [word for i in ids for word in (catalog.programs[i].name, *catalog.programs[i].aliases)]


def case_text(catalog: Catalog, entry) -> str:
    """What a case says, from the record: its own text first (the excerpt starts there)."""
    case = entry.case
    return _lines(
        plain_text(case.summary),
        plain_text(case.background),
        plain_text(case.advice),
        plain_text(case.outcomes),
        [u.note for u in case.support_programs],
        case.department,
        case.awards,
        [c.note for c in case.costs],
        f"{entry.place}（{entry.government.kind}、人口 {case.population:,}人）",
        entry.field.name,
        [catalog.field_by_name[name].name for name in case.related_fields],
    )


def case_keys(catalog: Catalog, entry) -> str:
    case = entry.case
    return _lines(case.tags, _program_words(catalog, [u.program for u in case.support_programs]))


def case_lineage(catalog: Catalog, entry) -> str:
    """Names and aliases of the programs before and after those the case used (not those themselves)."""
    used = [u.program for u in entry.case.support_programs]
    related = [p for i in used for p in (*catalog.ancestors(i), *catalog.descendants(i)) if p not in used]
    return _lines(_program_words(catalog, dict.fromkeys(related)))


def posting_text(catalog: Catalog, entry) -> str:
    posting = entry.posting
    application = posting.application
    return _lines(
        plain_text(posting.duties),
        plain_text(posting.requirements),
        posting.role,
        posting.workload,
        posting.compensation.note if posting.compensation else None,
        application.method if application else None,
        application.contact if application else None,
        f"{entry.place}、{posting.employment}、リモート勤務{posting.remote}、{entry.status.label}",
    )


def advisor_text(catalog: Catalog, advisor) -> str:
    return _lines(
        plain_text(advisor.summary),
        advisor.dispatch,
        advisor.personnel,
        advisor.cost_to_municipality,
        advisor.fiscal_support,
        advisor.eligibility,
        advisor.application,
        advisor.administrator,
    )


def program_text(catalog: Catalog, program) -> str:
    return _lines(
        plain_text(program.description),
        f"{program.ministry}、{program.kind}",
        program.rate,
        program.period,
    )


def synonym_groups(catalog: Catalog) -> list[list[str]]:
    """The content's synonym groups (content/taxonomy/synonyms.yaml), normalised."""
    return [list(dict.fromkeys(normalize(term) for term in group.terms)) for group in catalog.synonyms]


def variants(text: str, groups: list[list[str]]) -> str:
    """Each line of `text` that uses a term of a group, once with each other term of the group
    (normalised; Latin terms replaced only as whole words)."""
    found: list[str] = []
    for line in normalize(text).split("\n"):
        marked = mark(line)
        for group in groups:
            present = [term for term in group if mark(term) in marked]
            for term in present:
                for other in group:
                    if other not in present:
                        found.append(marked.replace(mark(term), mark(other)).replace(MARK, ""))
    return "\n".join(dict.fromkeys(found))


def search_documents(catalog: Catalog) -> list[SearchDocument]:
    """One document per case, posting, advisor program and funding program, from the records
    (not from the built pages: a case is found by what it says, not by the titles its page links to)."""
    documents = []
    groups = synonym_groups(catalog)

    def add(
        url: str,
        kind: str,
        title: str,
        place: str,
        field_label: str,
        filters: dict[str, list[str]],
        text: str,
        names: str = "",
        keys: str = "",
        lineage: str = "",
    ):
        filters = {key: sorted(set(values)) for key, values in filters.items() if values}
        document = SearchDocument(
            url, kind, title, place, field_label, text, {"type": [TYPE_LABELS[kind]], **filters}, names, keys
        )
        document.variants = variants(document.content(), groups)
        document.lineage = lineage
        documents.append(document)

    for entry in catalog.cases:
        case = entry.case
        years = {y for use in case.support_programs for y in use.fiscal_years}
        years |= {c.fiscal_year for c in case.costs if c.fiscal_year}
        add(
            entry.url,
            "case",
            case.title,
            entry.place,
            entry.field.name,
            {
                "field": [entry.field.name],
                "band": [entry.band.label],
                "kind": [entry.kind.label],
                "funding": [catalog.programs[u.program].name for u in case.support_programs],
                "prefecture": [entry.prefecture.name],
                "year": [wareki_fiscal_year(y) for y in years],
                "tag": list(case.tags),
            },
            case_text(catalog, entry),
            keys=case_keys(catalog, entry),
            lineage=case_lineage(catalog, entry),
        )
    for entry in catalog.postings:
        posting = entry.posting
        add(
            entry.url,
            "posting",
            posting.title,
            entry.place,
            TYPE_LABELS["posting"],
            {
                "prefecture": [entry.prefecture.name],
                "funding": [catalog.programs[i].name for i in posting.fiscal_measures],
                "employment": [posting.employment],
                "remote": [posting.remote],
                "status": [entry.status.label],
            },
            posting_text(catalog, entry),
            keys=_lines(posting.skills, _program_words(catalog, posting.fiscal_measures)),
        )
    for advisor in catalog.advisors:
        add(
            urls.url("advisor", advisor.id),
            "advisor",
            advisor.name,
            advisor.administrator,
            TYPE_LABELS["advisor"],
            {
                "funding": [catalog.programs[i].name for i in advisor.fiscal_measures],
                "tag": list(advisor.themes),
            },
            advisor_text(catalog, advisor),
            keys=_lines(advisor.themes, _program_words(catalog, advisor.fiscal_measures)),
        )
    for program in catalog.programs.values():
        add(
            urls.url("program", program.id),
            "program",
            program.name,
            program.ministry,
            TYPE_LABELS["program"],
            {
                "funding": [program.name],
            },
            program_text(catalog, program),
            names=_lines(program.aliases),
        )
    return documents


def write_documents(documents: list[SearchDocument], site: Path) -> None:
    path = site / DOCUMENTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    data = [asdict(d) for d in documents]
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_documents(site: Path) -> list[SearchDocument]:
    data = json.loads((site / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    return [SearchDocument(**item) for item in data]


# --- command line: a whoosh index of the documents ----------------------------------------

CACHE_ENV = "JIREI_CACHE_DIR"
READY = "READY"  # written last: the number of documents and a SHA-256 of every file of the entry
STALE_SECONDS = 24 * 60 * 60  # a temporary folder this old belongs to a search that died
UNUSED_SECONDS = 30 * 24 * 60 * 60  # an entry not used for this long is removed
FILTER_KEYS = {
    "field": "field",
    "funding": "funding",
    "population": "band",
    "kind": "government",
    "prefecture": "prefecture",
    "type": "type",
}
# The index's filter fields and the search documents' filters they hold ("kind" is the index's
# name for the page type, so the kind of local government is "government" there).
INDEX_FILTERS = {
    "type": "type",
    "field": "field",
    "band": "band",
    "government": "kind",
    "funding": "funding",
    "prefecture": "prefecture",
}


class _TermTokenizer(Tokenizer):
    """A whoosh tokenizer that yields the terms `terms` finds in a text."""

    def terms(self, value: str) -> list[str]:
        raise NotImplementedError

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, text in enumerate(self.terms(value) if tokenize else [value]):
            token.text, token.boost, token.stopped = text, 1.0, False
            if positions:
                token.pos = start_pos + position
            yield token


class BigramTokenizer(_TermTokenizer):
    """Text → the bigrams of `tokens` (field "text")."""

    def terms(self, value: str) -> list[str]:
        return tokens(normalize(value))


class CharacterTokenizer(_TermTokenizer):
    """Text → each distinct letter or digit once (field "chars", for one-character words)."""

    def terms(self, value: str) -> list[str]:
        return sorted({ch for run in runs(normalize(value)) for ch in run})


def _schema():
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

    keyword = {"stored": False, "commas": True, "lowercase": False}
    return Schema(
        url=ID(stored=True, unique=True),
        kind=ID(stored=True),
        title=STORED,
        parts=STORED,  # the marked texts of SearchDocument.parts() and the lineage, to check and rank
        text=TEXT(analyzer=BigramTokenizer(), phrase=False),
        chars=TEXT(analyzer=CharacterTokenizer(), phrase=False),
        **{name: KEYWORD(**keyword) for name in INDEX_FILTERS},
    )


def _add_documents(ix, documents: list[SearchDocument]) -> None:
    writer = ix.writer(limitmb=256)
    for d in documents:
        writer.add_document(
            url=d.url,
            kind=d.type,
            title=d.title,
            parts=[searchable(part) for part in [*d.parts(), d.lineage]],
            text=d.content() + "\n" + d.lineage,
            chars=d.content(),
            **{name: ",".join(d.filters.get(key, [])) for name, key in INDEX_FILTERS.items()},
        )
    writer.commit()


def build_index(documents: list[SearchDocument], folder: Path) -> None:
    from whoosh import index

    folder.mkdir(parents=True, exist_ok=True)
    _add_documents(index.create_in(str(folder), _schema()), documents)


def memory_storage():
    """whoosh's RamStorage, whose writer sorts in a temporary folder of its own.

    RamStorage's writer otherwise uses the fixed folder /tmp/MAIN.tmp: two processes indexing at
    once (two builds, a build and a search) delete each other's files there. The private folder
    goes when the storage does.
    """
    import weakref

    from whoosh.filedb.filestore import FileStorage, RamStorage

    class _Storage(RamStorage):
        def temp_storage(self, name=None):
            if not hasattr(self, "_temporary"):
                self._temporary = tempfile.mkdtemp(prefix="jirei-whoosh-")
                weakref.finalize(self, shutil.rmtree, self._temporary, True)
            return FileStorage(os.path.join(self._temporary, name or "temp")).create()

    return _Storage()


def memory_index(documents: list[SearchDocument]):
    """The index in memory, for when no cache folder can be written."""
    ix = memory_storage().create_index(_schema())
    _add_documents(ix, documents)
    return ix


class DocumentsError(Exception):
    """The search documents of a built site cannot be read or are not what jirei build writes."""


def _is_strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def parse_documents(data: bytes) -> list[SearchDocument]:
    """The documents of a documents.json file, checked (the file may have been damaged or edited)."""
    try:
        items = json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise DocumentsError("JSON として読めません") from error
    documents = []
    texts = ("url", "type", "title", "place", "field", "text", "names", "keys", "variants", "lineage")
    for item in items if isinstance(items, list) else [None]:
        if (
            not isinstance(item, dict)
            or set(item) != {*texts, "filters"}
            or not all(isinstance(item[key], str) for key in texts)
            or item["type"] not in TYPE_LABELS
            or not isinstance(item["filters"], dict)
            or not all(isinstance(key, str) and _is_strings(value) for key, value in item["filters"].items())
        ):
            raise DocumentsError("検索用の文書の形式が正しくありません")
        documents.append(SearchDocument(**item))
    return documents


def cache_dir() -> Path | None:
    """The user's cache folder for search indexes, or None where there is none.

    $JIREI_CACHE_DIR, else $XDG_CACHE_HOME/jirei/search, else ~/.cache/jirei/search; never a
    folder relative to the working directory unless JIREI_CACHE_DIR says so.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative path
        return Path(xdg) / "jirei" / "search"
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no home folder known
        return None
    return home / ".cache" / "jirei" / "search" if home.is_absolute() else None


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.name != READY}


def _open_entry(folder: Path):
    """The cached index in `folder` if it is complete and unchanged since it was built, else None."""
    from whoosh import index

    try:
        ready = json.loads((folder / READY).read_text(encoding="utf-8"))
        expected = ready["documents"]
        if _fingerprint(folder) != ready["files"]:
            return None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    try:
        ix = index.open_dir(str(folder), readonly=True)
        with ix.searcher() as searcher:
            if searcher.doc_count_all() == expected:
                return ix
    except Exception:  # a damaged entry: whoosh fails in many ways (EOFError, struct.error, pickle...)
        log.debug("damaged search cache entry %s", folder, exc_info=True)
    return None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _install(built: Path, folder: Path) -> None:
    """Rename the finished `built` folder to `folder` (atomic). A complete entry another search
    put there first is kept; a broken one is moved aside and removed."""
    for _ in range(5):
        try:
            os.rename(built, folder)
            return
        except OSError:
            if not folder.exists() and not folder.is_symlink():
                continue  # removed meanwhile by another search replacing it: try again
        if _open_entry(folder) is not None:
            return  # another search won the race: use its entry (the caller removes `built`)
        aside = folder.with_name(f".{folder.name}-{uuid.uuid4().hex}.old")
        try:
            os.rename(folder, aside)
        except FileNotFoundError:
            continue
        _remove(aside)
    raise OSError(f"cannot install {built} as {folder}")


def _remove_stale(cache: Path) -> None:
    """Temporary folders left behind by searches that were killed, and entries unused for a month."""
    now = time.time()
    with contextlib.suppress(OSError):
        for path in cache.iterdir():
            temporary = path.name.startswith(".") and path.name.endswith((".tmp", ".old"))
            entry = len(path.name) == 16 and all(ch in "0123456789abcdef" for ch in path.name)
            with contextlib.suppress(OSError):
                age = now - path.lstat().st_mtime
                if (temporary and age > STALE_SECONDS) or (entry and age > UNUSED_SECONDS):
                    _remove(path)


def cache_key(data: bytes) -> str:
    """The name of a documents file's entry: its content, this module's code and whoosh's version
    (an index built by other code may tokenise differently)."""
    import whoosh

    code = Path(__file__).read_bytes() + whoosh.versionstring().encode()
    return hashlib.sha256(hashlib.sha256(code).digest() + data).hexdigest()[:16]


def open_index(documents_path: Path, cache: Path | None = None):
    """The whoosh index of a documents file, built once and kept in the cache by content hash.

    `cache` defaults to `cache_dir()`. An entry is built in a temporary folder beside its final
    place and renamed into place when complete, so concurrent searches never see half an entry;
    an entry without its READY marker, or changed since, is built again.
    Where the cache cannot be written the index is built in memory. Raises DocumentsError for a
    documents file that cannot be read or is not one jirei build writes.
    """
    try:
        data = documents_path.read_bytes()
    except OSError as error:
        raise DocumentsError("ファイルを読めません") from error
    cache = cache if cache is not None else cache_dir()
    folder = cache / cache_key(data) if cache is not None else None
    if folder is not None:
        ix = _open_entry(folder)
        if ix is not None:
            with contextlib.suppress(OSError):
                os.utime(folder)  # used: kept for another month
            return ix
    documents = parse_documents(data)
    if folder is None:
        return memory_index(documents)
    built = None
    try:
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
        built = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", suffix=".tmp", dir=cache))
        build_index(documents, built)
        ready = {"documents": len(documents), "files": _fingerprint(built)}
        (built / READY).write_text(json.dumps(ready), encoding="utf-8")
        _install(built, folder)
        ix = _open_entry(folder)
        if ix is not None:
            _remove_stale(cache)
            return ix
    except OSError:
        log.debug("search cache %s not writable", cache, exc_info=True)
    finally:
        if built is not None:
            _remove(built)  # gone after a successful rename
    log.warning(
        f"検索の索引をキャッシュ（{visible(str(cache))}）に保存できないため、メモリ上に作って検索します"
        f"（保存先は環境変数 {CACHE_ENV} で変えられます）。"
    )
    return memory_index(documents)


def program_names(ix) -> dict[str, str]:
    """Funding program id → name, from the index's stored fields."""
    with ix.searcher() as searcher:
        return {d["url"].strip("/").rsplit("/", 1)[-1]: d["title"] for d in searcher.documents(kind="program")}


@dataclass(frozen=True)
class Hit:
    id: str
    type: str
    title: str
    url: str
    score: float
    related: bool = False  # found by a predecessor or successor of a program the case used


# A word's rarest bigrams are enough to find its candidates; the text check makes it exact.
BIGRAMS_PER_WORD = 3
TYPE_RANK = {"case": 0, "posting": 1, "advisor": 2, "program": 3}
RELATED = 3  # the place of a match found only in the lineage


def _word_query(searcher, word: str):
    """The rarest bigrams of the word, and every lone character: a necessary condition."""
    from whoosh.query import And, Term

    parts, grams = [], set()
    for run in marked_runs(word):
        if len(run) == 1:
            parts.append(Term("chars", run))
        else:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    rarest = sorted(grams, key=lambda gram: (searcher.doc_frequency("text", gram), gram))[:BIGRAMS_PER_WORD]
    parts.extend(Term("text", gram) for gram in rarest)
    return parts[0] if len(parts) == 1 else And(parts)


def match_place(parts: list[str], words: list[str]) -> int | None:
    """Where a page matches every word, from marked `parts` (title and names, keys, text, lineage):
    0 when every word is in the title or names, 1 in those or the keys, 2 in the page, RELATED when
    only the lineage completes the match; None when some word is nowhere."""
    place = 0
    for word in words:
        marked = mark(word)
        found = [i for i, part in enumerate(parts[:RELATED]) if marked in part]
        if found:
            place = max(place, found[0])
        elif marked in parts[RELATED] and all(len(run) > 1 for run in marked_runs(word)):
            place = RELATED  # (one character is looked for in the pages' own text only, as in the browser)
        else:
            return None
    return place


def search_index(ix, query: str, filters: dict[str, list[str]], limit: int = 10) -> list[Hit]:
    """Pages that contain every word of the query (after normalisation), best first: pages whose
    title, names, tags or programs hold every word before the rest, cases before other pages,
    then by whoosh's score; after them, cases found only through a predecessor or successor of a
    program they used (`Hit.related`).

    whoosh finds the pages holding the rarest bigrams of every word; each is then checked
    against its stored text, which makes the match exact.
    """
    from whoosh.query import And, Every, Or, Term

    words = query_words(query)
    filter_conditions = [Or([Term(FILTER_KEYS[key], v) for v in values]) for key, values in filters.items() if values]
    if not words and not filter_conditions:
        return []
    with ix.searcher() as searcher:
        conditions = [_word_query(searcher, w) for w in words] + filter_conditions
        whoosh_query = conditions[0] if len(conditions) == 1 else And(conditions)
        if not words:
            whoosh_query = And([Every(), whoosh_query])
        ranked = []
        for result in searcher.search(whoosh_query, limit=None):
            place = match_place(result["parts"], words)
            if place is None:
                continue
            url = result["url"]
            hit = Hit(
                url.rstrip("/").rsplit("/", 1)[-1],
                result["kind"],
                result["title"],
                url,
                round(result.score, 4),
                place == RELATED,
            )
            ranked.append(((place == RELATED, min(place, 2), TYPE_RANK[hit.type], -hit.score, url), hit))
    return [hit for _, hit in sorted(ranked)[:limit]]
