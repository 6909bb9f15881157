"""Reading the State Council holiday notice and the CSV form of a schedule (gongkai.holiday_notice).

The notices in tests/fixtures/notices are checked day by day against the chinesecalendar package: a parser
bug or a wrong date in a fixture fails here."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.holiday_notice import (
    ParsedSchedule,
    decode_text,
    parse_notice,
    parse_schedule_csv,
    schedule_problems,
)
from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "notices"
NOTICE_2024 = SHARED / "docs" / "notices" / "2024.txt"
FIXTURE_YEARS = [2018, 2019, 2021, 2022, 2023, 2025, 2026]
D = date.fromisoformat


def notice_text(year: int) -> str:
    if year == 2024:
        if not NOTICE_2024.exists():
            pytest.skip("../shared/docs/notices is not beside this checkout")
        return NOTICE_2024.read_text(encoding="utf-8")
    return (FIXTURES / f"{year}.txt").read_text(encoding="utf-8")


def all_named_days() -> dict[date, bool]:
    """The days every available notice names: the make-up days a notice sets in the previous December
    belong to the year before (2019's notice sets 2018-12-29)."""
    named: dict[date, bool] = {}
    years = FIXTURE_YEARS + ([2024] if NOTICE_2024.exists() else [])
    for year in years:
        named.update(parse_notice(notice_text(year)).days)
    return named


@pytest.fixture
def notice_2024() -> str:
    return notice_text(2024)


# -- the notices of real years -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", [*FIXTURE_YEARS, 2024])
def test_notice_gives_the_official_schedule_for_every_day_of_the_year(year):
    schedule = parse_notice(notice_text(year))
    assert schedule.problems == ()
    assert schedule.year == year
    named = {**all_named_days(), **schedule.days}
    day = date(year, 1, 1)
    while day.year == year:
        ours = named.get(day, day.weekday() < 5)
        assert ours == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("year", "outside"),
    [
        (2019, {D("2018-12-29"): True, D("2018-12-30"): False, D("2018-12-31"): False}),
        (2023, {D("2022-12-31"): False}),
    ],
)
def test_days_in_the_previous_december_keep_their_own_date(year, outside):
    schedule = parse_notice(notice_text(year))
    assert {day: work for day, work in schedule.days.items() if day.year < year} == outside
    for day, work in outside.items():
        assert chinese_calendar.is_workday(day) == work


def test_only_the_named_days_and_not_the_encouraged_eve(notice_2024):
    schedule = parse_notice(notice_2024)
    assert D("2024-02-09") not in schedule.days  # 除夕: only encouraged as a day off
    assert schedule.is_workday(D("2024-02-09"))
    assert D("2024-02-03") not in schedule.days  # an ordinary Saturday is not named
    assert not schedule.is_workday(D("2024-02-03"))
    assert schedule.work_days == [
        D(x) for x in ("2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
                       "2024-09-29", "2024-10-12")
    ]  # fmt: skip
    assert len(schedule.rest_days) == 1 + 8 + 3 + 5 + 1 + 3 + 7
    spring = next(p for p in schedule.periods if p.name == "春节")
    assert spring.rest == tuple(D("2024-02-10") + timedelta(days=i) for i in range(8))
    assert spring.work == (D("2024-02-04"), D("2024-02-18"))
    assert [p.name for p in schedule.periods] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]


def test_lines_are_sorted_iso_dates_with_the_kind():
    lines = parse_notice(notice_text(2019)).lines()
    assert lines[:4] == ["2018-12-29 班", "2018-12-30 休", "2018-12-31 休", "2019-01-01 休"]
    assert lines == sorted(lines)


def test_ranges_across_months_with_lunar_days_in_the_brackets():
    schedule = parse_notice(notice_text(2025))
    spring = next(p for p in schedule.periods if p.name == "春节")
    assert spring.rest == tuple(D("2025-01-28") + timedelta(days=i) for i in range(8))
    assert spring.work == (D("2025-01-26"), D("2025-02-08"))
    assert schedule.days[D("2025-01-01")] is False  # "1月1日（周三）放假1天，不调休"


# -- the same notice, written differently ----------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "variant",
    [
        lambda t: t.translate(FULL_WIDTH),
        lambda t: t.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ","),
        lambda t: "\ufeff" + t.replace("\n", "\r\n"),
        lambda t: t.replace("\n\n", "\n"),
        lambda t: t.replace("月", " 月 ").replace("日（", "日 （"),
        lambda t: t.replace("、2月18日", "、\n2月18日").replace(
            "至17日", "至\n17日"
        ),  # lines broken as in a PDF
        lambda t: t.replace("星期日", "周日").replace("星期六", "周六"),
        lambda t: t.split("\n", 1)[1],  # without the title: the year comes from the preamble
        lambda t: t.replace("现将2024年", "现将"),  # without the preamble's year: from the title
        lambda t: t.replace("关于2024年", "关于二〇二四年").replace("现将2024年", "现将"),
    ],
)
def test_variants_of_the_2024_notice_read_the_same(notice_2024, variant):
    expected = parse_notice(notice_2024)
    schedule = parse_notice(variant(notice_2024))
    assert schedule.problems == ()
    assert (schedule.year, dict(schedule.days)) == (2024, dict(expected.days))


