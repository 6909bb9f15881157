"""Third-party and co-producing agency consultation (Art. 32, 34): the clock stands still meanwhile."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from gongkai.agencies.permissions import require_write
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases import clock, procedure
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import ConsultationKind, EventKind, Status
from gongkai.cases.models import Application, Consultation
from gongkai.cases.procedure import Step
from gongkai.cases.services.common import (
    _change,
    _check_day,
    _due,
    _json,
    _locked,
    _record,
    _resume_changes,
    _sync,
    require_step,
)
from gongkai.errors import Code, clean_text, invalid

ANSWER_MAX = 2000

# --- consultation (Art. 32, 34) --------------------------------------------------------------------------


def application_start_consultation(
    *, application: Application, by, kind: str, party: str, on: date
) -> Consultation:
    """Send a consultation letter; the clock stops while any consultation is open (Art. 33 (3))."""
    require_write(by, application.agency)
    party = clean_text("party", party)
    if kind not in ConsultationKind.values:
        raise invalid("kind", Code.INVALID_CHOICE, "请选择征求意见的类型")
    if not party:
        raise invalid("party", Code.REQUIRED, "请填写被征求意见的第三方或机关")
    if len(party) > Consultation._meta.get_field("party").max_length:
        raise invalid("party", Code.TOO_LONG, "被征求意见方名称过长")
    _check_day(on)
    reply_due = clock.consultation_reply_deadline(sent_on=on, cal=work_calendar())
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.START_CONSULTATION, on=on)
        _check_day(on, not_before=locked.clock_start, what="计时起算日")
        if locked.paused_since is not None and on < locked.paused_since:
            raise invalid("on", Code.DATE_TOO_EARLY, "日期不能早于正在进行的征求意见的发出日期")
        consultation = Consultation.objects.create(
            application=locked, kind=kind, party=party, sent_on=on, reply_due_on=reply_due.day,
            reply_due_on_estimated=reply_due.estimated,
        )  # fmt: skip
        audit_record(
            actor=by,
            action=AuditAction.CONSULTATION_START,
            obj=consultation,
            agency=locked.agency,
            after={
                "party": party,
                "kind": kind,
                "sent_on": on.isoformat(),
                "reply_due_on": _json(reply_due.day),
                "reply_due_on_estimated": reply_due.estimated,
            },
        )
        changes = {"status": Status.CONSULTING}
        if locked.paused_since is None:
            changes.update(paused_since=on, due_on=None, due_on_estimated=False)
        before, after = _change(locked, changes)
        _record(
            application=locked,
            by=by,
            action=AuditAction.APPLICATION_START_CONSULTATION,
            before=before,
            after=after,
            kind=EventKind.CONSULTATION_STARTED,
            on=on,
            basis=procedure.event_basis(EventKind.CONSULTATION_STARTED, consultation_kind=kind),
            note=f"征求{party}意见，答复期限 {_due(*reply_due)}；征求意见所需时间不计算在答复期限内",
            data={
                "consultation": consultation.pk,
                "reply_due_on": reply_due.day.isoformat(),
                "reply_due_on_estimated": reply_due.estimated,
            },
        )
    _sync(application, locked)
    return consultation


def application_end_consultation(*, consultation: Consultation, by, on: date, answer: str) -> Consultation:
    """Record the answer (or its absence: co-agencies' silence is consent, Art. 34); the clock runs again
    when no other consultation of the application is open."""
    application = consultation.application
    require_write(by, application.agency)
    answer = clean_text("answer", answer, multiline=True, max_length=ANSWER_MAX)
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.END_CONSULTATION, on=on)
        current = (
            Consultation.objects.select_for_update().filter(pk=consultation.pk, application=locked).first()
        )
        if current is None:
            raise invalid("consultation", Code.INVALID_CHOICE, "请选择要登记答复的征求意见")
        if current.answered_on is not None:
            raise invalid("consultation", Code.ALREADY_DONE, "该征求意见已登记答复")
        _check_day(on, not_before=current.sent_on, what="征求意见发出日期")
        before_c = {"answered_on": None, "answer": current.answer}
        current.answered_on, current.answer = on, answer
        current.save(update_fields=["answered_on", "answer"])
        audit_record(
            actor=by,
            action=AuditAction.CONSULTATION_END,
            obj=current,
            agency=locked.agency,
            before=before_c,
            after={"answered_on": on.isoformat(), "answer": answer},
        )
        still_open = locked.consultations.filter(answered_on__isnull=True).exists()
        changes = {} if still_open else _resume_changes(locked, on)
        before, after = _change(locked, changes) if changes else ({}, {})
        silent = ""
        if not answer and on > current.reply_due_on:
            silent = (
                "（预计已逾期未提出意见，待节假日安排确认）"
                if current.reply_due_on_estimated
                else "（逾期未提出意见）"
            )
        _record(
            application=locked,
            by=by,
            action=AuditAction.APPLICATION_END_CONSULTATION,
            before=before,
            after=after,
            kind=EventKind.CONSULTATION_ENDED,
            on=on,
            basis=procedure.event_basis(EventKind.CONSULTATION_ENDED, consultation_kind=current.kind),
            note=f"{current.party}：{answer or '未提出意见'}{silent}",
            data={
                "consultation": current.pk,
                "resumed": not still_open,
                "due_on": _json(locked.due_on),
                "due_on_estimated": locked.due_on_estimated,
            },
        )
    _sync(consultation, current)
    _sync(application, locked)
    return consultation
