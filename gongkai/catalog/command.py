"""`gongkai catalog import-items|import-posts|export` as the user sees them: a progress bar on a terminal
while a big file is checked, what was done on standard output, one Chinese line per problem on standard
error.

Exit codes: 0 done; 1 the file has problems (nothing was imported) or the user may not do this; 2 usage (a
file, agency, user or account that cannot be found, an output that exists already).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from gongkai.agencies.models import Agency
from gongkai.catalog.exports import items_export, posts_export
from gongkai.catalog.imports import ImportReport, items_import, posts_import
from gongkai.catalog.imports.common import Progress, no_progress
from gongkai.catalog.imports.items import ColumnLookup
from gongkai.catalog.models import Account

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
PROG = "gongkai catalog"
PROGRESS_FROM = 1000  # rows; fewer are checked before a bar would be useful


class Usage(Exception):
    """An argument that names nothing: one line, exit 2."""


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A bar on a terminal's standard error for a big file; nothing in scripts and CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield no_progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip

        def stage(label: str, total: int | None):
            if total is not None and total < PROGRESS_FROM:
                return lambda n: None
            task = bar.add_task(label, total=total)
            return lambda n: bar.advance(task, n)

        yield stage


def _agency(value: str) -> Agency:
    value = value.strip()
    found = None
    if value.isdigit():
        found = Agency.objects.filter(pk=int(value)).first()
    found = (
        found or Agency.objects.filter(name=value).first() or Agency.objects.filter(credit_code=value).first()
    )
    if found is None:
        raise Usage(f"找不到机关“{value}”（可用机关的编号、全称或统一社会信用代码）")
    return found


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise Usage(f"找不到在用的用户“{username}”")
    return user


def _file(path: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise Usage(f"找不到文件 {path}")
    return file


def _print_report(report: ImportReport) -> int:
    for note in report.notes:
        print(f"说明：{note}", file=sys.stderr)
    if not report.ok:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        if report.problems_more:
            print(f"另有 {report.problems_more} 处问题未列出", file=sys.stderr)
        print(report.summary, file=sys.stderr)
        return EXIT_PROBLEMS
    print(report.summary)
    return EXIT_OK


def import_items(args) -> int:
    file, agency, user = _file(args.file), _agency(args.agency), _user(args.by)
    column = None
    if args.column:
        column, why = ColumnLookup(agency).find(args.column)
        if column is None:
            raise Usage(why)
    with progress_bar() as progress:
        report = items_import(
            agency=agency, by=user, source=file, name=file.name, column=column, check_only=args.check,
            progress=progress,
        )  # fmt: skip
    return _print_report(report)


def import_posts(args) -> int:
    file, user = _file(args.file), _user(args.by)
    account = None
    if args.account:
        account = Account.objects.select_related("agency").filter(pk=args.account).first()
        if account is None:
            raise Usage(f"找不到编号为 {args.account} 的政务新媒体账号")
    if args.agency:
        agency = _agency(args.agency)
    elif account is not None:
        agency = account.agency
    else:
        raise Usage("请用 --agency 指明机关，或用 --account 指明账号")
    with progress_bar() as progress:
        report = posts_import(
            agency=agency, by=user, source=file, name=file.name, account=account, check_only=args.check,
            progress=progress,
        )  # fmt: skip
    return _print_report(report)


def export(args) -> int:
    agency, user = _agency(args.agency), _user(args.by)
    out = Path(args.output)
    if out.exists():
        raise Usage(f"{out} 已存在，请换一个文件名")
    if out.suffix.lower() != ".xlsx":
        raise Usage("导出文件应以 .xlsx 结尾")
    partial = out.with_name(f".{out.name}.part")
    try:
        with progress_bar() as progress, open(partial, "wb") as file:
            if args.what == "items":
                count = items_export(
                    user=user, agency=agency, out=file, public_only=args.public_only, progress=progress
                )
            else:
                count = posts_export(user=user, agency=agency, out=file, progress=progress)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    what = "目录信息" if args.what == "items" else "政务新媒体发布"
    print(f"已导出{agency}的 {count} 条{what}到 {out}")
    return EXIT_OK


def catalog_command(args) -> int:
    try:
        return {"import-items": import_items, "import-posts": import_posts, "export": export}[args.action](
            args
        )
    except Usage as error:
        print(f"{PROG}：{error}", file=sys.stderr)
        return EXIT_USAGE
    except PermissionDenied as error:
        print(f"{PROG}：{error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as error:
        print(f"{PROG}：无法写入或读取文件：{error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
