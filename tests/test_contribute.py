"""The contribution form (contribute/) in Chromium: a real case typed in gives YAML that
`jirei validate` accepts and a GitHub link that carries it; bad input gives Japanese messages
beside the fields and no link; a correction opens the existing file's edit page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from generator.validate import validate_content
from tests.conftest import CONTENT, PROJECT


def repo_url() -> str:
    for line in (PROJECT / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("repo_url:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("mkdocs.yml に repo_url がありません")


@pytest.fixture
def form(page, real_site_url):
    page.goto(real_site_url + "contribute/")
    return page


def fill_case(page, record: dict, new_id: str) -> None:
    m = record["municipality"]
    page.fill("#c-municipality", m["prefecture"] + (m["name"] if m["name"] != m["prefecture"] else ""))
    page.fill("#c-title", record["title"])
    page.fill("#c-id", new_id)
    page.select_option("#c-field", record["field"])
    page.fill("#c-population", f"{record['population']:,}")  # 66,000 as people write it
    if record.get("population_as_of"):
        page.fill("#c-population_as_of", str(record["population_as_of"]))
    for key in ("summary", "background", "advice", "outcomes", "department"):
        if record.get(key):
            page.fill(f"#c-{key}", record[key].strip())
    if record.get("started"):
        page.fill("#c-started", str(record["started"]))
    page.fill("#c-tags", "、".join(record.get("tags", [])))
    for number, use in enumerate(record.get("support_programs", []), 1):
        page.click("#c-programs-add")
        page.select_option(f"#c-programs-{number}-program", use["program"])
        page.fill(f"#c-programs-{number}-fiscal_years", ", ".join(map(str, use.get("fiscal_years", []))))
    for number, cost in enumerate(record.get("costs", []), 1):
        page.click("#c-costs-add")
        if cost.get("fiscal_year"):
            page.fill(f"#c-costs-{number}-fiscal_year", str(cost["fiscal_year"]))
        page.fill(f"#c-costs-{number}-amount", str(cost["amount"]))
        if cost.get("basis"):
            page.select_option(f"#c-costs-{number}-basis", cost["basis"])
    for number, source in enumerate(record["sources"], 1):
        if number > 1:
            page.click("#c-sources-add")
        page.fill(f"#c-sources-{number}-title", source["title"])
        if source.get("url"):
            page.fill(f"#c-sources-{number}-url", source["url"])
        if source.get("published"):
            page.fill(f"#c-sources-{number}-published", str(source["published"]))


def test_a_real_case_typed_in_gives_yaml_that_validates_and_a_link_that_carries_it(form, tmp_path):
    record = yaml.safe_load((CONTENT / "cases" / "ina-drone-shopping.yaml").read_text(encoding="utf-8"))
    fill_case(form, record, "ina-drone-shopping-form")
    form.click("#jirei-contribute button[type=submit]")
    assert form.is_visible("#jirei-contribute-result") and form.is_hidden("#c-summary-of-errors")
    text = form.inner_text("#c-result-yaml")

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "cases" / "ina-drone-shopping-form.yaml").write_text(text, encoding="utf-8")
    found, problems = validate_content(content)
    assert problems == [], problems
    made = next(c for c in found.cases if c.id == "ina-drone-shopping-form")
    assert made.title == record["title"] and made.population == record["population"]
    assert made.municipality.code == "202096" and made.field == record["field"]
    assert [u.program for u in made.support_programs] == [u["program"] for u in record["support_programs"]]
    assert [u.fiscal_years for u in made.support_programs] == [
        u.get("fiscal_years", []) for u in record["support_programs"]
    ]
    assert [(c.fiscal_year, c.amount, c.basis) for c in made.costs] == [
        (c.get("fiscal_year"), c["amount"], c.get("basis")) for c in record["costs"]
    ]
    assert made.summary.strip() == record["summary"].strip() and len(made.sources) == len(record["sources"])

    href = form.get_attribute("#c-result-link", "href")
    parts = urlsplit(href)
    assert href.startswith(repo_url() + "/new/main/content/cases?")
    query = parse_qs(parts.query)
    assert query["filename"] == ["ina-drone-shopping-form.yaml"]
    assert query["value"] == [text]  # the file GitHub opens with is the YAML shown
    assert form.errors == []


def test_missing_source_and_bad_url_show_japanese_messages_beside_the_fields_and_no_link(form):
    record = yaml.safe_load((CONTENT / "cases" / "ina-drone-shopping.yaml").read_text(encoding="utf-8"))
    fill_case(form, {**record, "sources": [{"title": ""}], "support_programs": [], "costs": []}, "ina-x")
    form.fill("#c-population_as_of", "2023年1月")
    form.click("#jirei-contribute button[type=submit]")
    assert form.is_hidden("#jirei-contribute-result")
    assert form.get_attribute("#c-result-link", "href") is None
    assert "出典を1件以上書いてください" in form.inner_text("#c-sources-error")
    assert "「人口の基準日」の書き方が違います" in form.inner_text("#c-population_as_of-error")
    assert form.get_attribute("#c-population_as_of", "aria-invalid") == "true"
    assert form.evaluate("document.activeElement.id") == "c-summary-of-errors"  # the summary is announced

    form.fill("#c-sources-1-title", "出典")
    form.fill("#c-sources-1-url", "javascript:alert(1)")
    form.fill("#c-title", "あ" * 81)
    form.click("#jirei-contribute button[type=submit]")
    assert "http:// か https:// で始まる URL" in form.inner_text("#c-sources-1-url-error")
    assert "80文字以内にしてください（いま81文字）" in form.inner_text("#c-title-error")
    assert form.is_hidden("#jirei-contribute-result") and form.get_attribute("#c-result-link", "href") is None

    form.fill("#c-sources-1-url", "https://example.jp/")
    form.fill("#c-title", "直した取組名")
    form.fill("#c-population_as_of", "2023-01")
    form.click("#jirei-contribute button[type=submit]")
    assert form.is_visible("#jirei-contribute-result") and form.get_attribute("#c-result-link", "href")


def test_hostile_text_stays_text_in_the_yaml(form, tmp_path):
    """Quotes, colons, a YAML document marker, HTML and a leading space stay the record's text."""
    record = yaml.safe_load((CONTENT / "cases" / "ina-drone-shopping.yaml").read_text(encoding="utf-8"))
    hostile = {
        **record,
        "title": 'no: "yes" <script>alert(1)</script> # --- &a *b',
        "summary": " 先頭に空白\n---\nkey: value\n- 項目 | > ' \"",
        "department": "yes",
        "support_programs": [],
        "costs": [],
    }
    fill_case(form, hostile, "ina-hostile")
    form.click("#jirei-contribute button[type=submit]")
    text = form.inner_text("#c-result-yaml")
    loaded = yaml.safe_load(text)
    assert loaded["title"] == hostile["title"] and loaded["department"] == "yes"
    assert loaded["summary"].rstrip("\n") == hostile["summary"].strip()  # a literal block ends with a line end
    assert loaded["id"] == "ina-hostile"


