"""More examples of the property "what validate accepts, build builds inertly" than `make test` runs.

tests/test_build_property.py draws a case, a posting, an advisor program and a funding program from
the whole of Unicode and the limits of every number and date; `make test` runs 10 examples. This
script runs as many as asked (several minutes for the default), with Hypothesis' statistics: how
many examples were built and which messages rejected the others.

    .venv/bin/python benchmarks/property_build.py [--examples 300] [--seed N] [--no-shrink]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(
        description="生成したレコードで、検証を通るものがすべて安全に生成できることを確かめる"
    )
    parser.add_argument("--examples", type=int, default=300, help="例の数（既定 300）")
    parser.add_argument("--seed", type=int, default=None, help="乱数の種（再現したいとき）")
    parser.add_argument("--no-shrink", action="store_true", help="失敗した例を縮めない（速く終わる）")
    args = parser.parse_args()
    env = {**os.environ, "JIREI_PROPERTY_EXAMPLES": str(args.examples)}
    if args.no_shrink:
        env["JIREI_PROPERTY_NO_SHRINK"] = "1"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/test_build_property.py",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        "--tb=short",
    ]
    if args.seed is not None:
        command.append(f"--hypothesis-seed={args.seed}")
    return subprocess.run(command, cwd=PROJECT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
