"""Median wall time of `jirei build` over several runs.

    .venv/bin/python benchmarks/build_time.py                 # the real content, 5 runs
    .venv/bin/python benchmarks/build_time.py --synthetic 2000 # generated cases (not content/)

Synthetic cases are written to a temporary folder and copy the real taxonomy; they exist only
to show how the build scales with the number of cases.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.cases import case_text  # noqa: E402


def synthetic_content(folder: Path, count: int) -> Path:
    content = folder / "content"
    shutil.copytree(PROJECT / "content" / "taxonomy", content / "taxonomy")
    (content / "cases").mkdir()
    for number in range(count):
        case_id = f"synthetic-{number:05d}"
        text = case_text(case_id, {"テスト用の概要です。": f"合成した事例 {number} の概要です。"})
        (content / "cases" / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    return content


def run(content: Path, site: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--content",
            str(content),
            "--site-dir",
            str(site),
            "--today",
            "2026-11-23",
        ],
        check=True,
        capture_output=True,
        cwd=PROJECT,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=0, help="build N generated cases instead of content/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        content = synthetic_content(Path(work), args.synthetic) if args.synthetic else PROJECT / "content"
        times = [run(content, Path(work) / "site") for _ in range(args.runs)]
        pages = sum(1 for _ in (Path(work) / "site").rglob("index.html"))
    label = f"{args.synthetic} synthetic cases" if args.synthetic else "content/"
    print(
        f"jirei build, {label}: {pages} pages, median {statistics.median(times):.2f} s over {args.runs} runs "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
