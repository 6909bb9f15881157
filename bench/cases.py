"""How the case selectors scale: the workbench dashboard and list, and tables 3 and 4 from the records.

Generates an agency tree (one region, districts, departments) with N applications over 2019–2023 and 1 %
as many review/litigation cases (bulk_create), in a fresh SQLite file under a temporary directory, or in a
scratch database next to the one `--database-url` names (PostgreSQL; created and dropped by the run), then
times, with query counts (CaptureQueriesContext):

- dashboard_counts and the first list page (count + rows, agency and creator joined) for one agency's clerk
  and for a supervisor over every agency; a filtered and a deep list page; the overdue list;
- tables 3 and 4 for one agency-year (annual_tables) and for all agencies (annual_tables_all), each against
  a hand-written SQL GROUP BY computing the same counts over the same data in the same run: the ratio
  selector / SQL is the cost of the ORM and of building the AnnualReport objects (goal: <= 1.5x).

    .venv/bin/python bench/cases.py                                  # 500,000 applications, 200 agencies
    .venv/bin/python bench/cases.py --applications 50000 --agencies 40
    .venv/bin/python bench/cases.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Goals: list pages <= 10 queries at any size; a full run within a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEARS = range(2019, 2024)
REPORT_YEAR = 2022
TODAY = dt.date(2023, 12, 15)
PAGE_SIZE = 50
MAX_LIST_QUERIES = 10
RATIO_GOAL = 1.5
TOPICS = (
    "集体土地征收补偿安置方案",
    "国有建设用地使用权出让合同",
    "建设工程规划许可证及附图",
    "行政处罚决定书",
    "财政预算执行情况",
    "环境影响评价批复文件",
    "拆迁补偿协议",
    "项目资金分配结果",
    "会议纪要",
    "政府采购合同",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="案件查询与年报统计的性能基准")
    parser.add_argument("--applications", type=int, default=500_000, help="申请数（默认 500000）")
    parser.add_argument("--agencies", type=int, default=200, help="机关数（默认 200）")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL 服务器（postgresql://…）：在其上新建临时数据库，结束后删除；默认用临时目录中的 SQLite",
    )
    parser.add_argument("--repeat", type=int, default=5, help="每项计时重复次数，取中位数（默认 5）")
    parser.add_argument("--keep", action="store_true", help="保留生成的数据库（打印其位置）")
    parser.add_argument("--seed", type=int, default=2020)
    return parser.parse_args(argv)


# --- database set-up, before Django is imported -------------------------------------------------------------


def prepare_database(args) -> tuple[str, callable]:
    """Point DATABASE_URL at a fresh database; return a description and the clean-up."""
    data_dir = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    os.environ["GONGKAI_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    if not args.database_url:
        path = data_dir / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"

        def cleanup():
            if args.keep:
                print(f"数据库保留在 {path}")
            else:
                shutil.rmtree(data_dir, ignore_errors=True)

        return f"SQLite {path}", cleanup

    import psycopg

    server = urlparse(args.database_url)
    if server.scheme not in ("postgres", "postgresql"):
        raise SystemExit("--database-url 只支持 postgresql://")
    scratch = f"gongkai_bench_{os.getpid()}"
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = urlunparse(server._replace(path=f"/{scratch}"))

    def cleanup():
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
        if args.keep:
            print(f"数据库保留为 {os.environ['DATABASE_URL']}")
            return
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

    return f"PostgreSQL {server.hostname}:{server.port or 5432}/{scratch}（临时）", cleanup


# --- data ---------------------------------------------------------------------------------------------------


def progress(total: int, label: str):
    """A rich progress bar on a terminal, nothing in CI or a pipe."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return _Quiet()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(f"[bold]{label}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)
    bar.total = total
    return bar


class _Quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *a, **k):
        return 0

    def advance(self, *a, **k):
        pass


