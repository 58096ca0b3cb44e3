"""The site speaks Japanese: a scan of every built page for English interface text, and the links
the pages promise (repository, issues, 出典とライセンス) exist.

The interface is what the theme and the templates put around the records: the header, the
navigation, the footer, labels read out by screen readers (aria-label, title, placeholder, alt)
and the whole 404 page. Record text (a case's title, 「LINE」, 「J-LIS」) may hold Latin letters; it
appears in the article and as the page's title, which the scan leaves out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import PROJECT

# Latin words the interface may use: names of things, not English sentences.
NAMES = {"DX", "GitHub", "Issue"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
LABELS = ("aria-label", "title", "placeholder", "alt", "value")


def repo_url() -> str:
    text = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("repo_url:")]
    assert len(lines) == 1, "mkdocs.yml に repo_url が1か所だけあること"
    return yaml.safe_load(lines[0])["repo_url"]


def interface_text(html: str, whole_page: bool) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "svg", "code"]):
        tag.decompose()
    title = soup.select_one("article h1")
    page_title = title.get_text(strip=True) if title else ""
    labels = [el[name] for el in soup.body.find_all(True) for name in LABELS if isinstance(el.get(name), str)]
    if not whole_page:
        for tag in soup.select("article, .md-header__topic, .md-sidebar--secondary .md-nav__title"):
            tag.decompose()
    texts = [s.strip() for s in soup.body.find_all(string=True) if s.strip()]
    return [t for t in texts + labels if t and t != page_title and t not in page_title]


def english_words(texts: list[str]) -> list[str]:
    return sorted({w for t in texts for w in WORD.findall(t) if w not in NAMES and not w.isupper()})


def test_no_english_interface_text(real_site: Path):
    found: dict[str, list[str]] = {}
    pages = sorted(real_site.rglob("*.html"))
    assert len(pages) > 200
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert '<html lang="ja"' in html, path
        words = english_words(interface_text(html, whole_page=path.name == "404.html"))
        if words:
            found[str(path.relative_to(real_site))] = words
    assert found == {}, list(found.items())[:5]


@pytest.mark.parametrize("english", ["Made with", "Material for MkDocs", "Not found", "Skip to content", "Back to top"])
def test_engine_chrome_is_gone(real_site: Path, english: str):
    for path in ["index.html", "404.html", "cases/index.html", "talent/index.html"]:
        assert english not in (real_site / path).read_text(encoding="utf-8"), (english, path)


def test_scan_finds_english_chrome():
    """The scan itself: the engine's credit and an English label are found, record text is not."""
    html = (
        '<html lang="ja"><body><header><div class="md-header__topic">LINE Pay</div></header>'
        "<article><h1>LINEで申請</h1><p>Record text</p></article>"
        '<button aria-label="Back to top">↑</button>'
        '<footer>Made with <a href="#">Material for MkDocs</a></footer></body></html>'
    )
    assert english_words(interface_text(html, whole_page=False)) == [
        "Back",
        "Made",
        "Material",
        "MkDocs",
        "for",
        "to",
        "top",
        "with",
    ]


def test_footer_is_the_sites_own(real_site: Path):
    url = repo_url()
    soup = BeautifulSoup((real_site / "cases" / "index.html").read_text(encoding="utf-8"), "html.parser")
    footer = soup.select_one("footer")
    links = {a.get_text(strip=True): a["href"] for a in footer.select("a[href]")}
    assert links["出典とライセンス"] == "../about/#sources-and-license"
    assert links["リポジトリ（GitHub）"] == url
    assert links["お問い合わせ（Issue）"] == url + "/issues"
    about = BeautifulSoup((real_site / "about" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert about.select_one("#sources-and-license") and about.select_one("#contact")


@pytest.mark.parametrize("path", ["about", "accessibility"])
def test_pages_link_the_repository_they_mention(real_site: Path, path: str):
    url = repo_url()
    soup = BeautifulSoup((real_site / path / "index.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = {a.get_text(strip=True): a["href"] for a in soup.select("article a[href]")}
    assert hrefs["リポジトリ"] == url
    assert hrefs["Issue"] == url + "/issues"


def test_no_placeholder_or_edit_button_is_left(real_site: Path):
    for path in real_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "jirei-config:" not in html, path
        assert 'rel="edit"' not in html and 'data-md-component="source"' not in html, path


def test_not_found_page_is_japanese(real_site: Path):
    soup = BeautifulSoup((real_site / "404.html").read_text(encoding="utf-8"), "html.parser")
    body = soup.select_one("article")
    assert body.h1.get_text() == "ページが見つかりません"
    form = body.select_one("form[role=search]")
    assert form["action"] == "/search/" and form.select_one("input[name=q]")
    hrefs = {a["href"] for a in body.select("a[href]")}
    assert {"/cases/", "/fields/", "/population/", "/funding/", "/prefectures/", "/talent/"} <= hrefs
