"""`gongkai demo`: a database that is ready to look at (the data itself: gongkai.demo.data).

Demo data (deterministic: random.Random(2020)):

- 宁夏回族自治区 › 中卫市 › 沙坡头区人民政府 (its 政务公开办 supervises the district) › 沙坡头区科学技术局 and
  沙坡头区自然资源局; 中卫市 › 中卫市生态环境局 (outside the district: the district supervisor must not see it).
- 沙坡头区科学技术局 carries the real office contact data of its 2020 annual report and has no applications
  at all, as that report says for 2020 ("未收到群众主动要求公开政府信息的申请").
- 沙坡头区自然资源局 has a few hundred applications over 2020–2022 in every outcome and applicant kind, some
  corrected (补正), consulted, fee-charged or extended, some concluded only in the January after (carry-over),
  and 行政复议 / 行政诉讼 cases, some pending across a year end. A few recent applications, dated relative to
  today, make the deadline lists of the workbench come alive (skipped when this year's holiday schedule is not
  confirmed).
- 沙坡头区科学技术局's 公开目录 gives its report's 2020 主动公开 figures and table 2 from records (website
  items in the report's columns, 政务微博 and 微信公众平台 posts, Art. 20 figures; gongkai.demo.catalog says how
  the report's 114 website items are kept when its list adds up to 113), reviewed by its 审核人 and 负责人;
  when the site starts, one more item is reviewed and scheduled for the worker to publish.
- Everything is written through the services (gongkai.cases.services, gongkai.catalog.services), so
  events, audit records and deadlines are real.
  Applicants, their ID numbers (valid GB 11643 check digits) and credit codes (valid GB 32100 check
  characters), phones and case numbers are fictitious.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gongkai.demo.data import DEMO_APPLICATIONS, DEMO_LOGINS, DEMO_PASSWORD, demo_present, load_demo_data

__all__ = ["run_demo"]


def run_demo(*, port: int, reset: bool, serve: bool) -> int:
    """Create the data directory, migrate, load the demo data unless present, print how to log in, serve."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    print(f"数据目录：{settings.DATA_DIR}")
    print(f"数据库：{_database_label()}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)

    present = demo_present()
    if reset and _has_data():
        if not _confirm_reset():
            print("已取消，未删除任何数据。")
            return 1
        call_command("flush", interactive=False, verbosity=0)
        # the uploads belong to the rows just deleted: keeping them would hand them to new rows' pages
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
        present = False
        print("已删除原有数据（包括上传的附件）。")
    if not present:
        if _has_agencies():
            print(
                "数据库中已有机关数据但不是演示数据，未载入演示数据。"
                "如需改为演示数据，请使用 gongkai demo --reset（将删除全部数据）。",
                file=sys.stderr,
            )
        else:
            started = time.perf_counter()
            with _progress_bar() as tick:
                summary = load_demo_data(progress=tick)
            print(
                f"已载入演示数据（{time.perf_counter() - started:.1f} 秒）："
                f"{summary.agencies} 个机关，{summary.applications} 件政府信息公开申请，"
                f"{summary.review_cases} 件行政复议、行政诉讼案件，"
                f"{summary.catalog.items} 条主动公开信息，{summary.catalog.posts} 条政务新媒体发布。"
            )
    else:
        print("演示数据已存在，直接使用（如需重建：gongkai demo --reset）。")

    _print_welcome(port)
    if not serve:
        return 0
    _schedule_release()
    worker = _start_worker()
    try:
        # runserver without DEBUG serves static files only when told to (--insecure): fine on 127.0.0.1
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)
    finally:
        _stop_worker(worker)
    return 0


def _schedule_release() -> None:
    """One reviewed item published by the worker a couple of minutes after the site starts (gongkai.demo.catalog)."""
    from django.utils import timezone

    from gongkai.demo.catalog import demo_release

    released = demo_release()
    if released is not None:
        item, at = released
        print(
            f"定时发布演示：{item.agency.name}的“{item.title}”（索引号 {item.index_number}）已通过保密审查，"
            f"将于 {timezone.localtime(at):%H:%M}（约{max(1, round((at - timezone.now()).total_seconds() / 60))}分钟后）"
            f"由后台任务进程自动发布到“{item.column.name}”栏目。"
        )


def _start_worker() -> subprocess.Popen:
    """`gongkai worker` beside the web server, on the same data directory and database (the environment
    is inherited): mail, reminders and sweeps run as they would in production."""
    print("后台任务进程（gongkai worker）已随演示站点启动。")
    return subprocess.Popen([sys.executable, "-m", "gongkai.cli", "worker"], stdout=subprocess.DEVNULL)


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()  # SIGTERM: the worker finishes its running task, then exits
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


@contextmanager
def _progress_bar() -> Iterator:
    """A progress bar on a terminal (quiet in scripts and CI): yields the function to call per item."""
    if not sys.stdout.isatty() or os.environ.get("CI"):
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[bold]正在载入演示数据", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        task = bar.add_task("demo", total=DEMO_APPLICATIONS)
        yield lambda: bar.advance(task)


def _database_label() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _has_agencies() -> bool:
    from gongkai.agencies.models import Agency

    return Agency.objects.exists()


def _has_data() -> bool:
    return _has_agencies() or get_user_model().objects.exists()


def _confirm_reset() -> bool:
    """Ask before deleting on a terminal; `--reset` without a terminal (scripts, CI) proceeds."""
    if not sys.stdin.isatty():
        return True
    print(
        f"将删除数据库（{_database_label()}）中的全部数据，包括机关、人员、申请和审计记录，然后重新载入演示数据。"
    )
    try:
        answer = input("确定要删除吗？输入“是”或 yes 继续，其他任意键取消：").strip().lower()
    except EOFError:
        return False
    return answer in ("是", "y", "yes", "确定")


def _print_welcome(port: int) -> None:
    from rich.console import Console
    from rich.table import Table

    base = f"http://127.0.0.1:{port}"
    detected = Console().width
    console = Console(highlight=False, width=max(100, detected), soft_wrap=True)
    console.print()
    console.print(f"[bold]gongkai 演示站点[/bold]  {base}/")
    console.print(f"  公众门户  {base}/")
    console.print(f"  工作台    {base}/workbench/")
    console.print(f"  管理后台  {base}/admin/")
    table = Table(title=f"演示账号（密码均为 {DEMO_PASSWORD}）", title_justify="left")
    table.add_column("用户名", style="bold", no_wrap=True)
    table.add_column("姓名", no_wrap=True)
    table.add_column("角色")
    for username, name, role in DEMO_LOGINS:
        table.add_row(username, name, role)
    console.print(table)
    console.print("科技局的联系方式取自其2020年年度报告；申请人、证件号码、案件等均为虚构的演示数据。")
    console.print(
        "科技局2020年的主动公开信息按其年度报告的数字逐条生成（标题、正文为虚构）：报告称政府网站公开114条，"
        "所列15个栏目合计113条，演示数据补上报告未列出的1条（2019年度报告，载于“政府信息公开年报”栏目），"
        "使政府网站114条、合计934条与报告一致。"
    )


# --- demo data ---------------------------------------------------------------------------------------------
