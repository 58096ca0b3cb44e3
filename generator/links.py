"""Links: every internal link and anchor of the built site must resolve; external URLs are listed.

`check_site` runs at the end of every build (a broken internal link fails the build with the
page and the link). `external_urls` and `check_online` serve `jirei check-links`.
"""

from __future__ import annotations

import html.parser
import logging
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from generator.errors import Problem, display_path

log = logging.getLogger(__name__)


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int, int]] = []  # href, line, column
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for key in ("id", "name"):
            if names.get(key):
                self.ids.add(names[key])
        if tag == "a" and names.get("href") is not None:
            line, column = self.getpos()
            self.links.append((names["href"], line, column + 1))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _target(page: Path, href: str, site: Path) -> Path | None:
    """The file an internal link points at, or None for links that leave the site."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return None
    path = unquote(parts.path)
    if not path:
        return page
    target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


class _Where:
    """A page's path as shown in a problem, computed only when there is one."""

    def __init__(self, folder: Path, relative: Path):
        self.folder, self.relative = folder, relative

    def __str__(self) -> str:
        return display_path(self.folder / self.relative)


def check_site(site: Path, shown_as: Path | None = None) -> list[Problem]:
    """Broken internal links and anchors, as problems located in the built pages.

    `shown_as` is the folder the pages will be published to (the build checks them in a
    temporary folder before it swaps them in).
    """
    site = site.resolve()
    pages = {p: _parse(p) for p in sorted(site.rglob("*.html"))}
    problems = []
    for page, parsed in pages.items():
        for href, line, column in parsed.links:
            target = _target(page, href, site)
            if target is None:
                continue
            target = target.resolve()
            where = _Where(shown_as or site, page.relative_to(site))
            if not target.is_relative_to(site) or not target.exists():
                problems.append(Problem(str(where), line, column, f"リンク先のページがありません: {href}"))
                continue
            fragment = urldefrag(href).fragment
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(fragment) not in ids:
                    problems.append(
                        Problem(
                            str(where),
                            line,
                            column,
                            f"リンク先のページに見出し（#{unquote(fragment)}）がありません: {href}",
                        )
                    )
    return problems


def external_urls(content) -> dict[str, list[str]]:
    """Every http(s) URL in the records, with the records that cite it."""
    cited: dict[str, list[str]] = defaultdict(list)

    def add(url: str | None, where: str) -> None:
        if url and where not in cited[url]:
            cited[url].append(where)

    for case in content.cases:
        for item in [*case.sources, *case.links]:
            add(item.url, f"cases/{case.id}")
    for posting in content.postings:
        for item in posting.sources:
            add(item.url, f"talent/postings/{posting.id}")
        add(posting.application.url if posting.application else None, f"talent/postings/{posting.id}")
    for advisor in content.advisors:
        for item in advisor.sources:
            add(item.url, f"talent/advisors/{advisor.id}")
        add(advisor.url, f"talent/advisors/{advisor.id}")
    for program in content.programs:
        for item in program.sources:
            add(item.url, f"funding/{program.id}")
        add(program.url, f"funding/{program.id}")
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
