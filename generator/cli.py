"""Command line: jirei validate | build | new | search | serve | check-links | schema."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from generator.errors import UsageError, UserError, display_path, format_problems, visible

log = logging.getLogger(__name__)

# argparse's own strings in Japanese. argparse looks them up through its module-level `_`
# (gettext) and `ngettext` when it needs them, so `_japanese` swaps those two while a parser
# works. Keys are the exact English strings of Python 3.11–3.13 (and 3.14's suggestion); a string
# missing here stays English.
_ARGPARSE_JA = {
    "usage: ": "使い方: ",
    "positional arguments": "引数",
    "options": "オプション",
    "optional arguments": "オプション",
    "subcommands": "コマンド",
    "show this help message and exit": "このヘルプを表示して終了する",
    "show program's version number and exit": "バージョンを表示して終了する",
    " (default: %(default)s)": "（既定: %(default)s）",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "次の引数を指定してください: %s",
    "one of the arguments %s is required": "次の引数のどれかを指定してください: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "「%(value)s」は選べません。次のいずれかです: %(choices)s",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": (
        "「%(value)s」は選べません。「%(closest)s」の誤りではありませんか。次のいずれかです: %(choices)s"
    ),
    "invalid %(type)s value: %(value)r": "「%(value)s」は正しい値ではありません（%(type)s）",
    "unrecognized arguments: %s": "解釈できない引数があります: %s",
    "expected one argument": "値を1つ指定してください",
    "expected at most one argument": "値は1つまでです",
    "expected at least one argument": "値を1つ以上指定してください",
    "ambiguous option: %(option)s could match %(matches)s": "オプション %(option)s は次のどれか決まりません: %(matches)s",
    "not allowed with argument %s": "%s と同時には指定できません",
    "ignored explicit argument %r": "値 %r は指定できません",
    "unexpected option string: %s": "ここにオプション %s は置けません",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "コマンド「%(parser_name)s」はありません。次のいずれかです: %(choices)s"
    ),
    "can't open '%(filename)s': %(error)s": "「%(filename)s」を開けません: %(error)s",
    "option '%(option)s' is deprecated": "オプション %(option)s は廃止予定です",
    "command '%(parser_name)s' is deprecated": "コマンド %(parser_name)s は廃止予定です",
    "argument '%(argument_name)s' is deprecated": "引数 %(argument_name)s は廃止予定です",
    "%(prog)s: error: %(message)s\n": "%(prog)s: エラー: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: 注意: %(message)s\n",
}
_ARGPARSE_JA_PLURAL = {("expected %s argument", "expected %s arguments"): "値を %s 個指定してください"}


def _gettext(message):
    return _ARGPARSE_JA.get(message, message)


def _ngettext(singular, plural, count):
    english = singular if count == 1 else plural
    return _ARGPARSE_JA_PLURAL.get((singular, plural), english)


@contextlib.contextmanager
def _japanese() -> Iterator[None]:
    """argparse speaks Japanese inside the block (the names it lacks are left alone)."""
    names = {"_": _gettext, "ngettext": _ngettext}
    saved = {name: getattr(argparse, name) for name in names if hasattr(argparse, name)}
    for name in saved:
        setattr(argparse, name, names[name])
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(argparse, name, value)


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are Japanese; a usage error exits with 1, not 2."""

    def __init__(self, *args, **kwargs):
        with _japanese():
            super().__init__(*args, **kwargs)

    def parse_args(self, *args, **kwargs):
        with _japanese():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args, **kwargs):
        with _japanese():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with _japanese():
            return super().format_usage()

    def format_help(self) -> str:
        with _japanese():
            return super().format_help()

    def error(self, message: str):
        self.exit(1, f"エラー: {visible(message)}\n{self.prog} --help で使い方を表示します。\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD の形で指定してください: {text}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"1以上の整数で指定してください: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"1以上にしてください: {text}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ポート番号は整数で指定してください: {text}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"ポート番号は 0〜65535 にしてください: {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = JapaneseArgumentParser(prog="jirei", description="自治体DX事例集の静的サイト生成器")
    commands = parser.add_subparsers(dest="command", required=True, metavar="コマンド")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=summary)

    formats = {"choices": ["text", "json", "github"], "default": "text", "help": "問題の出力形式（既定 text）"}
    content = {"type": Path, "default": Path("content"), "metavar": "DIR", "help": "レコードのフォルダ（既定 content）"}
    site_dir = {"type": Path, "default": Path("site"), "metavar": "DIR", "help": "サイトのフォルダ（既定 site）"}

    validate = command("validate", "content/ のレコードを検証する")
    validate.add_argument("--content", **content)
    validate.add_argument("--format", **formats)

    build = command("build", "検証してサイトを site/ に生成する")
    build.add_argument("--content", **content)
    build.add_argument("--site-dir", **site_dir)
    build.add_argument("--today", type=_date, default=None, metavar="YYYY-MM-DD", help="基準日（既定は今日）")
    build.add_argument(
        "--site-url",
        metavar="URL",
        help="公開先の URL（フィードなどの絶対 URL に使う。既定は環境変数 JIREI_SITE_URL、なければ mkdocs.yml の site_url）",
    )
    build.add_argument("--format", **formats)
    build.add_argument("--quiet", action="store_true", help="進み具合を表示せず、終わったときの1行だけを表示する")

    new = command("new", "新しいレコードのひな形を作る")
    new.add_argument(
        "kind",
        choices=["case", "posting", "advisor"],
        metavar="{case,posting,advisor}",
        help="レコードの種類（事例・求人・アドバイザー制度）",
    )
    new.add_argument("--content", **content)
    new.add_argument("--id", metavar="ID", help="レコードの ID（英小文字・数字・ハイフン）")
    new.add_argument("--municipality", metavar="NAME", help="団体名（例: 長野県伊那市、伊那市、または団体コード）")
    new.add_argument("--field", metavar="FIELD", help="事業分野（事例のみ、例: 住民生活）")
    new.add_argument("--title", metavar="TITLE", help="取組名・募集の名称・制度の名称")
    new.add_argument(
        "--program",
        action="append",
        metavar="ID",
        help="活用した支援制度の ID（事例のみ、複数回指定可、例: digital-denen-kofukin）。省くと端末で一覧から選べます",
    )

    search = command("search", "生成したサイトを検索する（先に jirei build）")
    search.add_argument(
        "query", nargs="?", default="", metavar="QUERY", help="キーワード（スペース区切りはすべてを含むページ）"
    )
    search.add_argument(
        "--field", action="append", default=[], metavar="FIELD", help="事業分野（例: 住民生活）。複数指定はいずれか"
    )
    search.add_argument("--funding", action="append", default=[], metavar="PROGRAM", help="支援制度の ID または名称")
    search.add_argument(
        "--population", action="append", default=[], metavar="BAND", help="人口規模（例: 1万〜5万人 または 10k-50k）"
    )
    search.add_argument(
        "--prefecture", action="append", default=[], metavar="PREFECTURE", help="都道府県（例: 長野県）"
    )
    search.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="団体の種類（例: 中核市、町）。複数指定はいずれか"
    )
    search.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="TYPE",
        help="種類: case / posting / advisor / program（事例・求人・アドバイザー制度・支援制度）",
    )
    search.add_argument("--json", action="store_true", help="1行に1件の JSON で出力")
    search.add_argument("--limit", type=_positive_int, default=10, metavar="N", help="表示する件数（既定 10）")
    search.add_argument("--site-dir", **site_dir)

    serve = command("serve", "サイトをブラウザで確認する（変更を監視して再生成し、ページを自動で読み込み直す）")
    serve.add_argument("--content", **content)
    serve.add_argument(
        "--site-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="プレビューを生成するフォルダ（既定は一時フォルダで、終了時に削除）",
    )
    serve.add_argument("--host", default="127.0.0.1", metavar="HOST", help="待ち受けるアドレス（既定 127.0.0.1）")
    serve.add_argument(
        "--port", type=_port, default=8000, metavar="PORT", help="ポート番号（既定 8000。0 で空いている番号を使う）"
    )
    serve.add_argument("--today", type=_date, default=None, metavar="YYYY-MM-DD", help="基準日（既定は生成する日）")
    serve.add_argument(
        "--site-url", metavar="URL", help="公開先の URL（フィードなどの絶対 URL に使う。既定は表示するアドレス）"
    )

    links = command("check-links", "レコードの外部 URL を一覧にする（--online で接続を確認）")
    links.add_argument("--content", **content)
    links.add_argument("--online", action="store_true", help="各 URL に接続して状態を確かめる（ネットワークが必要）")

    schema = command("schema", "JSON Schema を schema/ に書き出す（分野・支援制度・都道府県の値の一覧つき）")
    schema.add_argument("--content", **content)
    schema.add_argument(
        "--output", type=Path, default=Path("schema"), metavar="DIR", help="書き出すフォルダ（既定 schema）"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except UsageError as error:
        print(f"エラー: {visible(str(error))}", file=sys.stderr)
        return 1
    except UserError as error:
        print(format_problems(error.problems, getattr(args, "format", "text")), file=sys.stderr)
        count = len(error.problems)
        if getattr(args, "format", "text") == "text":
            print(f"{count} 件の問題があります。", file=sys.stderr)
        return 1


@contextlib.contextmanager
def _progress(enabled: bool):
    """Progress of a build on a terminal: one bar per stage (stage, items done of total)."""
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def report(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="件", leave=False, file=sys.stderr, mininterval=0.2)
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.refresh()  # the finished state is shown, however fast the stage was

    try:
        yield report
    finally:
        for bar in bars.values():
            bar.close()


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
        with _progress(enabled=not args.quiet and sys.stderr.isatty()) as progress:
            report = build_site(args.content, args.site_dir, today, args.site_url, progress=progress)
        print(
            f"{visible(str(args.site_dir))} に生成しました: 事例 {report.cases} 件、ページ {report.pages} 件"
            f"（基準日 {today.isoformat()}）。"
        )
        return 0
    if args.command == "serve":
        from generator.serve import serve

        return serve(args.content, args.host, args.port, args.site_dir, args.today, args.site_url)
    if args.command == "new":
        from generator.new import new_record

        path = new_record(args.kind, args.content, args.id, args.municipality, args.field, args.title, args.program)
        print(f"{visible(str(path))} を作りました。コメントに沿って内容を書き、jirei validate で確かめてください。")
        return 0
    if args.command == "search":
        from generator.search_cli import run_search

        return run_search(args)
    if args.command == "check-links":
        return _check_links(args)
    if args.command == "schema":
        from generator.models import json_schemas

        args.output.mkdir(parents=True, exist_ok=True)
        taxonomy = args.content / "taxonomy"
        if not taxonomy.is_dir():
            raise UsageError(
                f"分類のフォルダ {visible(display_path(taxonomy))} がありません（--content を確かめてください）"
            )
        for name, document in json_schemas(taxonomy).items():
            text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
            (args.output / name).write_text(text, encoding="utf-8")
            print(visible(str(args.output / name)))
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
        shown = f"{url}  [{status}]" if status else url
        print("\n  ".join(visible(text) for text in [shown, *records]))
    summary = f"外部 URL {len(cited)} 件"
    if args.online:
        summary += f"、うち接続に問題があるもの {broken} 件"
    print(summary + "。")
    return 1 if broken else 0
