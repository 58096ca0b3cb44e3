"""What `jirei validate` accepts, `jirei build` builds, inertly: a property over generated records.

Hypothesis writes a case, a posting, an advisor program and a funding program whose text is drawn
from the whole of Unicode (controls, C1, noncharacters, surrogates, bidi and zero-width characters,
astral characters, combining marks) mixed with HTML, Markdown and template payloads, and whose
numbers and dates run up to and past their limits. Either validation rejects the records with
located Japanese messages, or the build succeeds and the site is inert: every element and attribute
is one the templates and the Markdown renderer make, no link or source is a script or data URL,
no inline script differs from the theme's own, feeds and the calendar parse, titles read back as
written.

The example count is bounded for `make test`; `benchmarks/property_build.py` runs more.
"""

from __future__ import annotations

import html
import html.parser
import itertools
import json
import os
import re
import shutil
import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from generator.errors import UserError
from generator.models import COLLECTION_FIELDS
from generator.site import build_site
from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import CONTENT
from tests.talent import write_postings
from tests.test_hostile_records import ADVISOR

EXAMPLES = int(os.environ.get("JIREI_PROPERTY_EXAMPLES", "10"))
TODAY = date(2026, 11, 23)
SITE_URL = "https://jirei.example.jp/"

# --- text from the whole Unicode range --------------------------------------------------------

SPECIAL = [
    "\x00", "\x02", "\x03", "\x1b", "\x7f", "\x85", "\x86", "\x9b", "\ud800", "\udfff", "\ufdd0", "\ufffe",
    "\uffff", "\U0001fffe", "\U0010ffff", "\u061c", "\u200e", "\u202a", "\u202e", "\u2066", "\u2069", "\u200b",
    "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028", "\u2029", "\n", "\r", "\t", "\x0b", "\x0c",
    "\U0001f600", "\U00020b9f", "\u0301", "\u3099", "ｱ", "ﾞ", "\u3000", "\U000e0001", "\ue000", "\U000f0000",
]  # fmt: skip
PAYLOAD = [
    "<x-pwn onload=alert(1)>", "</article><x-pwn>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))", "[a](\tjavascript:alert(1))", "[a](vbscript:msgbox)",
    "[a](data:text/html,<x-pwn>)", "<javascript:alert(1)>", "<https://example.jp/\"onmouseover=alert(1)>",
    "[x]: javascript:alert(1)\n\n[x]", "![i](https://example.jp/i.png)", "&#106;avascript:alert(1)", "&lt;x-pwn&gt;",
    "{{ 7*7 }}", "{% raw %}", "{#", "---\ntitle: x\n---", "wzxhzdk:0", "klzzwxh:0", "<!--", "]]>",
    "*[HTML]: x", "[^1]", "# 見出し", "    code", "| a |\n|---|", "!!python/object:os.system", "\\", '"', "'", "`",
]  # fmt: skip

# PyYAML's printable characters: written as they are; everything else as a YAML escape.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

any_character = st.characters(exclude_categories=[]) | st.sampled_from(SPECIAL)
# Text validation should accept: everything but controls, surrogates, unassigned code points and bidi controls.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
prose_character = st.characters(exclude_categories=["Cc", "Cs", "Cn"], exclude_characters=_BIDI) | st.sampled_from(
    ["\n", "\t", "\u2028", "\U0001f600", "\u0301", "\ue000"]
)
label_character = st.characters(
    exclude_categories=["Cc", "Cs", "Cn", "Zl", "Zp"], exclude_characters=_BIDI + _INVISIBLE + "\x85"
)


# Python-Markdown's placeholders: only with the control characters that validation refuses.
HOSTILE_PAYLOAD = [*PAYLOAD, "\x02wzxhzdk:0\x03", "\x02klzzwxh:0\x03"]


def _text(characters, max_size: int, lines: bool, limit: int, payload: list[str] = PAYLOAD):
    piece = st.text(characters, min_size=1, max_size=12) | st.sampled_from(payload if lines else payload[:3])
    joined = st.lists(piece, min_size=1, max_size=max_size).map("".join)
    if not lines:
        joined = joined.map(lambda text: re.sub("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", " ", text))
    return joined.map(lambda text: text[:limit]).filter(lambda text: text.strip())


def texts(hostile: bool, lines: bool = False, max_size: int = 6, limit: int = 40):
    """Record text: from every code point when hostile, else from what validation should accept.
    Hostile text also runs past the length limits."""
    if hostile:
        return _text(any_character, max_size, lines, 10**6, HOSTILE_PAYLOAD)
    return _text(prose_character if lines else label_character, max_size, lines, limit)


# --- numbers, dates, URLs, ids ----------------------------------------------------------------