def test_a_notice_without_numbered_items():
    schedule = parse_notice("2027年节假日安排\n元旦：1月1日（周五）至3日（周日）放假，共3天。\n")
    assert schedule.problems == ()
    assert list(schedule.days) == [D("2027-01-01"), D("2027-01-02"), D("2027-01-03")]


# -- notices the reader must refuse --------------------------------------------------------------------------


def problems_of(text: str) -> tuple[str, ...]:
    schedule = parse_notice(text)
    assert schedule.problems, "a problem was expected"
    assert not schedule.ok
    return schedule.problems


HEAD = "国务院办公厅关于2024年部分节假日安排的通知\n\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + "二、春节：2月10日至17日放假调休，共8天。2月4日（星期六）上班。",
         "第3行（春节）：2月4日括号中写的是星期六，但2024年2月4日是星期日"),
        (HEAD + "三、清明节：4月4日至6日放假调休，共3天。4月8日上班。",
         "第3行（清明节）：2024年4月8日是星期一，本来就是工作日，调休上班日应为星期六或星期日"),
        (HEAD + "三、清明节：4月4日至6日放假调休，共3天。\n四、劳动节：5月1日至5日放假调休。4月6日（星期六）上班。",
         "第3行（清明节）、第4行（劳动节）：2024年4月6日既写作放假又写作上班"),
        (HEAD + "二、春节：2月10日至17日放假调休，共7天。", "第3行（春节）：写的是共7天，但列出的放假日期有8天"),
        (HEAD + "二、春节：2月17日至10日放假。", "结束日期早于开始日期"),
        (HEAD + "二、春节：2月1日至3月17日放假。", "共46天，超过20天"),
        (HEAD + "二、春节：2月30日放假。", "“2月30日”不是有效的日期"),
        (HEAD + "二、春节：10日至17日放假。", "“10日”缺少月份"),
        (HEAD + "二、春节：2月10日至17日。", "“2月10日至17日”没有写明是放假还是上班"),
        (HEAD + "二、春节：2025年3月1日放假。", "2025年3月1日不在2024年内"),
        (HEAD + "一、元旦：12月30日至1月1日放假调休。", "跨年的日期范围请写明两端的年份"),
        ("国务院办公厅关于2019年部分节假日安排的通知\n一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。"
         "12月29日（星期六）上班。",
         "12月29日括号中写的是星期六，但2019年12月29日是星期日（如指上一年12月，请写明年份：“2018年12月29日”）"),
        ("一、元旦：1月1日放假，与周末连休。", "没有找到通知所属的年份"),
        (HEAD + "现将2025年元旦放假安排通知如下。\n一、元旦：1月1日放假。", "标题和正文中的年份不一致（2024年、2025年）"),
        (HEAD + "放假安排另行通知。", "没有找到放假或调休上班的日期"),
        ("", "没有找到放假或调休上班的日期"),
        ("Lorem ipsum 12345 ###", "没有找到通知所属的年份"),
        ("国务院办公厅关于1888年部分节假日安排的通知", "不在 2000–2100 之间"),
    ],
)  # fmt: skip
def test_broken_notices_give_problems_that_say_where(text, expected):
    assert any(expected in problem for problem in problems_of(text)), problems_of(text)


def test_wrong_weekday_in_the_real_notice_is_found(notice_2024):
    problems = problems_of(notice_2024.replace("10月12日（星期六）", "10月12日（星期日）"))
    assert problems == ("第19行（国庆节）：10月12日括号中写的是星期日，但2024年10月12日是星期六",)


def test_garbage_reports_both_no_year_and_nothing_found():
    problems = problems_of("\x00\x01 hello")
    assert any("年份" in p for p in problems) and any("没有找到放假" in p for p in problems)
    assert all("\x00" not in p and "\n" not in p for p in problems)


def test_many_problems_are_capped():
    text = HEAD + "".join(f"{i}、春节：2月{i % 28 + 1}日（星期八）放假，共9天。\n" for i in range(1, 200))
    problems = problems_of(text)
    assert len(problems) == 51 and problems[-1] == "……问题过多，其余未列出"


# -- the CSV form -----------------------------------------------------------------------------------------------


