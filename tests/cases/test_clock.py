"""The statutory clock on real dates: holidays, 调休 make-up working days, pauses, extension, restart.

Every expected date below was counted by hand on the State Council schedules (counting starts the day after
receipt, the default) and agrees with chinesecalendar.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.cases import clock
from gongkai.workdays import WorkCalendar, fixed_holidays

CAL = WorkCalendar()


# --- due dates across holidays --------------------------------------------------------------------------


def test_national_day_2020_with_make_up_saturday():
    # Received Mon 2020-09-28. 2020 国庆+中秋: Oct 1–8 off; Sun Sep 27 and Sat Oct 10 are make-up working days.
    # Counting from Sep 29: Sep 29 (1), Sep 30 (2), Oct 9 (3), Sat Oct 10 (4), Oct 12–16 (5–9),
    # Oct 19–23 (10–14), Oct 26–30 (15–19), Mon Nov 2 (20). So 2020-11-02, not 11-03: the make-up Saturday
    # Oct 10 counts as a working day.
    assert clock.due_date(
        clock_start=date(2020, 9, 28), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2020, 11, 2)


def test_national_day_2019():
    # Received Wed 2019-09-25. 2019 国庆: Oct 1–7 off; Sun Sep 29 and Sat Oct 12 are make-up days.
    # Sep 26, 27 (2), Sun Sep 29 (3), Sep 30 (4), Oct 8–11 (8), Sat Oct 12 (9), Oct 14–18 (14),
    # Oct 21–25 (19), Mon Oct 28 (20).
    assert clock.due_date(
        clock_start=date(2019, 9, 25), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2019, 10, 28)


def test_spring_festival_2023():
    # Received Mon 2023-01-16. 春节 Jan 21–27 off; Sat Jan 28 and Sun Jan 29 are make-up days.
    # Jan 17–20 (4), Sat Jan 28 (5), Sun Jan 29 (6), Jan 30–Feb 3 (11), Feb 6–10 (16), Feb 13–16 (20).
    assert clock.due_date(
        clock_start=date(2023, 1, 16), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2023, 2, 16)


def test_spring_festival_2024():
    # Received Thu 2024-02-01. 春节 Feb 10–17 off; Sun Feb 4 and Sun Feb 18 are make-up days; 除夕 Feb 9 is
    # officially a working day. Feb 2 (1), Sun Feb 4 (2), Feb 5–9 (7), Sun Feb 18 (8), Feb 19–23 (13),
    # Feb 26–Mar 1 (18), Mar 4 (19), Tue Mar 5 (20).
    assert clock.due_date(
        clock_start=date(2024, 2, 1), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2024, 3, 5)


def test_spring_festival_2025():
    # Received Mon 2025-01-20. 春节 Jan 28–Feb 4 off; Sun Jan 26 and Sat Feb 8 are make-up days.
    # Jan 21–24 (4), Sun Jan 26 (5), Jan 27 (6), Feb 5–7 (9), Sat Feb 8 (10), Feb 10–14 (15), Feb 17–21 (20).
    assert clock.due_date(
        clock_start=date(2025, 1, 20), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2025, 2, 21)


def test_across_new_year_2026():
    # Received Thu 2025-12-25. 元旦 2026: Jan 1–3 off, Sun Jan 4 is a make-up day.
    # Dec 26 (1), Dec 29–31 (4), Sun Jan 4 (5), Jan 5–9 (10), Jan 12–16 (15), Jan 19–23 (20).
    assert clock.due_date(
        clock_start=date(2025, 12, 25), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2026, 1, 23)


def test_receipt_on_a_holiday_counts_from_the_next_working_day():
    # Received online on 2020-10-03 (holiday): Oct 9 (1), Sat Oct 10 (2), Oct 12–16 (7), Oct 19–23 (12),
    # Oct 26–30 (17), Nov 2, 3, Wed Nov 4 (20).
    assert clock.due_date(
        clock_start=date(2020, 10, 3), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2020, 11, 4)


def test_count_start_day_setting_makes_the_receipt_day_the_first():
    cal = WorkCalendar(count_start_day=True)
    # Mon 2020-09-28 is a working day and now counts as day 1: one working day earlier than Nov 2.
    assert clock.due_date(
        clock_start=date(2020, 9, 28), paused_workdays=0, extension_days=0, cal=cal
    ).day == date(2020, 10, 30)


# --- extension, pauses, restart -------------------------------------------------------------------------


def test_extension_of_20_working_days():
    # 2020-09-28: the 20th working day is Nov 2; 20 more: Nov 3–6 (24), Nov 9–13 (29), Nov 16–20 (34),
    # Nov 23–27 (39), Mon Nov 30 (40).
    assert clock.due_date(
        clock_start=date(2020, 9, 28), paused_workdays=0, extension_days=20, cal=CAL
    ).day == date(2020, 11, 30)
    # 10 more: Nov 3–6 (4), Nov 9–13 (9), Mon Nov 16 (10).
    assert clock.due_date(
        clock_start=date(2020, 9, 28), paused_workdays=0, extension_days=10, cal=CAL
    ).day == date(2020, 11, 16)


def test_extension_limits():
    with pytest.raises(ValueError):
        clock.due_date(clock_start=date(2020, 9, 28), paused_workdays=0, extension_days=21, cal=CAL)
    with pytest.raises(ValueError):
        clock.due_date(clock_start=date(2020, 9, 28), paused_workdays=-1, extension_days=0, cal=CAL)


def test_consultation_pause_across_spring_festival_2024():
    # Received Mon 2024-01-22: Jan 23–26 (4), Jan 29–Feb 2 (9), Sun Feb 4 (10), Feb 5–9 (15), Sun Feb 18 (16),
    # Feb 19–22 (20) → due Thu 2024-02-22.
    start = date(2024, 1, 22)
    assert clock.due_date(clock_start=start, paused_workdays=0, extension_days=0, cal=CAL).day == date(
        2024, 2, 22
    )
    # Third party consulted on Thu Feb 1; 15 working days to answer: Feb 2 (1), Sun Feb 4 (2), Feb 5–9 (7),
    # Sun Feb 18 (8), Feb 19–23 (13), Feb 26 (14), Tue Feb 27 (15).
    assert clock.consultation_reply_deadline(sent_on=date(2024, 2, 1), cal=CAL).day == date(2024, 2, 27)
    # Answered on Tue Feb 20: paused Feb 2, 4, 5, 6, 7, 8, 9, 18, 19, 20 = 10 working days.
    paused = clock.pause_workdays(paused_since=date(2024, 2, 1), resumed_on=date(2024, 2, 20), cal=CAL).days
    assert paused == 10
    # 30 working days from Jan 22: Feb 22 (20), Feb 23 (21), Feb 26–Mar 1 (26), Mar 4–7 (30).
    assert clock.due_date(clock_start=start, paused_workdays=paused, extension_days=0, cal=CAL).day == date(
        2024, 3, 7
    )
    assert clock.due_date_if_resumed(
        clock_start=start,
        paused_workdays=0,
        paused_since=date(2024, 2, 1),
        extension_days=0,
        resumed_on=date(2024, 2, 20),
        cal=CAL,
    ).day == date(2024, 3, 7)


def test_fee_pause_across_spring_festival_2025():
    # Received Mon 2025-01-20 (due Feb 21). Fee notice on Wed Jan 22; the applicant pays within 20 working
    # days from the next day: Jan 23, 24 (2), Sun Jan 26 (3), Jan 27 (4), Feb 5–7 (7), Sat Feb 8 (8),
    # Feb 10–14 (13), Feb 17–21 (18), Feb 24 (19), Tue Feb 25 (20).
    assert clock.fee_payment_deadline(notice_received_on=date(2025, 1, 22), cal=CAL).day == date(2025, 2, 25)
    # Paid Mon Feb 10: paused Jan 23, 24, 26, 27, Feb 5, 6, 7, 8, 10 = 9 working days.
    paused = clock.pause_workdays(paused_since=date(2025, 1, 22), resumed_on=date(2025, 2, 10), cal=CAL).days
    assert paused == 9
    # 29 working days from Jan 20: Feb 21 (20), Feb 24–28 (25), Mar 3–6 (29).
    assert clock.due_date(
        clock_start=date(2025, 1, 20), paused_workdays=paused, extension_days=0, cal=CAL
    ).day == date(2025, 3, 6)


def test_fee_payment_period_always_starts_the_next_day():
    # 109号 fixes "from the day after receipt of the notice", whatever the installation's convention.
    assert clock.fee_payment_deadline(
        notice_received_on=date(2025, 1, 22), cal=WorkCalendar(count_start_day=True)
    ).day == date(2025, 2, 25)


def test_correction_restarts_the_clock():
    # Received 2023-01-16, corrected application received Wed 2023-02-01: a fresh 20 working days,
    # Feb 2–3 (2), Feb 6–10 (7), Feb 13–17 (12), Feb 20–24 (17), Feb 27, 28, Wed Mar 1 (20).
    assert clock.due_date(
        clock_start=date(2023, 2, 1), paused_workdays=0, extension_days=0, cal=CAL
    ).day == date(2023, 3, 1)


def test_correction_notice_deadline_7_working_days():
    # Received Mon 2020-09-28: Sep 29, 30 (2), Oct 9 (3), Sat Oct 10 (4), Oct 12, 13, 14 (7).
    assert clock.correction_notice_deadline(received_on=date(2020, 9, 28), cal=CAL).day == date(2020, 10, 14)
    assert not clock.correction_notice_is_late(
        received_on=date(2020, 9, 28), sent_on=date(2020, 10, 14), cal=CAL
    )
    assert clock.correction_notice_is_late(received_on=date(2020, 9, 28), sent_on=date(2020, 10, 15), cal=CAL)
    # 2024: received Thu Feb 8: Feb 9 (1), Sun Feb 18 (2), Feb 19–23 (7) → Fri Feb 23.
    assert clock.correction_notice_deadline(received_on=date(2024, 2, 8), cal=CAL).day == date(2024, 2, 23)


def test_pause_on_one_day_costs_nothing_and_cannot_run_backwards():
    assert clock.pause_workdays(paused_since=date(2024, 2, 1), resumed_on=date(2024, 2, 1), cal=CAL).days == 0
    with pytest.raises(ValueError):
        clock.pause_workdays(paused_since=date(2024, 2, 2), resumed_on=date(2024, 2, 1), cal=CAL)


# --- unconfirmed years ----------------------------------------------------------------------------------


# The first year the calendar package does not know (2027 until the package learns it).
UNCONFIRMED = next(y for y in itertools.count(2026) if not CAL.is_confirmed(y))
LATE_DECEMBER = date(UNCONFIRMED - 1, 12, 20)


def weekdays_after(day: date, n: int) -> date:
    """The n-th Monday-to-Friday after `day` that is no fixed-date holiday: the estimate in a year without a
    confirmed schedule."""
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5 and day not in fixed_holidays(day.year)
    return day


def test_a_due_date_in_an_unconfirmed_year_is_an_estimate_not_a_refusal():
    # Received 20 December: the 20th working day lies in January of the unconfirmed year.
    due = clock.due_date(clock_start=LATE_DECEMBER, paused_workdays=0, extension_days=0, cal=CAL)
    assert due.estimated and due.day.year == UNCONFIRMED
    # The estimate counts the year's weekdays but New Year's Day; December is counted on the real schedule.
    december_left = CAL.between(LATE_DECEMBER, date(UNCONFIRMED - 1, 12, 31))
    assert due.day == weekdays_after(date(UNCONFIRMED - 1, 12, 31), clock.REPLY_WORKDAYS - december_left)
    # Once the administrator confirms the year (here: New Year's Day and the 4th off), the date is exact.
    cal = WorkCalendar({date(UNCONFIRMED, 1, 1): False, date(UNCONFIRMED, 1, 4): False}, [UNCONFIRMED])
    exact = clock.due_date(clock_start=LATE_DECEMBER, paused_workdays=0, extension_days=0, cal=cal)
    assert not exact.estimated
    assert exact.day == cal.add(LATE_DECEMBER, clock.REPLY_WORKDAYS)
    # A due date within a confirmed year is never an estimate.
    assert not clock.due_date(
        clock_start=date(2020, 9, 28), paused_workdays=0, extension_days=0, cal=CAL
    ).estimated


def test_paused_days_counted_on_an_estimate_make_the_due_date_an_estimate():
    due = clock.due_date(
        clock_start=date(2020, 9, 28), paused_workdays=3, extension_days=0, cal=CAL, paused_estimated=True
    )
    assert due == (date(2020, 11, 5), True)


def test_the_other_deadlines_estimate_too():
    for deadline in (
        clock.correction_notice_deadline(received_on=date(UNCONFIRMED - 1, 12, 29), cal=CAL),
        clock.consultation_reply_deadline(sent_on=LATE_DECEMBER, cal=CAL),
        clock.fee_payment_deadline(notice_received_on=LATE_DECEMBER, cal=CAL),
    ):
        assert deadline.estimated and deadline.day.year == UNCONFIRMED
    assert clock.correction_notice_is_late(
        received_on=date(UNCONFIRMED - 1, 12, 29), sent_on=date(UNCONFIRMED - 1, 12, 30), cal=CAL
    ) is None  # fmt: skip


def test_a_pause_counted_on_an_estimate_is_counted_again_once_the_year_is_confirmed():
    since, until = date(UNCONFIRMED - 1, 12, 30), date(UNCONFIRMED, 1, 8)
    pause = clock.pause_workdays(paused_since=since, resumed_on=until, cal=CAL)
    # Dec 31 and the weekdays Jan 2–8 of the unconfirmed year (New Year's Day is a holiday by law)
    assert pause == (1 + sum(date(UNCONFIRMED, 1, d).weekday() < 5 for d in range(2, 9)), True)
    record = clock.pause_record(paused_since=since, resumed_on=until, workdays=pause.days)
    # Still unconfirmed: nothing changes, the pause stays an estimate.
    assert clock.recount_pauses([record], cal=CAL) == (0, [record])
    # Confirmed with New Year's Day and one more weekday off: one working day less.
    extra = next(date(UNCONFIRMED, 1, d) for d in range(2, 9) if date(UNCONFIRMED, 1, d).weekday() < 5)
    confirmed = WorkCalendar({date(UNCONFIRMED, 1, 1): False, extra: False}, [UNCONFIRMED])
    assert clock.recount_pauses([record], cal=confirmed) == (-1, [])
    # A kept reply period whose pauses are counted again
    period = clock.reply_period(
        clock_start=date(UNCONFIRMED - 1, 12, 1), paused_workdays=pause.days, extension_days=0,
        estimated_pauses=[record],
    )  # fmt: skip
    due, again = clock.reply_period_due(period, cal=CAL)
    assert due.estimated and again == period
    due, again = clock.reply_period_due(period, cal=confirmed)
    assert not due.estimated and again["pauses"] == []
    assert due.day == confirmed.add(date(UNCONFIRMED - 1, 12, 1), again["workdays"])
    assert again["workdays"] == clock.REPLY_WORKDAYS + pause.days - 1


# --- properties -----------------------------------------------------------------------------------------

# Far enough from the end of the package's data that 20 + 20 + paused working days stay inside it.
days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 6, 30))
paused_days = st.integers(min_value=0, max_value=60)
extensions = st.integers(min_value=0, max_value=clock.MAX_EXTENSION_WORKDAYS)


@given(days, paused_days, extensions)
def test_due_date_is_a_working_day_after_the_start(start, paused, extension):
    due = clock.due_date(clock_start=start, paused_workdays=paused, extension_days=extension, cal=CAL).day
    assert due > start
    assert CAL.is_workday(due)
    assert CAL.between(start, due) == clock.REPLY_WORKDAYS + paused + extension


@given(days, days, paused_days, extensions)
def test_due_date_is_monotonic_in_the_start(a, b, paused, extension):
    a, b = sorted((a, b))
    assert (
        clock.due_date(clock_start=a, paused_workdays=paused, extension_days=extension, cal=CAL).day
        <= clock.due_date(clock_start=b, paused_workdays=paused, extension_days=extension, cal=CAL).day
    )


@given(days, paused_days, paused_days, extensions, extensions)
def test_due_date_is_monotonic_in_pauses_and_extension(start, p1, p2, e1, e2):
    p1, p2 = sorted((p1, p2))
    e1, e2 = sorted((e1, e2))
    assert (
        clock.due_date(clock_start=start, paused_workdays=p1, extension_days=e1, cal=CAL).day
        <= clock.due_date(clock_start=start, paused_workdays=p2, extension_days=e2, cal=CAL).day
    )
    if p1 + e1 < p2 + e2:
        assert (
            clock.due_date(clock_start=start, paused_workdays=p1, extension_days=e1, cal=CAL).day
            < clock.due_date(clock_start=start, paused_workdays=p2, extension_days=e2, cal=CAL).day
        )


@given(days, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_a_pause_moves_the_due_date_by_exactly_its_working_days(start, offset, length):
    paused_since = start + timedelta(days=offset)
    resumed_on = paused_since + timedelta(days=length)
    paused = clock.pause_workdays(paused_since=paused_since, resumed_on=resumed_on, cal=CAL).days
    assert 0 <= paused <= length
    before = clock.due_date(clock_start=start, paused_workdays=0, extension_days=0, cal=CAL).day
    after = clock.due_date_if_resumed(
        clock_start=start,
        paused_workdays=0,
        paused_since=paused_since,
        extension_days=0,
        resumed_on=resumed_on,
        cal=CAL,
    ).day
    assert after >= before
    assert CAL.between(before, after) == paused


@given(days)
def test_other_deadlines_are_working_days(day):
    for deadline in (
        clock.correction_notice_deadline(received_on=day, cal=CAL).day,
        clock.consultation_reply_deadline(sent_on=day, cal=CAL).day,
        clock.fee_payment_deadline(notice_received_on=day, cal=CAL).day,
    ):
        assert deadline > day
        assert CAL.is_workday(deadline)
    assert CAL.between(day, clock.correction_notice_deadline(received_on=day, cal=CAL).day) == 7
    assert CAL.between(day, clock.consultation_reply_deadline(sent_on=day, cal=CAL).day) == 15
    assert CAL.between(day, clock.fee_payment_deadline(notice_received_on=day, cal=CAL).day) == 20


@given(days, paused_days)
def test_count_start_day_never_gives_a_later_date(start, paused):
    later = clock.due_date(clock_start=start, paused_workdays=paused, extension_days=0, cal=CAL).day
    earlier = clock.due_date(
        clock_start=start, paused_workdays=paused, extension_days=0, cal=WorkCalendar(count_start_day=True)
    ).day
    assert earlier <= later
    assert WorkCalendar().is_workday(earlier)
