"""Catalog → {docs-relative path: Markdown}: one Jinja template per page type.

Record text is data: it reaches a page only through `record_markdown` (markdown-it-py with raw
HTML off and only http(s) links) or through Jinja's autoescaping; it is never template source.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from generator import charts, contribute, models, opendata, urls
from generator.catalog import (
    Catalog,
    PostingEntry,
    place_name,
    wareki_date,
    wareki_fiscal_year,
    wareki_fiscal_years,
    wareki_period,
    wareki_year_span,
)
from generator.forked import beside, can_fork
from generator.urls import page_url

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _softbreak(self, tokens, index, options, env) -> str:
    """A line break inside a Japanese sentence joins the lines: browsers would show a space."""
    before = tokens[index - 1].content[-1:] if index > 0 else ""
    after = tokens[index + 1].content[:1] if index + 1 < len(tokens) else ""
    return "" if _CJK.match(before) and _CJK.match(after) else "\n"


def _markdown_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable(["image", "heading", "lheading"])  # record text has no images or headings
    parser.validateLink = _safe_link
    parser.add_render_rule("softbreak", _softbreak)
    return parser


_PARSER = _markdown_parser()


def record_markdown(text: str | None) -> Markup:
    """A record's Markdown as an HTML fragment: raw HTML escaped, only http(s) links."""
    if not text:
        return Markup("")
    return Markup(_PARSER.render(text))


def plain_text(text: str | None) -> str:
    """A record's Markdown as plain text (for search): the words, without markup."""
    if not text:
        return ""
    lines, current, last = [], [], ""
    for token in _PARSER.parse(text):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    current.append(child.content)
                    last = child.content[-1:] or last
                elif child.type in ("softbreak", "hardbreak"):
                    current.append("" if _CJK.match(last) else " ")
        elif token.type in ("fence", "code_block"):
            current.append(token.content)
        elif token.type.endswith("_close") and token.block and current:
            lines.append("".join(current).strip())
            current = []
    if current:
        lines.append("".join(current).strip())
    return "\n".join(line for line in lines if line)


def front_matter_string(text: str) -> Markup:
    """A YAML string for a page's front matter, HTML-escaped (the theme does not escape titles).

    Every character that YAML may not hold as it is (controls, line separators, noncharacters,
    surrogates, BOM) is written as a YAML escape, so that no record can break the front matter.
    """
    escaped = html.escape(text, quote=True)
    return Markup('"' + _YAML_UNSAFE.sub(_yaml_escape, escaped) + '"')


# Outside PyYAML's printable set, plus the line and paragraph separators and the BOM.
_YAML_UNSAFE = re.compile(
    '[^\\x20-\\x7e\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]|["\\\\\\u2028\\u2029\\ufeff]'
)


