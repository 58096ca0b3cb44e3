"""`jirei serve`: a live preview for editors.

The site is built with `build_site` into a preview folder (a temporary one unless `--site-dir`)
and served on 127.0.0.1. The records, the page templates and the theme are watched; a change
rebuilds the site (build_site decides what it has to redo) and every open page reloads itself.

A build that fails leaves the last good site in place: the terminal shows the located problems
as `jirei validate` does, and every HTML page shows them until the record is fixed. The served
files are never changed: the reload script is added to HTML responses on the way out.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import html
import mimetypes
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, unquote, urlsplit

from generator.errors import Problem, UsageError, UserError, display_path, format_problems, visible
from generator.site import BuildSession, build_site, mkdocs_config_file

PACKAGE = Path(__file__).resolve().parent
EVENTS_PATH = "/__jirei__/events"
SCRIPT_PATH = "/__jirei__/live.js"
DEBOUNCE = 0.05  # seconds without a new change before a rebuild starts (an editor's save is a burst)
MAX_DEBOUNCE = 2.0  # a rebuild starts at the latest this long after the first change of a burst
POLL_INTERVAL = 0.2  # seconds between two scans when file-system events are unavailable
KEEPALIVE = 15.0  # seconds between two comments on an idle event stream
IDLE = 0.1  # seconds between two looks for a finished search index while nothing changes
TIDY_AFTER = 0.5  # seconds of quiet after a build before its garbage is collected (_tidy_memory)

# The page side of the live reload: one EventSource while the page is visible (a hidden tab
# gives its connection back, browsers allow only a few per server); any generation other than
# the one the page was served with reloads the page.
LIVE_SCRIPT = b"""\
(() => {
  "use strict";
  const served = document.currentScript ? document.currentScript.dataset.generation : "";
  let source = null;
  const open = () => {
    if (source) return;
    source = new EventSource("/__jirei__/events");
    source.onmessage = (event) => {
      if (event.data !== served) {
        source.close();
        location.reload();
      }
    };
  };
  const close = () => {
    if (source) source.close();
    source = null;
  };
  document.addEventListener("visibilitychange", () => (document.visibilityState === "hidden" ? close() : open()));
  if (document.visibilityState !== "hidden") open();
})();
"""


def watched_paths(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """The folders (watched with everything inside) and single files a preview depends on."""
    folders = [content_dir, PACKAGE / "templates", PACKAGE / "overrides", PACKAGE / "assets"]
    return folders, [mkdocs_config_file()]


def serve(
    content_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    site_dir: Path | None = None,
    today: date | None = None,
    site_url: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Build, serve and rebuild until Ctrl-C (or SIGTERM). Returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    if not content_dir.is_dir():
        raise UsageError(f"content フォルダ {visible(display_path(content_dir))} がありません")
    server = _bind(host, port)
    temporary = watcher = thread = builder = None
    try:
        with _terminate_as_interrupt():
            if site_dir is None:
                temporary = Path(tempfile.mkdtemp(prefix="jirei-serve-"))
                site_dir = temporary / "site"
            address = _address(host, server.server_address[1])
            server.preview.site_dir = site_dir
            builder = _Builder(content_dir, site_dir, today, site_url or address, server.preview, out, err)
            # A temporary preview is served from the engine's folder itself (no copy for each change).
            builder.session.direct = temporary is not None
            changes = _Changes()
            watcher = _start_watching(*watched_paths(content_dir), changes)
            thread = threading.Thread(target=server.serve_forever, name="jirei-serve-http", daemon=True)
            thread.start()
            _say(out, f"{address} でプレビューを表示します（Ctrl-C で終了）。")
            builder.build(first=True)
            while True:
                changed = changes.take(idle=builder.idle)
                _say(out, f"変更: {_describe(changed)}。再生成します…")
                if any(not Path(os.path.abspath(path)).is_relative_to(content_dir.absolute()) for path in changed):
                    builder.session.templates_changed()  # a template, the theme or mkdocs.yml
                builder.build()
    except KeyboardInterrupt:
        _say(out, "jirei serve を終了しました。")
    finally:
        with _uninterrupted():
            if watcher is not None:
                watcher.stop()
            if builder is not None:
                builder.session.stop_search()
            gc.unfreeze()  # serve() may run inside a longer process (tests): its objects are collected again
            server.preview.stop()
            if thread is not None:
                server.shutdown()
            server.server_close()
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
    return 0


def _say(stream: TextIO, text: str) -> None:
    print(text, file=stream, flush=True)


def _describe(paths: set[str]) -> str:
    shown = sorted(visible(display_path(Path(p))) for p in paths)
    if len(shown) > 3:
        return "、".join(shown[:3]) + f" ほか {len(shown) - 3} 件"
    return "、".join(shown)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """A second Ctrl-C while the preview cleans up does not leave the temporary folder behind."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the preview as Ctrl-C does (the temporary folder is removed)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: only Ctrl-C stops it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- building ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, content_dir, site_dir, today, site_url, preview, out, err):
        self.content_dir, self.site_dir, self.today, self.site_url = content_dir, site_dir, today, site_url
        self.preview: _Preview = preview
        self.out, self.err = out, err
        self.session = BuildSession()  # what one build keeps for the next: only changes are redone
        self.built_at: float | None = None  # when the last build ended, until its memory is tidied

    def idle(self) -> None:
        """While nothing changes: put the new search index in, and tidy the memory once after a build."""
        self.install_search()
        if self.built_at is not None and time.perf_counter() - self.built_at >= TIDY_AFTER:
            self.built_at = None
            _tidy_memory()

    def install_search(self) -> None:
        """The search index of the last build into the preview, once it is ready."""
        try:
            self.session.search_ready()
        except Exception:  # a bug in jirei: the pages are there, the search is not
            traceback.print_exc(file=self.err)
            _say(self.err, "検索の索引を作れませんでした（jirei の不具合です）。変更を保存すると、もう一度作ります。")

    def build(self, first: bool = False) -> None:
        """One build into the preview folder; a failure is shown, not raised (but a wrong
        argument on the first build stops the preview)."""
        started = time.perf_counter()
        self.built_at = None
        try:
            report = build_site(
                self.content_dir, self.site_dir, self.today or date.today(), self.site_url, session=self.session
            )
        except UserError as error:
            problems = sorted(error.problems)
            print(format_problems(problems, "text"), file=self.err)
            _say(self.err, f"{len(problems)} 件の問題があります。直して保存すると、自動で再生成します。")
            self.preview.show_problems(problems)
            return
        except UsageError as error:
            if first:
                raise
            _say(self.err, f"エラー: {visible(str(error))}")
            self.preview.show_failure(visible(str(error)))
            return
        except Exception as error:  # a bug in jirei: the preview stays up and says so
            traceback.print_exc(file=self.err)
            _say(self.err, "サイトを生成できませんでした（jirei の不具合です）。変更を保存すると、もう一度生成します。")
            self.preview.show_failure(visible(f"{type(error).__name__}: {error}"))
            return
        finally:
            self.built_at = time.perf_counter()
        self.preview.site_dir = report.site or self.site_dir
        self.preview.show_site()
        seconds = time.perf_counter() - started
        _say(self.out, f"生成しました: 事例 {report.cases} 件、ページ {report.pages} 件（{seconds:.1f} 秒）。")


