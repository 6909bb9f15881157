"""Working days on the official schedules, with 调休, overrides and unconfirmed years (rules.md §2).

Every expected date below was worked out by hand from the State Council notices; the comment under each case
walks the days: (k) is the k-th working day counted, "rest" a weekend day, "调休" a make-up working day.
"""

import itertools
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai import workdays
from gongkai.workdays import (
    Deadline,
    Span,
    UnconfirmedSchedule,
    WorkCalendar,
    calendar,
    deadline_status,
    fixed_holidays,
)

D = date.fromisoformat
# The first year the calendar package does not know: 2027 today, later years once the package learns it.
UNCONFIRMED = next(y for y in itertools.count(2026) if not calendar().is_confirmed(y))

ADD_CASES = [
    # National Day 2020 (with Mid-Autumn): Oct 1 (Thu) – Oct 8 (Thu) off; Sun Sep 27 and Sat Oct 10 are 调休.
    # From Mon Sep 28: Sep 29 (1), Sep 30 (2), Oct 1–8 off, Oct 9 Fri (3), Oct 10 Sat 调休 (4), Oct 11 rest,
    # Oct 12–16 (5–9), Oct 19–23 (10–14), Oct 26–30 (15–19), Mon Nov 2 (20). Sep 27 lies before the start.
    ("2020-09-28", 20, "2020-11-02"),
    # Spring Festival 2019: Feb 4 (Mon) – Feb 10 (Sun) off; Sat Feb 2 and Sun Feb 3 are 调休.
    # From Mon Jan 28: Jan 29–Feb 1 (1–4), Feb 2 Sat 调休 (5), Feb 3 Sun 调休 (6), Feb 4–10 off,
    # Feb 11–14 Mon–Thu (7–10).
    ("2019-01-28", 10, "2019-02-14"),
    # National Day 2019: Oct 1 (Tue) – Oct 7 (Mon) off; Sun Sep 29 and Sat Oct 12 are 调休.
    # From Fri Sep 27: Sep 28 rest, Sep 29 Sun 调休 (1), Sep 30 (2), Oct 1–7 off, Oct 8–11 Tue–Fri (3–6),
    # Oct 12 Sat 调休 (7): the due date is a Saturday.
    ("2019-09-27", 5, "2019-10-10"),
    ("2019-09-27", 7, "2019-10-12"),
    # Spring Festival 2020, extended for COVID-19 to Feb 2: Jan 24 (Fri) – Feb 2 (Sun) off; Sun Jan 19 is 调休;
    # Sat Feb 1, first announced as 调休, was cancelled by the extension.
    # From Fri Jan 17: Jan 18 rest, Jan 19 Sun 调休 (1), Jan 20–23 (2–5), Jan 24–Feb 2 off, Feb 3–7 (6–10),
    # Feb 10–14 (11–15), Feb 17–21 (16–20).
    ("2020-01-17", 20, "2020-02-21"),
    # Spring Festival 2023: Jan 21 (Sat) – Jan 27 (Fri) off; Sat Jan 28 and Sun Jan 29 are 调休.
    # From Fri Jan 20: Jan 21–27 off, Jan 28 Sat 调休 (1), Jan 29 Sun 调休 (2), Mon Jan 30 (3).
    ("2023-01-20", 3, "2023-01-30"),
    # Mid-Autumn + National Day 2023: Sep 29 (Fri) – Oct 6 (Fri) off; Sat Oct 7 and Sun Oct 8 are 调休.
    # From Thu Sep 28: Sep 29–Oct 6 off, Oct 7 Sat (1), Oct 8 Sun (2), Oct 9–13 (3–7), Oct 16–20 (8–12),
    # Oct 23–27 (13–17), Oct 30, Oct 31, Nov 1 (18–20).
    ("2023-09-28", 20, "2023-11-01"),
    # Spring Festival 2024: Feb 10 (Sat) – Feb 17 (Sat) off; Sun Feb 4 and Sun Feb 18 are 调休 (Feb 9, 除夕,
    # is an ordinary Friday). From Fri Feb 2: Feb 3 rest, Feb 4 Sun 调休 (1), Feb 5–8 (2–5), Feb 9 Fri (6),
    # Feb 10–17 off, Feb 18 Sun 调休 (7).
    ("2024-02-02", 5, "2024-02-08"),
    ("2024-02-02", 7, "2024-02-18"),
    # National Day 2024: Oct 1 (Tue) – Oct 7 (Mon) off; Sun Sep 29 and Sat Oct 12 are 调休.
    # From Fri Sep 27: Sep 28 rest, Sep 29 Sun (1), Sep 30 (2), Oct 1–7 off, Oct 8–11 (3–6), Oct 12 Sat (7),
    # Oct 13 rest, Oct 14–16 Mon–Wed (8–10).
    ("2024-09-27", 10, "2024-10-16"),
    # Spring Festival 2025: Jan 28 (Tue) – Feb 4 (Tue) off; Sun Jan 26 and Sat Feb 8 are 调休.
    # From Fri Jan 24: Jan 25 rest, Jan 26 Sun (1), Jan 27 (2), Jan 28–Feb 4 off, Feb 5–7 (3–5), Feb 8 Sat (6),
    # Feb 9 rest, Feb 10–14 (7–11), Feb 17–21 (12–16), Feb 24–27 Mon–Thu (17–20).
    ("2025-01-24", 20, "2025-02-27"),
    # National Day + Mid-Autumn 2025: Oct 1 (Wed) – Oct 8 (Wed) off; Sun Sep 28 and Sat Oct 11 are 调休.
    # From Fri Sep 26: Sep 27 rest, Sep 28 Sun (1), Sep 29–30 (2–3), Oct 1–8 off, Oct 9–10 (4–5),
    # Oct 11 Sat (6), Oct 12 rest, Oct 13–17 (7–11), Oct 20–24 (12–16), Oct 27–30 Mon–Thu (17–20).
    ("2025-09-26", 20, "2025-10-30"),
    # Spring Festival 2026 (nine days): Feb 15 (Sun) – Feb 23 (Mon) off; Sat Feb 14 and Sat Feb 28 are 调休.
    # From Thu Feb 12: Feb 13 (1), Feb 14 Sat (2), Feb 15–23 off, Feb 24–27 (3–6), Feb 28 Sat (7), Mar 1 rest,
    # Mar 2–6 (8–12), Mar 9–13 (13–17), Mar 16–18 Mon–Wed (18–20).
    ("2026-02-12", 20, "2026-03-18"),
    # Mid-Autumn 2026: Sep 25 (Fri) – Sep 27 off; National Day 2026: Oct 1 (Thu) – Oct 7 (Wed) off;
    # Sun Sep 20 and Sat Oct 10 are 调休. From Fri Sep 18: Sep 19 rest, Sep 20 Sun (1), Sep 21–24 (2–5),
    # Sep 25–27 off, Sep 28–30 (6–8), Oct 1–7 off, Oct 8–9 (9–10), Oct 10 Sat (11), Oct 11 rest,
    # Oct 12–16 (12–16), Oct 19–22 Mon–Thu (17–20).
    ("2026-09-18", 20, "2026-10-22"),
    # Across New Year 2026 (Jan 1–3 off, Sun Jan 4 调休) from 2025: from Tue Dec 30: Dec 31 (1), Jan 1–3 off,
    # Jan 4 Sun (2), Mon Jan 5 (3).
    ("2025-12-30", 3, "2026-01-05"),
]


