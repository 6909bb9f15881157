"""`gongkai workdays …` (gongkai.workdays_cli): in-process on the test database, and as a user runs it, in a
subprocess with its own data directory."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from gongkai.cases.models import CalendarOverride
from gongkai.workdays import WorkCalendar
from gongkai.workdays_cli import workdays_command

NOTICES = Path(__file__).parent / "fixtures" / "notices"
UNCONFIRMED_2027 = "2027年的节假日安排尚未确认（国务院办公厅尚未公布或管理员尚未录入），无法计算工作日"
needs_2027_unknown = pytest.mark.skipif(
    WorkCalendar().is_confirmed(2027), reason="chinesecalendar covers 2027"
)
# English words argparse would print if a message were left untranslated
ENGLISH = re.compile(
    r"\b(usage|options|positional|arguments?|required|invalid|choose|show|help message)\b", re.I
)


# -- in-process, on the test database -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "out"),
    [
        (["add", "2020-09-28", "20"], "2020-11-02\n"),
        (["add", "2020-09-28", "20", "--count-start-day"], "2020-10-30\n"),
        (["--count-start-day", "add", "2020-09-28", "20"], "2020-10-30\n"),
        (["add", "2020-09-28", "0"], "2020-09-28\n"),
        (["between", "2020-09-28", "2020-11-02"], "20\n"),
        (["between", "2020-11-02", "2020-09-28"], "-20\n"),
    ],
)
def test_cli_success(capsys, argv, out):
    assert workdays_command(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == out
    assert captured.err == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "2020-13-01", "20"], "日期无效：「2020-13-01」"),
        (["add", "28/09/2020", "20"], "日期无效：「28/09/2020」"),
        (["between", "2020-09-28", "tomorrow"], "日期无效：「tomorrow」"),
        (["add", "2020-09-28", "-5"], "工作日数无效：「-5」"),
        (["add", "2020-09-28", "twenty"], "工作日数无效：「twenty」"),
        pytest.param(["add", "2026-12-15", "20"], UNCONFIRMED_2027, marks=needs_2027_unknown),
        pytest.param(
            ["add", "2026-12-15", "20"],
            # Dec 16–18, 21–25, 28–31 (12), then 元旦 off and the weekdays Jan 4–8, 11–13 (20)
            "按周一至周五为工作日估算（已除去元旦、劳动节、国庆节，未计其他节假日和调休）："
            "预计 2027-01-13（待节假日安排确认），不是法定期限",
            marks=needs_2027_unknown,
        ),
        pytest.param(["between", "2026-12-01", "2027-01-10"], UNCONFIRMED_2027, marks=needs_2027_unknown),
    ],
)
def test_cli_errors_are_one_chinese_line(capsys, argv, message):
    assert workdays_command(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("gongkai workdays：") and message in captured.err


@pytest.mark.django_db
def test_add_and_between_read_the_saved_overrides(capsys):
    # An administrator made Fri 2020-10-09 a rest day: the 20th working day from 2020-09-28 moves a day on.
    CalendarOverride.objects.create(day=date(2020, 10, 9), is_workday=False, note="测试")
    assert workdays_command(["add", "2020-09-28", "20"]) == 0
    assert workdays_command(["between", "2020-09-28", "2020-11-02"]) == 0
    assert capsys.readouterr().out == "2020-11-03\n19\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "2020-09-28"], "参数有误：缺少参数：N"),
        ([], "参数有误：缺少参数：命令"),
        (["remove"], "参数有误：命令 不能是 'remove'，可选：'add', 'between', 'schedule'"),
        (["add", "2020-09-28", "20", "--fast"], "参数有误：无法识别的参数：--fast"),
        (["schedule"], "参数有误：缺少参数：文件"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(capsys, argv, message):
    assert workdays_command(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("用法：gongkai workdays")
    assert not ENGLISH.search(err), err


@pytest.mark.parametrize("argv", [["--help"], ["schedule", "--help"], ["add", "-h"]])
def test_help_is_chinese(capsys, argv):
    assert workdays_command(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：gongkai workdays") and "显示本帮助并退出" in out
    assert not ENGLISH.search(out), out


# -- as a user runs it -------------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(data_dir, tmp_path):
    """`python -m gongkai.cli ARGS` with its own SQLite data directory (never the test run's database)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GONGKAI_DATA_DIR"] = str(data_dir)

    def run(*args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "gongkai.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
        )
        return done.returncode, done.stdout, done.stderr

    return run


def test_the_main_command_passes_help_on(run):
    code, out, err = run("workdays", "--help")
    assert code == 0 and err == ""
    assert out.startswith("用法：gongkai workdays") and "schedule" in out and not ENGLISH.search(out)
    code, out, _ = run("workdays", "schedule", "--help")
    assert code == 0 and "--save" in out and "date,kind" in out and not ENGLISH.search(out)


def test_schedule_prints_every_named_day_sorted(run, data_dir):
    code, out, err = run("workdays", "schedule", str(NOTICES / "2019.txt"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:5] == ["2018-12-29 班", "2018-12-30 休", "2018-12-31 休", "2019-01-01 休", "2019-02-02 班"]
    assert lines == sorted(lines) and len(lines) == 31
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} [休班]", line) for line in lines)
    assert not (data_dir / "gongkai.sqlite3").exists()  # reading a notice needs no database


def test_schedule_problems_go_to_stderr_one_line_each(run, tmp_path, data_dir):
    notice = tmp_path / "2027.txt"
    text = (NOTICES / "2027-example.txt").read_text(encoding="utf-8")
    notice.write_text(
        text.replace("1月31日（周日）", "1月31日（周六）").replace("共3天", "共4天", 1), encoding="utf-8"
    )
    code, out, err = run("workdays", "schedule", str(notice), "--save")
    assert code == 2
    problems = err.splitlines()
    assert len(problems) == 2
    assert problems[0].startswith("gongkai workdays：2027.txt：第")
    assert any("1月31日括号中写的是星期六" in p for p in problems)
    assert "2027-01-31 班" in out  # what was read is still shown
    assert not (data_dir / "gongkai.sqlite3").exists()  # nothing saved


def test_a_gbk_csv_is_read(run, tmp_path):
    csv_file = tmp_path / "安排.csv"
    csv_file.write_bytes("日期,类型\n2027-02-05,休\n2027-01-31,班\n".encode("gbk"))
    code, out, err = run("workdays", "schedule", str(csv_file))
    assert (code, out, err) == (0, "2027-01-31 班\n2027-02-05 休\n", "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "找不到文件："),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是 UTF-8 或 GBK 编码的文本文件"),
        (b"date,kind\n2027-02-05,rest\n", "类型“rest”无效"),
    ],
)
def test_unreadable_inputs_are_one_chinese_line(run, tmp_path, content, message):
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run("workdays", "schedule", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


@needs_2027_unknown
def test_save_then_deadlines_into_2027(run, data_dir):
    code, _, err = run("workdays", "add", "2026-12-20", "20")
    assert code == 2 and UNCONFIRMED_2027 in err
    assert not (data_dir / "gongkai.sqlite3").exists()  # asking does not create a database

    code, out, err = run("workdays", "schedule", str(NOTICES / "2027-example.txt"), "--save")
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert len([x for x in lines if re.fullmatch(r"\d{4}-\d{2}-\d{2} [休班]", x)]) == 34
    assert "已保存2027年节假日安排：放假 28 天，调休上班 6 天（新增 34 个日期，改动 0 个日期）。" in lines
    assert lines[-1] == "依据：命令行：2027-example.txt"

    assert run("workdays", "add", "2026-12-20", "20") == (0, "2027-01-18\n", "")
    assert run("workdays", "between", "2026-12-20", "2027-01-18") == (0, "20\n", "")
    with sqlite3.connect(data_dir / "gongkai.sqlite3") as db:
        (actor, action, after) = db.execute("select actor_id, action, after from audit_auditevent").fetchone()
        assert (actor, action) == (None, "holiday_schedule.save") and "2027-02-05" in after
        assert db.execute("select note from cases_confirmedyear where year = 2027").fetchone() == (
            "命令行：2027-example.txt",
        )


def test_a_database_not_yet_migrated_falls_back_to_the_package(run, data_dir):
    data_dir.mkdir()
    sqlite3.connect(data_dir / "gongkai.sqlite3").close()  # exists, but has no tables
    assert run("workdays", "add", "2020-09-28", "20") == (0, "2020-11-02\n", "")
