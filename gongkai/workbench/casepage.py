"""The case page of an application: its deadline box, its timeline, its letters and approvals, and the steps
its state allows.

Each step is a small form posted to `application_action`, which runs the matching service. Which steps are
offered is gongkai.cases.procedure.available_steps (the services ask the same table): a page never offers
what would be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from gongkai.agencies.models import Role
from gongkai.agencies.permissions import can_write, roles_in
from gongkai.approvals.models import Kind as ApprovalKind
from gongkai.approvals.models import RequestStatus
from gongkai.approvals.selectors import approvals_of
from gongkai.cases import procedure, services
from gongkai.cases.applicant import Surface, shown_identity
from gongkai.cases.attachments import attachments_of
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, LetterKind, LetterStatus
from gongkai.cases.procedure import STEP_TITLES, Step
from gongkai.cases.selectors import application_facts
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.workbench import forms as f
from gongkai.workbench.views.approvals import can_decide


@dataclass(frozen=True)
class Action:
    form: type
    run: Callable
    done: str
    form_kwargs: Callable = field(default=lambda application: {})
    danger: bool = False


def _end_consultation(application, by, d):
    consultation = application.consultations.get(pk=d["consultation"])
    services.application_end_consultation(consultation=consultation, by=by, on=d["on"], answer=d["answer"])


def _record_payment(application, by, d):
    notice = application.fee_notices.get(pk=d["fee_notice"])
    services.application_record_payment(fee_notice=notice, by=by, on=d["on"])


def _prepare_reply(application, by, d):
    return services.application_prepare_reply(
        application=application, by=by, outcome=d["outcome"], note=d["note"]
    )


ACTIONS: dict[Step, Action] = {
    Step.REQUEST_CORRECTION: Action(
        f.CorrectionRequestForm,
        lambda a, by, d: services.application_request_correction(
            application=a, by=by, on=d["on"], items=d["items"], correction_due_on=d["correction_due_on"]
        ),
        "已登记补正告知，答复期限暂停计算，收到补正材料后重新计算。请生成并出具补正告知书。",
    ),
    Step.RECEIVE_CORRECTION: Action(
        f.CorrectionReceivedForm,
        lambda a, by, d: services.application_receive_correction(application=a, by=by, on=d["on"]),
        "已登记收到补正材料，答复期限重新计算。",
    ),
    Step.CLOSE_UNCORRECTED: Action(
        f.CloseUncorrectedForm,
        lambda a, by, d: services.application_close_uncorrected(
            application=a, by=by, on=d["on"], past_year_reason=d["past_year_reason"]
        ),
        "已按申请人逾期未补正办结。",
        danger=True,
    ),
    Step.START_CONSULTATION: Action(
        f.ConsultationStartForm,
        lambda a, by, d: services.application_start_consultation(
            application=a, by=by, kind=d["kind"], party=d["party"], on=d["on"]
        ),
        "已登记征求意见，征求意见期间不计入答复期限。",
    ),
    Step.END_CONSULTATION: Action(
        f.ConsultationEndForm,
        _end_consultation,
        "已登记第三方意见。",
        form_kwargs=lambda a: {"consultations": procedure.open_consultations(a.consultations.all())},
    ),
    Step.ISSUE_FEE_NOTICE: Action(
        f.FeeNoticeForm,
        lambda a, by, d: services.application_issue_fee_notice(
            application=a, by=by, on=d["on"], scale=d["scale"], quantity=d["quantity"]
        ),
        "已登记收费通知。请生成并出具收费通知书。",
    ),
    Step.RECORD_PAYMENT: Action(
        f.PaymentForm,
        _record_payment,
        "已登记缴费。",
        form_kwargs=lambda a: {"fee_notices": procedure.open_fee_notices(a.fee_notices.all())},
    ),
    Step.CLOSE_UNPAID: Action(
        f.CloseUnpaidForm,
        lambda a, by, d: services.application_close_unpaid(
            application=a, by=by, on=d["on"], past_year_reason=d["past_year_reason"]
        ),
        "已按申请人逾期未缴费办结。",
        danger=True,
    ),
    Step.REQUEST_EXTENSION: Action(
        f.ExtensionRequestForm,
        lambda a, by, d: services.application_request_extension(
            application=a, by=by, on=d["on"], days=d["days"], reason=d["reason"]
        ),
        "已提请延期答复。负责人同意后答复期限延长，并生成延期答复告知书。",
    ),
    Step.PREPARE_REPLY: Action(
        f.PrepareReplyForm,
        _prepare_reply,
        "已生成答复告知书草稿。请填写【】中的内容，送审核、签发后出具；出具后申请办结。",
    ),
}


def context(request, application, *, bound: dict | None = None) -> dict:
    today = timezone.localdate()
    user = request.user
    writable = can_write(user, application.agency)
    roles = roles_in(user, application.agency)
    events = list(application.events.select_related("by").order_by("on", "id"))
    facts = application_facts(application, events=events)
    steps = procedure.available_steps(facts, today=today) if writable else []
    bound = bound or {}
    actions = []
    for step in steps:
        spec = ACTIONS[step]
        form = bound.get(step) or spec.form(prefix=step, **spec.form_kwargs(application))
        actions.append(
            {"name": step.value, "title": STEP_TITLES[step][0], "form": form, "open": step in bound,
             "danger": spec.danger}
        )  # fmt: skip
    # a form posted for a step the state no longer offers still shows its errors
    stale = {name: form for name, form in bound.items() if name not in steps}
    letters = list(application.letters.order_by("created_at", "id").defer("docx"))
    shown = shown_identity(
        id_type=application.id_type, id_number=application.id_number, phone=application.phone,
        surface=Surface.CASE_PAGE, staff=writable,
    )  # fmt: skip
    letter_kinds = _letter_kinds(application, events)
    letter_form = f.LetterDraftForm(initial={"kind": letter_kinds[0]})
    letter_form.fields["kind"].choices = [(k.value, k.label) for k in letter_kinds]
    extensions = [r for r in approvals_of(subject=application) if r.kind == ApprovalKind.EXTENSION]
    decidable = {r.pk for r in extensions if r.status == RequestStatus.PENDING and can_decide(user, r)}
    return {
        "nav": "applications",
        "application": application,
        "events": events,
        "deadline": procedure.deadline_box(facts, today=today, cal=work_calendar()),
        "estimate_note": procedure.ESTIMATE_NOTE,
        "estimate_method": procedure.ESTIMATE_METHOD,
        "actions": actions,
        "stale_forms": stale,
        "writable": writable,
        "roles": sorted(Role(r).label for r in roles),
        "head": Role.HEAD in roles,
        "letters": letters,
        "open_letters": [
            x
            for x in letters
            if x.status in (LetterStatus.DRAFT, LetterStatus.PENDING, LetterStatus.APPROVED)
        ],
        "letter_form": letter_form,
        "outcome": OUTCOMES_BY_CODE.get(application.outcome),
        "shown_id": shown.id_number,
        "shown_phone": shown.phone,
        "attachments": attachments_of(application=application),
        "extensions": extensions,
        "decidable": decidable,
        "decision_form": f.ApprovalDecisionForm(),
        "today": today,
    }


def _letter_kinds(application, events) -> list[str]:
    """The letters that fit the case so far, the most likely next one first (a 答复告知书 comes from the
    reply step, with its outcome)."""
    kinds = {e.kind for e in events}
    out = []
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