def generate(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from gongkai.agencies.models import Agency, Role
    from gongkai.agencies.services import membership_grant
    from gongkai.cases.enums import CaseKind, CaseResult, Status
    from gongkai.cases.models import ReviewCase
    from gongkai.report.formats import OUTCOMES, TABLE3_APPLICANT_COLUMNS

    rng = random.Random(args.seed)
    # the tree: region › districts (supervising) › departments; ids assigned here so paths need no 2nd pass
    districts = max(1, args.agencies // 20)
    agencies = [Agency(id=1, name="宁夏回族自治区", path="/1/")]
    for d in range(districts):
        pk = 2 + d
        agencies.append(
            Agency(id=pk, name=f"第{d + 1}区人民政府", parent_id=1, path=f"/1/{pk}/", is_supervisor=True)
        )
    departments = []
    for i in range(max(1, args.agencies - 1 - districts)):
        pk = 2 + districts + i
        parent = agencies[1 + i % districts]
        departments.append(
            Agency(id=pk, name=f"第{i + 1}号部门", parent_id=parent.pk, path=f"{parent.path}{pk}/")
        )
    agencies += departments

    password = make_password("gongkai-bench-2020")
    User = get_user_model()
    with transaction.atomic():
        Agency.objects.bulk_create(agencies)
        clerk = User.objects.create(username="bench_clerk", password=password)
        supervisor = User.objects.create(username="bench_supervisor", password=password)
        district_supervisor = User.objects.create(username="bench_district", password=password)
        # busier and quieter agencies: weights ~ 1/rank
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(departments))]
        busiest = departments[0]
        for user, agency, role in (
            (clerk, busiest, Role.CLERK),
            (supervisor, agencies[0], Role.SUPERVISOR),
            (district_supervisor, agencies[1], Role.SUPERVISOR),
        ):
            membership_grant(user=user, agency=agency, role=role)

    kinds = [c.code for c in TABLE3_APPLICANT_COLUMNS]
    kind_weights = [62, 14, 3, 5, 9, 7]
    outcomes = [o.code for o in OUTCOMES]
    first_day = dt.date(YEARS[0], 1, 1).toordinal()
    span = dt.date(YEARS[-1], 12, 31).toordinal() - first_day + 1
    insert = ApplicationInserter(connection)
    created_at = insert.datetime(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    day = insert.date
    chunk = 20_000
    serial = 0
    with progress(args.applications, "生成申请") as bar, transaction.atomic():
        task = bar.add_task("申请", total=args.applications)
        while serial < args.applications:
            n = min(chunk, args.applications - serial)
            batch = []
            for agency in rng.choices(departments, weights, k=n):
                serial += 1
                received = dt.date.fromordinal(first_day + rng.randrange(span))
                recent = received > TODAY - dt.timedelta(days=45)
                open_case = (recent and rng.random() < 0.5) or rng.random() < 0.01
                concluded = (
                    None if open_case else received + dt.timedelta(days=rng.choice((0, 3, 9, 16, 25, 40)))
                )
                if concluded and concluded > TODAY:
                    concluded = None
                batch.append(
                    {
                        "agency_id": agency.pk,
                        "number": f"依申〔{received.year}〕第{serial:07d}号",
                        "query_code": f"B{serial:011d}",
                        "applicant_kind": rng.choices(kinds, kind_weights)[0],
                        "applicant_name": f"申请人{serial}",
                        "id_type": "resident_id",
                        "id_number": "11010519491231002X",
                        "phone": "13900000000",
                        "description": f"{received.year}年{rng.choice(TOPICS)}",
                        "requested_form": "electronic",
                        "delivery": "email",
                        "channel": "online",
                        "received_on": day(received),
                        "clock_start": day(received),
                        "due_on": day(received + dt.timedelta(days=28)),
                        "status": Status.CONCLUDED.value if concluded else Status.RECEIVED.value,
                        "outcome": rng.choice(outcomes) if concluded else "",
                        "concluded_on": day(concluded),
                        "created_at": created_at,
                        "created_by_id": clerk.pk if agency is busiest else None,
                    }
                )
            insert(batch)
            bar.advance(task, n)

        results = [
            CaseResult.UPHELD,
            CaseResult.UPHELD,
            CaseResult.CORRECTED,
            CaseResult.OTHER,
            CaseResult.PENDING,
        ]
        cases = []
        for i in range(max(1, args.applications // 100)):
            filed = dt.date.fromordinal(first_day + rng.randrange(span))
            result = rng.choice(results)
            done = result != CaseResult.PENDING and filed + dt.timedelta(days=90) <= TODAY
            cases.append(
                ReviewCase(
                    agency_id=rng.choices(departments, weights)[0].pk,
                    kind=rng.choice(CaseKind.values),
                    case_number=f"案{i}",
                    filed_on=filed,
                    result=result if done else CaseResult.PENDING,
                    concluded_on=filed + dt.timedelta(days=rng.randrange(20, 90)) if done else None,
                )
            )
        ReviewCase.objects.bulk_create(cases, batch_size=2000)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('agencies_agency', 'id'), %s)", [len(agencies)]
            )
        cursor.execute("ANALYZE")
    return {
        "clerk": clerk,
        "supervisor": supervisor,
        "district_supervisor": district_supervisor,
        "busiest": busiest,
        "agencies": len(agencies),
        "cases": len(cases),
    }


class ApplicationInserter:
    """Rows of cases_application written the fastest way each database has: COPY on PostgreSQL, executemany
    on SQLite. bulk_create spends ~200 µs per row compiling its parameters (about two minutes for 500,000
    rows); this takes seconds. Columns come from the model, so a field added later gets its default."""

    def __init__(self, connection):
        from gongkai.cases.models import Application

        self.connection = connection
        self.fields = [f for f in Application._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in self.fields]
        # a field's default as its form would fill it: "" for text, None for a nullable field
        self.defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in self.fields}
        self.table = connection.ops.quote_name(Application._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)

    def date(self, value):
        return None if value is None else self.connection.ops.adapt_datefield_value(value)

    def datetime(self, value):
        return self.connection.ops.adapt_datetimefield_value(value)

    def __call__(self, rows: list[dict]) -> None:
        names, defaults = self.names, self.defaults
        tuples = [tuple(row[n] if n in row else defaults[n] for n in names) for row in rows]
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for values in tuples:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", tuples)