def _tidy_memory() -> None:
    """Collect what the last build left, then set everything still alive aside from the garbage
    collector (gc.freeze): the session's records, pages and indexes live on from build to build,
    and without this every build's full collections walk all of them again (about 0.3 s of each
    edit at 2,000 cases). Done while the preview is idle, so no one waits for it."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


# --- what the server shows --------------------------------------------------------------------


class _Preview:
    """The state pages are served from: the site folder, whether the last build failed and why,
    and a generation that changes whenever that state does (pages reload when it changes)."""

    def __init__(self):
        self.site_dir: Path | None = None
        self._changed = threading.Condition()
        self._token = secrets.token_hex(4)  # a restarted server never repeats a generation
        self._number = 0
        self.built = False  # a site was built at least once
        self.failure: tuple[str, bytes] | None = None  # the error page (title, HTML) while the last build failed
        self.stopping = False

    @property
    def generation(self) -> str:
        return f"{self._token}-{self._number}"

    def _publish(self, failure: tuple[str, bytes] | None, built: bool) -> None:
        with self._changed:
            self.failure, self.built = failure, built
            self._number += 1
            self._changed.notify_all()

    def show_site(self) -> None:
        self._publish(None, True)

    def show_problems(self, problems: list[Problem]) -> None:
        items = "".join(
            f"<li><code>{html.escape(visible(p.path))}:{p.line}:{p.column}</code>"
            f"<span>{html.escape(visible(p.message))}</span></li>"
            for p in problems
        )
        body = (
            f"<p>{len(problems)} 件の問題があるため、サイトを生成できませんでした。"
            "ファイルを直して保存すると、自動で再生成してこのページを読み込み直します。</p>"
            f'<ol class="problems">{items}</ol>'
        )
        self._publish(("レコードに問題があります", body.encode()), self.built)

    def show_failure(self, message: str) -> None:
        body = (
            f"<p>サイトを生成できませんでした。</p><pre>{html.escape(message)}</pre>"
            "<p>詳しくは jirei serve を実行している端末を見てください。変更を保存すると、もう一度生成します。</p>"
        )
        self._publish(("サイトを生成できませんでした", body.encode()), self.built)

    def snapshot(self) -> tuple[str, tuple[str, bytes] | None, bool]:
        with self._changed:
            return self.generation, self.failure, self.built

    def wait(self, seen: str | None, timeout: float) -> str | None:
        """The generation once it differs from `seen` (or after `timeout`); None when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self.stopping or self.generation != seen, timeout)
            return None if self.stopping else self.generation

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()