def count(hostile: bool, limit: int):
    """Integers up to a limit; when hostile, also 0, one more than the limit, very large, negative."""
    within = st.integers(1, limit) | st.just(limit)
    return within | st.sampled_from([0, limit + 1, 10**15, 10**400, -1]) if hostile else within


def day(hostile: bool):
    within = st.dates(date(1900, 1, 1), date(2100, 12, 31))
    return within | st.sampled_from([date(1, 1, 1), date(1899, 12, 31), date(9999, 12, 31)]) if hostile else within


def partial_date(hostile: bool):
    return day(hostile).flatmap(lambda d: st.sampled_from([d.isoformat(), d.isoformat()[:7], d.isoformat()[:4]]))


def record_id(hostile: bool):
    valid = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True).filter(lambda i: i != "index")
    return valid | st.just("index") if hostile else valid


BAD_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " https://example.jp/",
    "https://",
    "data:text/html,x",
    "vbscript:x",
    "https://example.jp/" + "a" * 2_100,
    "https://example.jp/a b",
]


def url(hostile: bool):
    if hostile:
        tail = st.text(any_character, max_size=40)
        made = st.builds(lambda t: "https://example.jp/" + t, tail)
        return made | st.sampled_from([*BAD_URLS, 'https://example.jp/"><x-pwn>'])
    tail = st.text(label_character.filter(lambda ch: not ch.isspace()), max_size=40)
    made = st.builds(lambda t: "https://example.jp/" + t, tail) | st.builds(lambda t: "http://例え.jp/?q=" + t, tail)
    return made | st.just('https://example.jp/"><x-pwn/onload=alert(1)>')


PLACES = [("202096", "長野県", "伊那市"), ("380008", "愛媛県", "愛媛県"), ("131016", "東京都", "千代田区")]
place = st.sampled_from(PLACES).map(lambda p: {"code": p[0], "prefecture": p[1], "name": p[2]})


def maybe(strategy):
    return st.none() | strategy


def sources(hostile: bool):
    source = st.fixed_dictionaries(
        {"title": texts(hostile, limit=200)}, optional={"url": url(hostile), "published": partial_date(hostile)}
    )
    return st.lists(source, min_size=1, max_size=3, unique_by=lambda s: s.get("url", str(id(s))))


