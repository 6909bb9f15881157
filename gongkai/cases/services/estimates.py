"""Deadlines stored as estimates, computed again once the holiday schedule they need is entered.

A deadline that needs a year whose holiday schedule is not confirmed is stored with that year's Mondays to
Fridays as working days and a flag (Application.due_on_estimated and estimated_pauses, Consultation,
FeeNotice and ApprovalRequest flags; gongkai.cases.clock). When an administrator saves a year's schedule
(gongkai.cases.holidays), a task (gongkai.cases.tasks.recompute_estimated_deadlines) calls
`estimated_deadlines_recompute`: every flagged deadline is computed again from the facts that produced it
(the clock start, the paused and extension days, the day a letter or notice went out), its flag cleared
unless it still needs a year without a schedule, and each application whose deadlines changed gets one
audit event and one ApplicationEvent saying what moved. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongkai.approvals.models import ApprovalRequest
from gongkai.approvals.models import Kind as ApprovalKind
from gongkai.audit.actions import AuditAction
from gongkai.cases import clock, procedure
from gongkai.cases.calendar import work_calendar, work_calendar_invalidate
from gongkai.cases.enums import EventKind
from gongkai.cases.models import Application, ConfirmedYear, Consultation, FeeNotice, Letter
from gongkai.cases.services.common import _json, _locked, _record
from gongkai.workdays import Deadline


@dataclass
class Recomputed:
    """What a run changed: the applications with an event, and those looked at."""

    changed: list[int] = field(default_factory=list)
    checked: int = 0


def applications_with_estimates() -> list[int]:
    """The ids of the applications that hold a deadline stored as an estimate (a few queries)."""
    ids = set(
        Application.objects.filter(Q(due_on_estimated=True) | ~Q(estimated_pauses=[])).values_list(
            "pk", flat=True
        )
    )
    ids |= set(
        Consultation.objects.filter(reply_due_on_estimated=True).values_list("application_id", flat=True)
    )
    ids |= set(
        FeeNotice.objects.filter(Q(pay_due_on_estimated=True) | Q(reply_due_on_estimated=True)).values_list(
            "application_id", flat=True
        )
    )
    for request in ApprovalRequest.objects.filter(limit_estimated=True).only("kind", "subject_id", "payload"):
        ids.add(
            request.subject_id
            if request.kind == ApprovalKind.EXTENSION
            else request.payload.get("application")
        )
    ids.discard(None)
    return sorted(ids)


def estimated_deadlines_recompute(*, year: int | None = None) -> Recomputed:
    """Compute every deadline stored as an estimate again on the calendar as it is now; one transaction per
    application (its row locked, as every step locks it). `year`: the year just confirmed, named as the
    basis of the events."""
    work_calendar_invalidate()  # the schedule may have been saved by another process a moment ago
    basis = _basis(year)
    result = Recomputed()
    for pk in applications_with_estimates():
        result.checked += 1
        with transaction.atomic(durable=True):
            if _recompute(pk, basis=basis):
                result.changed.append(pk)
    return result


def _basis(year: int | None) -> str:
    if year is None:
        return "节假日安排"
    note = ConfirmedYear.objects.filter(year=year).values_list("note", flat=True).first()
    return (note or f"{year}年节假日安排")[:200]


class _Changes:
    """The changed dates of one application, for its audit event (before/after) and its event's note."""

    def __init__(self):
        self.before: dict = {}
        self.after: dict = {}
        self.lines: list[str] = []

    def note(self, key: str, what: str, old: tuple[date | None, bool], new: tuple[date | None, bool]) -> None:
        if old == new:
            return
        self.before[key] = {"on": _json(old[0]), "estimated": old[1]}
        self.after[key] = {"on": _json(new[0]), "estimated": new[1]}
        if not what or new[0] is None or old[0] is None:
            return
        shown = procedure.deadline_text(*new)
        if old[0] == new[0]:
            self.lines.append(f"{what} {shown}（原为预计日期，经确认不变）")
        else:
            self.lines.append(f"{what} {shown}（原预计 {procedure.deadline_text(old[0], False)}）")