def live_script_tag(generation: str) -> bytes:
    return f'<script src="{SCRIPT_PATH}" data-generation="{html.escape(generation)}"></script>'.encode()


def inject(page: bytes, generation: str) -> bytes:
    """The page with the reload script before its last </body> (or at the end)."""
    tag = live_script_tag(generation)
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + tag
    return page[:at] + tag + page[at:]


_PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}"
    "main{max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.7}"
    "h1{font-size:1.5rem;border-bottom:2px solid #3f51b5;padding-bottom:.3rem}"
    ".error h1{color:#b00020;border-color:#b00020}"
    ".problems li{margin:.6rem 0}.problems code{display:block;font-weight:bold;overflow-wrap:anywhere}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f4;padding:.8rem}"
    "footer{color:#555;font-size:.9rem;margin-top:2rem}"
)


ERROR_CLASS = ' class="error"'


def notice_page(title: str, body: bytes, generation: str, error: bool = False) -> bytes:
    """A self-contained page (no site files needed) that reloads with the site."""
    head = (
        '<!doctype html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)} - jirei serve</title><style>{_PAGE_STYLE}</style></head>"
        f"<body{ERROR_CLASS if error else ''}><main><h1>{html.escape(title)}</h1>"
    )
    foot = "<footer>jirei serve のプレビュー</footer></main></body></html>\n"
    return inject(head.encode() + body + foot.encode(), generation)


# --- HTTP -------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_port = False  # a second preview on the same port must fail, not share it

    def __init__(self, address, preview: _Preview):
        self.preview = preview
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a page reloaded or closed while it loaded: nothing to tell
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def _bind(host: str, port: int) -> _Server:
    server_class = _Server6 if ":" in host else _Server
    try:
        return server_class((host.strip("[]"), port), _Preview())
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"ポート {port} はほかのプログラムが使用中です。--port で別の番号を指定してください"
            ) from None
        if error.errno == errno.EACCES:
            raise UsageError(f"ポート {port} を使う権限がありません。1024 以上の番号を指定してください") from None
        reason = visible(error.strerror or str(error))
        raise UsageError(
            f"{visible(host)}:{port} で待ち受けられません（{reason}）。--host と --port を確かめてください"
        ) from None


def _address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json"}
_TYPES |= {".xml": "application/xml", ".ics": "text/calendar", ".svg": "image/svg+xml", ".txt": "text/plain"}
_TEXT = ("text/", "application/json", "application/xml", "image/svg+xml")


def content_type(path: Path) -> str:
    kind = _TYPES.get(path.suffix.lower())
    if kind is None:
        guessed, encoding = mimetypes.guess_type(path.name)
        kind = "application/octet-stream" if encoding or not guessed else guessed
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT) else kind


