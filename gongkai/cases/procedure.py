"""The procedure of an application in one place, as plain functions of the case's facts (no database here):
which step is allowed in which status and why not, the deadline box of the case page, overdue and due soon,
the open fee notices and consultations, and the legal basis each event records.

The services (gongkai.cases.services) ask `refusal()` before every step and refuse with its code and
message; the case page offers exactly the steps `available_steps()` returns. Both read `STEPS_BY_STATUS`,
so a step the table does not allow is neither offered nor accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from gongkai import workdays
from gongkai.cases import clock
from gongkai.cases.enums import ConsultationKind, EventKind, Status
from gongkai.errors import Code
from gongkai.law import Ground, cite
from gongkai.workdays import DUE_SOON_DAYS, Deadline, WorkCalendar


class Step(StrEnum):
    REQUEST_CORRECTION = "request_correction"
    RECEIVE_CORRECTION = "receive_correction"
    CLOSE_UNCORRECTED = "close_uncorrected"
    START_CONSULTATION = "start_consultation"
    END_CONSULTATION = "end_consultation"
    ISSUE_FEE_NOTICE = "issue_fee_notice"
    RECORD_PAYMENT = "record_payment"
    CLOSE_UNPAID = "close_unpaid"
    REQUEST_EXTENSION = "request_extension"  # the clerk asks, the 负责人 decides (Art. 33 (2))
    EXTEND = "extend"  # an approved extension takes effect
    PREPARE_REPLY = "prepare_reply"  # the 答复告知书 is drafted with its outcome
    REPLY = "reply"  # the application is concluded when its 答复告知书 is issued


# What a step is called: on the case page (title) and in a refusal ("不能…").
STEP_TITLES: dict[Step, tuple[str, str]] = {
    Step.REQUEST_CORRECTION: ("补正告知", "发出补正告知"),
    Step.RECEIVE_CORRECTION: ("收到补正", "登记补正材料"),
    Step.CLOSE_UNCORRECTED: ("逾期未补正办结", "按逾期未补正办结"),
    Step.START_CONSULTATION: ("征求意见", "征求意见"),
    Step.END_CONSULTATION: ("收到意见", "登记意见"),
    Step.ISSUE_FEE_NOTICE: ("收费通知", "发出收费通知"),
    Step.RECORD_PAYMENT: ("缴费", "登记缴费"),
    Step.CLOSE_UNPAID: ("逾期未缴费办结", "按逾期未缴费办结"),
    Step.REQUEST_EXTENSION: ("延期答复", "申请延期答复"),
    Step.EXTEND: ("延期答复", "延期答复"),
    Step.PREPARE_REPLY: ("答复", "拟写答复"),
    Step.REPLY: ("答复", "作出答复"),
}

# The action table: the steps each status allows, in the order of the procedure.
STEPS_BY_STATUS: dict[str, tuple[Step, ...]] = {
    Status.RECEIVED: (
        Step.REQUEST_CORRECTION,
        Step.START_CONSULTATION,
        Step.ISSUE_FEE_NOTICE,
        Step.REQUEST_EXTENSION,
        Step.EXTEND,
        Step.PREPARE_REPLY,
        Step.REPLY,
    ),
    Status.AWAITING_CORRECTION: (Step.RECEIVE_CORRECTION, Step.CLOSE_UNCORRECTED),
    Status.CONSULTING: (Step.END_CONSULTATION, Step.START_CONSULTATION, Step.REQUEST_EXTENSION, Step.EXTEND),
    Status.AWAITING_FEE: (Step.RECORD_PAYMENT, Step.CLOSE_UNPAID, Step.REQUEST_EXTENSION, Step.EXTEND),
    Status.CONCLUDED: (),
}

# Steps that happen through another step (approval, the issue of a letter), never offered as a form.
_NOT_ON_PAGE = frozenset({Step.EXTEND, Step.REPLY})

_STATUS_REASONS = {
    Status.CONCLUDED: "该申请已办结",
    Status.AWAITING_CORRECTION: "该申请正在等待申请人补正",
    Status.CONSULTING: "该申请正在征求意见",
    Status.AWAITING_FEE: "该申请正在等待申请人缴纳信息处理费",
    Status.RECEIVED: "该申请正在办理中",
}

# The clock stands still in these statuses whatever the dates say.
CLOCK_STOPPED_STATUSES = (Status.AWAITING_CORRECTION, Status.CONCLUDED)


@dataclass(frozen=True)
class Facts:
    """What the procedure needs to know of a case (`facts_of(application)` reads them)."""

    status: str
    received_on: dt.date
    clock_start: dt.date
    due_on: dt.date | None = None
    due_on_estimated: bool = False  # due_on is a weekends-only estimate (gongkai.cases.clock)
    paused_since: dt.date | None = None
    paused_workdays: int = 0
    paused_estimated: bool = False  # some of the paused days were counted on an estimate
    extension_days: int = 0
    correction_due_on: dt.date | None = None
    concluded_on: dt.date | None = None
    correction_requested: bool = False  # the one 补正 notice went out (Art. 30)
    corrected: bool = False  # a corrected application was received
    extension_pending: bool = False  # an extension waits for the 负责人
    reply_pending: bool = False  # a 答复告知书 is drafted and not issued yet
    fee_pay_due_on: dt.date | None = None  # of the open fee notice
    fee_pay_due_on_estimated: bool = False


@dataclass(frozen=True)
class Refusal:
    code: Code
    message: str


def refusal(step: Step, facts: Facts, *, on: dt.date | None = None) -> Refusal | None:
    """Why `step` cannot be taken now (on the day `on`), or None when it can."""
    if step not in STEPS_BY_STATUS.get(facts.status, ()):
        return Refusal(Code.STEP_NOT_ALLOWED, f"{_STATUS_REASONS[facts.status]}，不能{STEP_TITLES[step][1]}")
    if step == Step.REQUEST_CORRECTION and facts.correction_requested:
        return Refusal(
            Code.ALREADY_DONE, f"补正告知应当一次性告知（{cite(Ground.CORRECTION)}），本申请已发出过补正告知"
        )
    if step in (Step.REQUEST_EXTENSION, Step.EXTEND):
        if facts.extension_days:
            return Refusal(Code.ALREADY_DONE, "答复期限只能延长一次，本申请已经延期")
        if step == Step.REQUEST_EXTENSION and facts.extension_pending:
            return Refusal(Code.DUPLICATE, "本申请的延期申请正在等待负责人审批")
    if step == Step.PREPARE_REPLY and facts.reply_pending:
        return Refusal(Code.DUPLICATE, "本申请已有待出具的答复告知书，请在文书中继续办理或先删除该草稿")
    if on is None:
        return None
    within_reply_period = (
        Step.REQUEST_EXTENSION,
        Step.EXTEND,
        Step.START_CONSULTATION,
        Step.ISSUE_FEE_NOTICE,
    )
    # An estimated reply period is not held against the agency: whether it has passed is not known yet.
    passed = facts.due_on is not None and on > facts.due_on and not facts.due_on_estimated
    if step in within_reply_period and passed:
        return Refusal(
            Code.DEADLINE_PASSED, f"答复期限（{_d(facts.due_on)}）已过，不能再{STEP_TITLES[step][1]}"
        )
    if (
        step == Step.CLOSE_UNCORRECTED
        and facts.correction_due_on is not None
        and on <= facts.correction_due_on
    ):
        return Refusal(
            Code.DEADLINE_NOT_PASSED, f"补正期限（{_d(facts.correction_due_on)}）届满后才能按逾期未补正办结"
        )
    if step == Step.CLOSE_UNPAID and facts.fee_pay_due_on is not None:
        if on <= facts.fee_pay_due_on:
            due = deadline_text(facts.fee_pay_due_on, facts.fee_pay_due_on_estimated)
            return Refusal(Code.DEADLINE_NOT_PASSED, f"缴费期限（{due}）届满后才能按逾期未缴费办结")
        # The applicant's period is not cut short on a guess: a holiday may still lengthen it.
        if facts.fee_pay_due_on_estimated:
            return Refusal(
                Code.DEADLINE_NOT_PASSED,
                f"缴费期限（{deadline_text(facts.fee_pay_due_on, True)}）是预计日期，节假日安排可能使其延后；"
                "节假日安排录入、期限确认届满后才能按逾期未缴费办结",
            )
    return None


def available_steps(facts: Facts, *, today: dt.date) -> list[Step]:
    """The steps the case page offers today, in the order of the procedure."""
    return [
        step
        for step in STEPS_BY_STATUS.get(facts.status, ())
        if step not in _NOT_ON_PAGE and refusal(step, facts, on=today) is None
    ]


# --- the clock on the page and in the lists ----------------------------------------------------------------


def clock_running(facts: Facts) -> bool:
    """Open, and the reply clock runs: not waiting for a correction (a fresh clock starts when it comes,
    Art. 30) and not paused (consultation; a fee notice when the fee period stops the clock)."""
    return (
        facts.concluded_on is None
        and facts.paused_since is None
        and facts.due_on is not None
        and facts.status not in CLOCK_STOPPED_STATUSES
    )


def is_overdue(facts: Facts, *, today: dt.date) -> bool:
    """Past the due date while the clock runs; on an estimated due date, overdue on the estimate (the page
    says it is one)."""
    return clock_running(facts) and facts.due_on < today


def due_soon_limit(*, today: dt.date, cal: WorkCalendar, within: int = DUE_SOON_DAYS) -> Deadline:
    """The last due date that counts as "due soon": the `within`-th working day after today, estimated when
    those days lie in a year whose schedule is not confirmed."""
    if within <= 0:
        return Deadline(today, False)
    return cal.add_estimated(today + dt.timedelta(days=1) if cal.count_start_day else today, within)


# --- an estimated date in words ------------------------------------------------------------------------------

ESTIMATE_NOTE = "待节假日安排确认"
ESTIMATE_METHOD = workdays.ESTIMATE_METHOD


def deadline_text(day: dt.date | None, estimated: bool = False, *, numeric: bool = False) -> str:
    """A deadline as every page, e-mail and note writes it: "2027年1月8日", or for an estimate
    "预计 2027年1月8日（待节假日安排确认）" (never presented as the deadline itself). numeric: "2027-01-08", for
    tables. "" for no date."""
    if day is None:
        return ""
    text = day.isoformat() if numeric else _d(day)
    return f"预计 {text}（{ESTIMATE_NOTE}）" if estimated else text


@dataclass(frozen=True)
class DeadlineBox:
    """What the case page's deadline box says."""

    state: Literal["running", "overdue", "paused", "correction", "concluded", "unknown"]
    due_on: dt.date | None = None
    left: int | None = None  # working days from today to the due date
    overdue_days: int | None = None
    paused_since: dt.date | None = None
    if_resumed_today: dt.date | None = None
    correction_due_on: dt.date | None = None
    concluded_on: dt.date | None = None
    late: bool = False  # concluded after the due date
    # the due date (or if_resumed_today) and the working days counted to it are weekends-only estimates
    estimated: bool = False
    unconfirmed: tuple[int, ...] = ()  # the years without a confirmed holiday schedule the dates rely on

    @property
    def due_text(self) -> str:
        return deadline_text(self.due_on, self.estimated)

    @property
    def if_resumed_text(self) -> str:
        return deadline_text(self.if_resumed_today, self.estimated)


