"""补正 (Art. 30): one notice, the clock restarts on the corrected application; closing when not corrected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from gongkai.agencies.permissions import require_write
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import (
    EventKind,
    Status,
)
from gongkai.cases.models import Application, ApplicationEvent
from gongkai.cases.services.common import (
    BASIS_CORRECTION,
    _change,
    _check_day,
    _conclude,
    _d,
    _due_from,
    _invalid,
    _json,
    _locked,
    _record,
    _require_status,
    _sync,
)
from gongkai.workdays import UnconfirmedSchedule

# --- 补正 (Art. 30) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectionRequested:
    application: Application
    event: ApplicationEvent
    notice_deadline: date | None  # None: the holiday schedule of that period is not confirmed
    late: bool | None  # sent after the 7 working days of Art. 30; None when it cannot be known


def application_request_correction(
    *, application: Application, by, on: date, items: str, correction_due_on: date
) -> CorrectionRequested:
    """Send the one 补正 notice (一次性告知): the reply clock stops until the corrected application arrives.
    A notice sent after the 7 working days is recorded and flagged as late (the lateness is a fact to
    keep, not a reason to refuse)."""
    require_write(by, application.agency)
    items = (items or "").strip()
    if not items:
        raise _invalid("items", "请写明需要补正的事项")
    try:
        notice_deadline = clock.correction_notice_deadline(application.received_on, work_calendar())
    except UnconfirmedSchedule:
        notice_deadline = None
    late = None if notice_deadline is None else on > notice_deadline
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.RECEIVED,), "发出补正告知")
        if locked.events.filter(kind=EventKind.CORRECTION_REQUESTED).exists():
            raise _invalid("status", "补正告知应当一次性告知（《条例》第三十条），本申请已发出过补正告知")
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        if correction_due_on <= on:
            raise _invalid("correction_due_on", "补正期限应晚于补正告知日期")
        before, after = _change(
            locked,
            {"status": Status.AWAITING_CORRECTION, "due_on": None, "correction_due_on": correction_due_on},
        )
        note = items
        if late:
            note += f"（晚于《条例》第三十条规定的告知期限 {_d(notice_deadline)}）"
        event = _record(
            application=locked,
            by=by,
            action="application.request_correction",
            before=before,
            after=after,
            kind=EventKind.CORRECTION_REQUESTED,
            on=on,
            basis=BASIS_CORRECTION,
            note=note,
            data={
                "items": items,
                "correction_due_on": correction_due_on.isoformat(),
                "notice_deadline": notice_deadline and notice_deadline.isoformat(),
                "late": late,
            },
        )
    _sync(application, locked)
    return CorrectionRequested(application, event, notice_deadline, late)


def application_receive_correction(*, application: Application, by, on: date) -> Application:
    """The corrected application arrived on `on`: a fresh 20-working-day clock starts (Art. 30)."""
    require_write(by, application.agency)
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.AWAITING_CORRECTION,), "登记补正材料")
        requested = locked.events.filter(kind=EventKind.CORRECTION_REQUESTED).latest("on", "id")
        _check_day(on, not_before=requested.on, what="补正告知日期")
        due = _due_from(locked, on)
        late = locked.correction_due_on is not None and on > locked.correction_due_on
        before, after = _change(
            locked,
            {
                "status": Status.RECEIVED,
                "clock_start": on,
                "paused_workdays": 0,
                "paused_since": None,
                "due_on": due,
            },
        )
        _record(
            application=locked,
            by=by,
            action="application.receive_correction",
            before=before,
            after=after,
            kind=EventKind.CORRECTION_RECEIVED,
            on=on,
            basis=BASIS_CORRECTION,
            note=f"答复期限自收到补正申请之日起重新计算，至 {_d(due)}"
            + ("（补正材料晚于补正期限收到）" if late else ""),
            data={"due_on": due.isoformat(), "late": late},
        )
    _sync(application, locked)
    return application


def application_close_uncorrected(*, application: Application, by, on: date) -> Application:
    """Not corrected by the deadline: treated as abandoned, concluded as 2021 （六）1 (Art. 30)."""
    require_write(by, application.agency)
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.AWAITING_CORRECTION,), "按逾期未补正办结")
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        if locked.correction_due_on is not None and on <= locked.correction_due_on:
            raise _invalid("on", f"补正期限（{_d(locked.correction_due_on)}）届满后才能按逾期未补正办结")
        _conclude(
            locked,
            by=by,
            on=on,
            outcome="other.no_correction",
            action="application.close_uncorrected",
            basis=BASIS_CORRECTION,
            note="申请人无正当理由逾期不补正，视为放弃申请，不再处理该政府信息公开申请",
            data={"correction_due_on": _json(locked.correction_due_on)},
        )
    _sync(application, locked)
    return application
