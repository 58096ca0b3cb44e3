"""Open data (generator/opendata.py): the CSV read back as Excel and Python's csv module read it,
the JSON against the published JSON Schema, both compared with the records; hostile cells; the
data page and its files in the built site."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from generator import models, urls
from generator.catalog import Catalog, wareki_date
from generator.opendata import FORMULA_STARTS, LIST_SEPARATOR, data_files, datasets, spreadsheet_cell
from generator.validate import validate_content
from tests.cases import case_text
from tests.conftest import BUILD_DATE, CONTENT, PROJECT
from tests.talent import posting_text

SITE_URL = "https://example.jp/jirei/"
DATASETS = ["cases", "postings", "funding", "advisors"]
SCHEMAS = {"cases": "case", "postings": "posting", "funding": "funding", "advisors": "advisor"}


@pytest.fixture(scope="module")
def catalog(real_content) -> Catalog:
    return Catalog(real_content, BUILD_DATE)


@pytest.fixture(scope="module")
def files(catalog) -> dict[str, bytes]:
    return data_files(catalog, SITE_URL, CONTENT)


def read_csv(data: bytes, quoting=csv.QUOTE_MINIMAL) -> list[list]:
    """As a program reads the file: the BOM is the encoding's, the rows are the csv module's."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), quoting=quoting))


def read_rows(data: bytes) -> list[dict[str, str]]:
    header, *rows = read_csv(data)
    return [dict(zip(header, row, strict=True)) for row in rows]


def cell(text: str | None) -> str:
    """What a text cell holds: the text, with "'" before a formula's first character."""
    if text is None:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def joined(values) -> str:
    return cell(LIST_SEPARATOR.join(values)) if values else ""


# --- the CSV files ----------------------------------------------------------------------------


def test_every_dataset_has_a_csv_a_json_and_its_schema(files):
    expected = {f"data/{name}.csv" for name in DATASETS} | {f"data/{name}.json" for name in DATASETS}
    expected |= {f"data/schema/{schema}.schema.json" for schema in SCHEMAS.values()}
    assert set(files) == expected
    for schema in SCHEMAS.values():  # the schema/ files editors use, byte for byte
        published = files[f"data/schema/{schema}.schema.json"]
        assert published == (PROJECT / "schema" / f"{schema}.schema.json").read_bytes()


