"""Charts drawn at build time: a Vega-Lite specification for each picture, converted to static SVG
by vl-convert and inlined in the page (no script, nothing loaded from outside).

A chart is made of the catalog's counts: the rows of its table (the numbers beside the picture)
and a Vega-Lite specification built from those rows, so the picture and the table cannot disagree.
Vega-Lite places every mark from scales and data (the tile map's columns and rows are data of
generator/data/prefecture-tiles.csv, a standard grid of the 47 prefectures).

Templates ask for a chart (the `charts` global) and write `chart.svg`, a placeholder; `draw` then
puts the SVG in place of each placeholder in the rendered pages. Conversion happens only there, in
the process that calls `draw`, never in a forked process (vl-convert's engine does not survive a
fork), and each specification is converted once (a cache by specification).
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import html
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator import urls
from generator.catalog import wareki_fiscal_year

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"

# Links in a spec point at this origin; `draw` replaces it with the page's relative base, so that
# the SVG of a spec does not depend on the page it is drawn in (Vega resolves relative links
# against a base of its own).
LINK_ORIGIN = "https://jirei.invalid/"

# Colour-blind safe and readable in black and white: one hue (ColorBrewer Blues), lightness
# falling with the count; text on the darkest class is white.
SEQUENTIAL = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]  # a map of fewer classes uses the darkest
DARK = "#08519c"  # the one shade that holds white text (black on the others: contrast 5:1 and more)
NONE_COLOUR = "#ffffff"
# Series of one chart (programs of a lineage): clearly different lightness, from dark to light
# (viridis steps, readable by colour-blind readers and in grey).
SERIES = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
BAR_COLOUR = "#3f51b5"  # the site's primary colour (indigo)
TEXT_COLOUR = "#1f1f1f"

FONT_SIZE = 13
CONFIG: dict[str, Any] = {
    "background": None,  # the page's
    "font": "sans-serif",
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "labelColor": TEXT_COLOUR,
        "titleColor": TEXT_COLOUR,
    },
    "legend": {
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "labelColor": TEXT_COLOUR,
        "titleColor": TEXT_COLOUR,
    },
    "text": {"fontSize": FONT_SIZE, "fill": TEXT_COLOUR},
}
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
VEGA_LITE = "5.21"  # the version vl-convert compiles with (its default is its newest)


@dataclass(frozen=True)
class Row:
    """A line of a chart's table: what is counted, its count, where to read more (a site URL)."""

    label: str
    count: int
    url: str | None = None
    group: str | None = None  # the series (a program) in a chart of several


@dataclass(frozen=True)
class TableRow:
    """A line of the numbers table: what is counted, where to read more, one count per column."""

    label: str
    url: str | None
    counts: tuple[int, ...]


@dataclass
class Chart:
    """A picture and its numbers: the caption (its text alternative too), the table's rows and
    header, the Vega-Lite specification."""

    kind: str  # CSS modifier: bars, map, years
    caption: str
    summary: str  # a sentence that says what the picture shows, for screen readers
    rows: list[Row]
    headers: tuple[str, ...]  # of the table: what is counted, then one column per count
    spec: dict[str, Any] = field(repr=False)
    labelled_links: bool = False  # the picture holds links (the map): no role="img" around them
    table: list[TableRow] | None = None  # where the table is not one line per row

    @property
    def table_rows(self) -> list[TableRow]:
        return self.table if self.table is not None else [TableRow(r.label, r.url, (r.count,)) for r in self.rows]

    @property
    def svg(self) -> Markup:
        """A placeholder that `draw` replaces with the SVG."""
        return placeholder(self.spec, self.summary, self.labelled_links)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)


# --- the charts -----------------------------------------------------------------------------


