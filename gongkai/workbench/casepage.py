"""The case page of an application: its deadline box, its timeline and the actions its state allows.

Each action is a small form posted to `application_action`, which runs the matching service. Which actions
are offered follows the status (the services check it again): a page never offers what would be refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from gongkai.agencies.models import Role
from gongkai.agencies.permissions import can_write, roles_in
from gongkai.agencies.validators import mask_id_number, mask_phone
from gongkai.cases import clock, services
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, IdType, LetterKind, Status
from gongkai.portal.attachments import attachments_of
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.workbench import forms as f
from gongkai.workdays import UnconfirmedSchedule, WorkCalendar


@dataclass(frozen=True)
class Action:
    title: str
    form: type
    run: Callable
    done: str
    form_kwargs: Callable = field(default=lambda application: {})
    danger: bool = False


def _open_consultations(application):
    return list(application.consultations.filter(answered_on__isnull=True).order_by("sent_on", "id"))


def _open_fee_notices(application):
    return list(application.fee_notices.filter(paid_on__isnull=True).order_by("-issued_on", "-id"))


def _end_consultation(application, by, d):
    consultation = application.consultations.get(pk=d["consultation"])
    services.application_end_consultation(consultation=consultation, by=by, on=d["on"], answer=d["answer"])


def _record_payment(application, by, d):
    notice = application.fee_notices.get(pk=d["fee_notice"])
    services.application_record_payment(fee_notice=notice, by=by, on=d["on"])


ACTIONS: dict[str, Action] = {
    "request_correction": Action(
        "补正告知",
        f.CorrectionRequestForm,
        lambda a, by, d: services.application_request_correction(
            application=a, by=by, on=d["on"], items=d["items"], correction_due_on=d["correction_due_on"]
        ),
        "已登记补正告知，答复期限暂停计算，收到补正材料后重新计算。",
    ),
    "receive_correction": Action(
        "收到补正",
        f.CorrectionReceivedForm,
        lambda a, by, d: services.application_receive_correction(application=a, by=by, on=d["on"]),
        "已登记收到补正材料，答复期限重新计算。",
    ),
    "close_uncorrected": Action(
        "逾期未补正办结",
        f.CloseUncorrectedForm,
        lambda a, by, d: services.application_close_uncorrected(application=a, by=by, on=d["on"]),
        "已按申请人逾期未补正办结。",
        danger=True,
    ),
    "start_consultation": Action(
        "征求意见",
        f.ConsultationStartForm,
        lambda a, by, d: services.application_start_consultation(
            application=a, by=by, kind=d["kind"], party=d["party"], on=d["on"]
        ),
        "已登记征求意见，征求意见期间不计入答复期限。",
    ),
    "end_consultation": Action(
        "收到意见",
        f.ConsultationEndForm,
        _end_consultation,
        "已登记第三方意见。",
        form_kwargs=lambda a: {"consultations": _open_consultations(a)},
    ),
    "issue_fee_notice": Action(
        "收费通知",
        f.FeeNoticeForm,
        lambda a, by, d: services.application_issue_fee_notice(
            application=a, by=by, on=d["on"], scale=d["scale"], quantity=d["quantity"]
        ),
        "已登记收费通知。",
    ),
    "record_payment": Action(
        "缴费",
        f.PaymentForm,
        _record_payment,
        "已登记缴费。",
        form_kwargs=lambda a: {"fee_notices": _open_fee_notices(a)},
    ),
    "close_unpaid": Action(
        "逾期未缴费办结",
        f.CloseUnpaidForm,
        lambda a, by, d: services.application_close_unpaid(application=a, by=by, on=d["on"]),
        "已按申请人逾期未缴费办结。",
        danger=True,
    ),
    "extend": Action(
        "延期答复",
        f.ExtendForm,
        lambda a, by, d: services.application_extend(
            application=a, by=by, on=d["on"], days=d["days"], reason=d["reason"]
        ),
        "已延长答复期限。",
    ),
    "reply": Action(
        "答复",
        f.ReplyForm,
        lambda a, by, d: services.application_reply(
            application=a, by=by, on=d["on"], outcome=d["outcome"], note=d["note"]
        ),
        "已作出答复，申请已办结。请生成并出具答复告知书。",
    ),
}


def allowed_actions(application, events, *, writable: bool, head: bool, today: datetime.date) -> list[str]:
    """The actions of the case's state, in the order of the procedure (补正, 征求意见, 收费, 延期, 答复).
    The closing steps for a missed deadline appear once that deadline has passed."""
    if not writable:
        return []
    status = application.status
    corrected_before = any(e.kind == EventKind.CORRECTION_REQUESTED for e in events)
    extend = ["extend"] if head and not application.extension_days else []
    if status == Status.RECEIVED:
        names = [] if corrected_before else ["request_correction"]
        return [*names, "start_consultation", "issue_fee_notice", *extend, "reply"]
    if status == Status.AWAITING_CORRECTION:
        due = application.correction_due_on
        return ["receive_correction"] + (["close_uncorrected"] if due is None or today > due else [])
    if status == Status.CONSULTING:
        return ["end_consultation", "start_consultation", *extend]
    if status == Status.AWAITING_FEE:
        notices = _open_fee_notices(application)
        overdue = bool(notices) and today > notices[0].pay_due_on
        return ["record_payment"] + (["close_unpaid"] if overdue else []) + extend
    return []


def workdays_left(application, today: datetime.date, calendar: WorkCalendar) -> int | None:
    """Working days from today to the due date (negative: overdue by that many); None when unknown."""
    if application.due_on is None:
        return None
    try:
        return calendar.between(today, application.due_on)
    except UnconfirmedSchedule:
        return None


def deadline(application, today: datetime.date, calendar: WorkCalendar) -> dict:
    """What the deadline box says: state, due date, working days left, pause, unconfirmed schedule."""
    box: dict = {"state": "running", "due_on": application.due_on, "unconfirmed": []}
    if application.status == Status.CONCLUDED:
        box["state"] = "concluded"
        box["concluded_on"] = application.concluded_on
        due = application.due_on
        box["late"] = bool(due and application.concluded_on and application.concluded_on > due)
        return box
    if application.status == Status.AWAITING_CORRECTION:
        box["state"] = "correction"
        box["correction_due_on"] = application.correction_due_on
        return box
    if application.paused_since is not None:
        box["state"] = "paused"
        box["paused_since"] = application.paused_since
        try:
            box["if_resumed_today"] = clock.due_date_if_resumed(
                application.clock_start,
                application.paused_workdays,
                application.paused_since,
                application.extension_days,
                max(today, application.paused_since),
                calendar,
            )
        except UnconfirmedSchedule as exc:
            box["unconfirmed"] = [exc.year]
        return box
    if application.due_on is None:
        box["state"] = "unknown"
        box["unconfirmed"] = [today.year]
        return box
    try:
        box["left"] = calendar.between(today, application.due_on)
        box["unconfirmed"] = calendar.unconfirmed_years(application.clock_start, application.due_on)
    except UnconfirmedSchedule as exc:
        box["left"] = None
        box["unconfirmed"] = [exc.year]
    if application.due_on < today:
        box["state"] = "overdue"
        box["overdue_days"] = -box["left"] if box.get("left") is not None else None
    return box


def context(request, application, *, bound: dict | None = None) -> dict:
    today = timezone.localdate()
    user = request.user
    writable = can_write(user, application.agency)
    roles = roles_in(user, application.agency)
    head = Role.HEAD in roles
    events = list(application.events.select_related("by").order_by("on", "id"))
    names = allowed_actions(application, events, writable=writable, head=head, today=today)
    bound = bound or {}
    actions = []
    for name in names:
        spec = ACTIONS[name]
        form = bound.get(name) or spec.form(prefix=name, **spec.form_kwargs(application))
        actions.append(
            {"name": name, "title": spec.title, "form": form, "open": name in bound, "danger": spec.danger}
        )
    # a form posted for an action the state no longer offers still shows its errors
    stale = {name: form for name, form in bound.items() if name not in names}
    letters = list(application.letters.order_by("created_at", "id").defer("docx"))
    outcome = OUTCOMES_BY_CODE.get(application.outcome)
    id_number, phone = application.id_number, application.phone
    if not writable:  # full identity only for the agency's own staff
        if application.id_type != IdType.CREDIT_CODE:
            id_number = mask_id_number(id_number)
        phone = mask_phone(phone)
    letter_kinds = _letter_kinds(application, events)
    letter_form = f.LetterDraftForm(initial={"kind": letter_kinds[0]})
    letter_form.fields["kind"].choices = [(k.value, k.label) for k in letter_kinds]
    return {
        "nav": "applications",
        "application": application,
        "events": events,
        "deadline": deadline(application, today, work_calendar()),
        "actions": actions,
        "stale_forms": stale,
        "writable": writable,
        "roles": sorted(Role(r).label for r in roles),
        "head": head,
        "letters": letters,
        "letter_form": letter_form,
        "outcome": outcome,
        "shown_id": id_number,
        "shown_phone": phone,
        "attachments": attachments_of(application=application),
        "today": today,
    }


def _letter_kinds(application, events) -> list[str]:
    """The letters that fit the case so far, the most likely next one first."""
    kinds = {e.kind for e in events}
    out = []
    if application.status == Status.CONCLUDED and application.outcome:
        out.append(LetterKind.REPLY)
    if EventKind.CORRECTION_REQUESTED in kinds:
        out.append(LetterKind.CORRECTION)
    if EventKind.EXTENDED in kinds:
        out.append(LetterKind.EXTENSION)
    if EventKind.FEE_NOTICE in kinds:
        out.append(LetterKind.FEE)
    if EventKind.CONSULTATION_STARTED in kinds:
        out.append(LetterKind.CONSULTATION)
    out.append(LetterKind.RECEIPT)
    return out
