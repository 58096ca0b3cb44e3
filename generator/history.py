"""When each record file entered the repository: the date of the commit that added it (git).

The feeds of new cases date a case without an `updated` key by this date. It is read with one
`git log` for the whole folder and kept while the repository's HEAD is the same commit, so a
preview's rebuilds do not ask git again. The date is the committer date of the commit on the
main line (first parent) that added the file: for a merged pull request, the merge.

Where there is no history the answer is empty and the feeds treat the case as undated (see
feeds._dated_at): a folder outside a repository (an export, a copy), a file not yet committed,
git not installed, or a shallow clone (its oldest commit would seem to add every file, and its
date differs from clone to clone). Never a file's modification time or the clock: both differ
between two checkouts of the same content.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT = 60  # seconds
_WARNED: set[str] = set()


def added_dates(folder: Path) -> dict[str, datetime]:
    """The date each file of `folder` (path relative to it, "x.yaml") was added, for the files
    that have one. Files in subfolders are left out."""
    head = _repository_head(folder)
    if head is None:
        return {}
    return dict(_added_dates(str(folder.resolve()), head))


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "-c", "core.quotepath=off", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=GIT_TIMEOUT,
            env={**os.environ, "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _repository_head(folder: Path) -> str | None:
    """The commit id of HEAD, or None where the folder has no full history."""
    if not folder.is_dir():
        return None
    found = _git(folder, "rev-parse", "--is-shallow-repository", "HEAD")
    if found is None:
        return None
    shallow, head = (found.split() + ["", ""])[:2]
    if shallow != "false":
        if head not in _WARNED:  # once per process (a preview builds again and again)
            _WARNED.add(head)
            log.warning(
                "%s は履歴の一部しかない Git のクローン（shallow clone）です。新着事例のフィードは追加日なしで"
                "作ります（git fetch --unshallow、GitHub Actions では fetch-depth: 0 で全履歴を取得してください）",
                folder,
            )
        return None
    return head


@functools.lru_cache(maxsize=4)
def _added_dates(folder: str, head: str) -> tuple[tuple[str, datetime], ...]:
    # One call for every file: "\0<date>" then the names of the files the commit added.
    # --no-renames: a renamed file (a case whose id changed) is a new page, added by the rename.
    found = _git(
        Path(folder),
        "log",
        "--first-parent",
        "--diff-filter=A",
        "--no-renames",
        "--relative",
        "--format=%x00%cI",
        "--name-only",
        head,
        "--",
        ".",
    )
    if found is None:
        return ()
    dates: dict[str, datetime] = {}
    for block in found.split("\0")[1:]:
        stamp, *names = block.strip("\n").split("\n")
        when = datetime.fromisoformat(stamp)
        for name in names:
            if name and "/" not in name:
                dates[name] = when  # newest first: the last one seen is the first time it was added
    return tuple(sorted(dates.items()))