@pytest.mark.parametrize(("start", "days", "expected"), ADD_CASES)
def test_add_across_spring_festival_and_national_day(start, days, expected):
    cal = WorkCalendar()
    assert cal.add(D(start), days) == D(expected)
    assert cal.between(D(start), D(expected)) == days


@pytest.mark.parametrize(
    "day", ["2019-02-02", "2019-10-12", "2020-09-27", "2023-10-08", "2024-02-18", "2025-02-08", "2026-02-28"]
)
def test_make_up_weekend_days_are_working_days(day):
    assert D(day).weekday() >= 5
    assert calendar().is_workday(D(day))


def test_holidays_and_cancelled_make_up_day_are_rest_days():
    cal = calendar()
    assert not cal.is_workday(D("2020-10-08"))  # Thursday inside National Day 2020
    assert not cal.is_workday(D("2025-02-03"))  # Monday inside Spring Festival 2025
    assert not cal.is_workday(D("2020-02-01"))  # Saturday once announced as 调休, cancelled by the extension
    assert cal.is_workday(D("2020-09-29"))


def test_count_start_day_option():
    # The start Mon 2020-09-28 is a working day and counts as (1): Sep 29–30 (2–3), Oct 9 (4), Oct 10 Sat (5),
    # Oct 12–16 (6–10), Oct 19–23 (11–15), Oct 26–30 (16–20) → Fri Oct 30, one working day earlier.
    cal = WorkCalendar(count_start_day=True)
    assert cal.add(D("2020-09-28"), 20) == D("2020-10-30")
    assert cal.add(D("2020-09-28"), 1) == D("2020-09-28")
    assert cal.between(D("2020-09-28"), D("2020-10-30")) == 20
    # A start on a holiday does not count: from Thu Oct 1, the first working day is Fri Oct 9.
    assert cal.add(D("2020-10-01"), 1) == D("2020-10-09")
    assert WorkCalendar().add(D("2020-10-01"), 1) == D("2020-10-09")


