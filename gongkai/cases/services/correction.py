"""补正 (Art. 30): one notice, the clock restarts on the corrected application (also submitted online by the
applicant); closing when it is not corrected in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from gongkai.agencies.permissions import require_write
from gongkai.audit.actions import AuditAction
from gongkai.cases import clock, procedure
from gongkai.cases.attachments import attachment_file_remove, attachment_store
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.models import Application, ApplicationEvent, Attachment
from gongkai.cases.notify import Notice, notify_applicant
from gongkai.cases.procedure import Step
from gongkai.cases.services import common
from gongkai.cases.services.common import (
    _change,
    _check_day,
    _conclude,
    _d,
    _due,
    _due_from,
    _json,
    _locked,
    _record,
    _sync,
    require_step,
)
from gongkai.errors import Code, clean_text, invalid
from gongkai.law import Ground, cite
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.web.attachments import CheckedUpload

CORRECTION_TEXT_MAX = 2000
ITEMS_MAX = 2000


@dataclass(frozen=True)
class CorrectionRequested:
    application: Application
    event: ApplicationEvent
    notice_deadline: date  # the 7 working days of Art. 30
    notice_deadline_estimated: bool  # ... counted on an unconfirmed year's weekdays
    late: bool | None  # sent after the 7 working days of Art. 30; None when it cannot be known yet


def application_request_correction(
    *, application: Application, by, on: date, items: str, correction_due_on: date
) -> CorrectionRequested:
    """Send the one 补正 notice (一次性告知): the reply clock stops until the corrected application arrives.
    A notice sent after the 7 working days is recorded and flagged as late (the lateness is a fact to
    keep, not a reason to refuse)."""
    require_write(by, application.agency)
    items = clean_text("items", items, multiline=True, max_length=ITEMS_MAX)
    if not items:
        raise invalid("items", Code.REQUIRED, "请写明需要补正的事项")
    cal = work_calendar()
    notice_deadline = clock.correction_notice_deadline(received_on=application.received_on, cal=cal)
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.REQUEST_CORRECTION, on=on)
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        if not isinstance(correction_due_on, date):
            raise invalid("correction_due_on", Code.REQUIRED, "请填写补正期限")
        if correction_due_on <= on:
            raise invalid("correction_due_on", Code.DATE_TOO_EARLY, "补正期限应晚于补正告知日期")
        late = clock.correction_notice_is_late(received_on=locked.received_on, sent_on=on, cal=cal)
        before, after = _change(
            locked,
            {
                "status": Status.AWAITING_CORRECTION,
                "due_on": None,
                "due_on_estimated": False,
                "correction_due_on": correction_due_on,
            },
        )
        note = items
        if late:
            note += f"（晚于{cite(Ground.CORRECTION)}规定的告知期限 {_d(notice_deadline.day)}）"
        elif late is None and on > notice_deadline.day:
            note += f"（晚于预计的告知期限 {_d(notice_deadline.day)}，是否逾期待节假日安排确认）"
        event = _record(
            application=locked,
            by=by,
            action=AuditAction.APPLICATION_REQUEST_CORRECTION,
            before=before,
            after=after,
            kind=EventKind.CORRECTION_REQUESTED,
            on=on,
            basis=procedure.event_basis(EventKind.CORRECTION_REQUESTED),
            note=note,
            data={
                "items": items,
                "correction_due_on": correction_due_on.isoformat(),
                "notice_deadline": notice_deadline.day.isoformat(),
                "notice_deadline_estimated": notice_deadline.estimated,
                "late": late,
            },
        )
        notify_applicant(
            locked, Notice.CORRECTION, items=[line.strip() for line in items.splitlines() if line.strip()]
        )
    _sync(application, locked)
    return CorrectionRequested(application, event, notice_deadline.day, notice_deadline.estimated, late)


def _receive(locked: Application, *, by, on: date, note: str = "", data: dict | None = None) -> date:
    require_step(locked, Step.RECEIVE_CORRECTION, on=on)
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
            "estimated_pauses": [],
            "due_on": due.day,
            "due_on_estimated": due.estimated,
        },
    )
    _record(
        application=locked,
        by=by,
        action=AuditAction.APPLICATION_RECEIVE_CORRECTION,
        before=before,
        after=after,
        kind=EventKind.CORRECTION_RECEIVED,
        on=on,
        basis=procedure.event_basis(EventKind.CORRECTION_RECEIVED),
        note=(note + "。" if note else "")
        + f"答复期限自收到补正申请之日起重新计算，至 {_due(*due)}"
        + ("（补正材料晚于补正期限收到）" if late else ""),
        data={"due_on": due.day.isoformat(), "due_on_estimated": due.estimated, "late": late, **(data or {})},
    )
    return due.day


def application_receive_correction(*, application: Application, by, on: date) -> Application:
    """The corrected application arrived on `on`: a fresh 20-working-day clock starts (Art. 30)."""
    require_write(by, application.agency)
    with transaction.atomic(durable=True):
        locked = _locked(application)
        _receive(locked, by=by, on=on)
    _sync(application, locked)
    return application


def application_submit_correction_online(
    *, application: Application, text: str, attachment: CheckedUpload | None = None
) -> Application:
    """The applicant corrects the application online from the status page (by query code): received today,
    so a fresh clock starts today (Art. 30, 31 (三)). All or nothing, file included."""
    text = clean_text("text", text, multiline=True)
    if not text and attachment is None:
        raise invalid("text", Code.REQUIRED, "请填写补正内容或上传补正材料")
    if len(text) > CORRECTION_TEXT_MAX:
        raise invalid("text", Code.TOO_LONG, f"补正内容不能超过{CORRECTION_TEXT_MAX}个字")
    stored = None
    try:
        with transaction.atomic(durable=True):
            locked = _locked(application)
            if attachment is not None:
                stored = attachment_store(
                    application=locked, upload=attachment, source=Attachment.Source.CORRECTION
                )
            _receive(
                locked,
                by=None,
                on=common._today(),
                note="申请人通过网上查询页面提交补正：" + (text or "（见附件）"),
                data={"online": True, "text": text, "attachment": stored.key if stored else None},
            )
    except BaseException:
        if stored is not None:  # the row went with the rollback; its file goes now
            attachment_file_remove(stored)
        raise
    _sync(application, locked)
    return application


def application_close_uncorrected(
    *, application: Application, by, on: date, past_year_reason: str = ""
) -> Application:
    """Not corrected by the deadline: treated as abandoned, concluded as 2021 （六）1 (Art. 30)."""
    require_write(by, application.agency)
    outcome = OUTCOMES_BY_CODE["other.no_correction"]
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.CLOSE_UNCORRECTED, on=on)
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        reason = common.past_year_reason(on, past_year_reason, what="办结日期")
        _conclude(
            locked,
            by=by,
            on=on,
            outcome=outcome.code,
            action=AuditAction.APPLICATION_CLOSE_UNCORRECTED,
            kind=EventKind.REPLIED,
            basis=outcome.basis,
            note="申请人无正当理由逾期不补正，视为放弃申请，不再处理该政府信息公开申请",
            data={"correction_due_on": _json(locked.correction_due_on)},
            reason=reason,
        )
    _sync(application, locked)
    return application