@st.composite
def records(draw):
    """A funding program, a case using it, a posting and an advisor program citing it."""
    # benign: every value from what validation should accept; one: exactly one value hostile (where
    # validation and the build must agree); hostile: every value drawn from everything.
    mode = draw(st.sampled_from(["benign", "one", "one", "one", "hostile"]))
    target = draw(st.integers(0, 26))  # hostile_here() is asked 27 times below
    calls = itertools.count()

    def hostile_here() -> bool:
        return mode == "hostile" or (mode == "one" and next(calls) == target)

    label, prose = texts(hostile_here()), texts(hostile_here(), lines=True, limit=10_000)
    program_id = draw(record_id(hostile_here()))
    program = {
        "id": program_id,
        "name": draw(label),
        "ministry": draw(label),
        "kind": "交付金",
        "rate": draw(maybe(texts(hostile_here(), max_size=2))),
        "period": draw(maybe(label)),
        "aliases": draw(st.lists(label, max_size=3)),
        "url": draw(maybe(url(hostile_here()))),
        "description": draw(prose),
        "sources": draw(sources(hostile_here())),
    }
    field = draw(st.sampled_from(COLLECTION_FIELDS))
    case = {
        "id": draw(record_id(hostile_here())),
        "title": draw(texts(hostile_here(), max_size=4)),
        "field": field,
        "related_fields": draw(
            st.lists(st.sampled_from([f for f in COLLECTION_FIELDS if f != field]), max_size=2, unique=True)
        ),
        "municipality": draw(place),
        "population": draw(count(hostile_here(), 20_000_000)),
        "population_as_of": draw(maybe(partial_date(hostile_here()))),
        "summary": draw(prose),
        "background": draw(maybe(prose)),
        "support_programs": [
            {
                "program": program_id,
                "fiscal_years": draw(st.lists(st.integers(1990, 2100), max_size=3)),
                "note": draw(maybe(label)),
            }
        ],
        "advice": draw(maybe(prose)),
        "outcomes": draw(maybe(prose)),
        "population_note": draw(maybe(label)),
        "department": draw(maybe(label)),
        "costs": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"amount": count(hostile_here(), 1_000_000_000) | st.just(0)},
                    optional={
                        "fiscal_year": st.integers(1990, 2100),
                        "basis": st.sampled_from(["予算", "決算", "事業費"]),
                        "note": label,
                    },
                ),
                max_size=3,
            )
        ),
        "started": draw(maybe(partial_date(hostile_here()))),
        "tags": draw(
            st.lists(texts(hostile_here(), max_size=2), max_size=4)
            | st.just([f"t{i}" for i in range(31 if mode == "hostile" else 30)])
        ),
        "links": draw(st.lists(st.fixed_dictionaries({"title": label, "url": url(hostile_here())}), max_size=2)),
        "awards": draw(st.lists(label, max_size=2)),
        "sources": draw(sources(hostile_here())),
        "updated": draw(maybe(day(hostile_here()).map(date.isoformat))),
    }
    opens = TODAY + timedelta(days=draw(st.integers(-30, 5)))
    closes = draw(
        st.sampled_from([TODAY + timedelta(days=20), TODAY + timedelta(days=3), date(2100, 12, 31)])
        | day(hostile_here()).map(lambda d: d if mode == "hostile" or d >= opens else opens)
    )
    low = draw(count(hostile_here(), 1_000_000_000))
    high = count(True, 1_000_000_000) if mode == "hostile" else st.integers(low, max(low, 1_000_000_000))
    posting = {
        "id": draw(record_id(hostile_here())),
        "title": draw(label),
        "municipality": draw(place),
        "role": draw(label),
        "employment": draw(st.sampled_from(["特別職非常勤職員", "業務委託", "記載なし"])),
        "remote": draw(st.sampled_from(["可", "一部可", "不可", "記載なし"])),
        "workload": draw(maybe(label)),
        "compensation": {"unit": draw(st.sampled_from(["月額", "日額", "総額"])), "min": low, "max": draw(maybe(high))},
        "duties": draw(prose),
        "requirements": draw(maybe(prose)),
        "skills": draw(st.lists(texts(hostile_here(), max_size=2), max_size=3)),
        "application": {
            "opens": opens.isoformat(),
            "closes": closes.isoformat(),
            "url": draw(url(hostile_here())),
            "method": draw(maybe(prose)),
            "contact": draw(maybe(label)),
        },
        "fiscal_measures": [program_id],
        "posted": draw(partial_date(hostile_here())),
        "sources": draw(sources(hostile_here())),
    }
    advisor = {
        "id": draw(record_id(hostile_here())),
        "name": draw(label),
        "administrator": draw(label),
        "summary": draw(prose),
        "dispatch": draw(maybe(prose)),
        "personnel": draw(maybe(prose)),
        "themes": draw(st.lists(texts(hostile_here(), max_size=2), max_size=3)),
        "cost_to_municipality": draw(maybe(prose)),
        "fiscal_support": draw(maybe(prose)),
        "fiscal_measures": [program_id],
        "eligibility": draw(maybe(prose)),
        "application": draw(maybe(prose)),
        "url": draw(maybe(url(hostile_here()))),
        "sources": draw(sources(hostile_here())),
    }
    return {"program": program, "case": case, "posting": posting, "advisor": advisor}


# --- writing YAML that can hold any character ---------------------------------------------------