def test_zero_negative_and_reverse():
    cal = calendar()
    assert cal.add(D("2020-10-03"), 0) == D("2020-10-03")  # 0 days: the start, even on a holiday
    with pytest.raises(ValueError):
        cal.add(D("2020-10-03"), -1)
    assert cal.between(D("2020-09-28"), D("2020-09-28")) == 0
    assert cal.between(D("2020-11-02"), D("2020-09-28")) == -20
    # Holiday to holiday: Oct 2 → Oct 8 2020 has no working day; Oct 1 → Oct 9 has one.
    assert cal.between(D("2020-10-02"), D("2020-10-08")) == 0
    assert cal.between(D("2020-10-01"), D("2020-10-09")) == 1


def test_next_workday():
    cal = calendar()
    assert cal.next_workday(D("2020-10-01")) == D("2020-10-09")
    assert cal.next_workday(D("2020-10-10")) == D("2020-10-10")  # 调休 Saturday
    assert cal.next_workday(D("2024-02-10")) == D("2024-02-18")  # 调休 Sunday after Spring Festival
    assert cal.next_workday(D("2025-10-09")) == D("2025-10-09")


def test_correction_restarts_the_clock():
    """补正 (Art. 30): the notice is due within 7 working days of receipt; the 20-working-day reply period
    restarts from the receipt of the corrected application."""
    cal = calendar()
    received = D("2025-09-26")  # Friday before National Day 2025
    # Sep 28 Sun 调休 (1), Sep 29–30 (2–3), Oct 1–8 off, Oct 9–10 (4–5), Oct 11 Sat 调休 (6), Mon Oct 13 (7).
    assert cal.add(received, 7) == D("2025-10-13")
    assert cal.add(received, 20) == D("2025-10-30")  # the reply date had there been no 补正
    corrected = D("2025-10-20")  # Monday
    # Oct 21–24 (1–4), Oct 27–31 (5–9), Nov 3–7 (10–14), Nov 10–14 (15–19), Mon Nov 17 (20).
    assert cal.add(corrected, 20) == D("2025-11-17")


# -- years beyond the package's data ------------------------------------------------------------------------


def test_year_without_schedule_raises_never_guesses():
    cal = calendar()
    with pytest.raises(UnconfirmedSchedule) as caught:
        cal.is_workday(D("2027-03-03"))  # an ordinary Wednesday: still not guessed
    assert caught.value.year == 2027
    assert str(caught.value) == (
        "2027年的节假日安排尚未确认（国务院办公厅尚未公布或管理员尚未录入），无法计算工作日"
    )
    assert not cal.is_confirmed(2027) and cal.is_confirmed(2026) and cal.is_confirmed(2004)
    # Dec 2026 from Tue Dec 15: Dec 16–18 (1–3), Dec 21–25 (4–8), Dec 28–31 (9–12): the 12th stays in 2026,
    # the 13th would need 2027.
    assert cal.add(D("2026-12-15"), 12) == D("2026-12-31")
    with pytest.raises(UnconfirmedSchedule):
        cal.add(D("2026-12-15"), 13)
    with pytest.raises(UnconfirmedSchedule):
        cal.between(D("2026-12-15"), D("2027-01-05"))
    with pytest.raises(UnconfirmedSchedule) as before:
        cal.add(D("2003-12-20"), 1)
    assert before.value.year == 2003


