"""Give the pages to MkDocs (from memory), run it, swap the result into the site directory.

This is the only module that imports MkDocs: moving to another engine touches this file.
Nothing is written until every record is known good, and the previous site is replaced only
when the new one is complete. `jirei build` replaces only a folder that a previous build made
(it holds the marker file `.jirei-site`), never the content, the repository or other files.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import gc
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import perf_counter

from generator.browser_index import write_bundle
from generator.catalog import Catalog, RelatedMemo
from generator.errors import UsageError, UserError, display_path
from generator.feeds import render_feeds
from generator.forked import Forked, beside, can_fork
from generator.links import LinkMemo, check_pages, page_url
from generator.opendata import DataMemo, data_files
from generator.render import RenderMemo, render_pages, template_cache
from generator.search import search_documents, write_documents
from generator.urls import DEFAULT_SITE_URL
from generator.validate import ValidationMemo, validate_content

log = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class BuildReport:
    cases: int
    pages: int
    stages: dict[str, float] = field(default_factory=dict)  # stage name → seconds
    incremental: bool = False  # the engine rendered only the pages that changed
    site: Path | None = None  # the folder of the site: site_dir, or the engine's for a direct session


STAGE_LABELS = {
    "validate": "検証",
    "render": "ページの作成",
    "links": "リンクの確認",
    "compare": "変更の確認",
    "mkdocs": "MkDocs",
    "copy": "コピー",
    "search (waiting)": "検索索引",
    "replace": "入れ替え",
}


class _Stages:
    """Wall time of each stage of a build, in order, and its progress for whoever watches."""

    def __init__(self, progress: Progress | None = None):
        self.seconds: dict[str, float] = {}
        self.progress = progress

    @contextlib.contextmanager
    def __call__(self, name: str, total: int = 1, shown: bool = True):
        """Time a stage (a stage timed twice adds up); `shown=False` keeps its progress untold."""
        started = perf_counter()
        counter = _Counter(STAGE_LABELS.get(name, name), total, self.progress if shown else None)
        counter.set(0)
        try:
            yield counter
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + perf_counter() - started
            counter.set(counter.total)


class _Counter:
    """Items done of a stage, told to the progress display."""

    def __init__(self, label: str, total: int, progress: Progress | None):
        self.label, self.total, self.done, self.progress = label, total, 0, progress

    def set(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total or self.total
        if self.progress:
            self.progress(self.label, min(self.done, self.total), self.total)


def mkdocs_config_file() -> Path:
    """The project's mkdocs.yml: the theme and navigation of the site."""
    return PROJECT / "mkdocs.yml"


def configured_site_url() -> str:
    """The site_url of mkdocs.yml, where the site is published (a real build never puts localhost
    into its feeds, sitemap and canonical URLs); DEFAULT_SITE_URL only when it names none."""
    found = re.search(
        r"(?m)^site_url:[ \t]*[\"']?(https?://[^\s\"'#]+)", mkdocs_config_file().read_text(encoding="utf-8")
    )
    return found[1] if found else DEFAULT_SITE_URL


Progress = Callable[[str, int, int], None]  # stage, items done, items in all


@dataclass
class BuildSession:
    """What a build keeps for the next one in the same process (`jirei serve`): the records of the
    files that did not change are not read again, and the pages whose inputs did not change are not
    rendered again. A change of the templates needs `templates_changed()`.

    A `direct` session publishes the engine's own folder (BuildReport.site) instead of a copy in
    site_dir: a preview's pages change in place, file by file, while the engine writes them."""

    direct: bool = False

    validation: ValidationMemo = field(default_factory=ValidationMemo)
    rendering: RenderMemo = field(default_factory=RenderMemo)
    related: RelatedMemo = field(default_factory=RelatedMemo)
    engine_env: tuple | None = None  # (what MkDocs' theme depends on, its Jinja environment)
    search: tuple | None = None  # the search index being built for the last site: (Forked, folder, site)
    links: LinkMemo = field(default_factory=LinkMemo)
    opendata: DataMemo = field(default_factory=DataMemo)  # the encoded rows of the open data
    digests: dict[str, tuple] = field(default_factory=dict)  # the files the engine was given: (content, digest)
    checked: dict[str, str] = field(default_factory=dict)  # pages whose front matter was checked

    def templates_changed(self) -> None:
        self.rendering = RenderMemo()

    def search_ready(self) -> bool:
        """Put the search index of the last build in its site when it is ready (the pages of a
        session's build are there before it); True when it is in place."""
        if self.search is None:
            return True
        forked, folder, site_dir = self.search
        if not forked.ready():
            return False
        self.search = None
        forked.result()
        for item in sorted((folder / "search").iterdir()):
            replace_item(item, site_dir / "search" / item.name)
        shutil.rmtree(folder, ignore_errors=True)
        return True

    def stop_search(self) -> None:
        """The search index of the last build is no longer wanted: a new build starts, or the session ends."""
        if self.search is not None:
            self.search[0].stop()
            shutil.rmtree(self.search[1], ignore_errors=True)
            self.search = None


