"""Excel import rows per second: generates an N-row catalog spreadsheet as offices keep it (a title row,
Chinese headers, Excel dates and text dates, half the rows with their 索引号, columns by path and by name)
and times `gongkai.catalog.imports.items_import` on it: the check of every row, then the write (bulk
inserts of items and review sheets, 索引号 allocated, one audit event). Prints rows/s and the growth of
the process's peak memory during the import.

    .venv/bin/python bench/catalog_import.py                     # 10,000 rows, a fresh SQLite database
    .venv/bin/python bench/catalog_import.py --rows 100000 --body
    .venv/bin/python bench/catalog_import.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

`measure_import(rows=…)` does the same in a process where Django is set up already (bench/catalog.py
calls it) and returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEAD = ["序号", "索引号", "标题", "文号", "发布机构", "成文日期", "发布日期", "栏目", "主题分类", "体裁", "内容概述",
        "正文", "公开属性", "有效性", "文件类别", "发布渠道"]  # fmt: skip
COLUMNS = (
    "法定主动公开内容/政策文件/行政规范性文件",
    "其他文件",
    "统计信息",
    "财政预决算",
    "行政许可",
    "重点领域",
)
SUBJECTS = ("科技扶贫工作方案", "科技活动周安排", "高新技术企业认定结果", "科技项目资金分配", "专利资助办法",
            "科技特派员管理办法", "创新平台建设情况", "年度统计数据")  # fmt: skip


def generate_xlsx(rows: int, *, code: str, body: bool = False, seed: int = 1) -> bytes:
    """An N-row catalog as an office keeps it (write-only: the generator itself stays small)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(seed)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("公开目录")
    sheet.append(["沙坡头区科学技术局政府信息公开目录"])
    sheet.append(HEAD)
    serials: dict[int, int] = {}
    for n in range(1, rows + 1):
        written = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 3650))
        published = written + dt.timedelta(days=rng.randrange(1, 40))
        year = published.year
        number = ""
        if n % 2:
            serials[year] = serials.get(year, 50_000) + 1
            number = f"{code}/{year}-{serials[year]:05d}"
        subject = rng.choice(SUBJECTS)
        kind = rng.random()
        date_cell = WriteOnlyCell(sheet, value=written)
        date_cell.number_format = "yyyy-mm-dd"
        sheet.append(
            [
                n, number, f"沙坡头区科学技术局关于印发{year}年{subject}的通知（第{n}号）",
                f"卫科发〔{written.year}〕{n % 900 + 1}号", "", date_cell,
                published.isoformat() if n % 3 else f"{published.year}年{published.month}月{published.day}日",
                rng.choice(COLUMNS), "科技", "通知", f"明确{year}年{subject}的目标、任务和保障措施。",
                ("各有关单位：\n现将方案印发给你们，请认真贯彻执行。\n" * 20) if body else "",
                "主动公开", "有效", "行政规范性文件" if kind < 0.2 else "其他", "政府网站、公示栏",
            ]
        )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_import(*, rows: int = 10_000, body: bool = False) -> dict:
    """Import an N-row file into a new agency (Django set up, database migrated); the figures as a dict."""
    from django.contrib.auth import get_user_model

    from gongkai.agencies.models import Agency, Membership, Role
    from gongkai.catalog.imports import items_import
    from gongkai.catalog.models import Item
    from gongkai.catalog.services import catalog_bootstrap

    tag = f"{os.getpid()}{int(time.time() * 1000) % 100000}"
    code = f"B{tag[-8:]:0>8}"[:9]
    agency = Agency.objects.create(name=f"基准测试科学技术局{tag}", index_code=code)
    user = get_user_model().objects.create(username=f"bench_reviewer_{tag}", first_name="基准")
    Membership.objects.create(user=user, agency=agency, role=Role.REVIEWER)
    catalog_bootstrap(agency=agency)
    started = time.perf_counter()
    data = generate_xlsx(rows, code=code, body=body)
    generated = time.perf_counter() - started

    stages: dict[str, float] = {}
    marks = {"t": time.perf_counter()}

    def progress(label: str, total):
        def advance(n):
            return None

        return advance

    before = _peak_mb()
    started = time.perf_counter()
    checked = items_import(
        agency=agency, by=user, source=data, name="bench.xlsx", check_only=True, progress=progress
    )
    stages["check"] = time.perf_counter() - started
    if not checked.ok:
        raise SystemExit("\n".join(checked.problems[:20]))
    started = time.perf_counter()
    report = items_import(agency=agency, by=user, source=data, name="bench.xlsx", progress=progress)
    total = time.perf_counter() - started
    assert report.ok and report.created == rows, report.problems[:5]
    assert Item.objects.filter(agency=agency).count() == rows
    del marks
    return {
        "rows": rows,
        "file_mb": round(len(data) / 1024 / 1024, 2),
        "generate_s": round(generated, 2),
        "check_s": round(stages["check"], 2),
        "import_s": round(total, 2),
        "write_s": round(max(total - stages["check"], 0), 2),
        "rows_per_s": round(rows / total),
        "peak_rss_mb": round(_peak_mb(), 1),
        "peak_growth_mb": round(_peak_mb() - before, 1),
    }


# --- as a script ----------------------------------------------------------------------------------------------


def _prepare_database(database_url: str | None, keep: bool):
    data_dir = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    os.environ["GONGKAI_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    if not database_url:
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
        return "SQLite（临时）", lambda: keep or shutil.rmtree(data_dir, ignore_errors=True)
    import psycopg

    server = urlparse(database_url)
    scratch = f"gongkai_bench_import_{os.getpid()}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = urlunparse(server._replace(path=f"/{scratch}"))

    def cleanup():
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
        if not keep:
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

    return f"PostgreSQL {server.hostname}:{server.port or 5432}/{scratch}（临时）", cleanup


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="目录信息 Excel 导入速度")
    parser.add_argument("--rows", type=int, default=10_000, help="行数（默认 10000）")
    parser.add_argument("--body", action="store_true", help="每行带约 600 字的正文")
    parser.add_argument("--database-url", help="PostgreSQL 服务器（在其上建临时数据库）；默认临时 SQLite")
    parser.add_argument("--keep", action="store_true", help="保留数据库")
    args = parser.parse_args(argv)
    where, cleanup = _prepare_database(args.database_url, args.keep)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        figures = measure_import(rows=args.rows, body=args.body)
    finally:
        cleanup()
    print(f"数据库：{where}")
    print(
        f"{figures['rows']} 行（{figures['file_mb']} MB .xlsx）：检查 {figures['check_s']} s，"
        f"检查并写入 {figures['import_s']} s（写入约 {figures['write_s']} s）"
    )
    print(f"Excel 导入：{figures['rows_per_s']} 行/秒；导入期间峰值内存增长 {figures['peak_growth_mb']} MB"
          f"（进程峰值 {figures['peak_rss_mb']} MB）")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