# A made-up 2027 schedule, as an administrator would enter it once the State Council announces the real one.
OVERRIDES_2027 = {
    D("2027-01-01"): False,  # Friday, New Year's Day
    **{D("2027-02-08") + timedelta(days=i): False for i in range(5)},  # Mon Feb 8 – Fri Feb 12
    D("2027-02-20"): True,  # Saturday, 调休
}


def test_confirmed_year_with_overrides():
    cal = WorkCalendar(OVERRIDES_2027, confirmed_years=[2027])
    assert cal.is_confirmed(2027)
    assert cal.is_workday(D("2027-02-20")) and not cal.is_workday(D("2027-02-21"))
    # From Wed Dec 30 2026: Dec 31 (1), Jan 1 off, Jan 2–3 rest, Mon Jan 4 (2), Tue Jan 5 (3).
    assert cal.add(D("2026-12-30"), 3) == D("2027-01-05")
    # From Fri Feb 5: Feb 6–7 rest, Feb 8–12 off, Feb 13–14 rest, Feb 15–17 Mon–Wed (1–3).
    assert cal.add(D("2027-02-05"), 3) == D("2027-02-17")
    # From Thu Feb 18: Fri Feb 19 (1), Sat Feb 20 调休 (2).
    assert cal.add(D("2027-02-18"), 2) == D("2027-02-20")
    assert cal.between(D("2027-02-05"), D("2027-02-20")) == 6  # Feb 15–19 and the Saturday
    assert cal.unconfirmed_years(D("2026-12-30"), D("2027-02-20")) == []
    assert cal.years_needed(D("2026-12-30"), D("2027-02-20")) == [2026, 2027]


def test_overrides_without_confirmation_only_know_their_own_days():
    cal = WorkCalendar(OVERRIDES_2027)
    assert not cal.is_confirmed(2027)
    assert not cal.is_workday(D("2027-01-01"))
    assert cal.is_workday(D("2027-02-20"))
    with pytest.raises(UnconfirmedSchedule):
        cal.is_workday(D("2027-01-04"))
    assert cal.add(D("2026-12-30"), 1) == D("2026-12-31")
    with pytest.raises(UnconfirmedSchedule) as caught:
        cal.add(D("2026-12-30"), 2)  # Jan 1 is known to be off, Sat Jan 2 is not known
    assert caught.value.year == 2027
    assert cal.unconfirmed_years(D("2026-12-01"), D("2027-01-10")) == [2027]
    # A count that needs only overridden days still works: Sat Feb 20 is known, Feb 19 is not needed.
    assert cal.add(D("2027-02-19"), 1) == D("2027-02-20")
    assert cal.between(D("2027-02-07"), D("2027-02-12")) == 0  # Feb 8–12, all entered as holidays


def test_override_corrects_package_year():
    # Suppose Thu 2025-10-09 had been declared a holiday: the 补正 deadline from Fri Sep 26 moves a day later.
    cal = WorkCalendar({D("2025-10-09"): False})
    assert cal.add(D("2025-09-26"), 7) == D("2025-10-14")
    assert calendar().add(D("2025-09-26"), 7) == D("2025-10-13")


