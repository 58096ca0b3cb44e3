"""Records per second of `jirei validate` (generator.validate.validate_content) on synthetic cases.

    .venv/bin/python benchmarks/validate_speed.py                  # 2,000 and 20,000 cases, 3 runs each
    .venv/bin/python benchmarks/validate_speed.py --counts 2000 --runs 5
    .venv/bin/python benchmarks/validate_speed.py --modes default serial   # also in one process
    .venv/bin/python benchmarks/validate_speed.py --source /tmp/old .      # another checkout, and this one

The cases (and one posting for every 10 cases, the real advisor programs and taxonomy) are
written to a temporary folder by benchmarks/synthetic.py. Each run is a fresh Python process,
so that nothing is cached in memory (the files themselves are in the operating system's cache);
the time counts validate_content only, not the start of Python or the imports. Records/s counts
every record: cases, postings, advisor programs, business fields and funding programs. CPU is
the processor time of the run and of the processes it started.

On a shared machine the values vary: the runs of several sources (folders that hold a
generator/, e.g. `git worktree add /tmp/old HEAD~1`) and modes ("default", or "serial":
processes=1 where validate_content has that option) alternate on the same content, and the
median of each is shown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

# Run in the child process: imports first, then only validate_content is timed. argv: content
# folder, source folder (holding generator/), processes ("" for the default).
_CHILD = """
import inspect, json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from generator.validate import validate_content
serial = sys.argv[3] and "processes" in inspect.signature(validate_content).parameters
options = {"processes": int(sys.argv[3])} if serial else {}
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
before = cpu(resource.RUSAGE_SELF) + cpu(resource.RUSAGE_CHILDREN)
started = time.perf_counter()
content, problems = validate_content(Path(sys.argv[1]), **options)
elapsed = time.perf_counter() - started
used = cpu(resource.RUSAGE_SELF) + cpu(resource.RUSAGE_CHILDREN) - before
records = 0 if content is None else sum(
    len(records) for records in (content.cases, content.postings, content.advisors, content.fields, content.programs)
)
print(json.dumps({"seconds": elapsed, "cpu": used, "problems": len(problems), "records": records}))
"""


def run_once(content: Path, source: Path, processes: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(content), str(source), processes],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="+", default=[2000, 20000], help="numbers of synthetic cases")
    parser.add_argument("--runs", type=int, default=3, help="runs of each source and mode (the median is shown)")
    parser.add_argument("--modes", nargs="+", choices=["default", "serial"], default=["default"])
    parser.add_argument(
        "--source", type=Path, nargs="+", default=[PROJECT], help="folders that hold the generator/ to time"
    )
    args = parser.parse_args()

    from benchmarks.synthetic import write_content

    variants = [(source.resolve(), mode) for source in args.source for mode in args.modes]
    for count in args.counts:
        runs: dict[tuple, list[dict]] = {variant: [] for variant in variants}
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            content = write_content(Path(work), count)
            written = time.perf_counter() - started
            for _ in range(args.runs):
                for source, mode in variants:
                    runs[source, mode].append(run_once(content, source, "1" if mode == "serial" else ""))
        for (source, mode), results in runs.items():
            if any(result["problems"] or not result["records"] for result in results):
                sys.exit(f"{source}: the synthetic content has {results[0]['problems']} problems: nothing to compare")
            records = results[0]["records"]
            seconds = [result["seconds"] for result in results]
            median = statistics.median(seconds)
            print(
                f"{count:>6} cases, {records} records, {source.name or source} ({mode}): median {median:.2f} s, "
                f"{records / median:,.0f} records/s; CPU {statistics.median(r['cpu'] for r in results):.2f} s "
                f"(runs: {', '.join(f'{s:.2f}' for s in seconds)} s; content written in {written:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