class Charts:
    """The charts of a catalog (the `charts` global of the templates)."""

    def __init__(self, catalog) -> None:
        self.catalog = catalog

    def cases_per_field(self) -> Chart:
        rows = [
            Row(f"{f.no}. {f.name}", len(self.catalog.cases_in_field(f)), urls.url("field", f.slug))
            for f in self.catalog.fields
        ]
        return Chart(
            "bars",
            "分野ごとの事例数",
            f"分野ごとの事例数の横棒グラフ（{len(rows)}分野、合計{sum(r.count for r in rows)}件）",
            rows,
            ("分野", "事例数"),
            labelled_bars(rows),
        )

    def cases_per_prefecture(self) -> Chart:
        rows = []
        for prefecture in self.catalog.prefectures:
            count = len(self.catalog.cases_in_prefecture(prefecture))
            rows.append(Row(prefecture.name, count, urls.url("prefecture", prefecture.slug) if count else None))
        with_cases = sum(1 for r in rows if r.count)
        return Chart(
            "map",
            "都道府県ごとの事例数（地図）",
            f"都道府県ごとの事例数を色の濃さで示した日本のタイル地図（事例のある都道府県は{with_cases}、"
            "各タイルから都道府県のページへ移動できます）",
            rows,
            ("都道府県", "事例数"),
            tile_map(rows),
            labelled_links=True,
        )

    def cases_per_band(self, entries) -> Chart:
        return _counted_bars(self.catalog.population_groups, [e.band for e in entries], "人口規模", "小さい順、")

    def cases_per_kind(self, entries) -> Chart:
        return _counted_bars(self.catalog.government_kinds, [e.kind for e in entries], "団体の種類", "")

    def uses_per_year(self, program_id: str) -> Chart | None:
        """Cases per fiscal year under a program, its predecessors and successors (a case counts in
        every year it used one of them); None when no use gives a year."""
        catalog = self.catalog
        lineage = [*reversed(catalog.ancestors(program_id)), program_id, *catalog.descendants(program_id)]
        counts: dict[tuple[int, str], int] = {}
        for use in catalog.program_uses(program_id):
            for year in dict.fromkeys(use.fiscal_years):
                key = (year, use.program.id)
                counts[key] = counts.get(key, 0) + 1
        if not counts:
            return None
        years = range(min(y for y, _ in counts), max(y for y, _ in counts) + 1)
        shown = [p for p in lineage if any(p == q for _, q in counts)]
        names = [catalog.programs[p].name for p in shown]
        rows = [
            Row(wareki_fiscal_year(year), counts[(year, p)], group=name)
            for year in years
            for p, name in zip(shown, names, strict=True)
            if (year, p) in counts
        ]
        table = []
        for year in years:
            cells = tuple(counts.get((year, p), 0) for p in shown)
            table.append(TableRow(wareki_fiscal_year(year), None, (*cells, sum(cells)) if len(shown) > 1 else cells))
        kinds = "この制度と前身・後継の制度" if len(lineage) > 1 else "この制度"
        summary = (
            f"{kinds}を活用した事例の数を年度ごとに示す棒グラフ（{wareki_fiscal_year(years[0])}〜"
            f"{wareki_fiscal_year(years[-1])}、{'・'.join(names)}）"
        )
        return Chart(
            "years",
            "年度ごとの活用事例数（件）",
            summary,
            rows,
            ("年度", *names, *(["合計"] if len(shown) > 1 else [])),
            stacked_years([wareki_fiscal_year(y) for y in years], rows, names),
            table=table,
        )


def _counted_bars(groups, found, heading: str, order: str) -> Chart:
    """Bars of the cases in each group (a band, a kind), in the groups' order; `found` holds the
    group of each case."""
    counts = {group.slug: 0 for group in groups}
    for group in found:
        counts[group.slug] += 1
    rows = [Row(group.label, counts[group.slug]) for group in groups]
    return Chart(
        "bars",
        f"{heading}ごとの事例数",
        f"{heading}ごとの事例数の横棒グラフ（{order}合計{sum(counts.values())}件）",
        rows,
        (heading, "事例数"),
        labelled_bars(rows),
    )