def test_deadline_status():
    cal = calendar()
    due = D("2020-10-09")  # first working day after National Day 2020
    assert deadline_status(due, D("2020-10-10"), cal) == "overdue"
    assert deadline_status(due, due, cal) == "due_soon"
    # From Fri Sep 25 2020: Sep 27 Sun 调休, Sep 28, 29, 30, Oct 9 → due is the 5th working day: soon.
    assert deadline_status(due, D("2020-09-25"), cal) == "due_soon"
    assert deadline_status(due, D("2020-09-24"), cal) == "ok"  # the 6th working day
    assert deadline_status(due, D("2020-09-25"), cal, soon=4) == "ok"
    # Looks only a few working days ahead: a due date in the unconfirmed 2027 is "ok" in November 2026.
    assert deadline_status(D("2027-03-01"), D("2026-11-02"), cal) == "ok"


def test_package_consulted_once_per_year(monkeypatch):
    calls = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: calls.append(day) or real(day))
    workdays._package_flags.cache_clear()
    try:
        cal = WorkCalendar()
        for offset in range(300):
            cal.add(D("2024-01-01") + timedelta(days=offset), 20)
        assert len(calls) <= 366 + 365
    finally:
        workdays._package_flags.cache_clear()


# -- properties ---------------------------------------------------------------------------------------------

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=0, max_value=80)


@given(starts, counts, counts)
def test_add_is_monotonic_in_days(start, a, b):
    cal = calendar()
    low, high = sorted((a, b))
    assert cal.add(start, low) <= cal.add(start, high)
    if low < high:
        assert cal.add(start, low) < cal.add(start, high)


@given(starts, starts, counts)
def test_add_is_monotonic_in_start(a, b, n):
    cal = calendar()
    first, second = sorted((a, b))
    assert cal.add(first, n) <= cal.add(second, n)


@given(starts, st.integers(min_value=1, max_value=80), st.booleans())
def test_add_lands_on_a_working_day_and_between_inverts_it(start, n, count_start_day):
    cal = WorkCalendar(count_start_day=count_start_day)
    due = cal.add(start, n)
    assert cal.is_workday(due)
    assert cal.between(start, due) == n
    if due > start:  # (with count_start_day, due == start when n == 1 and start is a working day)
        assert cal.between(due, start) == -n
        assert cal.between(start, due - timedelta(days=1)) == n - 1  # no earlier day reaches n


@given(starts, counts)
def test_between_add_roundtrip_from_next_day(start, n):
    cal = calendar()
    assert cal.between(start, cal.add(start, n)) == n


@given(
    st.dictionaries(st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 12, 31)), st.booleans()),
    st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 9, 30)),
    st.integers(min_value=1, max_value=40),
)
def test_fast_paths_agree_with_day_by_day_walk(overrides, start, n):
    cal = WorkCalendar(overrides, confirmed_years=[2027])
    day, left = start, n
    while left:
        day += timedelta(days=1)
        left -= cal.is_workday(day)
    assert cal.add(start, n) == day
    assert cal.between(start, day) == n


# -- cross-check against the `holidays` package -------------------------------------------------------------


def test_agrees_with_holidays_package_2025_2026():
    holidays = pytest.importorskip("holidays")
    cn = holidays.country_holidays("CN", years=[2025, 2026])
    cal = calendar()
    day = date(2025, 1, 1)
    while day.year <= 2026:
        theirs = (day.weekday() < 5 and day not in cn) or day in cn.weekend_workdays
        assert cal.is_workday(day) == theirs, day
        day += timedelta(days=1)


# -- estimates: an unconfirmed year counted Monday to Friday, less the fixed-date holidays --------------------


def estimating(year: int, overrides=None) -> WorkCalendar:
    """What an estimate of `year` counts on: the year as if confirmed with its fixed-date holidays off."""
    return WorkCalendar({day: False for day in fixed_holidays(year)} | dict(overrides or {}), [year])


def test_the_fixed_date_holidays():
    assert fixed_holidays(2027) == (
        D("2027-01-01"), D("2027-05-01"), D("2027-05-02"), D("2027-10-01"), D("2027-10-02"), D("2027-10-03"),
    )  # fmt: skip
    # the package agrees for the years it knows (from 2025, when 劳动节 became two days)
    for year in (2025, 2026):
        assert not any(calendar().is_workday(day) for day in fixed_holidays(year))