def _recompute(pk: int, *, basis: str) -> bool:
    cal = work_calendar()
    application = _locked(Application(pk=pk))
    changes = _Changes()

    # the reply period: paused days counted on an estimate are counted again, then the due date
    change, still = clock.recount_pauses(application.estimated_pauses or (), cal=cal)
    paused = application.paused_workdays + change
    if change or still != (application.estimated_pauses or []):
        changes.before.update(
            paused_workdays=application.paused_workdays, estimated_pauses=application.estimated_pauses
        )
        changes.after.update(paused_workdays=paused, estimated_pauses=still)
        application.paused_workdays, application.estimated_pauses = paused, still
    if application.due_on is not None and (
        application.due_on_estimated or "paused_workdays" in changes.after
    ):
        due = clock.due_date(
            clock_start=application.clock_start, paused_workdays=paused, extension_days=application.extension_days,
            cal=cal, paused_estimated=bool(still),
        )  # fmt: skip
        changes.note("due_on", "答复期限", (application.due_on, application.due_on_estimated), tuple(due))
        application.due_on, application.due_on_estimated = due
    if changes.after:
        application.save(update_fields=["paused_workdays", "estimated_pauses", "due_on", "due_on_estimated"])

    for consultation in application.consultations.filter(reply_due_on_estimated=True):
        due = clock.consultation_reply_deadline(sent_on=consultation.sent_on, cal=cal)
        changes.note(
            f"consultation:{consultation.pk}:reply_due_on", f"征求{consultation.party}意见的答复期限",
            (consultation.reply_due_on, True), tuple(due),
        )  # fmt: skip
        consultation.reply_due_on, consultation.reply_due_on_estimated = due
        consultation.save(update_fields=["reply_due_on", "reply_due_on_estimated"])

    for notice in application.fee_notices.filter(
        Q(pay_due_on_estimated=True) | Q(reply_due_on_estimated=True)
    ):
        if notice.pay_due_on_estimated:
            due = clock.fee_payment_deadline(notice_received_on=notice.issued_on, cal=cal)
            changes.note(
                f"fee_notice:{notice.pk}:pay_due_on", "缴费期限", (notice.pay_due_on, True), tuple(due)
            )
            notice.pay_due_on, notice.pay_due_on_estimated = due
        if notice.reply_due_on_estimated and notice.reply_period:
            due, notice.reply_period = clock.reply_period_due(notice.reply_period, cal=cal)
            # the limit of the fee notice letter: in the audit record, not in the case's note
            changes.note(f"fee_notice:{notice.pk}:reply_due_on", "", (notice.reply_due_on, True), tuple(due))
            notice.reply_due_on, notice.reply_due_on_estimated = due
        notice.save(update_fields=["pay_due_on", "pay_due_on_estimated", "reply_due_on", "reply_due_on_estimated",
                                   "reply_period"])  # fmt: skip

    _recompute_limits(application, cal=cal, changes=changes)

    if not changes.after:
        return False
    lines = [line for line in changes.lines if line]
    _record(
        application=application,
        by=None,
        action=AuditAction.APPLICATION_RECOMPUTE_DEADLINES,
        before=changes.before,
        after=changes.after,
        kind=EventKind.DEADLINES_RECOMPUTED,
        on=timezone.localdate(),
        basis=basis,
        note="节假日安排确认后重新计算："
        + ("；".join(lines) if lines else "相关法定期限已按确认的节假日安排重新计算"),
        data={"changes": changes.after},
    )
    return True


def _recompute_limits(application: Application, *, cal, changes: _Changes) -> None:
    """The statutory limits of the application's approvals that were estimates: an extension's (the reply
    period before the extension) and its letters' (gongkai.cases.letters.services.letter_limit)."""
    from gongkai.cases.letters.services import letter_limit

    extensions = ApprovalRequest.objects.select_for_update().filter(
        kind=ApprovalKind.EXTENSION,
        subject_type="Application",
        subject_id=application.pk,
        limit_estimated=True,
    )
    for request in extensions:
        due = clock.due_date(
            clock_start=application.clock_start, paused_workdays=application.paused_workdays, extension_days=0,
            cal=cal, paused_estimated=bool(application.estimated_pauses),
        )  # fmt: skip
        _set_limit(request, due, changes, what="延期答复须经批准并告知申请人的期限")
    letters = {letter.pk: letter for letter in Letter.objects.filter(application=application).defer("docx")}
    for request in ApprovalRequest.objects.select_for_update().filter(
        kind=ApprovalKind.LETTER, subject_type="Letter", subject_id__in=list(letters), limit_estimated=True
    ):
        letter = letters[request.subject_id]
        letter.application = application
        limit = letter_limit(letter)
        if limit.on is not None:
            _set_limit(request, Deadline(limit.on, limit.estimated), changes)


def _set_limit(request: ApprovalRequest, due: Deadline, changes: _Changes, what: str = "") -> None:
    changes.note(f"approval:{request.pk}:limit_on", what, (request.limit_on, True), tuple(due))
    request.limit_on, request.limit_estimated = due
    request.save(update_fields=["limit_on", "limit_estimated"])
