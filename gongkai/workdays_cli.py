"""`gongkai workdays …`: working days on this installation's calendar, and a year's holiday schedule from
the State Council notice.

- `add DATE N`, `between D1 D2` count on the installation's calendar (gongkai.cases.calendar.work_calendar:
  the package's schedules plus what an administrator saved). Before the database is created or migrated
  they count on the package's schedules alone.
- `schedule FILE [--save]` reads a notice (.txt) or a CSV file (.csv, `date,kind`), prints the days it names
  and, with --save, saves them as the installation's operator (migrating the database first when needed).

Exit codes: 0 done; 2 bad input, problems in the schedule, or a year whose schedule is not confirmed.
Only these subcommands set up Django, and only when they need the database.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import date
from pathlib import Path

from gongkai.holiday_notice import decode_text, parse_notice, parse_schedule_csv
from gongkai.workdays import ESTIMATE_METHOD, UnconfirmedSchedule, WorkCalendar, calendar

EXIT_OK, EXIT_USAGE = 0, 2
_PROG = "gongkai workdays"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# argparse writes its messages in English; these are the ones a user of these subcommands can meet.
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"), "{0} 不能是 {1}，可选：{2}"),
    (re.compile(r"argument (.+?): expected one argument"), "{0} 后面需要一个值"),
    (re.compile(r"argument (.+?): ignored explicit argument (.+)"), "{0} 不接受取值 {1}"),
    (re.compile(r"ambiguous option: (.+?) could match (.+)"), "选项 {0} 有歧义，可能是 {1}"),
)


class _UsageError(Exception):
    pass


def _chinese(message: str) -> str:
    for pattern, text in _ARGPARSE_MESSAGES:
        matched = pattern.fullmatch(message)
        if matched:
            return text.format(*matched.groups())
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """Help and errors in Chinese: the help option and the section titles are our own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"{self.prog}：参数有误：{_chinese(message)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _build_parser() -> argparse.ArgumentParser:
    start_day_help = "受理当日为工作日时计入（默认按本系统的设置，通常从次日起算）"
    parser = _Parser(
        prog=_PROG,
        description="按国务院办公厅公布的节假日安排（含调休）和本系统录入的节假日安排计算工作日，"
        "或读取新一年的节假日安排通知。",
        epilog="例：gongkai workdays add 2020-09-28 20；gongkai workdays schedule 通知.txt --save",
    )
    parser.add_argument("--count-start-day", action="store_true", help=start_day_help)
    sub = parser.add_subparsers(dest="action", metavar="命令", required=True, parser_class=_Parser)

    add = sub.add_parser(
        "add",
        help="起始日期之后第 N 个工作日，如 add 2020-09-28 20",
        description="起始日期之后第 N 个工作日。",
    )
    add.add_argument("date", metavar="日期", help="起始日期 YYYY-MM-DD（如收到申请之日）")
    add.add_argument("days", metavar="N", help="工作日数")
    between = sub.add_parser(
        "between", help="两个日期之间的工作日数", description="日期1之后到日期2（含）的工作日数。"
    )
    between.add_argument("start", metavar="日期1", help="YYYY-MM-DD")
    between.add_argument("end", metavar="日期2", help="YYYY-MM-DD")
    for command in (add, between):
        # SUPPRESS: given after the subcommand it sets the value, absent it leaves the main one alone
        command.add_argument(
            "--count-start-day", action="store_true", default=argparse.SUPPRESS, help=start_day_help
        )

    schedule = sub.add_parser(
        "schedule",
        help="读取节假日安排通知（.txt）或 CSV 文件（.csv），列出其中的日期；--save 保存",
        description="读取国务院办公厅关于某年部分节假日安排的通知全文（.txt），或 CSV 文件（.csv，表头 "
        "date,kind，类型为“休”或“班”），每行列出一个日期：“YYYY-MM-DD 休”或“YYYY-MM-DD 班”。"
        "发现问题时逐行写到标准错误，退出码 2，不保存。",
    )
    schedule.add_argument("file", metavar="文件", help="通知全文（UTF-8 或 GBK 编码的文本）或 CSV 文件")
    schedule.add_argument(
        "--save", action="store_true", help="保存到本系统（必要时先建立或升级数据库），此后计算期限即按此安排"
    )
    return parser