def build_site(
    content_dir: Path,
    site_dir: Path,
    today: date,
    site_url: str | None = None,
    progress: Progress | None = None,
    session: BuildSession | None = None,
) -> BuildReport:
    """Validate, render, run the engine, write the search index, swap the new site in.

    `progress`, if given, is told of each stage and its items as they are done. A `session` kept
    from one build to the next makes the next faster (see BuildSession); the site is the same."""
    check_site_dir(site_dir, content_dir)
    if session is not None:  # `jirei serve` sets its collector aside from its builds (serve._tidy_memory)
        session.stop_search()
        return _build_site(content_dir, site_dir, today, site_url, progress, session)
    with _collecting_for_one_build():
        return _build_site(content_dir, site_dir, today, site_url, progress, None)


GC_YOUNGEST = 20_000  # allocations between collections of the youngest generation in a build (Python: 700)


@contextlib.contextmanager
def _collecting_for_one_build():
    """Python's cycle collector set for one build, and as it was after: a build allocates millions
    of objects that live to its end (records, pages), few of them garbage in cycles. The youngest
    generation is collected less often, and what lives after the pages are made is set aside from
    the collector (gc.freeze, see _build_site) until the build ends, when it is collected again."""
    threshold = gc.get_threshold()
    gc.set_threshold(GC_YOUNGEST, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _build_site(
    content_dir: Path,
    site_dir: Path,
    today: date,
    site_url: str | None,
    progress: Progress | None,
    session: BuildSession | None,
) -> BuildReport:
    stage = _Stages(progress)
    with stage("validate"):
        content, problems = validate_content(content_dir, memo=session and session.validation)
    if problems:
        raise UserError(problems)
    site_url = site_url or os.environ.get("JIREI_SITE_URL") or configured_site_url()
    with stage("render") as counter:
        catalog = Catalog(content, today, session and session.related)
        # The feeds and the open data need no page: a cold build makes them on the other core while
        # the pages are rendered (a session's build makes them here, from what it keeps).
        if session is None:
            making_files = beside(site_files, catalog, site_url, content_dir)
        else:
            making_files = contextlib.nullcontext(
                functools.partial(site_files, catalog, site_url, content_dir, session.opendata)
            )
        with making_files as made_files:
            pages = render_pages(catalog, counter.set, session and session.rendering, site_url)
            check_page_metadata(pages, session and session.checked)
            files = made_files()
    with stage("links"):
        shown_as = Path(os.path.abspath(site_dir))
        broken = check_pages(pages, files, shown_as, session and session.links)
    if broken:
        raise UserError(broken)
    if session is None:
        # The records and pages live to the end of the build: no collection needs to go through
        # them again, and the processes forked from here (MkDocs' second half, the search index)
        # share their memory instead of copying the pages a collection would touch.
        gc.freeze()

    # All data is gathered and valid: writing starts here, in a folder beside the site.
    site_dir = Path(os.path.abspath(site_dir))
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(site_dir.parent)
    cache = site_dir.parent / f"{CACHE_PREFIX}{site_dir.name}"
    with (
        _locked(cache),
        tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=site_dir.parent) as work,
    ):
        built = Path(work) / "site"
        direct = session is not None and session.direct
        # The search index needs only the records: it is built on the other core while MkDocs runs.
        # A session's build (the preview) does not wait for it: its site has the previous index
        # until search_ready() puts the new one in.
        searched = cache / "search-pending" if session is not None else Path(work) / "search"
        shutil.rmtree(searched, ignore_errors=True)
        search = Forked(write_search, catalog, searched)
        try:
            engine_output, incremental = run_engine(pages, files, cache, today, site_url, stage, session)
            if direct:
                built = engine_output  # the preview serves the engine's folder itself
            else:
                with stage("copy"):
                    # Hard links: the engine replaces a file rather than writing into it (_run_mkdocs),
                    # so the next build in the cache leaves this site's files as they are.
                    link_tree(engine_output, built)
            if session is not None and not search.ready():
                if not direct:
                    _link_previous_search(site_dir, built)
                session.search, search = (search, searched, built if direct else site_dir), None
            else:
                with stage("search (waiting)"):
                    search.result()
                for item in sorted((searched / "search").iterdir()):
                    replace_item(item, built / "search" / item.name)
        finally:
            if search is not None:
                search.stop()
        if not direct:
            with stage("replace"):
                (built / SITE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
                later = functools.partial(_remove_later, beside=site_dir.parent)
                replace_directory(built, site_dir, later if session is not None else shutil.rmtree)
    return BuildReport(
        cases=len(catalog.cases),
        pages=len(pages),
        stages=stage.seconds,
        incremental=incremental,
        site=built if direct else site_dir,
    )


def _link_previous_search(site_dir: Path, built: Path) -> None:
    """The search files of the site now published, into the new site (hard links)."""
    previous = site_dir / "search"
    if not previous.is_dir() or previous.is_symlink():
        return
    for item in previous.iterdir():
        target = built / "search" / item.name
        if os.path.lexists(target):
            continue  # the search page itself, from the engine
        if item.is_dir() and not item.is_symlink():
            link_tree(item, target)
        elif item.is_file() and not item.is_symlink():
            os.link(item, target)


def site_files(catalog: Catalog, site_url: str, content_dir: Path, memo: DataMemo | None = None) -> dict[str, bytes]:
    """The files of the site besides its pages, by site path: the feeds, the open data and the
    assets (which the engine copies as they are)."""
    files = render_feeds(catalog, site_url, content_dir)
    files.update(data_files(catalog, site_url, content_dir, memo))
    for path in ASSETS.rglob("*"):
        if path.is_file():
            files[f"assets/{path.relative_to(ASSETS).as_posix()}"] = path.read_bytes()
    return files


def link_tree(source: Path, target: Path) -> None:
    """A copy of the folder `source` at `target` (which must not exist) whose files are hard links
    to those of `source`: what `shutil.copytree(source, target, copy_function=os.link)` makes, with
    fewer system calls (no folder's times and mode are copied, no file is looked at twice).
    A symbolic link is copied as a link."""
    os.mkdir(target)
    with os.scandir(source) as entries:
        for entry in entries:
            inside = os.path.join(target, entry.name)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), inside)
            elif entry.is_dir():
                link_tree(entry.path, inside)
            else:
                os.link(entry.path, inside)


