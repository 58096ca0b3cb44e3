"""Synthetic postings for tests, one per status around a build date (never real content)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

POSTING = """\
# yaml-language-server: $schema=../../../schema/posting.schema.json
id: {id}
title: {title}
municipality: {{code: "{code}", prefecture: {prefecture}, name: {name}}}
role: CIO補佐官等
employment: {employment}
remote: {remote}
workload: 月4日程度
compensation: {{unit: 日額, min: 30000, max: 50000}}
duties: |
  {duties}
term: {{start: 2027-04-01, end: 2028-03-31}}
application:
  opens: {opens}
  closes: {closes}
  url: https://example.jp/apply/{id}
{extra}posted: {posted}
fiscal_measures: [cio-hosakan-tokukou]
sources:
  - title: テスト用の募集要項
    url: https://example.jp/posting/{id}
"""


def posting_text(
    posting_id: str,
    today: date,
    opens_in: int,
    closes_in: int,
    *,
    title: str = "テスト用のCIO補佐官等の募集",
    employment: str = "特別職非常勤職員",
    remote: str = "可",
    duties: str = "自治体DXの推進を助言する。",
    extra: str = "",
    place: tuple[str, str, str] = ("202096", "長野県", "伊那市"),
) -> str:
    opens, closes = today + timedelta(days=opens_in), today + timedelta(days=closes_in)
    code, prefecture, name = place
    return POSTING.format(
        id=posting_id,
        title=title,
        code=code,
        prefecture=prefecture,
        name=name,
        employment=employment,
        remote=remote,
        duties=duties,
        opens=opens,
        closes=closes,
        extra=extra,
        posted=min(opens, today),
    )


# id: (days from today to opens, to closes, extra lines)
STATUSES = {
    "test-open": (-10, 30, ""),
    "test-closing-soon": (-10, 3, ""),
    "test-upcoming": (5, 40, ""),
    "test-closed": (-60, -1, ""),
    "test-filled": (-10, 30, "closed_early: filled\n"),
}
EXPECTED_STATUS = {
    "test-open": "募集中",
    "test-closing-soon": "締切間近",
    "test-upcoming": "募集前",
    "test-closed": "募集終了",
    "test-filled": "募集終了",
}


def write_postings(content: Path, today: date) -> None:
    folder = content / "talent" / "postings"
    folder.mkdir(parents=True, exist_ok=True)
    for posting_id, (opens_in, closes_in, extra) in STATUSES.items():
        text = posting_text(
            posting_id,
            today,
            opens_in,
            closes_in,
            extra=extra,
            title=f"テスト用の募集（{EXPECTED_STATUS[posting_id]}）",
        )
        (folder / f"{posting_id}.yaml").write_text(text, encoding="utf-8")
    archived = (
        posting_text("test-archived", today, -400, -300)
        .replace(f"  closes: {today + timedelta(days=-300)}\n", "")
        .replace("posted:", "archived: true\nposted:")
    )
    (folder / "test-archived.yaml").write_text(archived, encoding="utf-8")
