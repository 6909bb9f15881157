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

Every function answers, also when a period reaches into a year whose holiday schedule is not confirmed yet:
it then counts that year's Mondays to Fridays as working days and says so (`Deadline.estimated`,
`Span.estimated`, gongkai.workdays). An estimate is stored as such, shown as "预计 …（待节假日安排确认）" and
computed again when the year is confirmed (gongkai.cases.services.estimates). The working days a pause cost,
when counted on an estimate, are kept as a `pause` record so that they can be counted again too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from gongkai.workdays import Deadline, Span, WorkCalendar

REPLY_WORKDAYS = 20  # Art. 33 (2)
MAX_EXTENSION_WORKDAYS = 20  # Art. 33 (2)
CORRECTION_NOTICE_WORKDAYS = 7  # Art. 30
CONSULTATION_WORKDAYS = 15  # Art. 32, Art. 34
FEE_PAYMENT_WORKDAYS = 20  # 国办函〔2020〕109号


def due_date(
    *,
    clock_start: date,
    paused_workdays: int,
    extension_days: int,
    cal: WorkCalendar,
    paused_estimated: bool = False,
) -> Deadline:
    """The last day to reply: 20 working days from `clock_start`, plus the working days the clock stood
    still, plus the extension. Always a working day. An estimate when the count needs an unconfirmed year
    or the paused days were themselves counted on an estimate (`paused_estimated`)."""
    if paused_workdays < 0:
        raise ValueError(f"paused_workdays must not be negative, got {paused_workdays}")
    if not 0 <= extension_days <= MAX_EXTENSION_WORKDAYS:
        raise ValueError(f"extension_days must be 0..{MAX_EXTENSION_WORKDAYS}, got {extension_days}")
    due = cal.add_estimated(clock_start, REPLY_WORKDAYS + paused_workdays + extension_days)
    return Deadline(due.day, due.estimated or paused_estimated)


def due_date_if_resumed(
    *,
    clock_start: date,
    paused_workdays: int,
    paused_since: date | None,
    extension_days: int,
    resumed_on: date,
    cal: WorkCalendar,
    paused_estimated: bool = False,
) -> Deadline:
    """The due date if a running pause (since `paused_since`) ended on `resumed_on`; the plain due date
    when the clock is running (`paused_since` is None)."""
    if paused_since is not None:
        pause = pause_workdays(paused_since=paused_since, resumed_on=resumed_on, cal=cal)
        paused_workdays += pause.days
        paused_estimated = paused_estimated or pause.estimated
    return due_date(
        clock_start=clock_start, paused_workdays=paused_workdays, extension_days=extension_days, cal=cal,
        paused_estimated=paused_estimated,
    )  # fmt: skip


def pause_workdays(*, paused_since: date, resumed_on: date, cal: WorkCalendar) -> Span:
    """Working days the clock stood still: those after `paused_since` up to and including `resumed_on`."""
    if resumed_on < paused_since:
        raise ValueError(f"a pause cannot end ({resumed_on}) before it started ({paused_since})")
    return cal.between_estimated(paused_since, resumed_on)


def pause_record(*, paused_since: date, resumed_on: date, workdays: int) -> dict:
    """A pause whose working days were counted on an estimate, as the application keeps it (JSON)."""
    return {"since": paused_since.isoformat(), "until": resumed_on.isoformat(), "workdays": workdays}


def recount_pauses(pauses: Iterable[dict], *, cal: WorkCalendar) -> tuple[int, list[dict]]:
    """Count again the pauses that were counted on an estimate: (the change in paused working days, the
    pauses still counted on an estimate, with their new counts)."""
    change, still = 0, []
    for pause in pauses:
        since, until = date.fromisoformat(pause["since"]), date.fromisoformat(pause["until"])
        counted = pause_workdays(paused_since=since, resumed_on=until, cal=cal)
        change += counted.days - int(pause["workdays"])
        if counted.estimated:
            still.append(pause_record(paused_since=since, resumed_on=until, workdays=counted.days))
    return change, still


def reply_period(
    *, clock_start: date, paused_workdays: int, extension_days: int, estimated_pauses: Iterable[dict] = ()
) -> dict:
    """The reply period as it stands, kept beside a date copied from it (the reply period a fee notice or an
    extension went out in), so that the date can be computed again: JSON."""
    return {
        "from": clock_start.isoformat(),
        "workdays": REPLY_WORKDAYS + paused_workdays + extension_days,
        "pauses": list(estimated_pauses),
    }


def reply_period_due(period: dict, *, cal: WorkCalendar) -> tuple[Deadline, dict]:
    """The end of a kept `reply_period` on `cal`, and the period with its pauses counted again."""
    change, still = recount_pauses(period.get("pauses") or (), cal=cal)
    workdays = int(period["workdays"]) + change
    due = cal.add_estimated(date.fromisoformat(period["from"]), workdays)
    return Deadline(due.day, due.estimated or bool(still)), {**period, "workdays": workdays, "pauses": still}


def correction_notice_deadline(*, received_on: date, cal: WorkCalendar) -> Deadline:
    """The last day to send the 补正 notice (Art. 30: within 7 working days of receipt)."""
    return cal.add_estimated(received_on, CORRECTION_NOTICE_WORKDAYS)


def correction_notice_is_late(*, received_on: date, sent_on: date, cal: WorkCalendar) -> bool | None:
    """Sent after the 7 working days; None when that cannot be known yet (the deadline is an estimate: a
    make-up working day in the unconfirmed year could make it earlier, a holiday later)."""
    deadline = correction_notice_deadline(received_on=received_on, cal=cal)
    return None if deadline.estimated else sent_on > deadline.day


def consultation_reply_deadline(*, sent_on: date, cal: WorkCalendar) -> Deadline:
    """The last day for the consulted party to answer (Art. 32, 34: 15 working days)."""
    return cal.add_estimated(sent_on, CONSULTATION_WORKDAYS)


def fee_payment_deadline(*, notice_received_on: date, cal: WorkCalendar) -> Deadline:
    """The last day to pay (109号: 20 working days counted from the day after the notice is received).
    109号 fixes "from the next day", so the installation's count-start-day convention does not apply."""
    start = notice_received_on + timedelta(days=1) if cal.count_start_day else notice_received_on
    return cal.add_estimated(start, FEE_PAYMENT_WORKDAYS)
