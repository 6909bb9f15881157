"""The extension of the reply period (Art. 33 (2)): the clerk asks with a reason, the head of the disclosure
office approves or refuses from the approvals queue, before the original due date; approved, the due date
moves and the 延期答复告知书 is drafted with the reason filled in. A head who asks approves at once."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse

from gongkai.agencies.permissions import require_write
from gongkai.approvals.models import ApprovalRequest, Kind
from gongkai.approvals.services import Handler, approval_open, register_handler
from gongkai.audit.actions import AuditAction
from gongkai.cases import clock, procedure
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, LetterKind
from gongkai.cases.models import Application
from gongkai.cases.notify import Notice, notify_applicant
from gongkai.cases.procedure import Step
from gongkai.cases.services.common import (
    _change,
    _check_day,
    _due,
    _json,
    _locked,
    _record,
    require_step,
)
from gongkai.errors import Code, clean_text, invalid
from gongkai.law import Ground, cite

REASON_MAX = 500


def application_request_extension(
    *, application: Application, by, on: date, days: int, reason: str
) -> ApprovalRequest:
    """Ask for the one extension of at most 20 working days (Art. 33 (2)) with a reason."""
    require_write(by, application.agency)
    reason = clean_text("reason", reason, multiline=True)
    if not isinstance(days, int) or not 1 <= days <= clock.MAX_EXTENSION_WORKDAYS:
        raise invalid("days", Code.INVALID, f"延长的期限应为1至{clock.MAX_EXTENSION_WORKDAYS}个工作日")
    if not reason:
        raise invalid("reason", Code.REQUIRED, "请填写延期理由")
    if len(reason) > REASON_MAX:
        raise invalid("reason", Code.TOO_LONG, f"延期理由不能超过{REASON_MAX}个字")
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.REQUEST_EXTENSION, on=on)
        _check_day(on, not_before=locked.clock_start, what="计时起算日")
        _record(
            application=locked,
            by=by,
            action=AuditAction.APPLICATION_REQUEST_EXTENSION,
            before=None,
            after={
                "days": days,
                "reason": reason,
                "due_on": _json(locked.due_on),
                "due_on_estimated": locked.due_on_estimated,
            },
            kind=EventKind.EXTENSION_REQUESTED,
            on=on,
            basis=procedure.event_basis(EventKind.EXTENSION_REQUESTED),
            note=f"拟延长{days}个工作日。理由：{reason}",
            data={"days": days, "reason": reason},
        )
        request = approval_open(
            agency=locked.agency,
            kind=Kind.EXTENSION,
            subject=locked,
            title=f"{locked.number} 延期答复{days}个工作日",
            by=by,
            on=on,
            reason=reason,
            payload={"days": days},
            limit_on=locked.due_on,
            limit_text=f"{cite(Ground.EXTENSION)}：延期须在原答复期限内经负责人同意并告知申请人",
            limit_hard=True,
            limit_estimated=locked.due_on_estimated,
        )
    application.refresh_from_db()
    return request


def _apply(request: ApprovalRequest, by, on: date) -> None:
    """The approved extension takes effect (inside the approval's transaction)."""
    from gongkai.cases.letters.services import draft_letter

    locked = _locked(Application(pk=request.subject_id))
    require_step(locked, Step.EXTEND, on=on)
    days = int(request.payload["days"])
    previous_due, previous_estimated = locked.due_on, locked.due_on_estimated
    # the original reply period, to compute the limit of the 延期答复告知书 again if it is an estimate
    previous_period = clock.reply_period(
        clock_start=locked.clock_start, paused_workdays=locked.paused_workdays, extension_days=0,
        estimated_pauses=locked.estimated_pauses,
    )  # fmt: skip
    changes: dict = {"extension_days": days}
    if locked.paused_since is None:
        due = clock.due_date(
            clock_start=locked.clock_start, paused_workdays=locked.paused_workdays, extension_days=days,
            cal=work_calendar(), paused_estimated=bool(locked.estimated_pauses),
        )  # fmt: skip
        changes.update(due_on=due.day, due_on_estimated=due.estimated)
    before, after = _change(locked, changes)
    new_due = f"，答复期限延至 {_due(locked.due_on, locked.due_on_estimated)}" if locked.due_on else ""
    _record(
        application=locked,
        by=by,
        action=AuditAction.APPLICATION_EXTEND,
        before=before,
        after=after,
        kind=EventKind.EXTENDED,
        on=on,
        basis=procedure.event_basis(EventKind.EXTENDED),
        note=f"经负责人同意延长{days}个工作日{new_due}。理由：{request.reason}",
        data={
            "days": days,
            "reason": request.reason,
            "due_on": _json(locked.due_on),
            "due_on_estimated": locked.due_on_estimated,
            "previous_due_on": _json(previous_due),
            "previous_due_on_estimated": previous_estimated,
            "previous_period": previous_period,
            "approval": request.pk,
        },
    )
    draft_letter(application=locked, by=by, kind=LetterKind.EXTENSION, extension_reason=request.reason)
    notify_applicant(locked, Notice.EXTENDED)


def _refused(request: ApprovalRequest, by, on: date, comment: str) -> None:
    locked = _locked(Application(pk=request.subject_id))
    _record(
        application=locked,
        by=by,
        action=AuditAction.APPLICATION_REQUEST_EXTENSION,
        before={"approval": request.pk},
        after={"refused": True, "comment": comment},
        kind=EventKind.EXTENSION_REFUSED,
        on=on,
        basis=procedure.event_basis(EventKind.EXTENSION_REFUSED),
        note=f"负责人不同意延期。意见：{comment}",
        data={"approval": request.pk},
    )


def _withdrawn(request: ApprovalRequest, by) -> None:
    """Nothing changes on the case: the request was only a request."""


def _url(request: ApprovalRequest) -> str:
    return reverse("workbench:application_detail", args=[request.subject_id])


register_handler(
    Kind.EXTENSION, Handler(on_approved=_apply, on_refused=_refused, on_withdrawn=_withdrawn, url=_url)
)
