"""Command line: jirei validate | build | new | schema."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from generator.errors import UsageError, UserError, format_problems

log = logging.getLogger(__name__)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD の形で指定してください: {text}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jirei", description="自治体DX事例集の静的サイト生成器")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="content/ のレコードを検証する")
    validate.add_argument("--content", type=Path, default=Path("content"), help="レコードのフォルダ")
    validate.add_argument("--format", choices=["text", "json", "github"], default="text", help="出力形式")

    build = commands.add_parser("build", help="検証してサイトを site/ に生成する")
    build.add_argument("--content", type=Path, default=Path("content"))
    build.add_argument("--site-dir", type=Path, default=Path("site"))
    build.add_argument("--today", type=_date, default=None, help="基準日（YYYY-MM-DD、既定は今日）")
    build.add_argument(
        "--site-url", help="公開先の URL（フィードなどの絶対 URL に使う。既定は環境変数 JIREI_SITE_URL）"
    )
    build.add_argument("--format", choices=["text", "json", "github"], default="text")

    new = commands.add_parser("new", help="新しいレコードのひな形を作る")
    new.add_argument(
        "kind", choices=["case", "posting", "advisor"], help="レコードの種類（事例・求人・アドバイザー制度）"
    )
    new.add_argument("--content", type=Path, default=Path("content"))
    new.add_argument("--id", help="レコードの ID（英小文字・数字・ハイフン）")
    new.add_argument("--municipality", help="団体名（例: 長野県伊那市、伊那市、または団体コード）")
    new.add_argument("--field", help="事業分野（事例のみ、例: 住民生活）")
    new.add_argument("--title", help="取組名・募集の名称・制度の名称")

    search = commands.add_parser("search", help="生成したサイトを検索する（先に jirei build）")
    search.add_argument("query", nargs="?", default="", help="キーワード（スペース区切りはすべてを含むページ）")
    search.add_argument("--field", action="append", default=[], help="事業分野（例: 住民生活）。複数指定はいずれか")
    search.add_argument("--funding", action="append", default=[], help="支援制度の ID または名称")
    search.add_argument("--population", action="append", default=[], help="人口規模（例: 1万〜5万人 または 10k-50k）")
    search.add_argument("--prefecture", action="append", default=[], help="都道府県（例: 長野県）")
    search.add_argument(
        "--type",
        action="append",
        default=[],
        help="種類: case / posting / advisor / program（事例・求人・アドバイザー制度・支援制度）",
    )
    search.add_argument("--json", action="store_true", help="1行に1件の JSON で出力")
    search.add_argument("--limit", type=int, default=10, help="表示する件数（既定 10）")
    search.add_argument("--site-dir", type=Path, default=Path("site"))

    links = commands.add_parser("check-links", help="レコードの外部 URL を一覧にする（--online で接続を確認）")
    links.add_argument("--content", type=Path, default=Path("content"))
    links.add_argument("--online", action="store_true", help="各 URL に接続して状態を確かめる（ネットワークが必要）")

    schema = commands.add_parser("schema", help="JSON Schema を schema/ に書き出す")
    schema.add_argument("--output", type=Path, default=Path("schema"))
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except UsageError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
    except UserError as error:
        print(format_problems(error.problems, getattr(args, "format", "text")), file=sys.stderr)
        count = len(error.problems)
        if getattr(args, "format", "text") == "text":
            print(f"{count} 件の問題があります。", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from generator.validate import validate_content

        content, problems = validate_content(args.content)
        if problems:
            raise UserError(problems)
        if args.format == "json":
            print("[]")
        elif args.format == "text":
            print(
                f"問題はありません（事例 {len(content.cases)} 件、求人 {len(content.postings)} 件、"
                f"アドバイザー制度 {len(content.advisors)} 件、支援制度 {len(content.programs)} 件、分野 {len(content.fields)} 件）。"
            )
        return 0
    if args.command == "build":
        from generator.site import build_site

        today = args.today or date.today()
        report = build_site(args.content, args.site_dir, today, args.site_url)
        print(
            f"{args.site_dir} に生成しました: 事例 {report.cases} 件、ページ {report.pages} 件"
            f"（基準日 {today.isoformat()}）。"
        )
        return 0
    if args.command == "new":
        from generator.new import new_record

        path = new_record(args.kind, args.content, args.id, args.municipality, args.field, args.title)
        print(f"{path} を作りました。コメントに沿って内容を書き、jirei validate で確かめてください。")
        return 0
    if args.command == "search":
        from generator.search_cli import run_search

        return run_search(args)
    if args.command == "check-links":
        return _check_links(args)
    if args.command == "schema":
        from generator.models import json_schemas

        args.output.mkdir(parents=True, exist_ok=True)
        for name, document in json_schemas().items():
            text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
            (args.output / name).write_text(text, encoding="utf-8")
            print(args.output / name)
        return 0
    raise AssertionError(args.command)


def _check_links(args: argparse.Namespace) -> int:
    from generator.links import check_online, external_urls
    from generator.validate import validate_content

    content, problems = validate_content(args.content)
    if problems:
        raise UserError(problems)
    cited = external_urls(content)
    statuses = check_online(list(cited)) if args.online else {}
    broken = 0
    for url, records in cited.items():
        status = statuses.get(url)
        if status is not None and not status.startswith(("2", "3")):
            broken += 1
        print(f"{url}{f'  [{status}]' if status else ''}\n  " + "\n  ".join(records))
    summary = f"外部 URL {len(cited)} 件"
    if args.online:
        summary += f"、うち接続に問題があるもの {broken} 件"
    print(summary + "。")
    return 1 if broken else 0
