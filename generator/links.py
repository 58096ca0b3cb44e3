"""Links: every internal link and anchor of the built site must resolve; external URLs are listed.

`check_pages` runs in every build on the pages jirei wrote, before MkDocs (a broken internal link
fails the build with the page and the link). The URL of a docs path is `page_url` of generator/urls.py,
the table every page's URL comes from. `external_urls` and `check_online` serve `jirei check-links`.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator import urls
from generator.errors import Problem, display_path
from generator.urls import page_url  # the docs path → URL of every page; importable from here too

log = logging.getLogger(__name__)


_HREF = re.compile(r'\shref="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


class LinkMemo:
    """The internal links found in each page's Markdown by an earlier `check_pages` (`jirei
    serve`): a page whose Markdown is the same is not searched again; its links are checked again."""

    def __init__(self) -> None:
        self.links: dict[str, tuple[str, list]] = {}  # docs path → (Markdown, its internal links)


def check_pages(pages: dict[str, str], files, shown_as: Path, memo: LinkMemo | None = None) -> list[Problem]:
    """Broken internal links and anchors in the pages the build wrote, before any engine runs.

    `pages` maps docs paths to the Markdown (with HTML) jirei wrote, `files` the other files of the
    site (feeds, assets). Every link is checked against the set of pages and files, and every
    fragment against the ids of its page: time linear in the size of the pages.
    """
    urls = {page_url(path): path for path in pages}
    files = set(files)
    ids: dict[str, set[str]] = {}
    problems = []
    known = memo.links if memo is not None else {}
    found_links: dict[str, tuple[str, list]] = {}
    hrefs: dict = {}
    for path, markdown in pages.items():
        here = page_url(path)
        remembered = known.get(path)
        if remembered is not None and remembered[0] == markdown:
            links = remembered[1]
        else:
            links = list(_internal_links(here, markdown, hrefs))
        found_links[path] = (markdown, links)
        for href, target, fragment, start in links:
            message = None
            if target is None or (target not in urls and target not in files):
                message = f"リンク先のページがありません: {href}"
            elif fragment and target in urls:
                source = urls[target]
                if source not in ids:
                    ids[source] = set(_ID.findall(pages[source]))
                if fragment not in ids[source]:
                    message = f"リンク先のページに見出し（#{fragment}）がありません: {href}"
            if message:
                line = markdown.count("\n", 0, start) + 1
                column = start - markdown.rfind("\n", 0, start)
                problems.append(Problem(display_path(shown_as / here / "index.html"), line, column, message))
    if memo is not None:
        memo.links = found_links
    return problems


def _internal_links(here: str, markdown: str, hrefs: dict | None = None):
    """(href, the site path it leads to or None, its fragment, where it starts) of each link of a
    page that stays in the site. `hrefs`, shared by the pages of one check, keeps what each href
    says: most links recur on many pages."""
    hrefs = {} if hrefs is None else hrefs
    for match in _HREF.finditer(markdown):
        raw = match.group(1)
        parsed = hrefs.get(raw)
        if parsed is None:
            parsed = hrefs[raw] = _parsed(raw)
        if parsed:  # else it leaves the site
            href, path, fragment = parsed
            yield href, _resolve(here, path), fragment, match.start(1)


def _parsed(raw: str) -> tuple[str, str, str] | tuple[()]:
    """The href (HTML entities decoded), its path and its fragment; () when it leaves the site."""
    href = html.unescape(raw)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return ()
    return href, unquote(parts.path), unquote(parts.fragment)


def _resolve(here: str, path: str) -> str | None:
    """The site path a link leads to from the page at URL `here`; None when it leaves the site."""
    if not path:
        return here
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(here, path)
    normal = posixpath.normpath(joined) if joined else "."
    if normal == ".":
        return ""
    if normal.startswith(".."):
        return None
    return normal + "/" if path.endswith("/") else normal


def external_urls(content) -> dict[str, list[str]]:
    """Every http(s) URL in the records, with the records that cite it."""
    cited: dict[str, list[str]] = defaultdict(list)

    def add(url: str | None, kind: str, key: str) -> None:
        where = urls.url(kind, key).rstrip("/")  # the record's page: cases/x
        if url and where not in cited[url]:
            cited[url].append(where)

    for case in content.cases:
        for item in [*case.sources, *case.links]:
            add(item.url, "case", case.id)
    for posting in content.postings:
        for item in posting.sources:
            add(item.url, "posting", posting.id)
        add(posting.application.url if posting.application else None, "posting", posting.id)
    for advisor in content.advisors:
        for item in advisor.sources:
            add(item.url, "advisor", advisor.id)
        add(advisor.url, "advisor", advisor.id)
    for program in content.programs:
        for item in program.sources:
            add(item.url, "program", program.id)
        add(program.url, "program", program.id)
    return dict(sorted(cited.items()))


def _status(url: str, timeout: float) -> str:
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "jirei-check-links"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return str(response.status)
    except urllib.error.HTTPError as error:
        if error.code in (403, 405):  # some servers refuse HEAD: try GET
            try:
                get = urllib.request.Request(url, headers={"User-Agent": "jirei-check-links"})
                with urllib.request.urlopen(get, timeout=timeout) as response:
                    return str(response.status)
            except urllib.error.HTTPError as second:
                return str(second.code)
            except (urllib.error.URLError, OSError) as second:
                return f"接続できません（{second}）"
        return str(error.code)
    except (urllib.error.URLError, OSError) as error:
        return f"接続できません（{error}）"


def check_online(urls: list[str], timeout: float = 15) -> dict[str, str]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(urls, pool.map(lambda u: _status(u, timeout), urls), strict=True))