def labelled_bars(rows: list[Row]) -> dict[str, Any]:
    """Horizontal bars in the order of the rows, each label above its bar (long Japanese labels
    need the width on a phone), the count at the bar's end."""
    values = [{"label": r.label, "count": r.count, "order": i} for i, r in enumerate(rows)]
    top = max((r.count for r in rows), default=0)
    return {
        "$schema": SCHEMA,
        "width": 360,
        "height": {"step": 38},
        "padding": {"left": 2, "right": 8, "top": 4, "bottom": 4},
        "data": {"values": values},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "axis": None},
            "x": {
                "field": "count",
                "type": "quantitative",
                "axis": None,
                # room at the right for the count of the longest bar
                "scale": {"domain": [0, max(top, 1) * 1.12], "nice": False},
            },
        },
        "layer": [
            {
                "mark": {"type": "bar", "color": BAR_COLOUR, "height": 12, "yOffset": 8},
                "encoding": {"description": {"field": "label"}},
            },
            {
                "mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -1, "x": 0, "aria": False},
                "encoding": {"text": {"field": "label"}, "x": {"datum": 0}},
            },
            {
                "mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 4, "yOffset": 8, "aria": False},
                "encoding": {"text": {"field": "count", "format": "d"}},
            },
        ],
    }


@functools.cache
def prefecture_tiles() -> dict[str, tuple[str, int, int]]:
    """Prefecture code → (short name, column, row) of the tile map."""
    with open(DATA / "prefecture-tiles.csv", encoding="utf-8", newline="") as f:
        return {r["code"]: (r["short"], int(r["col"]), int(r["row"])) for r in csv.DictReader(f)}


def count_classes(top: int) -> list[tuple[int, int | None]]:
    """The shading classes of a count: 1, 2–3, 4–7, 8–15, 16 and more (doubling: a few
    prefectures hold many cases), as many as the largest count needs."""
    classes: list[tuple[int, int | None]] = []
    low = 1
    while low <= max(top, 1) and len(classes) < len(SEQUENTIAL):
        high = low * 2 - 1 if len(classes) < len(SEQUENTIAL) - 1 else None
        classes.append((low, high))
        low *= 2
    if classes[-1][1] is not None and classes[-1][1] < top:
        classes[-1] = (classes[-1][0], None)
    return classes


def class_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}件以上"
    return f"{low}件" if low == high else f"{low}〜{high}件"


def tile_map(rows: list[Row]) -> dict[str, Any]:
    """The 47 prefectures as tiles of a grid, shaded by their count of cases; a tile with cases
    links to the prefecture's page."""
    from generator.municipalities import prefectures

    tiles = prefecture_tiles()
    classes = count_classes(max((r.count for r in rows), default=0))
    labels = ["なし"] + [class_label(low, high) for low, high in classes]
    colours = [NONE_COLOUR] + SEQUENTIAL[len(SEQUENTIAL) - len(classes) :]
    values = []
    for prefecture, row in zip(prefectures(), rows, strict=True):
        short, col, line = tiles[prefecture.code]
        index = next(
            (
                i + 1
                for i, (low, high) in enumerate(classes)
                if row.count >= low and (high is None or row.count <= high)
            ),
            0,
        )
        values.append(
            {
                "name": short,
                "col": col,
                "row": line,
                "shade": labels[index],
                "dark": colours[index] == DARK,
                "alt": f"{row.label}: {row.count}件",
                "href": LINK_ORIGIN + row.url if row.url else None,
            }
        )
    columns = 1 + max(col for _, col, _ in tiles.values())
    lines = 1 + max(line for _, _, line in tiles.values())
    tile = {
        "type": "rect",
        "stroke": "#5f6368",
        "strokeWidth": 0.75,
        "cornerRadius": 3,
    }
    colour = {
        "field": "shade",
        "type": "ordinal",
        "scale": {"domain": labels, "range": colours},
        "legend": {
            "title": "事例数",
            "orient": "top-left",
            "symbolType": "square",
            "symbolSize": 220,
            "symbolStrokeColor": "#5f6368",
            "symbolStrokeWidth": 0.75,
            "labelFontSize": FONT_SIZE,
            "aria": False,
        },
    }
    return {
        "$schema": SCHEMA,
        "width": {"step": 44},
        "height": {"step": 44},
        "padding": 2,
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "col",
                "type": "ordinal",
                "axis": None,
                "scale": {"domain": list(range(columns)), "paddingInner": 0.08},
            },
            "y": {
                "field": "row",
                "type": "ordinal",
                "axis": None,
                "scale": {"domain": list(range(lines)), "paddingInner": 0.08},
            },
        },
        "layer": [
            {  # tiles with cases: links
                "transform": [{"filter": "datum.href != null"}],
                "mark": tile,
                "encoding": {"color": colour, "href": {"field": "href"}, "description": {"field": "alt"}},
            },
            {  # tiles without cases: no link, a dashed outline
                "transform": [{"filter": "datum.href == null"}],
                "mark": {**tile, "strokeDash": [3, 2]},
                "encoding": {"color": colour, "description": {"field": "alt"}},
            },
            {
                "mark": {"type": "text", "aria": False, "fontSize": FONT_SIZE - 1},
                "encoding": {
                    "text": {"field": "name"},
                    "color": {"condition": {"test": "datum.dark", "value": "#ffffff"}, "value": TEXT_COLOUR},
                },
            },
        ],
    }