def _yaml_escape(match: re.Match) -> str:
    ch = match.group()
    if ch in '"\\':
        return "\\" + ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_ESCAPED_BYTES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def readable_url(url: str) -> str:
    """A URL as a browser's address bar shows it (for print): percent-escaped UTF-8 of letters
    (Japanese in a path) decoded, everything else as written. ASCII characters, spaces, control,
    format and bidi characters stay escaped, so that the text reads as the same address."""

    def decode(match: re.Match) -> str:
        escaped = match.group()
        try:
            text = bytes.fromhex(escaped.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return escaped
        out, at = [], 0
        for char in text:
            width = 3 * len(char.encode("utf-8"))
            shown = ord(char) > 127 and unicodedata.category(char)[0] not in "CZ"
            out.append(char if shown else escaped[at : at + width])
            at += width
        return "".join(out)

    return _ESCAPED_BYTES.sub(decode, url)


def number(value: int | float) -> str:
    return f"{value:,}"


def per_resident(value: float) -> str:
    """円/人: whole yen, or two decimals below one yen."""
    if value == 0:
        return "0"
    if value < 1:
        return f"{value:.2f}"
    return f"{round(value):,}"


# How our employment forms map to schema.org JobPosting employmentType (Google's values).
EMPLOYMENT_TYPES = {
    "特別職非常勤職員": ["PART_TIME"],
    "会計年度任用職員": ["TEMPORARY"],
    "任期付職員": ["FULL_TIME", "TEMPORARY"],
    "業務委託": ["CONTRACTOR"],
    "企業派遣": ["OTHER"],
    "副業・兼業": ["PART_TIME"],
    "その他": ["OTHER"],
}
SALARY_UNITS = {"時給": "HOUR", "日額": "DAY", "月額": "MONTH", "年額": "YEAR"}


def job_posting_data(entry: PostingEntry) -> dict[str, Any]:
    """schema.org JobPosting for an open posting: Google's required properties and what we can fill."""
    posting = entry.posting
    municipality = posting.municipality
    organization = place_name(municipality, separator="")
    address = {"@type": "PostalAddress", "addressRegion": municipality.prefecture, "addressCountry": "JP"}
    if municipality.name != municipality.prefecture:
        address["addressLocality"] = municipality.name
    description = record_markdown(posting.duties) + record_markdown(posting.requirements)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": posting.role,
        "description": str(description),
        "datePosted": _full_date(entry.opens.isoformat() if entry.opens else posting.posted),
        "validThrough": f"{entry.closes.isoformat()}T23:59:59+09:00",
        "hiringOrganization": {"@type": "Organization", "name": organization},
        "jobLocation": {"@type": "Place", "address": address},
        "identifier": {"@type": "PropertyValue", "name": organization, "value": posting.id},
    }
    if posting.employment in EMPLOYMENT_TYPES:
        data["employmentType"] = EMPLOYMENT_TYPES[posting.employment]
    pay = posting.compensation
    if pay is not None and pay.unit in SALARY_UNITS:
        value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": SALARY_UNITS[pay.unit]}
        if pay.max and pay.max != pay.min:
            value.update(minValue=pay.min, maxValue=pay.max)
        else:
            value["value"] = pay.min
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "JPY", "value": value}
    if posting.remote == "可":
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "Japan"}
    return data


def _full_date(text: str) -> str:
    """A partial date (YYYY or YYYY-MM) as the first day it covers."""
    year, month, day = (text.split("-") + ["01", "01"])[:3]
    return f"{year}-{month}-{day}"


def script_json(data: Any) -> Markup:
    """JSON for a <script> element: valid JSON whatever the text holds, never closing the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def template_cache(*depends_on: object) -> jinja2.BytecodeCache | None:
    """Compiled templates kept from one run to the next, as Python keeps compiled modules: Jinja's
    own cache folder (in the system's temporary folder, private to the user; Jinja refuses one that
    is not). Jinja recompiles a template whose source changed; `depends_on` names what else the
    compiled code depends on (the environment's options, the engine's version), so that a change of
    it uses other files. None where the folder cannot be used: templates are compiled as before."""
    key = hashlib.sha1(repr((jinja2.__version__, *depends_on)).encode()).hexdigest()[:16]
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__jirei_{key}_%s.cache")
    except (OSError, RuntimeError):
        return None


ENVIRONMENT_OPTIONS = dict(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=template_cache("pages", sorted(ENVIRONMENT_OPTIONS.items(), key=str)),
        **ENVIRONMENT_OPTIONS,
    )
    env.filters.update(
        md=record_markdown,
        front_matter=front_matter_string,
        num=number,
        per_resident=per_resident,
        readable_url=readable_url,
        wareki=wareki_fiscal_year,
        wareki_years=wareki_fiscal_years,
        wareki_span=wareki_year_span,
        wareki_date=wareki_date,
        wareki_period=wareki_period,
    )
    env.globals.update(job_posting=lambda entry: script_json(job_posting_data(entry)), url=urls.url)
    env.globals.update(charts=charts.Charts)  # charts(catalog).cases_per_field() …: placeholders, drawn by render_pages
    return env


@functools.cache
def model_reference(model: type[models.Record]) -> list[dict[str, Any]]:
    """Rows of the field reference: key, required, type and description, from the model (once:
    the models do not change while jirei runs)."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    rows = []
    for key, prop in schema["properties"].items():
        rows.append(
            {
                "key": key,
                "required": key in required,
                "type": _type_label(prop, schema.get("$defs", {})),
                "description": model.model_fields[key].description,
            }
        )
    return rows


