"""The `gongkai` command.

`check` and `render` work on documents alone and must never import Django: they start fast and run
anywhere. Exit codes of `check`: 0 no errors, 1 errors found, 2 input unreadable.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.argparse_zh import HelpFormatter, chinese
from gongkai.report.model import Location, Severity

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
REPORT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".docx", ".pdf", ".json"}
PROGRESS_FROM = 20  # files; fewer finish before a bar would be useful
PROBLEMS_SHOWN = 30  # problems of a data file printed for people (--json lists them all)


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit 2."""


@dataclass
class Checked:
    path: str
    report: object | None = None  # AnnualReport
    findings: list | None = None
    error: str | None = None
    # with an error about a data file's structure: one line per problem
    problems: list[str] = field(default_factory=list)
    # why a file found in a directory was not checked: it is not an annual report
    skipped: str | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings or [] if f.severity == severity)


def load_report(path: Path, *, reports_only: bool = False):
    """A report from a published document, or from the JSON data format.

    With `reports_only` (files found in a directory), a file that is plainly something else raises
    NotAReport: JSON without a `schema` key, a document without a report's markers. A data file that
    is not in the format raises Unreadable with one line for each problem (`problems`).
    """
    from gongkai.report.data import InvalidReportData
    from gongkai.report.model import AnnualReport
    from gongkai.report.parse import NotAReport, Unreadable, read_path

    if path.suffix.lower() == ".json":
        data = load_json(path)
        if reports_only and not (isinstance(data, dict) and "schema" in data):
            raise NotAReport("JSON 文件没有 schema 键，不是年度报告数据")
        try:
            return AnnualReport.from_dict(data)
        except InvalidReportData as exc:
            raise Unreadable(str(exc), exc.problems) from exc
    return read_path(path, reports_only=reports_only)


# json's messages, for the people who read check's output
_JSON_ERRORS = {
    "Expecting value": "此处应有一个值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名应放在双引号中",
    "Unterminated string starting at": "字符串没有结束",
    "Extra data": "JSON 数据结束后还有多余的内容",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义符",
    "Invalid \\uXXXX escape": "无效的 \\u 转义符",
}