def series_colours(count: int) -> list[str]:
    """`count` colours of SERIES as far apart in lightness as they can be (dark first)."""
    if count <= 1:
        return SERIES[:1]
    last = len(SERIES) - 1
    return [SERIES[round(i * last / (count - 1))] for i in range(count)]


def stacked_years(years: list[str], rows: list[Row], programs: list[str]) -> dict[str, Any]:
    """Cases per fiscal year, stacked by program (the programs in the order of the lineage). The
    axis shows 令和5 for 令和5年度: its title says 年度."""
    short = lambda label: label.removesuffix("年度")  # noqa: E731
    years = [short(y) for y in years]
    values = [{"year": short(r.label), "program": r.group, "count": r.count} for r in rows]
    order = {p: i for i, p in enumerate(programs)}
    for value in values:
        value["order"] = order[value["program"]]
    return {
        "$schema": SCHEMA,
        "width": {"step": 52},
        "height": 220,
        "padding": {"left": 2, "right": 8, "top": 4, "bottom": 4},
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "year",
                "type": "ordinal",
                "sort": years,
                "scale": {"domain": years},
                "title": "年度",
                "axis": {"labelAngle": 0, "labelFontSize": FONT_SIZE - 1},
            },
            "y": {
                "field": "count",
                "type": "quantitative",
                "aggregate": "sum",
                "title": None,  # the caption says 事例数
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "program",
                "type": "nominal",
                "scale": {"domain": programs, "range": series_colours(len(programs))},
                "legend": {
                    "title": "制度",
                    "orient": "bottom",
                    "direction": "vertical",
                    "labelLimit": 0,
                    "aria": False,
                },
            },
            "order": {"field": "order"},
        },
        "mark": {"type": "bar", "stroke": "#ffffff", "strokeWidth": 1},
    }


# --- drawing -----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<!--jirei-chart ([A-Za-z0-9_=-]+) ([A-Za-z0-9_=-]+) ([01])-->")


def placeholder(spec: dict[str, Any], summary: str, labelled_links: bool) -> Markup:
    """A comment that `draw` replaces with the SVG (base64: nothing of a record can close it)."""
    encode = lambda text: base64.urlsafe_b64encode(text.encode()).decode()  # noqa: E731
    spec_text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(f"<!--jirei-chart {encode(spec_text)} {encode(summary)} {int(labelled_links)}-->")