def _type_label(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"{defs.get(name, {}).get('description', name).rstrip('。')}（マッピング）"
    if "enum" in prop:
        return "次のいずれか: " + " / ".join(str(v) for v in prop["enum"])
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if options and all(p.get("type") in ("string", "integer") for p in options) and len(options) > 1:
            return "年月（YYYY、YYYY-MM、YYYY-MM-DD）"
        return _type_label(options[0], defs) if options else "null"
    kind = prop.get("type")
    if kind == "array":
        return f"リスト（{_type_label(prop.get('items', {}), defs)}）"
    if kind == "string":
        if prop.get("format") == "date":
            return "日付（YYYY-MM-DD）"
        if prop.get("format") == "uri":
            return "URL（http/https）"
        return "文字列"
    return {"integer": "整数", "boolean": "true / false"}.get(kind, str(kind))


# The field reference: a heading for readers, where the keys are written, and the model.
REFERENCE_MODELS: list[tuple[str, str, type[models.Record]]] = [
    ("事例", "content/cases/<id>.yaml", models.Case),
    ("団体", "事例・求人の municipality", models.Municipality),
    ("支援制度の活用", "事例の support_programs の各項目", models.SupportProgram),
    ("事業費", "事例の costs の各項目", models.Cost),
    ("関連リンク", "事例の links の各項目", models.Link),
    ("出典", "各記録の sources の各項目", models.Source),
    ("支援制度", "content/taxonomy/funding.yaml の各項目", models.FundingProgram),
    ("事業分野", "content/taxonomy/fields.yaml の各項目", models.BusinessField),
    ("求人", "content/talent/postings/<id>.yaml", models.Posting),
    ("報酬", "求人の compensation", models.Compensation),
    ("任期", "求人の term", models.Term),
    ("応募", "求人の application", models.Application),
    ("アドバイザー派遣制度", "content/talent/advisors/<id>.yaml", models.AdvisorProgram),
    ("同義語", "content/taxonomy/synonyms.yaml の各項目", models.SynonymGroup),
]


ACCESSIBILITY_REPORT = Path(__file__).resolve().parent.parent / "reports" / "accessibility.json"


def accessibility_report() -> dict | None:
    """The last complete run of tests/test_accessibility.py, if the project has one."""
    if not ACCESSIBILITY_REPORT.exists():
        return None
    return json.loads(ACCESSIBILITY_REPORT.read_text(encoding="utf-8"))


def _cases(entries: list) -> tuple:
    return tuple(entry.case for entry in entries)


class RenderMemo:
    """The pages of a record rendered by an earlier `render_pages`, with what each was made from
    (`jirei serve`): a page whose inputs are equal is not rendered again. A change of the
    templates needs a new memo."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[Any, str]] = {}  # docs path → (inputs, Markdown)
        self.shared: Any = None  # what every page may read: the build date and the taxonomy
        self.env: jinja2.Environment | None = None  # the templates, compiled once


PARALLEL_RENDER = 400  # more pages to render than this: half of them are rendered by a forked process


def render_pages(
    catalog: Catalog, progress=None, memo: RenderMemo | None = None, site_url: str = urls.DEFAULT_SITE_URL
) -> dict[str, str]:
    """Every page of the site as Markdown, by docs-relative path (path and template from generator/urls.py).

    The pages are listed first and rendered then, so that `progress(done, total)` knows the total.
    `site_url` is the address the site is published at: templates read it as `site_url` (with a
    final "/"), e.g. for a printed page's own address.

    The page of a record or of a group of cases names its inputs: everything of the catalog its
    template reads (the record, the records it shows, the taxonomy, the build date).
    With a `memo`, such a page is taken from the memo when its inputs are equal to those it was
    rendered from; every other page is rendered each time."""
    env = (memo.env if memo is not None else None) or environment()
    if memo is not None:
        memo.env = env
    jobs: dict[str, tuple[str, dict[str, Any], Any]] = {}
    site_url = site_url.rstrip("/") + "/"
    shared = (catalog.today, site_url, tuple(catalog.fields), tuple(catalog.programs.values()))

    def page(name: str, key: str | None = None, inputs: Any = None, **context: Any) -> None:
        """The page of a record type or page kind with its key, or a named page: path and template from the table."""
        path = urls.docs_path(name, key)
        if path in jobs:  # validation keeps ids and slugs apart from generated pages
            raise AssertionError(f"two pages at {path}")
        jobs[path] = (urls.template(name), context, inputs)

    page("home")
    page("cases")
    for entry in catalog.cases:
        related = catalog.related[entry.id]
        similar = [e.case for m in entry.case.similar_municipalities for e in catalog.cases_of_municipality(m.code)]
        same_size = catalog.same_size_cases(entry)
        inputs = (entry.case, _cases(related), tuple(similar), _cases(same_size))
        page("case", entry.id, inputs, entry=entry, case=entry.case, related=related, same_size=same_size)
    page("fields")
    for field in catalog.fields:
        inputs = (_cases(catalog.cases_in_field(field)), _cases(catalog.cases_related_to_field(field)))
        page("field", field.slug, (field, inputs), field=field)
    page("population")
    for band in catalog.population_groups:
        page("band", band.slug, (band, _cases(catalog.cases_in_band(band))), band=band)
    page("kinds")
    for kind in catalog.government_kinds:
        page("kind", kind.slug, (kind, _cases(catalog.cases_of_kind(kind))), kind=kind)
    page("funding")
    for program in catalog.programs.values():
        inputs = (
            tuple((use.entry.case, use.relation) for use in catalog.program_uses(program.id)),
            tuple((e.posting, e.status) for e in catalog.postings_citing(program.id)),
            tuple(catalog.advisors_citing(program.id)),
        )
        page("program", program.id, inputs, program=program)
    page("prefectures")
    for prefecture in catalog.prefectures:
        page(
            "prefecture",
            prefecture.slug,
            (prefecture, _cases(catalog.cases_in_prefecture(prefecture))),
            prefecture=prefecture,
        )
    page("talent")
    for entry in catalog.postings:
        page("posting", entry.id, (entry.posting, entry.status), entry=entry, posting=entry.posting)
    page("advisors")
    for advisor in catalog.advisors:
        page("advisor", advisor.id, (advisor,), program=advisor)
    for choice in catalog.employment_choices:
        entries = catalog.postings_where("employment", choice)
        if entries:
            page("employment", choice.slug, heading=f"任用形態: {choice.value}", entries=entries)
    for choice in catalog.remote_choices:
        entries = catalog.postings_where("remote", choice)
        if entries:
            page("remote", choice.slug, heading=f"リモート勤務: {choice.value}", entries=entries)
    for prefecture in catalog.posting_prefectures:
        entries = catalog.postings_where("prefecture", prefecture)
        page("talent_prefecture", prefecture.slug, heading=f"{prefecture.name}の求人", entries=entries)
    page("search")
    page("accessibility", report=accessibility_report())
    page("about")
    page(
        "data",
        datasets=opendata.datasets(catalog),
        license_name=opendata.LICENSE_NAME,
        license_url=opendata.LICENSE_URL,
    )
    page(
        "reference",
        sections=[(heading, where, m.__doc__.strip(), model_reference(m)) for heading, where, m in REFERENCE_MODELS],
    )
    page("contribute", form_data=script_json(contribute.form_data(catalog)))
    remembered = memo.pages if memo is not None and memo.shared == shared else {}
    pages: dict[str, str] = {}
    todo = []
    for path, (_, _, inputs) in jobs.items():
        if inputs is not None and path in remembered and remembered[path][0] == inputs:
            pages[path] = remembered[path][1]
        else:
            todo.append(path)

    def render(paths: list[str], report=None) -> dict[str, str]:
        rendered = {}
        for done, path in enumerate(paths, 1):
            template, context, _ = jobs[path]
            context.update(catalog=catalog, base="../" * page_url(path).count("/"), path=path, site_url=site_url)
            rendered[path] = env.get_template(template).render(**context)
            if report and (done % 50 == 0 or done == len(paths)):
                report(done)
        return rendered

    total, before = len(jobs), len(pages)
    report = (lambda done: progress(before + done, total)) if progress else None
    if len(todo) > PARALLEL_RENDER and can_fork():
        # Every other page rendered by a forked process; the progress counts this half twice.
        with beside(render, todo[1::2]) as other_half:
            pages.update(render(todo[::2], report and (lambda done: report(min(2 * done, len(todo))))))
            pages.update(other_half())
    else:
        pages.update(render(todo, report))
    charts.draw(pages, todo)  # here, not in the forked process: vl-convert does not survive a fork
    if memo is not None:
        memo.shared = shared
        memo.pages = {path: (inputs, pages[path]) for path, (_, _, inputs) in jobs.items() if inputs is not None}
    return {path: pages[path] for path in jobs}  # in the order of the table of pages