class Refused(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def locate(site_dir: Path, url_path: str) -> tuple[Path, str | None]:
    """The file a URL path names inside the site folder, and where to redirect (a folder asked
    without its trailing slash). Anything that could leave the folder is refused: `..` (encoded
    or not), backslashes, NUL, and links that point outside. Hidden files are not served."""
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST, "URL の文字が正しくありません") from None
    if not decoded.startswith("/") or "\\" in decoded or "\x00" in decoded:
        raise Refused(HTTPStatus.BAD_REQUEST, "URL が正しくありません")
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts):
        raise Refused(HTTPStatus.FORBIDDEN, "サイトのフォルダの外は表示できません")
    names = [part for part in parts if part]
    if any(name.startswith(".") for name in names):
        raise Refused(HTTPStatus.NOT_FOUND, "ページが見つかりません")
    path = site_dir.joinpath(*names)
    redirect = None
    if path.is_dir():
        if not decoded.endswith("/"):
            redirect = "/" + "".join(quote(name) + "/" for name in names)
        path = path / "index.html"
    root = os.path.realpath(site_dir)
    if not os.path.realpath(path).startswith(root + os.sep):
        raise Refused(HTTPStatus.FORBIDDEN, "サイトのフォルダの外は表示できません")
    return path, redirect