class SvgCache:
    """SVG by specification: in memory, the most recently used kept (a `jirei serve` session
    converts only the charts whose numbers changed), and on disk in the user's cache folder, keyed
    by the specification, the configuration and vl-convert's version (a second `jirei build`
    converts only new charts). Conversion is what costs: tens of milliseconds a chart."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.svgs: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()
        self.converted = 0  # conversions by vl-convert (the others came from a cache)
        self._folder: Path | None | bool = False  # False: not looked up yet

    def get(self, spec_text: str) -> str:
        with self.lock:
            if spec_text in self.svgs:
                self.svgs.move_to_end(spec_text)
                return self.svgs[spec_text]
        key = _disk_key(spec_text)
        svg = self._read(key)
        if svg is None:
            svg = convert(spec_text)
            self.converted += 1
            self._write(key, svg)
        with self.lock:
            self.svgs[spec_text] = svg
            while len(self.svgs) > self.size:
                self.svgs.popitem(last=False)
        return svg

    def folder(self) -> Path | None:
        if self._folder is False:
            self._folder = _usable_folder(charts_cache_dir())
        return self._folder  # type: ignore[return-value]

    def _read(self, key: str) -> str | None:
        folder = self.folder()
        if folder is None:
            return None
        path = folder / f"{key}.svg"
        try:
            svg = path.read_text(encoding="utf-8")
            os.utime(path)  # used: kept from pruning
        except (OSError, UnicodeDecodeError):
            return None
        return svg if svg.startswith("<svg ") and svg.endswith("</svg>") else None

    def _write(self, key: str, svg: str) -> None:
        folder = self.folder()
        if folder is None:
            return
        try:
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as f:
                f.write(svg)
            os.replace(f.name, folder / f"{key}.svg")
        except OSError as error:
            log.debug("chart cache not written: %s", error)


SVGS = SvgCache()
CACHE_ENV = "JIREI_CACHE_DIR"
UNUSED_SECONDS = 30 * 24 * 60 * 60  # a cached chart not used for this long is removed


def charts_cache_dir() -> Path | None:
    """$JIREI_CACHE_DIR/charts, else $XDG_CACHE_HOME/jirei/charts, else ~/.cache/jirei/charts."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override) / "charts"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "jirei" / "charts"
    try:
        home = Path.home()
    except (RuntimeError, KeyError):
        return None
    return home / ".cache" / "jirei" / "charts" if home.is_absolute() else None


def _usable_folder(folder: Path | None) -> Path | None:
    """The folder, made private to the user, with charts unused for a month removed; None where it
    cannot be used (charts are then converted every time)."""
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return None
        now = time.time()
        for path in folder.iterdir():
            if path.suffix in (".svg", ".tmp") and now - path.stat().st_mtime > UNUSED_SECONDS:
                path.unlink(missing_ok=True)
    except OSError:
        return None
    return folder


@functools.cache
def _engine_version() -> str:
    import vl_convert

    return f"{vl_convert.__version__} {VEGA_LITE}"


def _disk_key(spec_text: str) -> str:
    config = json.dumps(CONFIG, sort_keys=True)
    return hashlib.sha256(f"{_engine_version()}\n{config}\n{spec_text}".encode()).hexdigest()


def convert(spec_text: str) -> str:
    """A Vega-Lite specification as SVG (vl-convert), labels as <text> elements."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec_text, vl_version=VEGA_LITE, config=CONFIG)


def draw(pages: dict[str, str], paths) -> None:
    """Replace the chart placeholders of these pages with their SVG, in place."""
    for path in paths:
        markdown = pages[path]
        if "<!--jirei-chart " not in markdown:
            continue
        base = "../" * urls.page_url(path).count("/")
        pages[path] = _PLACEHOLDER.sub(functools.partial(_inline_svg, base=base), markdown)


_ROLE_DESCRIPTION = re.compile(r' aria-roledescription="[^"<>]*"')


def _inline_svg(match: re.Match, base: str) -> str:
    decode = lambda text: base64.urlsafe_b64decode(text.encode()).decode()  # noqa: E731
    spec_text, summary, labelled_links = decode(match[1]), decode(match[2]), match[3] == "1"
    # Vega describes its marks in English ("rect mark", "axis"): the pictures' Japanese labels say it.
    svg = _ROLE_DESCRIPTION.sub("", SVGS.get(spec_text))
    # Links relative to the page; the picture named by its summary.
    svg = svg.replace(f'xlink:href="{LINK_ORIGIN}', f'xlink:href="{html.escape(base)}')
    role = "" if labelled_links else 'role="img" '
    svg = svg.replace("<svg ", f'<svg {role}aria-label="{html.escape(summary)}" focusable="false" ', 1)
    return svg