def write_search(catalog: Catalog, folder: Path) -> None:
    """The search documents and the browser's index, under folder/search/."""
    documents = search_documents(catalog)
    write_documents(documents, folder)
    write_bundle(documents, folder)


def write_docs_folder(content_dir: Path, docs: Path, today: date, site_url: str = DEFAULT_SITE_URL) -> int:
    """The Markdown pages and files jirei hands to MkDocs, written to `docs` (for benchmarks that
    run another engine on the same pages). Returns the number of pages."""
    content, problems = validate_content(content_dir)
    if problems:
        raise UserError(problems)
    catalog = Catalog(content, today)
    pages = render_pages(catalog, site_url=site_url)
    write_docs(pages, site_files(catalog, site_url, content_dir), docs)
    return len(pages)


# --- the site folder: what may be replaced ---------------------------------------------------

SITE_MARKER = ".jirei-site"
MARKER_TEXT = "このフォルダは jirei build が生成したサイトです。次の jirei build がフォルダごと置き換えます。\n"
WORK_PREFIX = ".jirei-build-"
OLD_PREFIX = ".jirei-old-"
_LEFTOVER = re.compile(rf"({re.escape(WORK_PREFIX)}|{re.escape(OLD_PREFIX)})(\d+)-")


def check_site_dir(site_dir: Path, content_dir: Path) -> None:
    """Refuse a site folder whose replacement would destroy anything but a previous site."""
    shown = display_path(site_dir)
    if site_dir.is_symlink():
        raise UsageError(f"サイトの出力先 {shown} はシンボリックリンクです。フォルダを直接指定してください")
    if site_dir.exists() and not site_dir.is_dir():
        raise UsageError(f"サイトの出力先 {shown} はファイルです。フォルダを指定してください")
    site = site_dir.resolve()
    content = content_dir.resolve()
    if site == content:
        raise UsageError(f"サイトの出力先 {shown} は content フォルダそのものです。別のフォルダを指定してください")
    if content.is_relative_to(site):
        raise UsageError(
            f"サイトの出力先 {shown} には content フォルダ（{display_path(content_dir)}）が含まれます。別のフォルダを指定してください"
        )
    if site.is_relative_to(content):
        raise UsageError(
            f"サイトの出力先 {shown} が content フォルダの中にあります。content の外のフォルダを指定してください"
        )
    if Path.cwd().resolve().is_relative_to(site) or PROJECT.is_relative_to(site):
        raise UsageError(
            f"サイトの出力先 {shown} は作業中のフォルダかその親です。site などの専用のフォルダを指定してください"
        )
    if not site.exists():
        return
    if (site / ".git").exists():
        raise UsageError(f"サイトの出力先 {shown} は Git のリポジトリです。site などの専用のフォルダを指定してください")
    if not (site / SITE_MARKER).is_file() and any(site.iterdir()):
        raise UsageError(
            f"サイトの出力先 {shown} は空ではなく、jirei build が作ったフォルダでもありません"
            f"（{SITE_MARKER} がありません）。置き換えると中のファイルが失われるため、生成を中止しました。"
            "空のフォルダか、まだないフォルダを指定してください"
        )