def _looks_like_page(url_path: str) -> bool:
    name = url_path.rsplit("/", 1)[-1]
    return name == "" or name.endswith(".html") or "." not in name


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "jirei-serve"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):  # an editor's terminal shows builds, not requests
        pass

    def do_GET(self):
        self._respond(body=True)

    def do_HEAD(self):
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        preview = self.server.preview
        url_path = urlsplit(self.path).path
        if not self.path.startswith("/"):
            return self._plain(HTTPStatus.BAD_REQUEST, "URL が正しくありません", body)
        if url_path == EVENTS_PATH:
            return self._events(body)
        if url_path == SCRIPT_PATH:
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT, body)
        site_dir = preview.site_dir
        generation, failure, built = preview.snapshot()
        page = _looks_like_page(url_path)
        try:
            path, redirect = locate(site_dir, url_path)
        except Refused as refused:
            return self._plain(refused.status, refused.message, body)
        if redirect is not None:
            query = urlsplit(self.path).query
            return self._redirect(redirect + (f"?{query}" if query else ""))
        is_html = path.suffix == ".html"
        if failure is not None and (is_html or (page and not path.is_file())):
            document = notice_page(*failure, generation, error=True)
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", document, body)
        if not built:
            text = "<p>サイトを生成しています。できあがると、このページを自動で読み込み直します。</p>"
            document = notice_page("生成しています", text.encode(), generation)
            if page:
                return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", document, body)
            return self._plain(HTTPStatus.SERVICE_UNAVAILABLE, "サイトを生成しています", body)
        try:
            if is_html:
                return self._send(HTTPStatus.OK, content_type(path), inject(_read(path), generation), body)
            return self._file(path, body)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return self._not_found(site_dir, generation, page, body)

    def _not_found(self, site_dir: Path, generation: str, page: bool, body: bool) -> None:
        if not page:
            return self._plain(HTTPStatus.NOT_FOUND, "ファイルが見つかりません", body)
        try:
            document = inject(_read(site_dir / "404.html"), generation)
        except OSError:
            document = notice_page(
                "ページが見つかりません", "<p>このアドレスのページはありません。</p>".encode(), generation
            )
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", document, body)

    def _file(self, path: Path, body: bool) -> None:
        with _open(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type(path))
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _plain(self, status: HTTPStatus, message: str, body: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", f"{status.value} {message}\n".encode(), body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _events(self, body: bool) -> None:
        """Server-Sent Events: the generation now and at each change, a comment when idle."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not body:
            return
        preview, seen = self.server.preview, None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                generation = preview.wait(seen, KEEPALIVE)
                if generation is None:
                    return
                self.wfile.write(f"data: {generation}\n\n".encode() if generation != seen else b": \n\n")
                seen = generation
        except OSError:  # the page went away
            return


def _open(path: Path):
    """A site file; a file missing for an instant while a new site is swapped in is tried again."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        time.sleep(0.05)
        return open(path, "rb")


def _read(path: Path) -> bytes:
    with _open(path) as handle:
        return handle.read()


# --- watching ---------------------------------------------------------------------------------


class _Changes:
    """Changed paths, collected by the watcher and taken by the build loop in bursts."""

    def __init__(self):
        self._changed = threading.Condition()
        self._paths: set[str] = set()
        self._first = self._last = 0.0

    def add(self, path: str) -> None:
        with self._changed:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.add(path)
            self._last = now
            self._changed.notify_all()

    def take(self, idle=None) -> set[str]:
        """Wait for a change, then for a pause of DEBOUNCE seconds (at most MAX_DEBOUNCE).
        `idle()` is called every IDLE seconds while nothing changes."""
        while True:
            with self._changed:
                if not self._paths:
                    self._changed.wait(IDLE)  # a timeout keeps Ctrl-C responsive
                if self._paths:
                    break
            if idle is not None:
                idle()
        with self._changed:
            while True:
                now = time.monotonic()
                quiet = self._last + DEBOUNCE - now
                if quiet <= 0 or now - self._first >= MAX_DEBOUNCE:
                    break
                self._changed.wait(quiet)
            paths, self._paths = self._paths, set()
            return paths


class _Relevant:
    """Which paths a preview depends on: anything in the watched folders but hidden files (the
    records' loader skips them; editors keep swap and lock files there), and the single files."""

    def __init__(self, folders: list[Path], files: list[Path]):
        self.folders = [Path(os.path.abspath(folder)) for folder in folders]
        self.files = {os.path.abspath(file) for file in files}

    def __call__(self, path: str) -> bool:
        if path in self.files:
            return True
        absolute = Path(path)
        for folder in self.folders:
            if absolute.is_relative_to(folder):
                return not any(part.startswith(".") for part in absolute.relative_to(folder).parts)
        return False


def _start_watching(folders: list[Path], files: list[Path], changes: _Changes):
    """File-system events (watchdog) when available, else a scan every POLL_INTERVAL."""
    relevant = _Relevant(folders, files)
    try:
        return _EventWatcher(relevant, changes)
    except (ImportError, OSError):
        return _PollingWatcher(relevant, changes)


class _EventWatcher:
    # Only writes count: watchdog also reports files opened and closed, which every build does.
    KINDS = frozenset({"created", "modified", "deleted", "moved", "closed"})

    def __init__(self, relevant: _Relevant, changes: _Changes):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        kinds = self.KINDS

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type not in kinds or (event.is_directory and event.event_type == "modified"):
                    return
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    path = os.fsdecode(path)
                    if path and relevant(path):
                        changes.add(path)

        self.observer = Observer()
        handler = Handler()
        for folder in relevant.folders:
            if folder.is_dir():
                self.observer.schedule(handler, str(folder), recursive=True)
        for parent in {os.path.dirname(file) for file in relevant.files}:
            self.observer.schedule(handler, parent, recursive=False)
        self.observer.daemon = True
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=2)


class _PollingWatcher:
    def __init__(self, relevant: _Relevant, changes: _Changes):
        self.relevant, self.changes = relevant, changes
        self.stopping = threading.Event()
        self.state = self.scan()
        self.thread = threading.Thread(target=self.run, name="jirei-serve-watch", daemon=True)
        self.thread.start()

    def scan(self) -> dict[str, tuple[int, ...]]:
        state = {}
        paths: list[str] = list(self.relevant.files)
        for folder in self.relevant.folders:
            for parent, dirs, names in os.walk(folder):
                dirs[:] = [name for name in dirs if not name.startswith(".")]
                paths.extend(os.path.join(parent, name) for name in names if not name.startswith("."))
        for path in paths:
            with contextlib.suppress(OSError):
                info = os.stat(path)
                state[path] = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
        return state

    def run(self) -> None:
        while not self.stopping.wait(POLL_INTERVAL):
            state = self.scan()
            for path in state.keys() | self.state.keys():
                if state.get(path) != self.state.get(path):
                    self.changes.add(path)
            self.state = state

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
