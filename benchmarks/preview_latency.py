"""Latency of `jirei serve`: from writing an edited case to the new page being served.

    .venv/bin/python benchmarks/preview_latency.py                     # 200 and 2,000 synthetic cases, 5 edits each
    .venv/bin/python benchmarks/preview_latency.py --cases 200 --edits 10

For each size, synthetic content (benchmarks/synthetic.py) is written to a temporary folder and
`jirei serve` runs on it as a subprocess on a free port. After the first build, one case file is
rewritten with a new title N times; each time the clock runs from the write until what an open
page needs to show the change: the reload signal on /__jirei__/events (a new generation) and the
case page served over HTTP with the new title (polled every 20 ms). Targets: ≤ 1 s at 200 cases
and ≤ 3 s at 2,000. Also shown: when the page alone first carried the title (the new site is
swapped in before the build finishes), and the server's own build times (its terminal output).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(Path(__file__).parent))

from synthetic import TODAY, write_content  # noqa: E402

TARGETS = {200: 1.0, 2000: 3.0}
POLL = 0.02
TIMEOUT = 1800.0  # seconds for one build at most (the first build of 2,000 cases is long)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def _until(predicate, timeout: float, what: str) -> float:
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"時間切れ: {what}")
        time.sleep(POLL)
    return time.perf_counter() - started


class _Signals:
    """The reload signals of the server's event stream, with the time each arrived."""

    def __init__(self, url: str):
        self.times: list[float] = []
        self.response = urllib.request.urlopen(url, timeout=TIMEOUT)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in self.response:
                if line.startswith(b"data:"):
                    self.times.append(time.perf_counter())

    def after(self, moment: float) -> float | None:
        return next((t for t in list(self.times) if t > moment), None)


def measure(count: int, edits: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds from each write to the reloaded page, to the page alone, and the server's build
    times for those edits."""
    with tempfile.TemporaryDirectory(prefix="jirei-preview-bench-") as work:
        content = write_content(Path(work), count)
        case = sorted((content / "cases").glob("*.yaml"))[0]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": work, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", "0"]
        process = subprocess.Popen(
            [*command, "--today", TODAY.isoformat()],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
        try:
            _until(lambda: any("でプレビューを表示します" in line for line in lines), 120, "サーバーの起動")
            base = re.search(r"(http://\S+/) でプレビューを表示します", "".join(lines)).group(1)
            page = f"{base}cases/{case.stem}/"
            first = _until(lambda: _get(page)[0] == 200 and _build_times(lines), TIMEOUT, "最初の生成")
            print(f"事例 {count} 件: 最初の生成 {first:.1f} 秒", flush=True)
            signals = _Signals(f"{base}__jirei__/events")
            latencies, pages = [], []
            built_before = len(_build_times(lines))
            for number in range(edits):
                title = f"計測用に書き換えた取組名{number}"
                text = re.sub(r"^title: .*$", f"title: {title}", case.read_text(encoding="utf-8"), flags=re.M)
                started = time.perf_counter()
                case.write_text(text, encoding="utf-8")
                pages.append(_until(lambda title=title: title in _get(page)[1], TIMEOUT, "書き換えたページ"))
                _until(lambda started=started: signals.after(started) is not None, TIMEOUT, "再読み込みの合図")
                latencies.append(max(signals.after(started), started + pages[-1]) - started)
                print(
                    f"  {number + 1}/{edits}: {latencies[-1]:.2f} 秒（ページだけなら {pages[-1]:.2f} 秒）", flush=True
                )
                time.sleep(0.5)  # the server settles before the next edit
            builds = _build_times(lines)[built_before:]
            signals.response.close()
        finally:
            process.terminate()
            process.wait(timeout=60)
        return latencies, pages, builds


def _build_times(lines: list[str]) -> list[float]:
    return [float(m.group(1)) for line in list(lines) if (m := re.search(r"生成しました: .*（([\d.]+) 秒）", line))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, nargs="+", default=[200, 2000], help="synthetic case counts")
    parser.add_argument("--edits", type=int, default=5, help="edits measured for each count")
    args = parser.parse_args()
    results = []
    for count in args.cases:
        results.append((count, *measure(count, args.edits)))
    print()
    for count, latencies, pages, builds in results:
        target = TARGETS.get(count)
        verdict = ""
        if target is not None:
            verdict = f"、目標 {target:.0f} 秒以内: " + ("達成" if max(latencies) <= target else "未達")
        build = f"、サーバーの生成 {len(builds)} 回 中央値 {statistics.median(builds):.2f} 秒" if builds else ""
        print(
            f"事例 {count} 件: 保存から新しいページまで 中央値 {statistics.median(latencies):.2f} 秒、"
            f"最大 {max(latencies):.2f} 秒（{len(latencies)} 回、ページの入れ替えまで 中央値 {statistics.median(pages):.2f} 秒"
            f"{build}）{verdict}"
        )


if __name__ == "__main__":
    main()