def _quote(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif _PRINTABLE.fullmatch(ch) and ch not in "\u2028\u2029\ufeff":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def to_yaml(value, indent: str = "") -> str:
    """Block YAML with every string double-quoted and escaped (so that any code point can be written)."""
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if item is None or item == []:
                continue
            if isinstance(item, (dict, list)):
                lines.append(f"{indent}{key}:\n{to_yaml(item, indent + '  ')}")
            else:
                lines.append(f"{indent}{key}: {_scalar(item)}")
        return "\n".join(lines)
    lines = []
    for item in value:
        if isinstance(item, dict):
            body = to_yaml(item, indent + "  ")
            lines.append(f"{indent}- {body.lstrip()}")
        else:
            lines.append(f"{indent}- {_scalar(item)}")
    return "\n".join(lines)


def _scalar(value) -> str:
    return str(value) if isinstance(value, int) else _quote(str(value))


# --- what an inert site is ----------------------------------------------------------------------


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.json_ld: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster") and value:
                self.urls.append(value)
        if tag == "script" and not dict(attrs).get("src"):
            self._script = dict(attrs).get("type") or ""
            self._buffer = []

    def handle_data(self, data):
        if self._script is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            text = "".join(self._buffer)
            # Data blocks (JSON-LD, the contribution form's data) are not run: they must parse as JSON.
            data = self._script in ("application/ld+json", "application/json")
            (self.json_ld if data else self.inline_scripts).append(text)
            self._script = None


def _parse(path: Path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


_SCHEME = re.compile(r"^[\x00-\x20]*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# What Markdown in a record may render to (markdown-it, CommonMark, no raw HTML, no images or headings).
MARKDOWN_ELEMENTS = {"p", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "br", "a"}
MARKDOWN_ATTRIBUTES = {"href", "title", "start"}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, real_site) -> dict:
    """The elements, attributes and inline scripts of the real site and of a site of synthetic open
    postings: what the templates, the theme and the Markdown renderer make."""
    root = tmp_path_factory.mktemp("baseline")
    content = root / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    (content / "cases" / "baseline.yaml").write_text(case_text("baseline"), encoding="utf-8")
    write_postings(content, TODAY)
    advisors = content / "talent" / "advisors"
    advisors.mkdir(parents=True)
    (advisors / "baseline.yaml").write_text(ADVISOR.format(id="baseline"), encoding="utf-8")
    build_site(content, root / "site", TODAY, SITE_URL)
    tags, attributes, scripts = set(MARKDOWN_ELEMENTS), set(MARKDOWN_ATTRIBUTES), set()
    for page in [*(root / "site").rglob("*.html"), *real_site.rglob("*.html")]:
        parsed = _parse(page)
        tags |= parsed.tags
        attributes |= parsed.attributes
        scripts |= set(parsed.inline_scripts)
    return {"tags": tags, "attributes": attributes, "scripts": scripts}


def _write(content: Path, generated: dict) -> dict[str, Path]:
    funding = content / "taxonomy" / "funding.yaml"
    funding.write_text(funding.read_text(encoding="utf-8") + to_yaml([generated["program"]]) + "\n", encoding="utf-8")
    written = {"funding": funding}
    for kind, folder in (("case", "cases"), ("posting", "talent/postings"), ("advisor", "talent/advisors")):
        record = generated[kind]
        path = content / folder / f"{record['id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_yaml(record) + "\n", encoding="utf-8")
        written[kind] = path
    return written


def check_rejection(problems, written: dict[str, Path]) -> None:
    files = {str(path): path.read_text(encoding="utf-8").count("\n") + 1 for path in written.values()}
    for problem in problems:
        matching = [name for name in files if name.endswith(problem.path) or problem.path.endswith(name)]
        assert matching, problem.text()
        assert 1 <= problem.line <= files[matching[0]] + 1, problem.text()
        assert problem.column >= 1, problem.text()
        assert re.search("[\u3040-\u30ff\u4e00-\u9fff]", problem.message), problem.text()


def check_inert(site: Path, generated: dict, baseline: dict) -> None:
    for page in site.rglob("*.html"):
        parsed = _parse(page)
        where = page.relative_to(site)
        assert parsed.tags <= baseline["tags"], (where, parsed.tags - baseline["tags"])
        assert parsed.attributes <= baseline["attributes"], (where, parsed.attributes - baseline["attributes"])
        for value in parsed.urls:
            scheme = _SCHEME.match(value)
            assert not scheme or scheme.group(1).lower() in ("http", "https", "mailto"), (where, value)
        assert set(parsed.inline_scripts) <= baseline["scripts"], where
        for text in parsed.json_ld:
            json.loads(text)
    for feed in site.rglob("*.xml"):
        ElementTree.parse(feed)
    from icalendar import Calendar

    Calendar.from_ical((site / "feeds" / "deadlines.ics").read_bytes())
    json.loads((site / "search" / "documents.json").read_text(encoding="utf-8"))

    case = generated["case"]
    soup = (site / "cases" / case["id"] / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", soup, re.DOTALL).group(1)
    assert html.unescape(title).startswith(case["title"]), (title, case["title"])
    heading = re.search(r"<h1>(.*?)</h1>", soup, re.DOTALL).group(1)
    assert html.unescape(heading) == case["title"]
    posting = (site / "talent" / "postings" / generated["posting"]["id"] / "index.html").read_text(encoding="utf-8")
    assert html.unescape(re.search(r"<title>(.*?)</title>", posting, re.DOTALL).group(1)).startswith(
        generated["posting"]["title"]
    )


PROPERTY = settings(
    phases=[Phase.explicit, Phase.generate] if os.environ.get("JIREI_PROPERTY_NO_SHRINK") else list(Phase),
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(generated=records())
def test_what_validate_accepts_build_builds_inertly(tmp_path_factory, baseline, generated):
    root = tmp_path_factory.mktemp("property")
    content = root / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    written = _write(content, generated)
    _, problems = validate_content(content)
    if problems:
        event("validation rejected the records")
        for problem in problems:
            event(f"rejected: {re.sub('[0-9０-９]+|「[^」]*」|U[+][0-9A-F]+', '#', problem.message)[:40]}")
        check_rejection(problems, written)
        with pytest.raises(UserError):
            build_site(content, root / "site", TODAY, SITE_URL)
        assert not (root / "site").exists()
        return
    event("validation accepted the records: built")
    build_site(content, root / "site", TODAY, SITE_URL)
    check_inert(root / "site", generated, baseline)
    shutil.rmtree(root)