# --- measurements ----------------------------------------------------------------------------------------


def measure(fn, repeat: int):
    """(median seconds, queries of one call, result of the last call); one warm-up call first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(ctx.captured_queries), result


def measure_pair(first, second, repeat: int):
    """measure() of two functions, their calls alternating: (first, second)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results, counts, times = [None, None], [0, 0], ([], [])
    for i, fn in enumerate((first, second)):
        with CaptureQueriesContext(connection) as ctx:
            results[i] = fn()
        counts[i] = len(ctx.captured_queries)
    for _ in range(repeat):
        for i, fn in enumerate((first, second)):
            started = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - started)
    return tuple((statistics.median(times[i]), counts[i], results[i]) for i in range(2))


def list_page(user, page: int = 1, **filters):
    from django.core.paginator import Paginator

    from gongkai.cases.selectors import application_list

    paginator = Paginator(application_list(user=user, **filters), PAGE_SIZE)
    rows = paginator.get_page(page).object_list
    # what a list template shows: the joined agency and creator, the display labels
    return [
        (a.number, a.agency.name, a.created_by.username if a.created_by else "", a.get_status_display())
        for a in rows
    ], paginator.count


HAND_TABLE3 = """
SELECT {agency_column} applicant_kind, outcome,
       SUM(CASE WHEN received_on >= %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN received_on < %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN concluded_on <= %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN concluded_on IS NULL OR concluded_on > %s THEN 1 ELSE 0 END)
FROM cases_application
WHERE {agency_filter} received_on <= %s AND (concluded_on IS NULL OR concluded_on >= %s)
GROUP BY {agency_column} applicant_kind, outcome
"""
HAND_TABLE4 = """
SELECT {agency_column} kind,
       SUM(CASE WHEN result = 'upheld' AND concluded_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN result = 'corrected' AND concluded_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN result = 'other' AND concluded_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN result = 'pending' OR concluded_on IS NULL OR concluded_on > %s THEN 1 ELSE 0 END)
FROM cases_reviewcase
WHERE {agency_filter} filed_on <= %s AND (result = 'pending' OR concluded_on IS NULL OR concluded_on >= %s)
GROUP BY {agency_column} kind
"""


def hand_sql(year: int, agency_id: int | None):
    """Tables 3 and 4 as a person would write them in SQL: the floor the selectors are compared with."""
    from django.db import connection

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    one = agency_id is not None
    fill = {
        "agency_column": "" if one else "agency_id,",
        "agency_filter": "agency_id = %s AND" if one else "",
    }
    head = [agency_id] if one else []
    with connection.cursor() as cursor:
        cursor.execute(HAND_TABLE3.format(**fill), [start, start, end, end, *head, end, start])
        table3 = cursor.fetchall()
        cursor.execute(HAND_TABLE4.format(**fill), [start, end] * 3 + [end, *head, end, start])
        table4 = cursor.fetchall()
    return table3, table4


