"""Search benchmarks (not tests): bytes and latency in the browser, latency on the command line.

    .venv/bin/python benchmarks/search_bench.py browser            # content/, 200 and 2,000 synthetic
    .venv/bin/python benchmarks/search_bench.py cli                # 200 and 20,000 synthetic

Browser: Debian's Chromium via Playwright, the site served on 127.0.0.1. "First query" bytes are
everything search needs from opening the search page to the first results: search.js, the
index's meta.json (filters included), the bigram and character shards and the pages shown.
Sizes are given as served with gzip (what a static host such as GitHub Pages sends) and raw.
Latency is from submitting the query to the result count on screen, median and 95th percentile
over the evaluation set's queries, each three times.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(Path(__file__).parent))

import build_time  # noqa: E402
from synthetic import synthetic_cases, write_content  # noqa: E402

from generator.search import SearchDocument, build_index, search_index  # noqa: E402
from tests.conftest import serve  # noqa: E402
from tests.search.evaluate import load_queries  # noqa: E402

QUERIES = [item["query"] for item in load_queries()]

MEASURE = """async (query) => {
  const form = document.querySelector('#jirei-search form');
  const status = document.querySelector('#jirei-search-status');
  status.textContent = '';
  document.querySelector('#jirei-search-q').value = query;
  const t0 = performance.now();
  form.requestSubmit();
  while (!/件見つかりました|見つかりませんでした/.test(status.textContent)) {
    await new Promise(r => setTimeout(r, 2));
  }
  return performance.now() - t0;
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(content: Path, site: Path) -> None:
    build_time.run(content, site)


def browser_figures(site: Path, label: str) -> None:
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            first = {}
            for query in ("ドローン配送", "AI"):  # no result; 32 results (20 shown)
                page = chromium.new_context().new_page()
                fetched: list[tuple[str, int, int]] = []

                def record(response, fetched=fetched):
                    if response.status == 200 and (
                        "/search/index/" in response.url or "/assets/search.js" in response.url
                    ):
                        body = response.body()
                        fetched.append((response.url, len(body), len(gzip.compress(body))))

                page.on("response", record)
                page.goto(base + "search/")
                page.wait_for_function("() => document.querySelector('#jirei-search-status').textContent.length > 0")
                page.evaluate(MEASURE, query)
                page.wait_for_timeout(300)
                first[query] = (sum(f[2] for f in fetched), sum(f[1] for f in fetched), len(fetched))
            times = [page.evaluate(MEASURE, q) for q in QUERIES for _ in range(3)]
            chromium.close()
    finally:
        server.shutdown()
    downloads = "; ".join(
        f"「{q}」 {served / 1024:.0f} KB gzip ({raw / 1024:.0f} KB raw, {files} files)"
        for q, (served, raw, files) in first.items()
    )
    print(
        f"{label}: first query {downloads}; query latency median {statistics.median(times):.0f} ms, "
        f"p95 {percentile(times, 0.95):.0f} ms over {len(times)} queries"
    )


def run_browser() -> None:
    with tempfile.TemporaryDirectory() as work:
        site = Path(work) / "real"
        build(PROJECT / "content", site)
        browser_figures(site, "content/ (real)")
        for count in (200, 2000):
            folder = Path(work) / f"s{count}"
            content = write_content(folder, count)
            started = time.perf_counter()
            build(content, folder / "site")
            print(f"  built {count} synthetic cases in {time.perf_counter() - started:.0f} s")
            browser_figures(folder / "site", f"{count} synthetic cases")


def run_cli() -> None:
    for count in (200, 20_000):
        documents = [
            SearchDocument(
                url=f"cases/{c['id']}/",
                type="case",
                title=c["title"],
                place=c["municipality"]["name"],
                field=c["field"],
                text="\n".join([c["title"], c["summary"], c["background"], "、".join(c["tags"])]),
                filters={"type": ["事例"], "field": [c["field"]], "prefecture": [c["municipality"]["prefecture"]]},
            )
            for c in synthetic_cases(count)
        ]
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            build_index(documents, Path(work) / "index")
            built = time.perf_counter() - started
            from whoosh import index

            ix = index.open_dir(str(Path(work) / "index"))
            for q in QUERIES:  # warm up
                search_index(ix, q, {}, limit=10)
            times = []
            for _ in range(5):
                for q in QUERIES:
                    t0 = time.perf_counter()
                    search_index(ix, q, {}, limit=10)
                    times.append((time.perf_counter() - t0) * 1000)
            filtered = []
            for q in QUERIES:
                t0 = time.perf_counter()
                search_index(ix, q, {"field": ["交通"]}, limit=10)
                filtered.append((time.perf_counter() - t0) * 1000)
        print(
            f"cli, {count} synthetic cases: index built in {built:.0f} s; query median {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 0.95):.1f} ms over {len(times)} queries (limit 10); "
            f"with a field filter p95 {percentile(filtered, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", choices=["browser", "cli"])
    {"browser": run_browser, "cli": run_cli}[parser.parse_args().which]()