def workdays_command(argv: list[str]) -> int:
    try:
        args = _build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.action == "schedule":
            return _schedule(Path(args.file), save=args.save)
        if args.action == "add":
            start, days = _parse_date(args.date), _parse_days(args.days)
            cal = _installation_calendar(args.count_start_day)
            try:
                print(cal.add(start, days).isoformat())
            except UnconfirmedSchedule as exc:
                # no exact answer; the estimate the platform stores meanwhile, labelled as such
                estimate = cal.add_estimated(start, days).day.isoformat()
                raise _UsageError(
                    f"{exc}。{ESTIMATE_METHOD}：预计 {estimate}（待节假日安排确认），不是法定期限"
                ) from exc
        else:
            start, end = _parse_date(args.start), _parse_date(args.end)
            print(_installation_calendar(args.count_start_day).between(start, end))
    except (_UsageError, UnconfirmedSchedule) as exc:
        _error(str(exc))
        return EXIT_USAGE
    return EXIT_OK


def _error(message: str) -> None:
    print(f"{_PROG}：{message}", file=sys.stderr)


def _parse_date(text: str) -> date:
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _UsageError(f"日期无效：「{text}」，应为 YYYY-MM-DD 格式的日期，例如 2020-09-28")


def _parse_days(text: str) -> int:
    if re.fullmatch(r"\d{1,6}", text.strip()):
        return int(text)
    raise _UsageError(f"工作日数无效：「{text}」，应为不小于 0 的整数，例如 20")


# -- the installation's calendar -------------------------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()


def _installation_calendar(count_start_day: bool) -> WorkCalendar:
    """work_calendar() of this installation; the package's schedules when its database does not exist yet
    or is not migrated (nothing can have been saved), with a note when it cannot be reached."""
    _setup_django()
    from django.conf import settings
    from django.db import DatabaseError, connection

    count_start_day = count_start_day or settings.COUNT_START_DAY
    if (
        connection.vendor == "sqlite"
        and not connection.is_in_memory_db()
        and not Path(connection.settings_dict["NAME"]).exists()
    ):
        return calendar(count_start_day)  # never created: connecting would create an empty file
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _error(f"注意：无法连接本系统的数据库（{first_line}），只按内置的节假日安排计算")
        return calendar(count_start_day)
    from gongkai.cases.calendar import work_calendar

    try:
        cal = work_calendar()
    except DatabaseError:  # the tables do not exist yet
        return calendar(count_start_day)
    if cal.count_start_day != count_start_day:
        cal = WorkCalendar(cal.overrides, cal.confirmed_years, count_start_day=count_start_day)
    return cal


# -- schedule ------------------------------------------------------------------------------------------------


def _schedule(path: Path, *, save: bool) -> int:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _UsageError(f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise _UsageError(f"{path} 是目录，请给出通知或 CSV 文件") from None
    except PermissionError:
        raise _UsageError(f"没有权限读取文件：{path}") from None
    except OSError as exc:
        raise _UsageError(f"无法读取文件：{path}（错误号 {exc.errno}）") from None
    text = decode_text(data)
    if text is None:
        raise _UsageError(f"{path} 不是 UTF-8 或 GBK 编码的文本文件")
    schedule = parse_schedule_csv(text) if path.suffix.lower() == ".csv" else parse_notice(text)
    for line in schedule.lines():
        print(line)
    for problem in schedule.problems:
        _error(f"{path.name}：{problem}")
    if schedule.problems:
        return EXIT_USAGE
    if not save:
        return EXIT_OK
    return _save(schedule, path)


def _save(schedule, path: Path) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0)
            print("已建立或升级本系统的数据库。")
        from gongkai.cases.holidays import COMMAND_LINE, holiday_schedule_save

        saved = holiday_schedule_save(schedule=schedule, by=COMMAND_LINE, source=f"命令行：{path.name}")
    except ValidationError as exc:
        for message in exc.messages:
            _error(message)
        return EXIT_USAGE
    except DatabaseError as exc:
        _error(f"无法写入本系统的数据库：{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")
        return EXIT_USAGE
    print(saved.summary)
    print(f"依据：命令行：{path.name}")
    return EXIT_OK