def deadline_box(facts: Facts, *, today: dt.date, cal: WorkCalendar) -> DeadlineBox:
    if facts.status == Status.CONCLUDED:
        late = bool(facts.due_on and facts.concluded_on and facts.concluded_on > facts.due_on)
        return DeadlineBox(
            "concluded", due_on=facts.due_on, concluded_on=facts.concluded_on, late=late,
            estimated=bool(facts.due_on) and facts.due_on_estimated,
        )  # fmt: skip
    if facts.status == Status.AWAITING_CORRECTION:
        return DeadlineBox("correction", correction_due_on=facts.correction_due_on)
    if facts.paused_since is not None:
        resumed_on = max(today, facts.paused_since)
        resumed = clock.due_date_if_resumed(
            clock_start=facts.clock_start,
            paused_workdays=facts.paused_workdays,
            paused_since=facts.paused_since,
            extension_days=facts.extension_days,
            resumed_on=resumed_on,
            cal=cal,
            paused_estimated=facts.paused_estimated,
        )
        return DeadlineBox(
            "paused", paused_since=facts.paused_since, if_resumed_today=resumed.day, estimated=resumed.estimated,
            unconfirmed=_unconfirmed(cal, facts.clock_start, resumed.day) if resumed.estimated else (),
        )  # fmt: skip
    if facts.due_on is None:
        return DeadlineBox("unknown")
    left = cal.between_estimated(today, facts.due_on)
    estimated = facts.due_on_estimated or left.estimated
    unconfirmed = (
        _unconfirmed(cal, min(facts.clock_start, today), max(facts.due_on, today)) if estimated else ()
    )
    if facts.due_on < today:
        return DeadlineBox(
            "overdue", due_on=facts.due_on, left=left.days, overdue_days=-left.days, estimated=estimated,
            unconfirmed=unconfirmed,
        )  # fmt: skip
    return DeadlineBox(
        "running", due_on=facts.due_on, left=left.days, estimated=estimated, unconfirmed=unconfirmed
    )