def test_the_form_fits_a_phone_and_is_labelled(browser, real_site_url):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(real_site_url + "contribute/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('#jirei-contribute input, #jirei-contribute select, #jirei-contribute textarea')]
              .filter(e => !e.labels || e.labels.length === 0).map(e => e.id)"""
    )
    assert unlabelled == []
    widths = page.evaluate(
        "[...document.querySelectorAll('#jirei-contribute input, #jirei-contribute textarea')].map(e => e.getBoundingClientRect().right)"
    )
    assert max(widths) <= 390
    page.keyboard.press("Tab")  # the keyboard reaches the form's first field
    for _ in range(40):
        if page.evaluate("document.activeElement.id") == "c-municipality":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "c-municipality"
    context.close()


def test_a_correction_opens_the_edit_page_of_the_existing_file(form, real_site_url):
    form.goto(real_site_url + "contribute/?edit=ina-drone-shopping")
    assert form.is_hidden("#jirei-contribute")
    href = form.get_attribute("#jirei-contribute-edit-link", "href")
    assert href == repo_url() + "/edit/main/content/cases/ina-drone-shopping.yaml"
    form.goto(real_site_url + "contribute/?edit=../../etc/passwd")
    assert form.is_hidden("#jirei-contribute-edit") and form.is_visible("#jirei-contribute")


def test_the_forms_limits_come_from_the_schema(real_site):
    """Not written twice: the page embeds the models' case schema with the content's values."""
    from bs4 import BeautifulSoup

    from generator.models import json_schemas

    soup = BeautifulSoup((real_site / "contribute" / "index.html").read_text(encoding="utf-8"), "html.parser")
    data = json.loads(soup.find("script", id="jirei-contribute-data").string)
    assert data["schema"] == json_schemas(CONTENT / "taxonomy")["case.schema.json"]
    assert len(data["municipalities"]) > 1700 and ["202096", "長野県", "伊那市"] in data["municipalities"]
    assert Path(real_site / "assets" / "contribute.js").is_file()


def test_the_home_page_offers_the_form(real_site):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((real_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find("a", string="事例を投稿", href="contribute/")


def test_every_case_page_offers_its_correction(real_site, form, real_site_url):
    from bs4 import BeautifulSoup

    for path in sorted((CONTENT / "cases").glob("*.yaml")):
        html = (real_site / "cases" / path.stem / "index.html").read_text(encoding="utf-8")
        link = BeautifulSoup(html, "html.parser").find("a", string="この事例を修正")
        assert link and link["href"] == f"../../contribute/?edit={path.stem}", path.stem
    form.goto(real_site_url + "cases/ina-drone-shopping/")
    form.click("text=この事例を修正")
    assert form.get_attribute("#jirei-contribute-edit-link", "href").endswith(
        "/edit/main/content/cases/ina-drone-shopping.yaml"
    )