def run(args) -> int:
    label, cleanup = prepare_database(args)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from gongkai.cases.calendar import work_calendar
        from gongkai.cases.selectors import applications_overdue, dashboard_counts
        from gongkai.report.formats import TABLE3_APPLICANT_COLUMNS
        from gongkai.report.rules import check
        from gongkai.reports.selectors import annual_tables, annual_tables_all

        print(f"数据库：{label}")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        world = generate(args)
        print(
            f"生成数据：{world['agencies']} 个机关，{args.applications:,} 件申请，{world['cases']:,} 件复议诉讼，"
            f"用时 {time.perf_counter() - started:.1f} 秒"
        )
        work_calendar()
        clerk, supervisor, busiest = world["clerk"], world["supervisor"], world["busiest"]
        rows: list[tuple] = []
        failures: list[str] = []

        def timed(name: str, fn, *, max_queries: int | None = None, note=lambda r: ""):
            seconds, queries, result = measure(fn, args.repeat)
            rows.append((name, f"{seconds * 1000:.1f}", str(queries), note(result)))
            if max_queries is not None and queries > max_queries:
                failures.append(f"{name}：{queries} 次查询，超过 {max_queries}")
            return seconds, result

        for who, user in (("本机关经办人", clerk), ("上级督查（全部机关）", supervisor)):
            timed(
                f"工作台统计 dashboard_counts {TODAY.year} · {who}",
                lambda u=user: dashboard_counts(user=u, year=TODAY.year, today=TODAY),
                note=lambda r: f"收到 {r['received']:,}，办结 {r['concluded']:,}，超期 {r['overdue']:,}",
            )
            timed(
                f"申请列表第 1 页 · {who}",
                lambda u=user: list_page(u),
                max_queries=MAX_LIST_QUERIES,
                note=lambda r: f"共 {r[1]:,} 件",
            )
            timed(
                f"申请列表 检索“征收”+年度+状态 · {who}",
                lambda u=user: list_page(u, q="征收", year=REPORT_YEAR, status="concluded"),
                max_queries=MAX_LIST_QUERIES,
                note=lambda r: f"共 {r[1]:,} 件",
            )
            timed(
                f"申请列表第 100 页 · {who}",
                lambda u=user: list_page(u, page=100),
                max_queries=MAX_LIST_QUERIES,
            )
            timed(
                f"超期申请前 {PAGE_SIZE} 件 · {who}",
                lambda u=user: list(applications_overdue(user=u, today=TODAY)[:PAGE_SIZE]),
                max_queries=MAX_LIST_QUERIES,
            )

        def compared(scope: str, sql_fn, orm_fn, orm_name: str, *, max_queries: int, note):
            """Hand-written SQL and the selector, timed alternately so that drift hits both alike."""
            (sql_s, sql_q, _), (orm_s, orm_q, result) = measure_pair(sql_fn, orm_fn, args.repeat)
            rows.append(
                (f"表三、表四 手写 SQL · {scope} {REPORT_YEAR}", f"{sql_s * 1000:.1f}", str(sql_q), "")
            )
            rows.append(
                (
                    f"表三、表四 {orm_name} · {scope} {REPORT_YEAR}",
                    f"{orm_s * 1000:.1f}",
                    str(orm_q),
                    note(result),
                )
            )
            if orm_q > max_queries:
                failures.append(f"{orm_name}：{orm_q} 次查询，超过 {max_queries}")
            ratios.append((scope, orm_s / sql_s))
            return result

        ratios = []
        report = compared(
            "单个机关",
            lambda: hand_sql(REPORT_YEAR, busiest.pk),
            lambda: annual_tables(user=clerk, agency_id=busiest.pk, year=REPORT_YEAR),
            "annual_tables",
            max_queries=3,  # the agency checked against what the clerk may see, then two aggregates
            note=lambda r: f"新收 {r.table3['new'][-1].value:,}，办结 {r.table3['total'][-1].value:,}",
        )
        reports = compared(
            "全部机关",
            lambda: hand_sql(REPORT_YEAR, None),
            lambda: annual_tables_all(user=supervisor, year=REPORT_YEAR),
            "annual_tables_all",
            max_queries=3,
            note=lambda r: f"{len(r)} 份",
        )

        # the tables are right, not only fast: rules R1–R4 and the one agency equal to its row of "all"
        total = len(TABLE3_APPLICANT_COLUMNS)
        errors = [
            f
            for r in [report, *reports.values()]
            for f in check(r)
            if f.severity == "error" and f.rule in ("R1", "R2", "R3", "R4")
        ]
        if errors:
            failures.append(f"表三、表四有 {len(errors)} 处 R1–R4 错误")
        if reports[busiest.pk].table3 != report.table3:
            failures.append("annual_tables 与 annual_tables_all 的结果不一致")
        received = sum(r.table3["new"][total].value for r in reports.values())

        print_results(rows, ratios, received)
        for failure in failures:
            print(f"未达标：{failure}")
        for name, ratio in ratios:
            if ratio > RATIO_GOAL:
                print(f"未达标：{name} annual_tables 为手写 SQL 的 {ratio:.2f} 倍（目标 ≤ {RATIO_GOAL}）")
        return 1 if failures else 0
    finally:
        cleanup()


def print_results(rows, ratios, received) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width), highlight=False)
    table = Table(title=f"案件查询与年报统计（每项 {PAGE_SIZE} 条一页；时间为中位数）")
    table.add_column("项目")
    table.add_column("毫秒", justify="right")
    table.add_column("查询次数", justify="right")
    table.add_column("结果")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for name, ratio in ratios:
        verdict = "达标" if ratio <= RATIO_GOAL else "未达标"
        console.print(
            f"表三、表四 {name}：annual_tables / 手写 SQL = {ratio:.2f} 倍（目标 ≤ {RATIO_GOAL}，{verdict}）"
        )
    console.print(f"全部机关 {REPORT_YEAR} 年新收申请合计 {received:,} 件")


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.applications < 1 or args.agencies < 3:
        raise SystemExit("--applications 至少为 1，--agencies 至少为 3")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