def remove_leftovers(folder: Path) -> None:
    """Work folders of builds that were killed: their process no longer runs."""
    for path in folder.iterdir():
        match = _LEFTOVER.match(path.name)
        if match and path.is_dir() and not path.is_symlink() and not _running(int(match.group(2))):
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_page_metadata(pages: dict[str, str], checked: dict[str, str] | None = None) -> None:
    """Every page's front matter must read back as MkDocs reads it: MkDocs drops a broken one
    silently and shows its lines as page text. `checked` (a session's) holds the pages checked
    last time: the same Markdown is not checked again."""
    from mkdocs.utils.meta import get_data

    for path, markdown in pages.items():
        if checked is not None and checked.get(path) is markdown:
            continue
        if markdown.startswith("---"):
            _, meta = get_data(markdown)
            if not isinstance(meta.get("title"), str):
                raise RuntimeError(f"MkDocs cannot read the front matter of {path}")
    if checked is not None:
        checked.clear()
        checked.update(pages)


def write_docs(pages: dict[str, str], files: dict[str, bytes], docs: Path) -> None:
    """The pages and files the engine is given, written to the folder `docs` (a new one): for
    benchmarks that run another engine on the same pages."""
    for relative, data in {**pages, **files}.items():
        path = docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8", newline="")
        else:
            path.write_bytes(data)


# --- the engine: MkDocs, incremental ---------------------------------------------------------

CACHE_PREFIX = ".jirei-cache-"
ENGINE_STATE = "engine.json"