def test_csv_with_bom_blank_lines_spaces_and_full_width_commas():
    text = "\ufeffdate,kind\n\n 2026-12-27 , 班 \n2027-02-05，休\r\n\n2027-01-31,班\n"
    schedule = parse_schedule_csv(text)
    assert schedule.problems == ()
    assert schedule.year == 2027
    assert dict(schedule.days) == {D("2026-12-27"): True, D("2027-01-31"): True, D("2027-02-05"): False}


def test_csv_of_a_notice_reads_back_the_same(notice_2024):
    schedule = parse_notice(notice_2024)
    text = "日期,类型\n" + "\n".join(line.replace(" ", ",") for line in schedule.lines())
    again = parse_schedule_csv(text)
    assert again.problems == () and again.year == 2024 and dict(again.days) == dict(schedule.days)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,kind\n2027-02-05,假\n", "第2行：类型“假”无效，应为“休”（放假）或“班”（调休上班）"),
        ("date,kind\n2027-02-30,休\n", "第2行：日期“2027-02-30”无效"),
        ("date,kind\n05/02/2027,休\n", "第2行：日期“05/02/2027”无效"),
        ("date,kind\n2027-02-05,休,春节\n", "第2行：应有两列"),
        ("date,kind\n\n2027-02-05\n", "第3行：应有两列"),
        ("2027-02-05,休\n", "第1行应为表头“日期,类型”"),
        ("date,kind\n", "CSV 文件中没有日期"),
        ("", "CSV 文件中没有日期"),
        ("date,kind\n2027-02-05,班\n", "2027年2月5日是星期五，本来就是工作日"),
        ("date,kind\n2027-02-05,休\n2027-02-05,班\n", "第2行、第3行：2027年2月5日既写作放假又写作上班"),
        ("date,kind\n2025-06-01,休\n2027-02-05,休\n", "2025年6月1日不在2027年内"),
        ('date,kind\n"2027-02-05,休\n', "应有两列"),
    ],
)
def test_broken_csv_gives_problems(text, expected):
    schedule = parse_schedule_csv(text)
    assert any(expected in problem for problem in schedule.problems), schedule.problems
    assert not schedule.ok


def test_schedule_problems_checks_a_schedule_built_by_hand():
    assert schedule_problems(ParsedSchedule(year=None)) == ["没有确定年份"]
    assert schedule_problems(ParsedSchedule(year=2027)) == ["没有任何放假或调休上班的日期"]
    assert schedule_problems(ParsedSchedule(year=2027, days={D("2027-02-05"): False})) == []
    assert schedule_problems(ParsedSchedule(year=2027, days={D("2026-12-26"): True})) == []
    wrong = schedule_problems(ParsedSchedule(year=2027, days={D("2027-02-05"): True, D("2026-11-28"): True}))
    assert len(wrong) == 2


# -- never raises ------------------------------------------------------------------------------------------------

NOTICE_ALPHABET = st.sampled_from(
    list(
        "0123456789０１２３年月日至到、，。；：（）()星期周一二三四五六日天放假上班休调共天鼓励除夕农历-~ \n\t"
    )
)


@given(st.text(NOTICE_ALPHABET, max_size=300) | st.text(max_size=300))
def test_parse_notice_never_raises(text):
    check_invariants(parse_notice(HEAD + text))
    check_invariants(parse_notice(text))


@given(st.integers(0, 2000), st.integers(0, 60), st.text(NOTICE_ALPHABET, max_size=20))
def test_mutated_real_notices_never_raise(at, cut, insert):
    text = notice_text(2025)
    at = at % len(text)
    check_invariants(parse_notice(text[:at] + insert + text[at + cut :]))


@given(st.text(st.sampled_from(list('0123456789-/,，休班假datekind日期类型 \n"\ufeff\x00')), max_size=200))
def test_parse_schedule_csv_never_raises(text):
    check_invariants(parse_schedule_csv(text))
    check_invariants(parse_schedule_csv("date,kind\n" + text))


def check_invariants(schedule: ParsedSchedule) -> None:
    assert all(isinstance(p, str) and p and "\n" not in p for p in schedule.problems)
    assert list(schedule.days) == sorted(schedule.days)
    if schedule.ok:
        assert schedule_problems(schedule) == []
    elif not schedule.problems:
        raise AssertionError("a schedule without days must say why")


def test_the_reader_does_not_import_django():
    probe = (
        "import sys, gongkai.holiday_notice;"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("日期,类型\n".encode(), "日期,类型\n"),
        ("\ufeff日期,类型\n".encode(), "日期,类型\n"),
        ("日期,类型\n".encode("gbk"), "日期,类型\n"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
        (b"\xff\xfe\x00d\x00a", None),
        (b"%PDF-1.4\n\x00\x01\x02", None),
    ],
)
def test_decode_text_accepts_utf8_and_gbk_only(data, text):
    assert decode_text(data) == text
