"""Saving a year's holiday schedule (gongkai.cases.holidays) and the status of the years."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.audit.models import AuditEvent
from gongkai.cases import holidays
from gongkai.cases.calendar import work_calendar
from gongkai.cases.holidays import (
    COMMAND_LINE,
    holiday_schedule_save,
    holiday_years_status,
    overrides_outside,
)
from gongkai.cases.models import CalendarOverride, ConfirmedYear
from gongkai.holiday_notice import ParsedSchedule, parse_notice, parse_schedule_csv
from gongkai.workdays import UnconfirmedSchedule, WorkCalendar

D = date.fromisoformat
EXAMPLE_2027 = Path(__file__).parents[1] / "fixtures" / "notices" / "2027-example.txt"
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知（测试）"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(WorkCalendar().is_confirmed(2027), reason="chinesecalendar now covers 2027"),
]


@pytest.fixture
def schedule_2027() -> ParsedSchedule:
    schedule = parse_notice(EXAMPLE_2027.read_text(encoding="utf-8"))
    assert schedule.ok, schedule.problems
    return schedule


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser(
        "admin", password="Zheng-Wu-2026!", first_name="系统管理员"
    )


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user("clerk", password="Zheng-Wu-2026!", is_staff=True)


def database_state() -> tuple:
    return (
        sorted(CalendarOverride.objects.values_list("day", "is_workday", "note")),
        sorted(ConfirmedYear.objects.values_list("year", "note")),
        AuditEvent.objects.count(),
    )


def test_saving_2027_lets_deadlines_run_into_it(schedule_2027, admin_user):
    with pytest.raises(UnconfirmedSchedule):
        work_calendar().add(D("2026-12-20"), 20)  # cached before the save: must not stay stale

    saved = holiday_schedule_save(schedule=schedule_2027, by=admin_user, source=SOURCE)

    assert (saved.year, saved.rest_days, saved.work_days) == (2027, 28, 6)
    assert len(saved.added) == 34 and saved.changed == () and saved.unchanged == ()
    assert saved.newly_confirmed
    assert (
        saved.summary
        == "已保存2027年节假日安排：放假 28 天，调休上班 6 天（新增 34 个日期，改动 0 个日期）。"
    )
    cal = work_calendar()
    # From Sun 2026-12-20: Dec 21–25 (5), Dec 28–31 (9), Jan 1–3 off, Jan 4–8 (14), Jan 11–15 (19), Jan 18 (20);
    # weekends-only would give Fri Jan 15.
    assert cal.add(D("2026-12-20"), 20) == D("2027-01-18")
    # From Fri Jan 29: Sun Jan 31 调休 (1), Feb 1–4 (5), Feb 5–12 off, Feb 15–19 (10).
    assert cal.add(D("2027-01-29"), 10) == D("2027-02-19")
    assert cal.is_workday(D("2027-02-20")) and not cal.is_workday(D("2027-06-09"))
    assert cal.is_confirmed(2027)
    assert ConfirmedYear.objects.get(year=2027).note == SOURCE
    override = CalendarOverride.objects.get(day=D("2027-02-05"))
    assert not override.is_workday and override.note == f"春节（{SOURCE}）"
    assert str(override) == "2027-02-05 放假"


def test_the_audit_event_lists_the_changed_days(schedule_2027, admin_user):
    CalendarOverride.objects.create(day=D("2027-02-05"), is_workday=True, note="误录")
    CalendarOverride.objects.create(day=D("2027-01-31"), is_workday=True, note="已录")
    saved = holiday_schedule_save(schedule=schedule_2027, by=admin_user, source=SOURCE)

    assert saved.changed == (D("2027-02-05"),) and saved.unchanged == (D("2027-01-31"),)
    event = saved.event
    assert (event.actor, event.action, event.object_type) == (
        admin_user,
        "holiday_schedule.save",
        "ConfirmedYear",
    )
    assert event.before["confirmed"] is None and event.after["confirmed"] == SOURCE
    assert event.before["days"]["2027-02-05"] == "班" and event.after["days"]["2027-02-05"] == "休"
    assert event.before["days"]["2027-01-01"] is None and event.after["days"]["2027-01-01"] == "休"
    assert "2027-01-31" not in event.after["days"] and event.after["unchanged"] == 1
    assert len(event.after["days"]) == 33
    assert not CalendarOverride.objects.get(day=D("2027-02-05")).is_workday


def test_saving_again_replaces_the_source_and_changes_nothing_else(schedule_2027, admin_user):
    holiday_schedule_save(schedule=schedule_2027, by=admin_user, source=SOURCE)
    again = holiday_schedule_save(schedule=schedule_2027, by=admin_user, source="重新核对")
    assert again.added == () and again.changed == () and len(again.unchanged) == 34
    assert not again.newly_confirmed
    assert again.event.before["confirmed"] == SOURCE and again.event.after["days"] == {}
    assert ConfirmedYear.objects.get(year=2027).note == "重新核对"
    assert CalendarOverride.objects.count() == 34


def test_other_overrides_of_the_year_are_kept_and_listed(schedule_2027, admin_user):
    CalendarOverride.objects.create(day=D("2027-03-01"), is_workday=False, note="本地临时放假")
    assert [o.day for o in overrides_outside(schedule=schedule_2027)] == [D("2027-03-01")]
    holiday_schedule_save(schedule=schedule_2027, by=admin_user, source=SOURCE)
    assert not work_calendar().is_workday(D("2027-03-01"))


def test_days_in_the_previous_december_are_saved_with_their_own_date(admin_user):
    schedule = parse_schedule_csv("date,kind\n2026-12-27,班\n2027-01-01,休\n")
    assert schedule.ok and schedule.year == 2027
    assert not work_calendar().is_workday(D("2026-12-27"))  # a Sunday
    holiday_schedule_save(schedule=schedule, by=admin_user, source="测试.csv")
    assert work_calendar().is_workday(D("2026-12-27"))
    assert CalendarOverride.objects.get(day=D("2026-12-27")).is_workday
    assert not ConfirmedYear.objects.filter(year=2026).exists()


def test_the_command_line_saves_as_the_operator(schedule_2027):
    saved = holiday_schedule_save(schedule=schedule_2027, by=COMMAND_LINE, source="命令行：2027.txt")
    assert saved.event.actor is None
    assert ConfirmedYear.objects.get(year=2027).note == "命令行：2027.txt"


@pytest.mark.parametrize("who", ["none", "anonymous", "staff", "inactive_superuser"])
def test_only_a_system_administrator_may_save(schedule_2027, staff_user, admin_user, who):
    if who == "inactive_superuser":
        admin_user.is_active = False
        admin_user.save()
    by = {"none": None, "anonymous": AnonymousUser(), "staff": staff_user, "inactive_superuser": admin_user}[
        who
    ]
    before = database_state()
    with pytest.raises(PermissionDenied, match="只有系统管理员"):
        holiday_schedule_save(schedule=schedule_2027, by=by, source=SOURCE)
    assert database_state() == before


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (
            parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周四）放假。"),
            "星期五",
        ),
        (parse_notice("没有年份"), "年份"),
        (ParsedSchedule(year=2027), "没有任何放假或调休上班的日期"),
        (ParsedSchedule(year=2027, days={D("2027-02-05"): True}), "调休上班日应为星期六或星期日"),
        (ParsedSchedule(year=2027, days={D("2025-02-05"): False}), "不在2027年内"),
    ],
)
def test_a_schedule_with_problems_is_refused_and_nothing_changes(admin_user, schedule, message):
    before = database_state()
    with pytest.raises(ValidationError) as caught:
        holiday_schedule_save(schedule=schedule, by=admin_user, source=SOURCE)
    assert caught.value.messages[0] == "节假日安排有问题，未保存："
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert database_state() == before


def test_an_empty_source_is_refused(schedule_2027, admin_user):
    with pytest.raises(ValidationError, match="依据"):
        holiday_schedule_save(schedule=schedule_2027, by=admin_user, source="  ")
    assert not CalendarOverride.objects.exists()


def test_a_failure_inside_the_save_leaves_the_database_as_it_was(schedule_2027, admin_user, monkeypatch):
    CalendarOverride.objects.create(day=D("2027-02-05"), is_workday=True, note="误录")
    before = database_state()

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(holidays, "audit_record", broken)
    with pytest.raises(RuntimeError):
        holiday_schedule_save(schedule=schedule_2027, by=admin_user, source=SOURCE)
    assert database_state() == before
    assert not work_calendar().is_confirmed(2027)


# --- status -----------------------------------------------------------------------------------------------


def test_next_year_needs_entry_from_the_first_of_november():
    assert holiday_years_status(today=D("2026-10-31")).needs_entry is None
    status = holiday_years_status(today=D("2026-11-01"))
    assert status.needs_entry is status.next_year and status.next_year.year == 2027
    assert status.this_year.in_package and status.this_year.confirmed
    assert [y.year for y in status.years] == [2027, 2026, 2025]


def test_an_unconfirmed_current_year_needs_entry_all_year():
    status = holiday_years_status(today=D("2027-03-01"))
    assert status.needs_entry is status.this_year and status.this_year.year == 2027


def test_status_after_saving(schedule_2027, admin_user):
    holiday_schedule_save(schedule=schedule_2027, by=admin_user, source=SOURCE)
    ConfirmedYear.objects.create(year=2030, note="管理后台录入")
    status = holiday_years_status(today=D("2026-11-15"))
    assert status.needs_entry is None
    nxt = status.next_year
    assert (nxt.confirmed, nxt.in_package, nxt.saved_note) == (True, False, SOURCE)
    assert (nxt.rest_days, nxt.work_days) == (28, 6)
    assert nxt.saved_by == admin_user and nxt.saved_at is not None
    later = status.years[0]
    assert (later.year, later.saved_note, later.saved_at, later.saved_by) == (
        2030,
        "管理后台录入",
        None,
        None,
    )