def _unconfirmed(cal: WorkCalendar, start: dt.date, end: dt.date) -> tuple[int, ...]:
    return tuple(cal.unconfirmed_years(start, end))


def workdays_left(due_on: dt.date | None, *, today: dt.date, cal: WorkCalendar) -> int | None:
    """Working days from today to the due date (negative: overdue by that many), counted on an estimate
    where the schedule is not confirmed (the due date shown beside it says so); None without a due date."""
    if due_on is None:
        return None
    return cal.between_estimated(today, due_on).days


# --- open fee notices and consultations ----------------------------------------------------------------------


def open_fee_notices(notices: Iterable) -> list:
    """The fee notices not paid yet, the latest first."""
    return sorted((n for n in notices if n.paid_on is None), key=lambda n: (n.issued_on, n.pk), reverse=True)


def open_consultations(consultations: Iterable) -> list:
    """The consultations not answered yet, the earliest first."""
    return sorted((c for c in consultations if c.answered_on is None), key=lambda c: (c.sent_on, c.pk))


# --- the legal basis an event records --------------------------------------------------------------------------

EVENT_GROUNDS: dict[str, tuple[Ground, ...]] = {
    EventKind.RECEIVED: (Ground.APPLICATION, Ground.RECEIPT_DATE),
    EventKind.CORRECTION_REQUESTED: (Ground.CORRECTION,),
    EventKind.CORRECTION_RECEIVED: (Ground.CORRECTION,),
    EventKind.FEE_NOTICE: (Ground.FEE, Ground.FEE_MEASURES),
    EventKind.FEE_PAID: (Ground.FEE, Ground.FEE_MEASURES),
    EventKind.EXTENSION_REQUESTED: (Ground.EXTENSION,),
    EventKind.EXTENSION_REFUSED: (Ground.EXTENSION,),
    EventKind.EXTENDED: (Ground.EXTENSION,),
}
CONSULTATION_GROUNDS: dict[str, tuple[Ground, ...]] = {
    ConsultationKind.THIRD_PARTY: (Ground.THIRD_PARTY, Ground.CONSULTATION_TIME),
    ConsultationKind.CO_AGENCY: (Ground.CO_AGENCY, Ground.CONSULTATION_TIME),
}


def event_basis(kind: str, *, consultation_kind: str | None = None) -> str:
    """The basis an event of `kind` cites (a reply cites its outcome's, a letter its kind's)."""
    if kind in (EventKind.CONSULTATION_STARTED, EventKind.CONSULTATION_ENDED):
        return cite(*CONSULTATION_GROUNDS[consultation_kind])
    return cite(*EVENT_GROUNDS[kind])


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
