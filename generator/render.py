"""Catalog → {docs-relative path: Markdown}: one Jinja template per page type.

Record text is data: it reaches a page only through `record_markdown` (markdown-it-py with raw
HTML off and only http(s) links) or through Jinja's autoescaping; it is never template source.
"""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from generator import models
from generator.catalog import Catalog, wareki_fiscal_year, wareki_fiscal_years

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


def front_matter_string(text: str) -> Markup:
    """A YAML string for a page's front matter. MkDocs' theme does not autoescape titles."""
    return Markup(json.dumps(html.escape(text, quote=True), ensure_ascii=False))


def number(value: int | float) -> str:
    return f"{value:,}"


def per_resident(value: float) -> str:
    """円/人: whole yen, or two decimals below one yen."""
    if value == 0:
        return "0"
    if value < 1:
        return f"{value:.2f}"
    return f"{round(value):,}"


def page_url(path: str) -> str:
    """The site URL of a docs file (MkDocs directory URLs): cases/x.md → cases/x/."""
    if path == "index.md":
        return ""
    if path.endswith("/index.md"):
        return path[: -len("index.md")]
    return path[: -len(".md")] + "/"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=record_markdown,
        front_matter=front_matter_string,
        num=number,
        per_resident=per_resident,
        wareki=wareki_fiscal_year,
        wareki_years=wareki_fiscal_years,
    )
    return env


def model_reference(model: type[models.Record]) -> list[dict[str, Any]]:
    """Rows of the field reference: key, required, type and description, from the model."""
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


REFERENCE_MODELS = [
    models.Case,
    models.Municipality,
    models.SupportProgram,
    models.Cost,
    models.Link,
    models.Source,
    models.FundingProgram,
    models.BusinessField,
]


def render_pages(catalog: Catalog) -> dict[str, str]:
    """Every page of the site as Markdown, by docs-relative path."""
    env = environment()
    pages: dict[str, str] = {}

    def page(path: str, template: str, **context: Any) -> None:
        depth = page_url(path).count("/")
        context.update(catalog=catalog, base="../" * depth, path=path)
        pages[path] = env.get_template(template).render(**context)

    page("index.md", "home.md.j2")
    page("cases/index.md", "cases.md.j2")
    for entry in catalog.cases:
        page(f"cases/{entry.id}.md", "case.md.j2", entry=entry, case=entry.case)
    page("fields/index.md", "fields.md.j2")
    for field in catalog.fields:
        page(f"fields/{field.slug}.md", "field.md.j2", field=field)
    page("population/index.md", "population.md.j2")
    for band in catalog.population_groups:
        page(f"population/{band.slug}.md", "band.md.j2", band=band)
    page("funding/index.md", "funding.md.j2")
    for program in catalog.programs.values():
        page(f"funding/{program.id}.md", "program.md.j2", program=program)
    page("prefectures/index.md", "prefectures.md.j2")
    for prefecture in catalog.prefectures:
        page(f"prefectures/{prefecture.slug}.md", "prefecture.md.j2", prefecture=prefecture)
    page("about/index.md", "about.md.j2")
    page(
        "about/fields.md",
        "reference.md.j2",
        sections=[(m.__name__, m.__doc__.strip(), model_reference(m)) for m in REFERENCE_MODELS],
    )
    return pages
