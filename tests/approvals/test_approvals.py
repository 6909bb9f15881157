"""Approvals (gongkai.approvals): the steps of a letter (审核 → 签发) and of an extension (负责人)."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.approvals.models import ApprovalRequest
from gongkai.approvals.selectors import approvals_awaiting
from gongkai.approvals.services import approval_decide
from gongkai.audit.models import AuditEvent
from gongkai.cases import letters, services
from gongkai.cases.enums import LetterStatus
from tests.conftest import TODAY
from tests.factories import TWO_LEVELS, fill_placeholders, set_letter_levels

pytestmark = pytest.mark.django_db

D = date
# the reply of the `application` fixture (received on TODAY) is due on this day
DUE_TODAY_CASE = D(2026, 12, 25)


@pytest.fixture
def two_levels(tree):
    set_letter_levels(tree["a"], TWO_LEVELS)


def reply_letter(application, by):
    letter = services.application_prepare_reply(application=application, by=by, outcome="granted")
    return fill_placeholders(letter, by)


def submit(letter, by, on=TODAY) -> ApprovalRequest:
    letters.letter_submit(letter=letter, by=by, on=on)
    return ApprovalRequest.objects.filter(subject_type="Letter", subject_id=letter.pk).latest("id")


def audit_of(request: ApprovalRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="ApprovalRequest", object_id=str(request.pk)).order_by("id")
    )


def state(obj) -> tuple:
    obj.refresh_from_db()
    return (obj.status, getattr(obj, "step", None))


def test_soft_limit_decisions_after_it_are_recorded_late(two_levels, application, clerk, reviewer, head):
    letter = reply_letter(application, clerk)
    request = submit(letter, clerk)
    assert (request.limit_on, request.limit_hard) == (DUE_TODAY_CASE, False)
    approval_decide(request=request, by=reviewer, approved=True, on=DUE_TODAY_CASE)  # on the day: in time
    approval_decide(request=request, by=head, approved=True, comment="同意出具", on=D(2026, 12, 28))
    assert state(request) == ("approved", 2) and state(letter)[0] == LetterStatus.APPROVED
    assert [(d.name, d.late) for d in request.decisions.all()] == [("review", False), ("sign", True)]
    reviewed, signed = audit_of(request)[1:]
    assert reviewed.after == {"status": "pending", "step": 1, "comment": "", "late": False}
    assert signed.after["status"] == "approved"
    # the final decision's own comment and lateness are in the audit trail as well
    assert (signed.after["comment"], signed.after["late"]) == ("同意出具", True)


def receipt(application, by):
    return letters.letter_draft(application=application, by=by, kind="receipt")


@pytest.mark.parametrize("size", [1, 12])
def test_the_queue_takes_a_constant_number_of_queries(
    tree, register, application, clerk, head, size, django_assert_max_num_queries
):
    set_letter_levels(tree["a"], [{"name": "sign", "role": "head"}])
    for _ in range(size):
        submit(receipt(application, clerk), clerk)
    for serial in range(2, 2 + size):
        services.application_request_extension(
            application=register(serial=serial), by=clerk, on=D(2020, 10, 29), days=10, reason="需调档"
        )
    with django_assert_max_num_queries(2):
        items = approvals_awaiting(user=head, today=TODAY)
        urls = [item.url for item in items]
    assert len(items) == 2 * size and all(urls)