def load_json(path: Path) -> object:
    """The JSON value in a file (UTF-8, or UTF-16/32 with a byte order mark); Unreadable says why not."""
    from gongkai.report.parse import MAX_BYTES, Unreadable, read_limited
    from gongkai.report.parse.encoding import utf8_of_wide_text

    try:
        data = read_limited(path)
    except OSError as exc:
        raise Unreadable(f"无法打开文件：{exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise Unreadable(f"文件过大，年度报告数据不应超过 {MAX_BYTES // 1024 // 1024} MB")
    try:
        text = utf8_of_wide_text(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable("JSON 文件不是 UTF-8 编码的文字") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = _JSON_ERRORS.get(exc.msg, exc.msg)
        raise Unreadable(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{reason}）") from exc
    except RecursionError as exc:
        raise Unreadable("JSON 嵌套过深，不是年度报告数据") from exc
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise Unreadable("JSON 中有位数过多的数字，不是年度报告数据") from exc


def iter_files(targets: list[str]) -> Iterator[tuple[Path, bool]]:
    """(path, whether it was found by walking a directory) of every file to check."""
    for target in targets:
        path = Path(target)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in REPORT_SUFFIXES:
                    yield child, True
        else:
            yield path, False


def check_files(paths: list[tuple[Path, bool]], previous_path: str | None, progress: bool) -> list[Checked]:
    """Read and check each (path, found by walking); files found by walking may be skipped."""
    from gongkai.report.parse import NotAReport, Unreadable
    from gongkai.report.rules import check

    previous = None
    if previous_path:
        try:
            previous = load_report(Path(previous_path))
        except Unreadable as exc:
            detail = "；".join(exc.problems[:PROBLEMS_SHOWN])
            raise UsageError(
                f"上一年度报告 {previous_path} 无法读取：{exc}" + (f"：{detail}" if detail else "")
            ) from exc

    results: list[Checked] = []
    # Reading allocates many small tracked objects and few cycles: with the default young-generation
    # threshold (700) the cyclic GC took a fifth of the run time on a directory of 1,000 reports.
    gc.set_threshold(10_000, 10, 10)
    for path, walked in _with_progress(paths, progress, "正在检查"):
        try:
            results.append(Checked(str(path), report=load_report(path, reports_only=walked)))
        except NotAReport as exc:
            results.append(Checked(str(path), skipped=str(exc)))
        except Unreadable as exc:
            results.append(Checked(str(path), error=str(exc), problems=exc.problems))
        except Exception as exc:  # a reader bug must not hide the other reports
            results.append(Checked(str(path), error=f"读取时发生内部错误：{type(exc).__name__}: {exc}"))

    # The same agency's previous year, when it is among the inputs, enables the carry-over rules (R5/R6).
    by_key = {(c.report.agency, c.report.year): c.report for c in results if c.report and c.report.year}
    for c in results:
        if c.report is None:
            continue
        prior = previous or by_key.get((c.report.agency, (c.report.year or 0) - 1))
        try:
            c.findings = check(c.report, previous=prior)
        except Exception as exc:  # a rule's bug must not hide the other reports either
            c.report, c.error = None, f"检查时发生内部错误：{type(exc).__name__}: {exc}"
    return results


def _with_progress(items: list, enabled: bool, label: str):
    """The items, with a progress bar on a terminal while they are worked through."""
    with _progress_counter(len(items) if enabled else 0, label) as advance:
        for item in items:
            yield item
            advance()


_LOCATION_NAMES = {
    "table2": "表二",
    "table3": "表三",
    "table4": "表四",
    "section": "正文",
    "format": "格式",
    "period": "统计期限",
    "preamble": "前言",
    "previous": "上一年度报告",
}


def describe_location(location: Location, fmt_code: str | None) -> str:
    """Location.table3("carried_out", 6) -> "表三 四、结转下年度继续办理 · 总计" for people."""
    from gongkai.report.formats import FORMATS, SECTIONS, TABLE4_GROUPS

    fmt = FORMATS.get(fmt_code or "")
    kind, item = location.kind, location.item
    label = item
    if kind == "table3" and fmt and item:
        label = next((r.label for r in fmt.table3_rows if r.code == item), item)
    elif kind == "table2" and fmt and item:
        label = next((r.label for b in fmt.table2 for r in b.rows if r.code == item), item)
    elif kind == "table4" and item:
        label = next((g.label for g in TABLE4_GROUPS if g.code == item), item)
    elif kind == "section" and item:
        label = next((f"{s.numeral}、{s.label}" for s in SECTIONS if s.code == item), item)
    text = " ".join([_LOCATION_NAMES.get(kind, kind), *([label] if label else [])])
    return f"{text} · {location.column}" if location.column else text


def _fmt_value(value) -> str:
    return "（空）" if value is None else str(value)


SKIPPED = "已跳过（不是年度报告）"


def print_human(results: list[Checked], out) -> None:
    for c in results:
        if c.skipped:
            continue
        if c.error:
            print(f"\n■ {c.path}\n  无法读取：{c.error}" + ("：" if c.problems else ""), file=out)
            print_problems(c.problems, out)
            continue
        r = c.report
        layout = f"{r.format}年版格式" if r.format else "格式不明"
        print(
            f"\n■ {c.path}\n  {r.agency or '机关名称不明'} · {r.year or '年度不明'}年度 · {layout}", file=out
        )
        if not c.findings:
            print("  未发现问题。", file=out)
            continue
        for f in sorted(c.findings, key=lambda f: f.severity.order):
            where = describe_location(f.location, r.format)
            line = f"  [{f.severity.label}] {f.rule} {where}：{f.message}"
            if f.expected is not None or f.actual is not None:
                line += f"（应为 {_fmt_value(f.expected)}，实为 {_fmt_value(f.actual)}）"
            print(line, file=out)
    skipped = [c for c in results if c.skipped]
    if skipped:
        print(file=out)
        for c in skipped:
            print(f"{SKIPPED}：{c.path}（{c.skipped}）", file=out)
    if len(results) > 1:
        print_summary(results, out)


def print_problems(problems: list[str], out, indent: str = "    ") -> None:
    for problem in problems[:PROBLEMS_SHOWN]:
        print(f"{indent}{problem}", file=out)
    if len(problems) > PROBLEMS_SHOWN:
        print(f"{indent}……另有 {len(problems) - PROBLEMS_SHOWN} 处问题（用 --json 可列出全部）", file=out)


def print_summary(results: list[Checked], out) -> None:
    from rich.console import Console
    from rich.table import Table

    reports = [c for c in results if not c.skipped]
    skipped = len(results) - len(reports)
    title = f"检查汇总：{len(reports)} 份报告" + (f"，{skipped} 个文件已跳过" if skipped else "")
    table = Table(title=title, show_lines=False)
    for name in ("文件", "机关", "年度", "格式", "错误", "警告", "结论"):
        table.add_column(name, justify="right" if name in ("年度", "错误", "警告") else "left")
    for c in results:
        if c.skipped:
            table.add_row(c.path, "", "", "", "", "", SKIPPED)
            continue
        if c.error:
            table.add_row(c.path, "", "", "", "", "", "无法读取")
            continue
        r = c.report
        verdict = "有错误" if c.count(Severity.ERROR) else ("有警告" if c.count(Severity.WARNING) else "通过")
        table.add_row(
            c.path,
            r.agency or "",
            str(r.year or ""),
            r.format or "",
            str(c.count(Severity.ERROR)),
            str(c.count(Severity.WARNING)),
            verdict,
        )
    unreadable = sum(1 for c in reports if c.error)
    with_errors = sum(1 for c in reports if c.findings and c.count(Severity.ERROR))
    Console(file=out, width=max(120, Console(file=out).width), highlight=False).print(table)
    line = f"共 {len(reports)} 份：{with_errors} 份有错误，{unreadable} 份无法读取。"
    if skipped:
        line += f"另有 {skipped} 个文件不是年度报告，已跳过。"
    print(line, file=out)


def print_json(results: list[Checked], out) -> None:
    from gongkai.report.model import SCHEMA

    for c in results:
        if c.skipped:
            data = {"schema": SCHEMA, "source": c.path, "skipped": c.skipped}
        elif c.error:
            data = {"schema": SCHEMA, "source": c.path, "error": c.error}
            if c.problems:
                data["problems"] = c.problems
        else:
            data = c.report.as_dict(findings=c.findings)
            data["source"] = c.path
        out.write(json.dumps(data, ensure_ascii=False) + "\n")


def exit_code(results: list[Checked]) -> int:
    """0, 1 or 2 from the reports checked; skipped files count for nothing."""
    if any(c.error for c in results):
        return EXIT_UNREADABLE
    if any(c.count(Severity.ERROR) for c in results):
        return EXIT_ERRORS
    return EXIT_OK


def cmd_check(args) -> int:
    paths = list(iter_files(args.paths))
    missing = [p for p, _walked in paths if not p.exists()]
    for p in missing:
        print(f"gongkai check：找不到文件或目录 {p}", file=sys.stderr)
    if missing:
        return EXIT_UNREADABLE
    if not paths:
        print("gongkai check：目录中没有可检查的报告文件（.txt .md .html .docx .pdf .json）", file=sys.stderr)
        return EXIT_UNREADABLE
    results = check_files(paths, args.previous, progress=not args.json)
    (print_json if args.json else print_human)(results, sys.stdout)
    if all(c.skipped for c in results):  # as if there were no report files at all
        print(
            f"gongkai check：目录中没有年度报告（{len(results)} 个文件不是年度报告，已跳过）", file=sys.stderr
        )
        return EXIT_UNREADABLE
    return exit_code(results)


def cmd_render(args) -> int:
    from gongkai.report.parse import Unreadable
    from gongkai.report.render import render

    try:
        report = load_report(Path(args.path))
    except Unreadable as exc:
        print(
            f"gongkai render：{args.path} 无法读取：{exc}" + ("：" if exc.problems else ""), file=sys.stderr
        )
        print_problems(exc.problems, sys.stderr, indent="  ")
        return EXIT_UNREADABLE
    findings = None
    if args.to == "json":
        from gongkai.report.rules import check

        findings = check(report)
    data = render(report, args.to, findings=findings)
    if args.output in (None, "-"):
        if args.to in ("docx", "pdf") and sys.stdout.isatty():
            print(f"gongkai render：{args.to} 是二进制格式，请用 -o 指定输出文件", file=sys.stderr)
            return EXIT_UNREADABLE
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            print(f"gongkai render：无法写入 {args.output}：{exc.strerror or exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"已生成 {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_rules(args) -> int:
    from gongkai.report.rules import RULES

    for rule_id, (_, description) in RULES.items():
        print(f"{rule_id}\t{description}")
    return EXIT_OK


def _django(settings_env: dict | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    for key, value in (settings_env or {}).items():
        os.environ.setdefault(key, value)
    import django

    django.setup()


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongkai manage", *args.rest])
    return EXIT_OK


def cmd_workdays(args) -> int:
    from gongkai.workdays_cli import workdays_command

    with chinese():  # its own parser
        return workdays_command(args.rest)


def cmd_demo(args) -> int:
    _django()
    from gongkai.demo import run_demo

    return run_demo(port=args.port, reset=args.reset, serve=not args.no_serve)


def cmd_serve(args) -> int:
    _django({"GONGKAI_PRODUCTION": "1"})
    from gongkai.server import run_production_server

    return run_production_server(bind=args.bind, workers=args.workers)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是数字") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError("应在 0 到 3600 秒之间")
    return value


def cmd_worker(args) -> int:
    _django()
    from gongkai.tasks.worker import run_worker

    print("后台任务进程已启动（邮件通知、到期提醒、定期清理等）。按 Ctrl-C 停止。", flush=True)
    try:
        return run_worker(interval=args.interval, batch=args.batch)
    finally:
        print("后台任务进程已停止。", flush=True)


def cmd_keys(args) -> int:
    if args.action == "new":
        from gongkai.crypto import encode_key, new_master_key

        print(encode_key(new_master_key()))
        print(
            "以上为新的数据加密密钥（Base64）。请设为环境变量 GONGKAI_DATA_KEY，并与数据库备份分开、离线妥善保管："
            "丢失密钥将无法读取已加密的个人信息。",
            file=sys.stderr,
        )
        return EXIT_OK
    _django()
    from gongkai.privacy.rotation import rotate_keys, rows_to_rotate

    total = rows_to_rotate()
    if not args.yes and sys.stdin.isatty():
        answer = input(
            f"将用新密钥重新加密 {total} 条记录和全部附件文件，期间系统可照常使用。继续吗？输入“是”或 yes："
        )
        if answer.strip().lower() not in ("是", "y", "yes"):
            print("已取消，未做任何修改。")
            return EXIT_ERRORS
    with _progress_counter(total, "正在重新加密") as tick:
        summary = rotate_keys(progress=tick)
    print(f"已用密钥 {summary.key_label} 重新加密 {summary.rows} 条记录、{summary.files} 个附件文件。")
    if summary.new_key_file:
        print("新密钥已写入数据目录中的 data-key 文件，旧密钥已删除。请更新离线保管的密钥副本。")
    else:
        print("现在可以从 GONGKAI_DATA_KEYS_OLD 中删除旧密钥，并重启各进程。")
    return EXIT_OK


@contextmanager
def _progress_counter(total: int, label: str) -> Iterator:
    """A progress bar over `total` items on a terminal (quiet in scripts, CI and for a few items); yields
    advance(n=1)."""
    if total < PROGRESS_FROM or not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"[bold]{label}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n=1: progress.advance(task, n)


def cmd_token(args) -> int:
    _django()
    from gongkai.api.tokens_cli import token_command

    return token_command(args)


def cmd_backup(args) -> int:
    _django()
    from gongkai.backup.command import backup_command

    return backup_command(out=args.out)


def cmd_restore(args) -> int:
    started = time.time()  # before the settings may generate a key (see key_lines)
    _django()
    from gongkai.backup.command import restore_command

    return restore_command(archive=args.archive, check=args.check, started=started)


def cmd_catalog(args) -> int:
    _django()
    from gongkai.catalog.command import catalog_command

    return catalog_command(args)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, exit 2; help laid out for Chinese (argparse's texts: see argparse_zh)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        print(f"{self.prog}：参数有误：{message}（用 {self.prog} -h 查看用法）", file=sys.stderr)
        sys.exit(EXIT_UNREADABLE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gongkai", description="gongkai（公开）：政府信息公开工作年度报告的读取、检查与生成"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="读取并检查已发布的年度报告（txt、md、html、docx、pdf、json）",
        description="读取并检查年度报告。退出码：0 无错误，1 发现错误，2 文件无法读取。",
    )
    check.add_argument(
        "paths",
        nargs="+",
        metavar="文件或目录",
        help="报告文件，或包含报告文件的目录（递归查找）。目录中不是年度报告的文件（没有 schema 键的 JSON，"
        "开头没有“政府信息公开”“年度报告”字样、也没有年度报告表格的文档）会跳过并列出；"
        "直接指定的文件总是检查",
    )
    check.add_argument(
        "--json", action="store_true", help="每份报告输出一行 JSON（gongkai.annual-report/1 格式）"
    )
    check.add_argument("--previous", metavar="文件", help="上一年度的报告，用于核对结转数（R5、R6）")
    check.set_defaults(func=cmd_check)

    render = sub.add_parser("render", help="把任一可读取的报告转换为 json、md、html、docx 或 pdf")
    render.add_argument("path", metavar="文件", help="报告文件（任一可读取的格式，或 JSON 数据）")
    render.add_argument("--to", required=True, choices=["json", "md", "html", "docx", "pdf"], help="输出格式")
    render.add_argument("-o", "--output", metavar="输出文件", help="输出文件；省略或为 - 时写到标准输出")
    render.set_defaults(func=cmd_render)

    rules = sub.add_parser("rules", help="列出检查规则 R1–R11")
    rules.set_defaults(func=cmd_rules)

    demo = sub.add_parser("demo", help="建立演示数据库并启动演示站点（http://127.0.0.1:8000）")
    demo.add_argument("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000）")
    demo.add_argument("--reset", action="store_true", help="删除已有的演示数据后重建")
    demo.add_argument("--no-serve", action="store_true", help="只建立数据，不启动站点")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="以生产模式启动站点（gunicorn）")
    serve.add_argument(
        "--bind", default="127.0.0.1:8000", metavar="地址:端口", help="监听地址（默认 127.0.0.1:8000）"
    )
    serve.add_argument("--workers", type=int, default=3, metavar="N", help="工作进程数（默认 3）")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker",
        help="运行后台任务（邮件通知、到期提醒、定期清理）；生产环境需常驻运行",
        description="运行后台任务队列（数据库中的任务表，SQLite 与 PostgreSQL 均无需其他服务）。"
        "可在多台主机上各运行一个或多个；定期任务只会加入队列一次。",
    )
    worker.add_argument(
        "--interval", type=_seconds, default=1.0, metavar="秒", help="队列为空时的轮询间隔（默认 1 秒）"
    )
    worker.add_argument("--batch", action="store_true", help="处理完当前已到期的任务后退出")
    worker.set_defaults(func=cmd_worker)

    keys = sub.add_parser(
        "keys",
        help="数据加密密钥：keys new 生成新密钥；keys rotate 用新密钥重新加密全部个人信息",
        description="申请人的证件号码、联系电话、上传的附件和文书均加密保存。密钥不在备份中，须另行保管。",
    )
    keys.add_argument(
        "action", choices=["new", "rotate"], metavar="操作", help="new：生成新密钥；rotate：轮换密钥"
    )
    keys.add_argument("--yes", action="store_true", help="不再询问确认")
    keys.set_defaults(func=cmd_keys)

    token = sub.add_parser(
        "token",
        help="工作人员接口令牌：token new 签发；token revoke 吊销；token list 列出",
        description="签发、吊销工作人员接口（/api/staff/）的令牌。令牌代表签发给的用户，按该用户在各机关的角色办理；"
        "只保存令牌的摘要，令牌本身只在签发时显示一次。签发和吊销均记入审计日志。退出码：0 完成，1 拒绝，2 参数有误。",
    )
    token_sub = token.add_subparsers(dest="action", metavar="操作", required=True, parser_class=_Parser)
    token_new = token_sub.add_parser("new", help="为一个用户签发新令牌（只显示一次）")
    token_new.add_argument("--user", required=True, metavar="用户名", help="令牌代表的用户（登录用户名）")
    token_new.add_argument("--name", required=True, metavar="说明", help="用途说明，如“政务网站发布系统对接”")
    token_revoke = token_sub.add_parser("revoke", help="吊销令牌（之后用它的请求一律拒绝）")
    token_revoke.add_argument("id", type=int, metavar="编号", help="令牌编号（token list 中的编号）")
    token_list = token_sub.add_parser("list", help="列出令牌（不显示令牌本身）")
    token_list.add_argument("--user", metavar="用户名", help="只列出这个用户的令牌")
    token.set_defaults(func=cmd_token)

    backup = sub.add_parser(
        "backup",
        help="备份数据库和上传的文件（不含密钥），写成一个 .tar.gz 文件",
        description="备份数据库（站点运行时也可以备份，得到备份开始时的一致快照）和上传的文件，连同清单（行数、"
        "文件校验值、数据库类型、迁移状态）写成一个只有本用户能读的文件。密钥（secret-key、data-key）不在备份中。"
        "退出码：0 完成，1 失败，2 参数有误或输出文件已存在。",
    )
    backup.add_argument(
        "out",
        metavar="输出",
        help="备份文件（以 .tar.gz、.tgz 或 .tar 结尾），或一个目录：在其中新建 gongkai-backup-日期-时间.tar.gz",
    )
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore",
        help="从备份恢复到同类型的空数据库和空的数据目录",
        description="核对备份文件（清单、每个文件的校验值、数据库类型、迁移状态）后，恢复到当前配置的数据库"
        "（DATABASE_URL，或 GONGKAI_DATA_DIR 中的 SQLite）和数据目录。目标必须是空的；不支持跨数据库类型恢复。"
        "恢复后请放回密钥。退出码：0 完成，1 拒绝或失败（拒绝时没有写入任何内容），2 参数有误或找不到文件。",
    )
    restore.add_argument("archive", metavar="备份文件", help="gongkai backup 写成的文件")
    restore.add_argument(
        "--check", action="store_true", help="只核对备份文件是否完好、能否用本程序恢复，不恢复任何内容"
    )
    restore.set_defaults(func=cmd_restore)

    _catalog_parser(sub)

    manage = sub.add_parser(
        "manage", help="运行 Django 管理命令，例如 gongkai manage createsuperuser", add_help=False
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    # prefix_chars: every argument, "--help" included, goes on to workdays_command (REMAINDER drops options
    # that come first)
    workdays = sub.add_parser(
        "workdays",
        help="工作日计算：workdays add 2020-09-28 20；节假日安排通知：workdays schedule 通知.txt",
        add_help=False,
        prefix_chars="\0",
    )
    workdays.add_argument("rest", nargs=argparse.REMAINDER)
    workdays.set_defaults(func=cmd_workdays)
    return parser


def _catalog_parser(sub) -> None:
    catalog = sub.add_parser(
        "catalog",
        help="公开目录：从 Excel、CSV 导入目录信息和政务新媒体发布，导出为 Excel",
        description="导入时先逐行检查，有任何问题都不导入，并逐行列出问题。退出码：0 完成，1 文件有问题（未导入）"
        "或无权办理，2 参数有误（找不到文件、机关、用户或账号）。",
    )
    actions = catalog.add_subparsers(dest="action", metavar="操作", parser_class=_Parser, required=True)
    items = actions.add_parser(
        "import-items",
        help="导入已公开的目录信息（视同审查通过，须由审核人、负责人或管理员办理）",
        description="从 .xlsx 或 CSV 文件导入目录信息。表头可用：索引号、标题（名称）、文号、发布机构、成文日期、"
        "形成日期（生成日期、产生日期）、发布日期、栏目、主题分类、体裁、内容概述、正文、公开属性、有效性、文件类别、"
        "发布渠道等。没有索引号的按发布年度生成。",
    )
    items.add_argument("file", metavar="文件", help=".xlsx 或 CSV 文件（UTF-8 或 GBK 编码）")
    items.add_argument("--agency", required=True, metavar="机关", help="机关的编号、全称或统一社会信用代码")
    items.add_argument(
        "--by", required=True, metavar="用户名", help="导入人（本机关的审核人、负责人或管理员）"
    )
    items.add_argument(
        "--column", metavar="栏目", help="文件中没有“栏目”列时导入到此栏目（完整路径、名称或代码）"
    )
    items.add_argument("--check", action="store_true", help="只检查，不导入")
    posts = actions.add_parser(
        "import-posts",
        help="导入政务新媒体发布（微博、微信公众号等后台导出的文件）",
        description="从 .xlsx 或 CSV 文件导入发布记录：发布时间、标题（内容）、链接、原创或转载；导入到 --account "
        "指定的账号，或按文件中的“账号”列。已导入过的发布自动跳过。",
    )
    posts.add_argument("file", metavar="文件", help=".xlsx 或 CSV 文件（UTF-8 或 GBK 编码）")
    posts.add_argument("--account", type=int, metavar="账号编号", help="导入到这个账号")
    posts.add_argument("--agency", metavar="机关", help="按文件中的“账号”列导入时，账号所属的机关")
    posts.add_argument("--by", required=True, metavar="用户名", help="导入人（本机关的工作人员）")
    posts.add_argument("--check", action="store_true", help="只检查，不导入")
    export = actions.add_parser("export", help="把目录信息或政务新媒体发布导出为 .xlsx（可再导入）")
    export.add_argument(
        "what", choices=["items", "posts"], metavar="内容", help="items：目录信息；posts：新媒体发布"
    )
    export.add_argument("--agency", required=True, metavar="机关", help="机关的编号、全称或统一社会信用代码")
    export.add_argument(
        "--by",
        required=True,
        metavar="用户名",
        help="以此用户的权限导出（非本机关工作人员只导出已公开的信息）",
    )
    export.add_argument(
        "-o", "--output", required=True, metavar="输出文件", help="输出的 .xlsx 文件（不能已存在）"
    )
    export.add_argument("--public-only", action="store_true", help="只导出已发布、已撤回的信息")
    catalog.set_defaults(func=cmd_catalog)


def main(argv: list[str] | None = None) -> int:
    # what a report holds is printed whatever it is: a character the terminal cannot show (or half of
    # a UTF-16 pair from a PDF's text layer) as an escape, not an error that ends the run
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    with chinese():
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_UNREADABLE
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"gongkai：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