def run_engine(
    pages: dict[str, str],
    files: dict[str, bytes],
    cache: Path,
    today: date,
    site_url: str,
    stage,
    session: BuildSession | None = None,
) -> tuple[Path, bool]:
    """MkDocs on the pages, given from memory (no docs folder is written or read), with its output
    in a cache folder beside the site. The cache's state file holds a digest of every file the
    engine was given. When the theme, the configuration, the navigation and the site URL are as in
    the previous build, only the files whose digest changed are rendered or copied again (MkDocs'
    own dirty build); otherwise everything is. Returns the folder of the engine's output and
    whether the build was incremental."""
    docs, output, state = cache / "docs", cache / "site", cache / ENGINE_STATE
    if docs.is_dir() and any(docs.iterdir()):
        shutil.rmtree(docs)  # the Markdown files an earlier version of jirei wrote
    docs.mkdir(parents=True, exist_ok=True)  # MkDocs wants its docs_dir to exist, and reads nothing there
    with stage("mkdocs", shown=False):  # the engine's own set-up, as in a plain `mkdocs build`
        config = _mkdocs_config(docs, output, site_url)
    key = _engine_key(config, pages, site_url)
    try:
        previous = json.loads(state.read_text(encoding="utf-8"))
        dirty = previous["key"] == key and output.is_dir()
        given_before = previous["given"] if dirty else {}
    except (OSError, ValueError, KeyError, TypeError):
        dirty, given_before = False, {}
    state.unlink(missing_ok=True)  # a build that stops half-way leaves no state: the next one is clean
    config.theme.get_env = _with_template_cache(config.theme.get_env)
    if session is not None:  # the theme's templates compiled and listed once while they do not change
        theme = [key["config"], key["theme"], key["engine"]]
        if session.engine_env is None or session.engine_env[0] != theme:
            env = config.theme.get_env()
            # MkDocs lists the theme's files once per build (add_files_from_theme, the only caller),
            # with a filter that depends on the theme alone.
            env.list_templates = _listed_once(env.list_templates)
            session.engine_env = (theme, env)
        config.theme.get_env = lambda: session.engine_env[1]
    with stage("compare"):
        given = {**pages, **files}
        digests = _digests(given, session.digests if session is not None else None)
        changed = {relative for relative, digest in digests.items() if given_before.get(relative) != digest}
        for relative in given_before.keys() - given.keys() if dirty else []:  # no longer part of the site
            built = output / (page_url(relative) + "index.html" if relative.endswith(".md") else relative)
            built.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the page's folder, when nothing else is in it
                built.parent.rmdir()
    with stage("mkdocs", len(pages)) as counter:
        _run_mkdocs(config, today, dirty, counter.set, pages=len(pages), given=(given, changed))
    state.write_text(json.dumps({"key": key, "given": digests}), encoding="utf-8")
    return output, dirty


def _digests(given: dict[str, str | bytes], known: dict[str, tuple[str | bytes, str]] | None) -> dict[str, str]:
    """A digest of each file given to the engine. `known`, a session's, keeps the content and digest
    of the last build's files: content equal to it is not digested again (and `known` is updated)."""
    digests = {}
    for relative, data in given.items():
        kept = known.get(relative) if known is not None else None
        if kept is not None and kept[0] == data:
            digests[relative] = kept[1]
        else:
            encoded = data.encode("utf-8") if isinstance(data, str) else data
            digests[relative] = hashlib.sha256(encoded).hexdigest()
    if known is not None:
        known.clear()
        known.update((relative, (data, digests[relative])) for relative, data in given.items())
    return digests


def _with_template_cache(get_env):
    """The theme's `get_env` whose environment keeps its compiled templates from run to run
    (render.template_cache): MkDocs compiles Material's templates anew in every process otherwise."""

    def get_env_cached():
        env = get_env()
        if env.bytecode_cache is None:
            versions = [(name, importlib.metadata.version(name)) for name in ("mkdocs", "mkdocs-material")]
            escape = env.autoescape if isinstance(env.autoescape, bool) else env.autoescape.__qualname__
            env.bytecode_cache = template_cache("engine", versions, sorted(env.extensions), escape)
        return env

    return get_env_cached


def _listed_once(list_templates):
    """`list_templates` that lists the first time only (its filter is a new function in each build,
    the same filter each time)."""
    listed: list[str] = []

    def once(*args, **kwargs) -> list[str]:
        if not listed:
            listed.extend(list_templates(*args, **kwargs))
        return list(listed)

    return once


def _engine_key(config, pages: dict[str, str], site_url: str) -> dict:
    """What every page's HTML depends on besides its own Markdown."""
    from importlib.metadata import version

    theme, overrides = hashlib.sha256(), Path(config.theme.custom_dir)
    for path in sorted(overrides.rglob("*")):
        if path.is_file():
            theme.update(path.relative_to(overrides).as_posix().encode() + b"\0" + path.read_bytes())
    return {
        "config": hashlib.sha256(mkdocs_config_file().read_bytes()).hexdigest(),
        "theme": theme.hexdigest(),
        "engine": [version("mkdocs"), version("mkdocs-material")],
        "site_url": site_url,
        "nav": {page: pages.get(page, "").split("\n---", 1)[0] for page in _nav_pages(config.nav)},
    }