@pytest.mark.parametrize("name", DATASETS)
def test_csv_is_utf8_with_bom_and_crlf(files, name):
    data = files[f"data/{name}.csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    text = data.decode("utf-8")
    rows = read_csv(data)
    # Every row ends with CRLF; the record text inside a quoted cell keeps its own line ends (LF).
    assert text.endswith("\r\n")
    assert text.count("\r\n") == len(rows)
    assert "\r" not in text.replace("\r\n", "")
    header = rows[0]
    assert header[0] == "ID" and "ページ" in header and len(set(header)) == len(header)
    assert all(len(row) == len(header) for row in rows)


def test_cases_csv_has_a_row_per_case_as_recorded(files, catalog):
    rows = read_rows(files["data/cases.csv"])
    assert [row["ID"] for row in rows] == [e.id for e in catalog.cases]
    assert len(rows) == len(catalog.cases) == 175
    for row, entry in zip(rows, catalog.cases, strict=True):
        case = entry.case
        assert row["取組名"] == cell(case.title)
        assert row["事業分野"] == case.field
        assert row["関連分野"] == joined(case.related_fields)
        assert (row["団体コード"], row["都道府県"], row["団体名"]) == (
            case.municipality.code,
            case.municipality.prefecture,
            case.municipality.name,
        )
        assert row["人口"] == str(case.population)
        assert row["人口の基準日"] == (case.population_as_of or "")
        assert row["人口規模"] == entry.band.label
        assert row["団体の種類"] == entry.kind.label
        assert row["キーワード"] == joined(case.tags)
        assert row["支援制度ID"] == joined([u.program for u in case.support_programs])
        assert row["概要"] == cell(case.summary)
        assert row["出典"] == joined([s.title for s in case.sources])
        assert row["ページ"] == f"{SITE_URL}cases/{case.id}/"
        for basis in ("予算", "決算", "事業費"):
            amounts = [c.amount for c in case.costs if c.basis == basis]
            assert row[f"{basis}の合計（千円）"] == (str(sum(amounts)) if amounts else "")
    ina = next(row for row in rows if row["ID"] == "ina-drone-shopping")
    assert ina["関連分野"] == "交通;商業・工業"
    assert ina["事業費の内訳"] == "令和3年度 事業費 39,481千円;令和6年度 予算 30,357千円"
    assert ina["開始時期（和暦）"] == "令和2年8月"
    assert ina["活用した支援制度"].startswith("地方創生推進交付金（平成30年度、令和元年度、令和2年度）;")


@pytest.mark.parametrize("name", DATASETS)
def test_numbers_are_numbers_and_text_is_quoted(files, name):
    """Read as QUOTE_NONNUMERIC: an unquoted cell is a number; every text cell is quoted."""
    header, *rows = read_csv(files[f"data/{name}.csv"], quoting=csv.QUOTE_NONNUMERIC)
    numeric = {"cases": {"人口"}, "postings": {"報酬（円）"}, "funding": {"活用した事例の数"}, "advisors": set()}
    for row in rows:
        values = dict(zip(header, row, strict=True))
        for column in numeric[name]:
            assert isinstance(values[column], float) or values[column] == "", (column, values[column])
        assert isinstance(values["ID"], str)
    if name == "cases":
        assert all(isinstance(dict(zip(header, r, strict=True))["人口"], float) for r in rows)


def test_postings_csv_has_a_row_per_posting_with_its_status(files, catalog):
    rows = read_rows(files["data/postings.csv"])
    entries = {e.id: e for e in catalog.postings}
    assert sorted(row["ID"] for row in rows) == sorted(entries) and len(rows) == len(catalog.postings)
    for row in rows:
        entry = entries[row["ID"]]
        posting = entry.posting
        assert row["募集の名称"] == cell(posting.title)
        assert row["任用形態"] == posting.employment
        assert row["スキル"] == joined(posting.skills)
        assert row["財政措置ID"] == joined(posting.fiscal_measures)
        assert row["募集の状態"] == entry.status.label
        assert row["締切日"] == (entry.closes.isoformat() if entry.closes else "")
        assert row["締切日（和暦）"] == wareki_date(entry.closes)
        pay = posting.compensation
        assert row["報酬（円）"] == (str(pay.min) if pay else "")


def test_funding_and_advisors_csv_have_a_row_per_program(files, catalog):
    rows = read_rows(files["data/funding.csv"])
    programs = list(catalog.programs.values())
    assert [row["ID"] for row in rows] == [p.id for p in programs]
    for row, program in zip(rows, programs, strict=True):
        assert row["名称"] == cell(program.name)
        assert row["略称・別名"] == joined(program.aliases)
        assert row["後継の制度ID"] == (program.successor or "")
        assert row["活用した事例の数"] == str(catalog.direct_use_count(program.id))
    chihou = next(row for row in rows if row["ID"] == "chiho-sosei-suishin-kofukin")
    assert int(chihou["活用した事例の数"]) >= 1

    rows = read_rows(files["data/advisors.csv"])
    assert [row["ID"] for row in rows] == [a.id for a in catalog.advisors] and len(rows) == len(catalog.advisors)
    for row, advisor in zip(rows, catalog.advisors, strict=True):
        assert row["名称"] == cell(advisor.name)
        assert row["テーマ"] == joined(advisor.themes)
        assert row["関係する支援制度ID"] == joined(advisor.fiscal_measures)


# --- the JSON files ---------------------------------------------------------------------------


def validator(files, name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(files[f"data/schema/{SCHEMAS[name]}.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


MODELS = {
    "cases": models.Case,
    "postings": models.Posting,
    "funding": models.FundingProgram,
    "advisors": models.AdvisorProgram,
}


@pytest.mark.parametrize("name", DATASETS)
def test_json_records_are_valid_against_the_published_schema_and_are_the_records(files, catalog, name):
    document = json.loads(files[f"data/{name}.json"])
    assert document["record_schema"] == f"{SITE_URL}data/schema/{SCHEMAS[name]}.schema.json"
    assert document["url"] == f"{SITE_URL}data/{name}.json" and document["page"] == f"{SITE_URL}data/"
    assert document["build_date"] == "2026-11-23" and document["build_date_wareki"] == "令和8年11月23日"
    assert "CC BY 4.0" in document["license"]["name"]
    records = [item["record"] for item in document["items"]]
    assert document["count"] == len(records)
    check = validator(files, name)
    if name == "funding":  # funding.yaml's schema: the list of programs
        check.validate(records)
    else:
        for record in records:
            check.validate(record)
    expected = {
        "cases": [e.case for e in catalog.cases],
        "postings": [e.posting for e in catalog.postings],
        "funding": list(catalog.programs.values()),
        "advisors": catalog.advisors,
    }[name]
    assert sorted(r["id"] for r in records) == sorted(r.id for r in expected)
    by_id = {r.id: r for r in expected}
    for record in records:
        # Read back through the model, the JSON is the record itself.
        assert MODELS[name].model_validate(record) == by_id[record["id"]]


def test_an_invalid_record_fails_the_published_schema(files):
    """The schema check is real: a record the models refuse is refused by the published schema."""
    check = validator(files, "cases")
    record = json.loads(files["data/cases.json"])["items"][0]["record"]
    for change in ({"population": -1}, {"unknown_key": 1}, {"sources": []}, {"updated": "2024-13-45"}):
        with pytest.raises(jsonschema.ValidationError):
            check.validate({**record, **change})


def test_case_json_carries_the_derived_values(files, catalog):
    items = {item["record"]["id"]: item["derived"] for item in json.loads(files["data/cases.json"])["items"]}
    for entry in catalog.cases:
        derived = items[entry.id]
        assert derived["url"] == f"{SITE_URL}cases/{entry.id}/"
        assert derived["population_band"] == {"slug": entry.band.slug, "label": entry.band.label}
        assert derived["municipality_kind"] == {"slug": entry.kind.slug, "label": entry.kind.label}
        assert derived["prefecture"]["code"] == entry.case.municipality.code[:2]
        totals = {t["basis"]: t["total"] for t in derived["cost_totals"]}
        expected: dict[str, int] = {}
        for cost in entry.case.costs:
            if cost.basis is not None:
                expected[cost.basis] = expected.get(cost.basis, 0) + cost.amount
        assert totals == expected
        assert len(derived["costs"]) == len(entry.case.costs)
    ina = items["ina-drone-shopping"]
    assert ina["wareki"] == {"population_as_of": "令和5年1月1日", "started": "令和2年8月", "updated": None}
    assert ina["support_programs"][0]["fiscal_years_wareki"] == ["平成30年度", "令和元年度", "令和2年度"]
    assert ina["cost_totals"] == [
        {
            "basis": "事業費",
            "total": 39481,
            "lines": 1,
            "fiscal_years": [2021],
            "fiscal_years_wareki": ["令和3年度"],
            "per_resident_yen": round(39481 * 1000 / 66000, 2),
        },
        {
            "basis": "予算",
            "total": 30357,
            "lines": 1,
            "fiscal_years": [2024],
            "fiscal_years_wareki": ["令和6年度"],
            "per_resident_yen": round(30357 * 1000 / 66000, 2),
        },
    ]


def test_posting_and_funding_json_carry_status_and_lineage(files, catalog):
    postings = {i["record"]["id"]: i["derived"] for i in json.loads(files["data/postings.json"])["items"]}
    for entry in catalog.postings:
        status = postings[entry.id]["status"]
        assert status == {"slug": entry.status.slug, "label": entry.status.label, "as_of": "2026-11-23"}
    funding = {i["record"]["id"]: i["derived"] for i in json.loads(files["data/funding.json"])["items"]}
    for program in catalog.programs.values():
        derived = funding[program.id]
        assert derived["successors"] == catalog.descendants(program.id)
        assert derived["predecessors"] == catalog.ancestors(program.id)
        assert len(derived["cases"]) == catalog.direct_use_count(program.id)
    assert "ina-drone-shopping" in funding["chiho-sosei-suishin-kofukin"]["cases"]


def test_the_status_follows_the_build_date(real_content):
    """A posting's status in the data is the one at the build date, never the clock's."""
    later = data_files(Catalog(real_content, BUILD_DATE.replace(year=2040)), SITE_URL, CONTENT)
    statuses = {row["募集の状態"] for row in read_rows(later["data/postings.csv"])}
    assert statuses == {"募集終了"}
    assert json.loads(later["data/cases.json"])["build_date"] == "2040-11-23"


# --- hostile records --------------------------------------------------------------------------

HOSTILE_TITLES = {
    "hostile-hyperlink": '=HYPERLINK("https://evil.example/","クリック")',
    "hostile-plus": "+1 足し算で始まる取組",
    "hostile-minus": "-x 引き算で始まる取組",
    "hostile-at": "@SUM(A1:A9) で始まる取組",
    "hostile-tab": "\t=1+1 タブで始まる取組",
}


@pytest.fixture(scope="module")
def hostile_catalog(tmp_path_factory) -> tuple[Catalog, Path]:
    content = tmp_path_factory.mktemp("hostile-opendata") / "content"
    shutil.copytree(PROJECT / "content" / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    (content / "talent" / "postings").mkdir(parents=True)
    for case_id, title in HOSTILE_TITLES.items():
        text = case_text(
            case_id, {"title: テスト用のドローン配送の取組": f"title: {json.dumps(title, ensure_ascii=False)}"}
        )
        (content / "cases" / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    # CR can start a text but not a one-line name: a summary, and formulas in a list and a department.
    text = case_text(
        "hostile-cr",
        {
            "summary: |\n  テスト用の概要です。\n  - 箇条書き\n": 'summary: "\\r=1+1 復帰で始まる概要"\n',
            "tags: [ドローン]": 'tags: ["-2+3", "@x"]\ndepartment: "+企画課"',
        },
    )
    (content / "cases" / "hostile-cr.yaml").write_text(text, encoding="utf-8")
    posting = posting_text("hostile-posting", BUILD_DATE, -5, 20, title="\"=cmd|' /C calc'!A0\"", duties="@SUM(1,2)")
    (content / "talent" / "postings" / "hostile-posting.yaml").write_text(posting, encoding="utf-8")
    found, problems = validate_content(content)
    assert problems == []
    return Catalog(found, BUILD_DATE), content


def test_hostile_cells_are_neutralised_in_csv_and_unchanged_in_json(hostile_catalog):
    catalog, content = hostile_catalog
    files = data_files(catalog, SITE_URL, content)
    rows = {row["ID"]: row for row in read_rows(files["data/cases.csv"])}
    items = {item["record"]["id"]: item["record"] for item in json.loads(files["data/cases.json"])["items"]}
    for case_id, title in HOSTILE_TITLES.items():
        assert rows[case_id]["取組名"] == "'" + title
        assert items[case_id]["title"] == title
    assert rows["hostile-cr"]["概要"] == "'\r=1+1 復帰で始まる概要"
    assert items["hostile-cr"]["summary"] == "\r=1+1 復帰で始まる概要"
    assert rows["hostile-cr"]["キーワード"] == "'-2+3;@x"
    assert rows["hostile-cr"]["担当部署"] == "'+企画課"
    assert items["hostile-cr"]["tags"] == ["-2+3", "@x"] and items["hostile-cr"]["department"] == "+企画課"
    posting = read_rows(files["data/postings.csv"])[0]
    assert posting["募集の名称"] == "'=cmd|' /C calc'!A0" and posting["業務内容"].startswith("'@SUM(1,2)")
    assert json.loads(files["data/postings.json"])["items"][0]["record"]["title"] == "=cmd|' /C calc'!A0"
    # No text cell of any file begins with a formula character.
    for name in DATASETS:
        for row in read_csv(files[f"data/{name}.csv"])[1:]:
            assert not any(value.startswith(FORMULA_STARTS) for value in row), row


def test_a_cell_is_neutralised_only_when_it_is_text_that_begins_a_formula():
    for start in ["=", "+", "-", "@", "\t", "\r"]:
        assert spreadsheet_cell(f"{start}1+1") == f"'{start}1+1"
    assert spreadsheet_cell(-5) == -5 and spreadsheet_cell(-0.5) == -0.5 and spreadsheet_cell(0) == 0
    assert spreadsheet_cell("1-2") == "1-2" and spreadsheet_cell("a=b") == "a=b" and spreadsheet_cell(" =1") == " =1"
    assert spreadsheet_cell(None) == "" and spreadsheet_cell("'=1") == "'=1"
    with pytest.raises(TypeError):
        spreadsheet_cell(True)


# --- the data page and the built site ---------------------------------------------------------


def test_the_data_page_lists_every_file_and_they_are_in_the_site(real_site, real_content):
    page = BeautifulSoup((real_site / "data" / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("article")
    hrefs = {a["href"] for a in article.select("a[href]")}
    expected = set(data_files(Catalog(real_content, BUILD_DATE), "http://127.0.0.1/", CONTENT))
    assert {f"../{path}" for path in expected} <= hrefs
    for path in expected:
        built = real_site / path
        assert built.is_file() and built.stat().st_size > 1000, path
    built_json = json.loads((real_site / "data" / "cases.json").read_bytes())
    assert built_json["count"] == 175 and built_json["url"] == "http://127.0.0.1/data/cases.json"
    # Each dataset's columns are explained, as the CSV's header has them.
    for dataset in datasets(Catalog(real_content, BUILD_DATE)):
        section = article.find(id=dataset.key)
        assert section is not None
        table = section.find_next("table")
        listed = [th.get_text() for th in table.select("tbody th")]
        header = read_csv((real_site / dataset.csv_path).read_bytes())[0]
        assert listed == header
    text = article.get_text()
    licence = article.find("a", href="https://creativecommons.org/licenses/by/4.0/deed.ja")
    assert licence is not None and "CC BY 4.0" in licence.get_text()
    citation = article.select_one(".jirei-citation").get_text()
    assert "令和8年11月23日版" in citation and "http://127.0.0.1/data/cases.csv" in citation
    assert "UTF-8（BOM 付き）" in text and "CRLF" in text


def test_the_data_page_is_linked_from_the_home_page_navigation_and_footer(real_site):
    home = BeautifulSoup((real_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one('article a[href="data/"]') is not None
    assert home.select_one('footer a[href="data/"]') is not None
    nav = [a.get_text(strip=True) for a in home.select("nav.md-nav--primary a[href]")]
    assert "オープンデータ" in nav
    case = BeautifulSoup((real_site / "cases/ina-drone-shopping/index.html").read_text(encoding="utf-8"), "html.parser")
    assert case.select_one('footer a[href="../../data/"]') is not None
    assert urls.url("data") == "data/"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_data_page_fits_the_screen(browser, real_site_url, width):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(real_site_url + "data/")
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("table.jirei-data-files").bounding_box()
        assert box is not None and box["width"] > 0
        link = page.get_by_role("link", name="cases.csv").first
        assert link.is_visible()
        response = page.request.get(real_site_url + "data/cases.csv")
        assert response.ok and response.body().startswith(b"\xef\xbb\xbf")
    finally:
        context.close()


def test_a_memo_gives_the_files_a_cold_run_gives(real_content):
    """`jirei serve` keeps the encoded rows: an edited record, a new build date or a renamed program
    is encoded again, and the files are those of a run without the memo."""
    from dataclasses import replace

    from generator.opendata import DataMemo

    memo = DataMemo()
    first = Catalog(real_content, BUILD_DATE)
    assert data_files(first, SITE_URL, CONTENT, memo) == data_files(first, SITE_URL, CONTENT)
    edited_case = real_content.cases[3].model_copy(update={"title": "=編集した取組名"})
    program = real_content.programs[0]
    renamed = program.model_copy(update={"name": "改称した制度"})
    edited = replace(real_content, cases=[*real_content.cases[:3], edited_case, *real_content.cases[4:]])
    changes = [edited, replace(edited, programs=[renamed, *real_content.programs[1:]])]
    for content in changes:
        catalog = Catalog(content, BUILD_DATE)
        assert data_files(catalog, SITE_URL, CONTENT, memo) == data_files(catalog, SITE_URL, CONTENT)
    later = Catalog(changes[-1], BUILD_DATE.replace(year=2040))
    assert data_files(later, SITE_URL, CONTENT, memo) == data_files(later, SITE_URL, CONTENT)
    rows = {row["ID"]: row for row in read_rows(data_files(later, SITE_URL, CONTENT, memo)["data/cases.csv"])}
    assert rows[edited_case.id]["取組名"] == "'=編集した取組名"
    users = [e for e in later.cases if any(u.program == program.id for u in e.case.support_programs)]
    assert users and all("改称した制度" in rows[e.id]["活用した支援制度"] for e in users)
