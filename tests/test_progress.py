"""`jirei build` shows its progress on a terminal, and one line otherwise."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

from tests.cases import case_text
from tests.conftest import PROJECT, run_jirei


def _on_terminal(*args: str) -> tuple[int, str]:
    """Run jirei with stdout and stderr on a pseudo-terminal of 100 columns; return what it showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args], stdin=slave, stdout=slave, stderr=slave, cwd=PROJECT
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            shown += data
        elif process.poll() is not None:
            break
    process.wait(timeout=300)
    os.close(master)
    return process.returncode, shown.decode("utf-8", "replace")


def test_progress_on_a_terminal_and_one_line_otherwise(taxonomy_only, tmp_path):
    (taxonomy_only / "cases" / "case-a.yaml").write_text(case_text("case-a"), encoding="utf-8")
    site = tmp_path / "site"
    code, shown = _on_terminal("build", "--content", str(taxonomy_only), "--site-dir", str(site))
    assert code == 0, shown
    for stage in ("検証", "ページの作成", "MkDocs", "検索索引"):
        assert stage in shown, shown
    pages = int(re.search(r"ページ (\d+) 件", shown).group(1))
    assert re.search(rf"MkDocs:\s+100%.*{pages}/{pages}", shown), shown  # items done of total
    assert shown.rstrip().endswith("（基準日 " + shown.rsplit("（基準日 ", 1)[1].strip())

    quiet_code, quiet = _on_terminal("build", "--content", str(taxonomy_only), "--site-dir", str(site), "--quiet")
    assert quiet_code == 0 and "MkDocs" not in quiet and len(quiet.strip().splitlines()) == 1

    piped = run_jirei("build", "--content", str(taxonomy_only), "--site-dir", str(site))
    assert piped.returncode == 0 and piped.stderr == ""
    assert len(piped.stdout.splitlines()) == 1 and "に生成しました" in piped.stdout
