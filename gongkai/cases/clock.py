"""The statutory clock of a disclosure application (rules.md §2), as pure functions on a WorkCalendar.

No Django here: callers pass dates and the calendar (`gongkai.cases.calendar.work_calendar()`).

- Art. 33 (2): reply within 20 working days of receipt; one extension of at most 20 working days.
- Art. 30: the 补正 notice goes out within 7 working days of receipt; while the applicant corrects, no reply
  clock runs, and a fresh one starts on the day the corrected application is received (`clock_start`).
- Art. 33 (3), 32, 34: time spent consulting a third party or a co-producing agency is not counted; the party
  has 15 working days to answer.
- 国办函〔2020〕109号: the applicant pays within 20 working days counted from the day after receiving the fee
  notice; whether that period stops the reply clock is open (rules.md), the platform decides by a setting.

Pause accounting: when a pause from day P ends on day E, `pause_workdays(P, E)` working days are added to
the application's paused days, and the due date moves by that many working days.

A date that needs a day of a year whose holiday schedule is unconfirmed raises
`gongkai.workdays.UnconfirmedSchedule`; it is never guessed.
"""

from __future__ import annotations

from datetime import date, timedelta

from gongkai.workdays import WorkCalendar

REPLY_WORKDAYS = 20  # Art. 33 (2)
MAX_EXTENSION_WORKDAYS = 20  # Art. 33 (2)
CORRECTION_NOTICE_WORKDAYS = 7  # Art. 30
CONSULTATION_WORKDAYS = 15  # Art. 32, Art. 34
FEE_PAYMENT_WORKDAYS = 20  # 国办函〔2020〕109号


def due_date(*, clock_start: date, paused_workdays: int, extension_days: int, cal: WorkCalendar) -> date:
    """The last day to reply: 20 working days from `clock_start`, plus the working days the clock stood
    still, plus the extension. Always a working day."""
    if paused_workdays < 0:
        raise ValueError(f"paused_workdays must not be negative, got {paused_workdays}")
    if not 0 <= extension_days <= MAX_EXTENSION_WORKDAYS:
        raise ValueError(f"extension_days must be 0..{MAX_EXTENSION_WORKDAYS}, got {extension_days}")
    return cal.add(clock_start, REPLY_WORKDAYS + paused_workdays + extension_days)


def due_date_if_resumed(
    *,
    clock_start: date,
    paused_workdays: int,
    paused_since: date | None,
    extension_days: int,
    resumed_on: date,
    cal: WorkCalendar,
) -> date:
    """The due date if a running pause (since `paused_since`) ended on `resumed_on`; the plain due date
    when the clock is running (`paused_since` is None)."""
    if paused_since is not None:
        paused_workdays += pause_workdays(paused_since=paused_since, resumed_on=resumed_on, cal=cal)
    return due_date(
        clock_start=clock_start, paused_workdays=paused_workdays, extension_days=extension_days, cal=cal
    )


def pause_workdays(*, paused_since: date, resumed_on: date, cal: WorkCalendar) -> int:
    """Working days the clock stood still: those after `paused_since` up to and including `resumed_on`."""
    if resumed_on < paused_since:
        raise ValueError(f"a pause cannot end ({resumed_on}) before it started ({paused_since})")
    return cal.between(paused_since, resumed_on)


def correction_notice_deadline(*, received_on: date, cal: WorkCalendar) -> date:
    """The last day to send the 补正 notice (Art. 30: within 7 working days of receipt)."""
    return cal.add(received_on, CORRECTION_NOTICE_WORKDAYS)


def correction_notice_is_late(*, received_on: date, sent_on: date, cal: WorkCalendar) -> bool:
    return sent_on > correction_notice_deadline(received_on=received_on, cal=cal)


def consultation_reply_deadline(*, sent_on: date, cal: WorkCalendar) -> date:
    """The last day for the consulted party to answer (Art. 32, 34: 15 working days)."""
    return cal.add(sent_on, CONSULTATION_WORKDAYS)


def fee_payment_deadline(*, notice_received_on: date, cal: WorkCalendar) -> date:
    """The last day to pay (109号: 20 working days counted from the day after the notice is received).
    109号 fixes "from the next day", so the installation's count-start-day convention does not apply."""
    start = notice_received_on + timedelta(days=1) if cal.count_start_day else notice_received_on
    return cal.add(start, FEE_PAYMENT_WORKDAYS)