def test_an_estimate_counts_monday_to_friday_in_an_unconfirmed_year():
    cal = calendar()
    y = UNCONFIRMED
    last = date(y - 1, 12, 31)
    # Counted from Dec 31 of the year before: the working days of the unconfirmed year are its weekdays,
    # New Year's Day excepted.
    weekdays = [
        last + timedelta(days=i)
        for i in range(1, 40)
        if (last + timedelta(days=i)).weekday() < 5 and last + timedelta(days=i) != date(y, 1, 1)
    ]
    assert not cal.is_workday_estimated(date(y, 1, 1)) and not cal.is_workday_estimated(date(y, 10, 2))
    assert cal.add_estimated(last, 20) == Deadline(weekdays[19], True)
    assert cal.between_estimated(last, weekdays[19]) == Span(20, True)
    assert cal.between_estimated(weekdays[19], last) == Span(-20, True)
    # Not needing the unconfirmed year: exact, and the same as `add`.
    start = date(y - 1, 11, 2)
    assert cal.add_estimated(start, 5) == Deadline(cal.add(start, 5), False)
    assert cal.add_estimated(start, 0) == Deadline(start, False)
    assert cal.between_estimated(start, date(y - 1, 12, 31)) == Span(cal.between(start, date(y - 1, 12, 31)))
    with pytest.raises(ValueError):
        cal.add_estimated(start, -1)


def test_an_estimate_uses_the_overrides_already_entered():
    y = UNCONFIRMED
    first_monday = next(date(y, 1, d) for d in range(1, 8) if date(y, 1, d).weekday() == 0)
    # Only the first Monday is entered, as a holiday: it is skipped, the rest is still a guess.
    cal = WorkCalendar({first_monday: False})
    friday = first_monday - timedelta(days=3)
    assert cal.add_estimated(friday, 1) == Deadline(first_monday + timedelta(days=1), True)
    # A count that needs only entered days is no estimate (here: the holiday Monday alone).
    assert cal.between_estimated(first_monday - timedelta(days=1), first_monday) == Span(0, False)
    # Once the year is confirmed nothing is estimated.
    confirmed = WorkCalendar({first_monday: False}, [y])
    assert confirmed.add_estimated(friday, 1) == Deadline(first_monday + timedelta(days=1), False)


overrides_around = st.dictionaries(
    st.dates(min_value=date(UNCONFIRMED - 1, 10, 1), max_value=date(UNCONFIRMED, 12, 31)), st.booleans()
)
starts_around = st.dates(min_value=date(UNCONFIRMED - 1, 10, 1), max_value=date(UNCONFIRMED, 9, 30))


@given(overrides_around, starts_around, st.integers(min_value=0, max_value=40), st.booleans())
def test_an_estimate_is_exact_unless_an_unconfirmed_day_was_needed(overrides, start, n, count_start_day):
    cal = WorkCalendar(overrides, count_start_day=count_start_day)
    estimate = cal.add_estimated(start, n)
    try:
        exact = cal.add(start, n)
    except UnconfirmedSchedule:
        assert estimate.estimated
    else:
        assert estimate == Deadline(exact, False)
    # The estimate is what the calendar says once the year is confirmed with the fixed-date holidays and
    # these overrides.
    weekends_only = WorkCalendar(
        {day: False for day in fixed_holidays(UNCONFIRMED)} | overrides,
        [UNCONFIRMED],
        count_start_day=count_start_day,
    )
    assert cal.is_workday_estimated(start) == weekends_only.is_workday(start)
    assert estimate.day == weekends_only.add(start, n)
    end = estimate.day
    span = cal.between_estimated(start, end)
    assert span.days == weekends_only.between(start, end)
    try:
        assert span == Span(cal.between(start, end), False)
    except UnconfirmedSchedule:
        assert span.estimated


@given(starts, st.integers(min_value=0, max_value=80))
def test_estimates_in_confirmed_years_equal_the_exact_answers(start, n):
    cal = calendar()
    assert cal.add_estimated(start, n) == Deadline(cal.add(start, n), False)
    assert cal.between_estimated(start, start + timedelta(days=n)) == Span(
        cal.between(start, start + timedelta(days=n)), False
    )