def _nav_pages(nav) -> list[str]:
    found = []
    for item in nav or []:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list):
                found.extend(_nav_pages(value))
    return found


def _mkdocs_config(docs: Path, site: Path, site_url: str):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    return load_config(
        config_file=str(mkdocs_config_file()), docs_dir=str(docs), site_dir=str(site), site_url=site_url, strict=True
    )


class _NoDirtyWarning(logging.Filter):
    """MkDocs warns of every dirty build, and strict mode would count the warning as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build")


PARALLEL_PAGES = 200  # a clean build of more pages than this renders them in two processes


def _run_mkdocs(config, today: date, dirty: bool, progress=None, pages: int = 0, given=None) -> None:
    """MkDocs' build, with four changes: the build date is `today` (two builds of the same content
    are byte-identical), every file is written as a new file (the published site holds hard links
    to the engine's output), a clean build of many pages renders them in two processes, and
    `given` (files by docs path, and the paths changed since the output was built), when there
    is one, stands for the docs folder."""
    from mkdocs import utils
    from mkdocs.commands import build as engine
    from mkdocs.structure.files import File

    # MkDocs dates the sitemap (and its gzip header) from SOURCE_DATE_EPOCH.
    epoch = int(datetime.combine(today, time(), tzinfo=UTC).timestamp())
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    quiet = _NoDirtyWarning()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    from mkdocs.structure.pages import Page

    originals = engine._build_page, engine._populate_page, utils.write_file, utils.copy_file, Page.render
    listed, copy_file = engine.get_files, File.copy_file
    Page.render = _raw_blocks_aside(Page.render)
    # The sitemap's gzip copy is written by an open() of its own: it goes before the build.
    Path(config.site_dir, "sitemap.xml.gz").unlink(missing_ok=True)
    utils.write_file = _replacing(originals[2])
    utils.copy_file = _replacing(originals[3])
    File.copy_file = _copied_as_new(copy_file)
    if given is not None:
        engine.get_files = lambda config: _given_files(config, *given)
    parallel = not dirty and pages > PARALLEL_PAGES and can_fork()
    try:
        if parallel:
            _build_in_two(engine, config, progress)
        else:
            engine._build_page = _counted(originals[0], progress)
            engine._populate_page = _titles_only_when_unchanged(originals[1], set(_nav_pages(config.nav)))
            engine.build(config, dirty=dirty)
    finally:
        engine._build_page, engine._populate_page, utils.write_file, utils.copy_file, Page.render = originals
        engine.get_files, File.copy_file = listed, copy_file
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _given_files(config, given: dict[str, str | bytes], changed: set[str]):
    """The Files MkDocs' `get_files` would list for a docs folder holding `given`, in the same
    order (a folder's files, `index` first, before its subfolders; names sorted), backed by the
    content in memory. A file not in `changed` counts as older than its output."""
    from mkdocs.structure.files import File, Files, _file_sort_key, set_exclusions

    def walk_order(relative: str) -> tuple:
        *folders, name = relative.split("/")
        return (*((1, folder) for folder in folders), (0, _file_sort_key(name)))

    files = []
    for relative in sorted(given, key=walk_order):
        file = File(relative, config.docs_dir, config.site_dir, config.use_directory_urls)
        data = given[relative]
        if isinstance(data, str):
            file.content_string = _as_read(data)
        else:
            file.content_bytes = data
        if relative not in changed:
            file.is_modified = _unmodified
        files.append(file)
    set_exclusions(files, config)
    return Files(files)


def _as_read(text: str) -> str:
    """The text MkDocs reads back from a file holding it (UTF-8 with an optional BOM, universal
    newlines), so that a page given from memory renders as from the docs folder."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _unmodified() -> bool:
    return False


def _copied_as_new(copy_file):
    """`File.copy_file` that first removes the file it is going to write (a file given from
    memory is written with an open() of MkDocs' own, which would write through a hard link)."""

    def copy(file, dirty: bool = False) -> None:
        if not dirty or file.is_modified():
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                os.unlink(file.abs_dest_path)
        copy_file(file, dirty)

    return copy


# Blocks of raw HTML that Python-Markdown would copy as they are: a paragraph (between blank lines)
# that opens with one of these tags at its first character and ends with the same tag's end.
_RAW_BLOCK_TAGS = ("table", "div", "ul", "ol", "dl", "section", "nav", "figure", "details", "aside", "form", "p")
_RAW_BLOCK = re.compile(rf"<({'|'.join(_RAW_BLOCK_TAGS)})[\s>][\s\S]*</\1>", re.ASCII)


def _raw_blocks_aside(render):
    """`Page.render` that hands Python-Markdown a comment in place of each large block of raw
    HTML, and puts the block back into the HTML it returns.

    jirei's pages are mostly HTML (tables of hundreds of rows), which Python-Markdown parses tag by
    tag to find where each block ends, only to copy it unchanged: that was most of the engine's
    time on large lists. The block is normalised as Python-Markdown normalises its input (tabs,
    line ends, blank lines of spaces), so the page is byte for byte what it would have been; a page
    with a code fence is left to Python-Markdown alone."""
    from markdown.util import ETX, STX

    def rendered(page, config, files):
        markdown = page.markdown
        if markdown is None or "```" in markdown or "~~~" in markdown:
            return render(page, config, files)
        nonce = secrets.token_hex(8)
        blocks: list[str] = []

        def aside(paragraph: str) -> str:
            chunk = paragraph.rstrip("\n")  # the last paragraph ends with the file's line end
            if len(chunk) < RAW_BLOCK_MIN or not (whole := _RAW_BLOCK.fullmatch(chunk)) or not _closed(chunk, whole[1]):
                return paragraph
            chunk = chunk.replace(STX, "").replace(ETX, "").replace("\r\n", "\n").replace("\r", "\n")
            blocks.append(re.sub(r"(?<=\n) +\n", "\n", chunk.expandtabs(4)))  # Python-Markdown's tab length
            return f"<!--jirei-raw-{nonce}-{len(blocks) - 1}-->" + paragraph[len(paragraph.rstrip("\n")) :]

        page.markdown = "\n\n".join(aside(chunk) for chunk in markdown.split("\n\n"))
        try:
            render(page, config, files)
        finally:
            page.markdown = markdown
        if blocks:
            page.content = re.sub(
                rf"<!--jirei-raw-{nonce}-(\d+)-->", lambda match: blocks[int(match.group(1))], page.content
            )

    return rendered


RAW_BLOCK_MIN = 200  # characters: smaller blocks cost Python-Markdown little


def _closed(chunk: str, tag: str) -> bool:
    """Whether every <tag> the paragraph opens it also closes: a block that stays open past a blank
    line (an outer <div> around Markdown) is Python-Markdown's to find the end of."""
    depth = 0
    for found in re.finditer(rf"<(/?){tag}(?=[\s>/])", chunk, re.ASCII):
        depth += -1 if found[1] else 1
        if depth < 0:
            return False
    return depth == 0


def _titles_only_when_unchanged(populate, nav_pages: set[str]):
    """`_populate_page` for a dirty build: a page whose Markdown is older than its HTML is not
    rendered, but a page of the navigation is read for its title (from its front matter), which
    every page shows in the navigation."""

    def populate_changed(page, config, files, dirty=False):
        if dirty and not page.file.is_modified():
            if page.file.src_uri in nav_pages:
                page.read_source(config)
            return
        populate(page, config, files, dirty)

    return populate_changed


def _replacing(write):
    """`write(…, path)` that first removes the file at path: a new file, never a hard-linked one
    written through."""

    def replacing(*args):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(args[1])
        write(*args)

    return replacing


def _counted(build_page, progress, before=lambda: 0, counter=None):
    """`_build_page` that counts the pages MkDocs writes (or skips, when dirty) in `counter` and
    tells `progress` of them (with the `before()` pages written elsewhere)."""
    done = 0

    def counted(*args, **kwargs):
        nonlocal done
        build_page(*args, **kwargs)
        done += 1
        if counter is not None:
            counter.value = done
        if progress:
            progress(done + before())

    return counted


def _build_in_two(engine, config, progress) -> None:
    """A clean MkDocs build whose pages are rendered half here, half in a forked process.

    Both run MkDocs' own build. Each reads and renders (Markdown → HTML → theme) the pages of its
    half, every other page in MkDocs' order, and the navigation's pages (every page shows their
    titles). The helper writes only its pages; this process also writes the theme's files and
    templates (sitemap, 404). A warning in either fails the build (strict mode), as in one process."""
    import multiprocessing

    from mkdocs import utils

    utils.clean_directory(config.site_dir)  # here, once, before the two start writing
    nav_pages = set(_nav_pages(config.nav))
    helper_pages = multiprocessing.get_context("fork").Value("i", 0, lock=False)
    with beside(_engine_half, engine, config, nav_pages, helper_pages) as helper_done:
        _half(engine, config, nav_pages, 0, _counted(engine._build_page, progress, lambda: helper_pages.value))
        helper_done()


def _engine_half(engine, config, nav_pages, counter) -> None:
    """In the forked process: the other half of the pages, and nothing else (the changes to MkDocs
    stay in this process)."""
    from mkdocs import utils
    from mkdocs.structure.files import Files

    Files.copy_static_files = lambda *args, **kwargs: None
    engine._build_theme_template = engine._build_extra_template = lambda *args, **kwargs: None
    utils.clean_directory = lambda directory: None
    _half(engine, config, nav_pages, 1, _counted(engine._build_page, None, counter=counter))


def _half(engine, config, nav_pages, half: int, build_page) -> None:
    """MkDocs' build of the pages of one half (and the navigation's pages, read but not written)."""
    from mkdocs import utils

    populate, original, clean = engine._populate_page, engine._build_page, utils.clean_directory
    order: dict[str, int] = {}

    def mine(page, files) -> bool:
        if not order:
            order.update((file.src_uri, index) for index, file in enumerate(files.documentation_pages()))
        return order.get(page.file.src_uri, 0) % 2 == half

    def populate_mine(page, config, files, dirty=False):
        if page.file.src_uri in nav_pages or mine(page, files):
            populate(page, config, files, dirty)

    def build_mine(page, config, doc_files, *args, **kwargs):
        if order.get(page.file.src_uri, 0) % 2 == half:
            build_page(page, config, doc_files, *args, **kwargs)

    engine._populate_page, engine._build_page = populate_mine, build_mine
    utils.clean_directory = lambda directory: None  # cleaned before the fork
    try:
        engine.build(config, dirty=False)
    finally:
        engine._populate_page, engine._build_page, utils.clean_directory = populate, original, clean


def run_mkdocs(docs: Path, site: Path, today: date, site_url: str) -> None:
    """A clean MkDocs build of a docs folder (benchmarks compare the engine alone with it)."""
    _run_mkdocs(_mkdocs_config(docs, site, site_url), today, dirty=False)


@contextlib.contextmanager
def _locked(cache: Path):
    """One build at a time per site folder: the cache is theirs while they run.

    A POSIX record lock (lockf) belongs to this process alone: the process that builds the search
    index beside MkDocs does not inherit it, and it goes when the build ends or is killed.
    """
    import fcntl

    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.warning("同じフォルダへの別の jirei build が終わるのを待っています…")
            fcntl.lockf(lock, fcntl.LOCK_EX)
        yield


def replace_item(new: Path, target: Path) -> None:
    """Put the file or folder `new` in place of `target` (in one step where the system can)."""
    if os.path.lexists(target) and _exchange(new, target):
        if new.is_dir() and not new.is_symlink():
            shutil.rmtree(new)  # now the previous one
        else:
            new.unlink()
        return
    if new.is_dir() and os.path.lexists(target):
        shutil.rmtree(target)
    os.replace(new, target)


def replace_directory(new: Path, target: Path, remove=shutil.rmtree) -> None:
    """Put `new` in place of `target`. Linux swaps the two in one step (renameat2 with
    RENAME_EXCHANGE), so that a site folder is there at every moment; elsewhere two renames.
    The previous folder is then given to `remove`."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if _exchange(new, target):
        remove(new)  # now the previous site
        return
    old = target.with_name(f"{OLD_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{target.name}")
    os.rename(target, old)
    os.rename(new, target)
    remove(old)


def _remove_later(folder: Path, beside: Path) -> None:
    """Remove a folder in a thread (a session's build does not wait for it): it is first moved
    into `beside` under a name that remove_leftovers knows, should the process end before."""
    old = beside / f"{OLD_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(folder, old)
    threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True}, daemon=True).start()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # not supported by this kernel or file system
    raise OSError(code, os.strerror(code), str(second))
