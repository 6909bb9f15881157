"""Approvals (gongkai.approvals): the steps of a letter (审核 → 签发) and of an extension (负责人), per-agency
policies, taking a step at once, who may decide, refusal and withdrawal, statutory limits (late, hard), the
queue 待我审批 and its queries, the audit trail, and the workbench pages that decide."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.agencies.services import agency_create
from gongkai.approvals.models import ApprovalDecision, ApprovalPolicy, ApprovalRequest, Kind
from gongkai.approvals.selectors import approvals_awaiting, approvals_of, pending_request
from gongkai.approvals.services import (
    DEFAULT_STEPS,
    MAX_STEPS,
    approval_decide,
    approval_withdraw,
    check_steps,
    policy_set,
    policy_steps,
)
from gongkai.audit.models import AuditEvent
from gongkai.cases import letters, services
from gongkai.cases.enums import EventKind, LetterStatus
from gongkai.cases.models import Application
from gongkai.errors import first_code
from tests import factories
from tests.conftest import TODAY
from tests.factories import PASSWORD, TWO_LEVELS, fill_placeholders, set_letter_levels

pytestmark = pytest.mark.django_db

D = date
REVIEW = {"name": "review", "role": "reviewer"}
SIGN = {"name": "sign", "role": "head"}
APPROVE = {"name": "approve", "role": "head"}
# the 2020 application of the `register` fixture: received 2020-09-28, reply due 2020-11-02
DUE_2020 = D(2020, 11, 2)
ASKED_2020 = D(2020, 10, 29)
# the reply of the `application` fixture (received on TODAY) is due on this day
DUE_TODAY_CASE = D(2026, 12, 25)


# --- helpers and fixtures of this module -------------------------------------------------------------------


@pytest.fixture
def two_levels(tree):
    set_letter_levels(tree["a"], TWO_LEVELS)


@pytest.fixture
def head_b(tree):
    return factories.make_user("head_b", tree["b"], "head")


@pytest.fixture
def reviewer_b(tree):
    return factories.make_user("reviewer_b", tree["b"], "reviewer")


def receipt(application, by):
    return letters.letter_draft(application=application, by=by, kind="receipt")


def reply_letter(application, by):
    letter = services.application_prepare_reply(application=application, by=by, outcome="granted")
    return fill_placeholders(letter, by)


def submit(letter, by, on=TODAY) -> ApprovalRequest:
    letters.letter_submit(letter=letter, by=by, on=on)
    return ApprovalRequest.objects.filter(subject_type="Letter", subject_id=letter.pk).latest("id")


def ask_extension(application, by, on=ASKED_2020, days=10, reason="需调档核查") -> ApprovalRequest:
    return services.application_request_extension(
        application=application, by=by, on=on, days=days, reason=reason
    )


def audit_of(request: ApprovalRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="ApprovalRequest", object_id=str(request.pk)).order_by("id")
    )


def state(obj) -> tuple:
    obj.refresh_from_db()
    return (obj.status, getattr(obj, "step", None))


def queue(user, today=TODAY, **kwargs) -> list[ApprovalRequest]:
    return [item.request for item in approvals_awaiting(user=user, today=today, **kwargs)]


# --- steps and policies ---------------------------------------------------------------------------------


def test_default_steps_of_an_agency_without_a_policy(tree):
    agency = agency_create(name="中卫市沙坡头区民政局", parent=tree["region"], letter_code="沙民信公开")
    assert not ApprovalPolicy.objects.filter(agency=agency).exists()
    assert policy_steps(agency=agency, kind=Kind.LETTER) == [REVIEW, SIGN]
    assert policy_steps(agency=agency, kind=Kind.EXTENSION) == [APPROVE]
    assert [dict(s) for s in DEFAULT_STEPS[Kind.LETTER]] == [REVIEW, SIGN]


def test_a_letter_of_an_agency_without_a_policy_goes_through_review_and_sign(tree, make_user):
    agency = agency_create(name="中卫市沙坡头区民政局", parent=tree["region"], letter_code="沙民信公开")
    clerk = make_user("clerk_m", agency, "clerk")
    application = services.application_register(
        agency=agency, by=clerk, applicant=factories.applicant(7),
        channel="letter", received_on=TODAY,
    )  # fmt: skip
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    assert request.steps == [REVIEW, SIGN] and (request.status, request.step) == ("pending", 0)
    assert request.current_label == "审核" and request.current_role_label == "审核人"
    assert state(letter)[0] == LetterStatus.PENDING


def test_the_policy_is_per_agency_and_set_again_in_place(tree):
    with transaction.atomic():
        policy_set(agency=tree["a"], kind=Kind.LETTER, steps=[SIGN], by=None)
        policy_set(agency=tree["a"], kind=Kind.EXTENSION, steps=[REVIEW, APPROVE], by=None)
    assert policy_steps(agency=tree["a"], kind=Kind.LETTER) == [SIGN]
    assert policy_steps(agency=tree["a"], kind=Kind.EXTENSION) == [REVIEW, APPROVE]
    assert policy_steps(agency=tree["b"], kind=Kind.LETTER) == []  # b's own (zero levels, make_tree)
    assert policy_steps(agency=tree["b"], kind=Kind.EXTENSION) == [APPROVE]  # b keeps the default
    set_letter_levels(tree["a"], TWO_LEVELS)
    assert ApprovalPolicy.objects.filter(agency=tree["a"], kind=Kind.LETTER).count() == 1
    assert policy_steps(agency=tree["a"], kind=Kind.LETTER) == [REVIEW, SIGN]


@pytest.mark.parametrize(
    ("kind", "steps", "words"),
    [
        (Kind.LETTER, [REVIEW, REVIEW, SIGN, SIGN], f"最多{MAX_STEPS}个"),
        (Kind.LETTER, [{"name": "stamp", "role": "head"}], "设置有误"),
        (Kind.LETTER, [{"name": "sign", "role": "director"}], "设置有误"),
        (Kind.LETTER, [{"name": "sign"}], "设置有误"),
        (Kind.LETTER, [{"role": "head"}], "设置有误"),
        (Kind.LETTER, [{"name": "review", "role": "supervisor"}], "上级督查"),
        (Kind.EXTENSION, [], "负责人"),
        (Kind.EXTENSION, [{"name": "approve", "role": "reviewer"}], "负责人"),
        (Kind.EXTENSION, [APPROVE, REVIEW], "负责人"),
    ],
)
def test_check_steps_refuses(kind, steps, words):
    with pytest.raises(ValidationError) as caught:
        check_steps(kind, steps)
    assert words in caught.value.message_dict["steps"][0]


def test_check_steps_accepts_and_normalises():
    assert check_steps(Kind.LETTER, []) == []
    assert check_steps(Kind.LETTER, [REVIEW, SIGN, {"name": "approve", "role": "admin"}])[2] == {
        "name": "approve",
        "role": "admin",
    }
    assert check_steps(Kind.EXTENSION, [{**REVIEW, "note": "dropped"}, APPROVE]) == [REVIEW, APPROVE]


def test_an_invalid_policy_is_not_saved(tree):
    with pytest.raises(ValidationError):
        set_letter_levels(tree["a"], [REVIEW, {"name": "sign", "role": "supervisor"}])
    assert policy_steps(agency=tree["a"], kind=Kind.LETTER) == []


def test_a_running_request_keeps_the_steps_it_was_opened_with(
    two_levels, tree, application, clerk, reviewer, head
):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    set_letter_levels(tree["a"], [])  # the agency drops its levels while the letter waits
    approval_decide(request=request, by=reviewer, approved=True, on=TODAY)
    assert state(request) == ("pending", 1)  # the 签发 of the snapshot is still due
    approval_decide(request=request, by=head, approved=True, on=TODAY)
    assert state(request) == ("approved", 2) and state(letter)[0] == LetterStatus.APPROVED


# --- zero steps: approved on the spot, still audited ------------------------------------------------------


def test_zero_steps_approve_on_the_spot_and_audit_it(application, clerk):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    assert (request.steps, request.status, request.step) == ([], "approved", 0)
    assert request.closed_at is not None and not request.decisions.exists()
    assert state(letter)[0] == LetterStatus.APPROVED
    opened, approved = audit_of(request)
    assert (opened.action, approved.action) == ("approval.request", "approval.approve")
    assert opened.actor == approved.actor == clerk and opened.agency == application.agency
    assert opened.after["steps"] == [] and opened.after["subject"] == f"Letter:{letter.pk}"
    assert approved.before == {"status": "pending", "step": 0}
    assert approved.after == {"status": "approved", "step": 0, "direct": True}
    letter = letters.letter_issue(letter=letter, by=clerk, on=TODAY)
    assert letter.status == LetterStatus.ISSUED and letter.number == "沙科信公开〔2026〕1号"


def test_zero_steps_issue_straight_from_the_draft(application, clerk):
    letter = letters.letter_issue(letter=receipt(application, clerk), by=clerk, on=TODAY)
    assert letter.status == LetterStatus.ISSUED
    (request,) = approvals_of(subject=letter)
    assert [e.action for e in audit_of(request)] == ["approval.request", "approval.approve"]
    assert audit_of(request)[-1].after["direct"] is True


def test_with_levels_issuing_a_draft_opens_nothing(two_levels, application, clerk):
    letter = receipt(application, clerk)
    with pytest.raises(ValidationError) as caught:
        letters.letter_issue(letter=letter, by=clerk, on=TODAY)
    assert first_code(caught.value) == "approval_required"
    assert state(letter)[0] == LetterStatus.DRAFT and letter.number == ""
    assert not ApprovalRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ApprovalRequest").exists()


# --- a step the requester holds ---------------------------------------------------------------------------


def test_a_head_asking_for_an_extension_approves_it_at_once(register, head):
    application = register()
    request = ask_extension(application, head)
    assert (request.status, request.step) == ("approved", 1)
    (decision,) = request.decisions.all()
    assert (decision.by, decision.name, decision.role, decision.approved, decision.late) == (
        head, "approve", "head", True, False,
    )  # fmt: skip
    assert [e.action for e in audit_of(request)] == ["approval.request", "approval.approve"]
    assert audit_of(request)[-1].after["direct"] is False
    application.refresh_from_db()
    assert (application.extension_days, application.due_on) == (10, D(2020, 11, 16))


def test_a_head_signs_their_own_letter_at_once(tree, application, head):
    set_letter_levels(tree["a"], [SIGN])
    letter = receipt(application, head)
    request = submit(letter, head)
    assert request.status == "approved" and state(letter)[0] == LetterStatus.APPROVED
    assert [(d.name, d.by) for d in request.decisions.all()] == [("sign", head)]


def test_a_review_is_never_taken_by_its_requester(two_levels, tree, application, reviewer, head):
    all_roles = factories.make_user("all_roles", tree["a"], "clerk", "reviewer", "head")
    letter = receipt(application, all_roles)
    request = submit(letter, all_roles)
    assert (request.status, request.step) == ("pending", 0)  # not even the 签发 behind it
    assert not request.decisions.exists()
    assert queue(all_roles) == []  # the queue does not offer the review to its requester
    with pytest.raises(PermissionDenied, match="提请人以外"):
        approval_decide(request=request, by=all_roles, approved=True, on=TODAY)
    assert queue(reviewer) == [request]
    approval_decide(request=request, by=reviewer, approved=True, on=TODAY)
    # the 签发 is the requester's own role now: offered to them (and to the other head)
    assert queue(all_roles) == [request] and queue(head) == [request]
    approval_decide(request=request, by=all_roles, approved=True, on=TODAY)
    assert state(request) == ("approved", 2)
    assert [(d.name, d.by.username) for d in request.decisions.all()] == [
        ("review", "reviewer_a"),
        ("sign", "all_roles"),
    ]


def test_a_reviewer_requester_skips_nothing(two_levels, tree, application, reviewer):
    """A reviewer who drafts a letter still needs another reviewer: the first step is a 审核."""
    letter = receipt(application, reviewer)
    request = submit(letter, reviewer)
    assert (request.status, request.step) == ("pending", 0)
    other = factories.make_user("reviewer_2", tree["a"], "reviewer")
    approval_decide(request=request, by=other, approved=True, on=TODAY)
    assert state(request) == ("pending", 1)


# --- who may decide ---------------------------------------------------------------------------------------


def test_only_the_role_holder_of_the_current_step_decides(
    two_levels, tree, application, clerk, reviewer, head, admin_a, supervisor, head_b, reviewer_b
):
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    request = submit(receipt(application, clerk), clerk)
    audit_count = AuditEvent.objects.count()
    for outsider in (clerk, head, admin_a, supervisor, reviewer_b, head_b, root):
        with pytest.raises(PermissionDenied):
            approval_decide(request=request, by=outsider, approved=True, on=TODAY)
        with pytest.raises(PermissionDenied):
            approval_decide(request=request, by=outsider, approved=False, comment="不同意", on=TODAY)
    assert state(request) == ("pending", 0) and not request.decisions.exists()
    approval_decide(request=request, by=reviewer, approved=True, on=TODAY)
    for outsider in (clerk, reviewer, admin_a, supervisor, reviewer_b, head_b, root):
        with pytest.raises(PermissionDenied, match="签发须由负责人办理"):
            approval_decide(request=request, by=outsider, approved=True, on=TODAY)
    assert state(request) == ("pending", 1) and request.decisions.count() == 1
    head.is_active = False
    head.save()
    with pytest.raises(PermissionDenied):
        approval_decide(request=request, by=head, approved=True, on=TODAY)
    head.is_active = True
    head.save()
    approval_decide(request=request, by=head, approved=True, on=TODAY)
    assert state(request) == ("approved", 2)
    assert AuditEvent.objects.filter(object_type="ApprovalRequest").count() == 1 + 2
    assert AuditEvent.objects.count() - audit_count == 2 + 1  # two decisions + the letter's status


def test_an_extension_is_decided_by_its_own_agency_head_only(
    register, clerk, reviewer, supervisor, head_b, head
):
    application = register()
    request = ask_extension(application, clerk)
    for outsider in (clerk, reviewer, supervisor, head_b):
        with pytest.raises(PermissionDenied):
            approval_decide(request=request, by=outsider, approved=True, on=D(2020, 10, 30))
    application.refresh_from_db()
    assert application.extension_days == 0
    approval_decide(request=request, by=head, approved=True, on=D(2020, 10, 30))
    application.refresh_from_db()
    assert application.extension_days == 10


def test_a_closed_request_is_not_decided_again(application, clerk, head):
    request = submit(receipt(application, clerk), clerk)  # zero levels: approved at once
    with pytest.raises(ValidationError) as caught:
        approval_decide(request=request, by=head, approved=True, on=TODAY)
    assert first_code(caught.value) == "already_done" and "已同意" in caught.value.messages[0]


# --- refusal --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_a_refusal_needs_a_comment(two_levels, application, clerk, reviewer, comment):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    with pytest.raises(ValidationError) as caught:
        approval_decide(request=request, by=reviewer, approved=False, comment=comment, on=TODAY)
    assert caught.value.message_dict["comment"] == ["不同意的，请写明理由"]
    assert state(request) == ("pending", 0) and state(letter)[0] == LetterStatus.PENDING
    assert not request.decisions.exists() and len(audit_of(request)) == 1


@pytest.mark.parametrize("refuser", ["reviewer", "head"])
def test_a_refused_letter_returns_to_its_draft(two_levels, application, clerk, reviewer, head, refuser):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    if refuser == "head":
        approval_decide(request=request, by=reviewer, approved=True, on=TODAY)
    by = {"reviewer": reviewer, "head": head}[refuser]
    approval_decide(request=request, by=by, approved=False, comment="  联系电话有误  ", on=TODAY)
    request.refresh_from_db()
    assert request.status == "refused" and request.closed_at is not None and request.current is None
    decision = request.decisions.latest("id")
    assert (decision.approved, decision.comment, decision.by) == (False, "联系电话有误", by)
    refused = audit_of(request)[-1]
    assert refused.action == "approval.refuse" and refused.actor == by
    assert refused.after == {
        "status": "refused",
        "step": request.step,
        "comment": "联系电话有误",
        "late": False,
    }
    assert state(letter)[0] == LetterStatus.DRAFT
    letter_audit = AuditEvent.objects.filter(object_type="Letter", object_id=str(letter.pk)).latest("id")
    assert (letter_audit.before["status"], letter_audit.after["status"]) == ("pending", "draft")
    # the clerk corrects the draft and sends it again: a new request
    letter = letters.letter_update(letter=letter, by=clerk, title=letter.title, body=letter.body + "\n补充。")
    again = submit(letter, clerk)
    assert again.pk != request.pk and (again.status, again.step) == ("pending", 0)


def test_a_refused_extension_records_the_refusal_on_the_case(register, clerk, head):
    application = register()
    request = ask_extension(application, clerk)
    approval_decide(request=request, by=head, approved=False, comment="可以按期答复", on=D(2020, 10, 30))
    assert state(request)[0] == "refused"
    application.refresh_from_db()
    assert (application.extension_days, application.due_on) == (0, DUE_2020)
    event = application.events.get(kind=EventKind.EXTENSION_REFUSED)
    assert event.by == head and event.on == D(2020, 10, 30) and "可以按期答复" in event.note
    assert event.data == {"approval": request.pk}
    assert not application.letters.filter(kind="extension").exists()
    assert [e.action for e in audit_of(request)] == ["approval.request", "approval.refuse"]
    case_audit = AuditEvent.objects.filter(object_type="Application", action="application.request_extension")
    assert case_audit.latest("id").after == {"refused": True, "comment": "可以按期答复"}


# --- withdrawal -----------------------------------------------------------------------------------------


def test_withdrawing_a_letter(two_levels, application, clerk, reviewer, head, clerk_b, supervisor):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    for outsider in (clerk_b, supervisor):
        with pytest.raises(PermissionDenied):
            letters.letter_withdraw(letter=letter, by=outsider)
    assert state(request) == ("pending", 0)
    letters.letter_withdraw(letter=letter, by=clerk)
    request.refresh_from_db()
    assert request.status == "withdrawn" and request.closed_at is not None
    assert state(letter)[0] == LetterStatus.DRAFT
    withdrawn = audit_of(request)[-1]
    assert withdrawn.action == "approval.withdraw" and withdrawn.actor == clerk
    assert (withdrawn.before, withdrawn.after) == (
        {"status": "pending", "step": 0},
        {"status": "withdrawn", "step": 0},
    )
    assert queue(reviewer) == [] and pending_request(subject=letter) is None
    with pytest.raises(ValidationError) as caught:
        approval_withdraw(request=request, by=clerk)
    assert first_code(caught.value) == "already_done"
    with pytest.raises(ValidationError):
        approval_decide(request=request, by=reviewer, approved=True, on=TODAY)
    with pytest.raises(ValidationError, match="不在审批中"):
        letters.letter_withdraw(letter=letter, by=clerk)


def test_withdrawing_an_extension_changes_nothing_on_the_case(register, clerk, head):
    application = register()
    request = ask_extension(application, clerk)
    approval_withdraw(request=request, by=clerk)
    assert state(request)[0] == "withdrawn"
    application.refresh_from_db()
    assert (application.extension_days, application.due_on) == (0, DUE_2020)
    assert queue(head) == []
    again = ask_extension(application, clerk, days=5)  # a new request may be made
    assert again.status == "pending"


# --- statutory limits -----------------------------------------------------------------------------------


def test_soft_limit_decisions_after_it_are_recorded_late(two_levels, application, clerk, reviewer, head):
    letter = reply_letter(application, clerk)
    request = submit(letter, clerk)
    assert (request.limit_on, request.limit_hard) == (DUE_TODAY_CASE, False)
    assert "答复期限" in request.limit_text
    approval_decide(request=request, by=reviewer, approved=True, on=DUE_TODAY_CASE)  # on the day: in time
    approval_decide(request=request, by=head, approved=True, comment="同意出具", on=D(2026, 12, 28))
    assert state(request) == ("approved", 2) and state(letter)[0] == LetterStatus.APPROVED
    assert [(d.name, d.late) for d in request.decisions.all()] == [("review", False), ("sign", True)]
    reviewed, signed = audit_of(request)[1:]
    assert reviewed.after == {"status": "pending", "step": 1, "comment": "", "late": False}
    assert signed.after["status"] == "approved"
    # the final decision's own comment and lateness are in the audit trail as well
    assert (signed.after["comment"], signed.after["late"]) == ("同意出具", True)


def test_a_late_refusal_is_recorded_late(two_levels, application, clerk, reviewer):
    request = submit(reply_letter(application, clerk), clerk)
    approval_decide(request=request, by=reviewer, approved=False, comment="重写", on=D(2026, 12, 28))
    assert request.decisions.get().late is True
    assert audit_of(request)[-1].after["late"] is True


def test_hard_limit_refuses_an_approval_after_it(register, clerk, head):
    application = register()
    request = ask_extension(application, clerk)
    assert (request.limit_on, request.limit_hard) == (DUE_2020, True)
    with pytest.raises(ValidationError) as caught:
        approval_decide(request=request, by=head, approved=True, on=D(2020, 11, 3))
    assert first_code(caught.value) == "approval_limit_passed"
    assert "2020年11月2日" in caught.value.messages[0] and "不能再批准" in caught.value.messages[0]
    assert state(request) == ("pending", 0) and not request.decisions.exists()
    application.refresh_from_db()
    assert application.extension_days == 0 and len(audit_of(request)) == 1
    # refusing is still possible, and recorded as late
    approval_decide(request=request, by=head, approved=False, comment="已逾期", on=D(2020, 11, 3))
    assert request.decisions.get().late is True


def test_hard_limit_allows_the_limit_day_itself(register, clerk, head):
    application = register()
    request = ask_extension(application, clerk)
    approval_decide(request=request, by=head, approved=True, on=DUE_2020)
    assert state(request)[0] == "approved" and request.decisions.get().late is False
    application.refresh_from_db()
    assert application.due_on == D(2020, 11, 16)


# --- the queue ------------------------------------------------------------------------------------------


@pytest.fixture
def scene(tree, two_levels, register, application, clerk, reviewer, head, clerk_b, reviewer_b):
    """Agency a: a receipt at 审核, a reply at 签发, an extension for the 负责人; agency b: a receipt at 审核."""
    set_letter_levels(tree["b"], TWO_LEVELS)
    at_review = submit(receipt(application, clerk), clerk)
    at_sign = submit(reply_letter(application, clerk), clerk)
    approval_decide(request=at_sign, by=reviewer, approved=True, on=TODAY)
    extension = ask_extension(register(serial=2), clerk)
    other = submit(receipt(factories.register(tree["b"], clerk_b, 3), clerk_b), clerk_b)
    return {"review": at_review, "sign": at_sign, "extension": extension, "b": other}


def test_the_queue_lists_only_what_the_user_may_decide_now(
    scene, clerk, reviewer, head, admin_a, supervisor, reviewer_b, head_b
):
    assert queue(reviewer) == [scene["review"]]
    assert queue(head) == [scene["extension"], scene["sign"]]  # the earliest limit first
    assert queue(reviewer_b) == [scene["b"]]
    for nobody in (clerk, admin_a, supervisor, head_b):
        assert queue(nobody) == []
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    assert queue(root) == []  # a superuser acts through memberships only
    assert approvals_awaiting(user=None, today=TODAY) == []
    reviewer.is_active = False
    reviewer.save()
    assert queue(reviewer) == []


def test_the_queue_flags_late_and_blocked(scene, head):
    items = {item.request.pk: item for item in approvals_awaiting(user=head, today=TODAY)}
    extension, sign = items[scene["extension"].pk], items[scene["sign"].pk]
    assert (extension.late, extension.blocked) == (True, True)  # past 2020-11-02, and a hard limit
    assert (sign.late, sign.blocked) == (False, False)
    late = {i.request.pk: i for i in approvals_awaiting(user=head, today=D(2026, 12, 28))}
    assert (late[scene["sign"].pk].late, late[scene["sign"].pk].blocked) == (True, False)  # soft: flagged
    early = {i.request.pk: i for i in approvals_awaiting(user=head, today=D(2020, 10, 30))}
    assert (early[scene["extension"].pk].late, early[scene["extension"].pk].blocked) == (False, False)


def test_the_queue_links_to_the_subject(scene, head, application):
    items = {item.request.pk: item for item in approvals_awaiting(user=head, today=TODAY)}
    letter_id = scene["sign"].subject_id
    assert items[scene["sign"].pk].url == reverse("workbench:letter_edit", args=[application.pk, letter_id])
    assert items[scene["extension"].pk].url == reverse(
        "workbench:application_detail", args=[scene["extension"].subject_id]
    )
    # a request opened before its payload named the application still links right (one query more)
    ApprovalRequest.objects.filter(pk=scene["sign"].pk).update(payload={})
    items = {item.request.pk: item for item in approvals_awaiting(user=head, today=TODAY)}
    assert items[scene["sign"].pk].url == reverse("workbench:letter_edit", args=[application.pk, letter_id])


def test_the_queue_orders_by_limit_then_request_time(tree, register, application, clerk, head):
    set_letter_levels(tree["a"], [SIGN])
    no_limit = submit(receipt(application, clerk), clerk)  # asked first, no limit: last
    reply_due = submit(reply_letter(application, clerk), clerk)  # 2026-12-25
    no_limit_2 = submit(receipt(application, clerk), clerk)
    extension = ask_extension(register(serial=2), clerk)  # asked last, 2020-11-02: first
    assert queue(head) == [extension, reply_due, no_limit, no_limit_2]
    assert queue(head, limit=2) == [extension, reply_due]


@pytest.mark.parametrize("size", [1, 12])
def test_the_queue_takes_a_constant_number_of_queries(
    tree, register, application, clerk, head, size, django_assert_max_num_queries
):
    set_letter_levels(tree["a"], [SIGN])
    for _ in range(size):
        submit(receipt(application, clerk), clerk)
    for serial in range(2, 2 + size):
        ask_extension(register(serial=serial), clerk)
    with django_assert_max_num_queries(2):
        items = approvals_awaiting(user=head, today=TODAY)
        urls = [item.url for item in items]
    assert len(items) == 2 * size and all(urls)


def test_the_queue_page_takes_a_constant_number_of_queries(tree, client, application, clerk, head):
    set_letter_levels(tree["a"], [SIGN])
    client.force_login(head)
    counts = []
    for _ in range(2):
        for _ in range(3):
            submit(receipt(application, clerk), clerk)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("workbench:approval_queue")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- the audit trail of every step ----------------------------------------------------------------------


def test_every_step_writes_its_audit_event(two_levels, application, clerk, reviewer, head):
    letter = reply_letter(application, clerk)
    request = submit(letter, clerk)
    approval_decide(request=request, by=reviewer, approved=True, comment="核对无误", on=TODAY)
    approval_decide(request=request, by=head, approved=True, on=TODAY)
    events = audit_of(request)
    assert [(e.action, e.actor) for e in events] == [
        ("approval.request", clerk),
        ("approval.approve", reviewer),
        ("approval.approve", head),
    ]
    assert all(e.agency == application.agency for e in events)
    assert events[0].before is None
    assert events[0].after == {
        "kind": "letter",
        "subject": f"Letter:{letter.pk}",
        "steps": [REVIEW, SIGN],
        "limit_on": "2026-12-25",
        "limit_estimated": False,
        "reason": "",
    }
    assert (events[1].before, events[1].after) == (
        {"status": "pending", "step": 0},
        {"status": "pending", "step": 1, "comment": "核对无误", "late": False},
    )
    assert events[2].after["status"] == "approved" and events[2].after["direct"] is False
    decisions = list(ApprovalDecision.objects.filter(request=request))
    assert [(d.step, d.name, d.role, d.by, d.on, d.comment) for d in decisions] == [
        (0, "review", "reviewer", reviewer, TODAY, "核对无误"),
        (1, "sign", "head", head, TODAY, ""),
    ]
    letter_actions = AuditEvent.objects.filter(object_type="Letter", object_id=str(letter.pk)).order_by("id")
    assert [e.action for e in letter_actions][-2:] == ["letter.submit", "letter.update"]
    assert letter_actions.last().after["status"] == "approved"


def test_an_extension_request_is_audited_with_its_reason_and_limit(register, clerk):
    application = register()
    request = ask_extension(application, clerk, reason="需调档核查")
    (opened,) = audit_of(request)
    assert opened.after == {
        "kind": "extension",
        "subject": f"Application:{application.pk}",
        "steps": [APPROVE],
        "limit_on": "2020-11-02",
        "limit_estimated": False,
        "reason": "需调档核查",
    }
    assert request.payload == {"days": 10}


def test_approvals_of_a_subject_newest_first_with_decisions(
    two_levels, application, clerk, reviewer, django_assert_num_queries
):
    letter = receipt(application, clerk)
    first = submit(letter, clerk)
    approval_decide(request=first, by=reviewer, approved=False, comment="改", on=TODAY)
    second = submit(letter, clerk)
    with django_assert_num_queries(2):
        found = approvals_of(subject=letter)
        decisions = [[d.by.username for d in r.decisions.all()] for r in found]
    assert found == [second, first] and decisions == [[], ["reviewer_a"]]
    assert pending_request(subject=letter) == second
    assert pending_request(subject=letter, kind=Kind.EXTENSION) is None
    assert approvals_of(subject=Application(pk=letter.pk)) == []  # same id, another subject type


# --- the workbench pages ----------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"workbench:{name}", args=args)


def test_the_queue_page(scene, client, head, clerk, application):
    client.force_login(head)
    response = client.get(url("approval_queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>待我审批</h1>" in page
    assert scene["extension"].title in page and scene["sign"].title in page
    assert scene["review"].title not in page and scene["b"].title not in page  # not the head's, not a's
    assert "已过期限，不能批准" in page  # the extension is past its hard limit
    assert url("letter_edit", application.pk, scene["sign"].subject_id) in page
    assert page.index(scene["extension"].title) < page.index(scene["sign"].title)
    client.force_login(clerk)
    page = client.get(url("approval_queue")).content.decode()
    assert "没有等待您审核、签发或审批的事项" in page


def test_the_dashboard_shows_the_queue_panel(scene, client, head, clerk):
    client.force_login(head)
    page = client.get(url("dashboard")).content.decode()
    assert "待我审批（2）" in page and scene["sign"].title in page
    client.force_login(clerk)
    page = client.get(url("dashboard")).content.decode()
    assert 'id="approvals-title"' not in page


def test_deciding_from_the_letter_page(two_levels, client, application, clerk, reviewer, head):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    page_url = url("letter_edit", application.pk, letter.pk)
    decide = url("approval_decide", request.pk)
    client.force_login(clerk)
    page = client.get(page_url).content.decode()
    assert decide not in page and "撤回送审" in page  # the requester may withdraw, not review
    client.force_login(reviewer)
    page = client.get(page_url).content.decode()
    assert f'action="{decide}"' in page and "提交审核意见" in page
    response = client.post(decide, {"decision": "approve", "comment": "", "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    assert state(request) == ("pending", 1)
    assert decide not in client.get(page_url).content.decode()  # the 签发 is not the reviewer's
    client.force_login(head)
    assert "提交签发意见" in client.get(page_url).content.decode()
    # a refusal without a reason is refused with a message, nothing changes
    response = client.post(decide, {"decision": "refuse", "comment": "", "next": page_url}, follow=True)
    assert "不同意的，请写明理由" in response.content.decode()
    assert state(request) == ("pending", 1)
    response = client.post(decide, {"decision": "approve", "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    assert state(request) == ("approved", 2) and state(letter)[0] == LetterStatus.APPROVED


def test_deciding_from_the_case_page(client, today, register, clerk, head):
    today.set(D(2020, 10, 29))
    application = register()
    request = ask_extension(application, clerk)
    case_url = url("application_detail", application.pk)
    client.force_login(clerk)
    assert "等待负责人审批" in client.get(case_url).content.decode()
    client.force_login(head)
    page = client.get(case_url).content.decode()
    assert f'action="{url("approval_decide", request.pk)}"' in page
    today.set(D(2020, 10, 30))
    client.force_login(head)  # a new day, a new session (they last 8 hours)
    response = client.post(
        url("approval_decide", request.pk), {"decision": "approve", "comment": "同意", "next": case_url}
    )
    assert response.status_code == 302 and response["Location"] == case_url
    application.refresh_from_db()
    assert application.extension_days == 10 and request.decisions.get().on == D(2020, 10, 30)


def test_the_decide_page_refuses_a_late_approval_with_a_message(client, today, register, clerk, head):
    today.set(D(2020, 10, 29))
    application = register()
    request = ask_extension(application, clerk)
    today.set(D(2020, 11, 3))
    client.force_login(head)
    case_url = url("application_detail", application.pk)
    response = client.post(
        url("approval_decide", request.pk), {"decision": "approve", "next": case_url}, follow=True
    )
    assert response.redirect_chain[-1][0] == case_url
    assert "已超过法定期限" in response.content.decode()
    assert state(request)[0] == "pending"


def test_the_decide_page_ignores_an_outside_next(two_levels, client, application, clerk, reviewer):
    letter = receipt(application, clerk)
    request = submit(letter, clerk)
    client.force_login(reviewer)
    response = client.post(
        url("approval_decide", request.pk), {"decision": "approve", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == url(
        "letter_edit", application.pk, letter.pk
    )


def test_the_decide_page_refuses_outsiders(
    two_levels, client, application, clerk, supervisor, head_b, reviewer
):
    request = submit(receipt(application, clerk), clerk)
    decide = url("approval_decide", request.pk)
    client.force_login(supervisor)  # sees agency a, decides nothing
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(head_b)  # another agency: not even found
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    client.force_login(clerk)  # the requester, not a reviewer
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(reviewer)
    assert client.get(decide).status_code == 405
    assert client.post(url("approval_decide", request.pk + 999), {"decision": "approve"}).status_code == 404
    client.logout()
    response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 302 and url("login") in response["Location"]
    assert state(request) == ("pending", 0) and not request.decisions.exists()
