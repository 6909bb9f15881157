"""The entry-point services run in a durable transaction (`transaction.atomic(durable=True)`): each is one
committed unit with its audit event, never a part of a caller's larger transaction that could still roll it
back after, say, a mail went out on commit. Django relaxes the check for the atomic blocks of its TestCase,
so these tests run outside them (transactional tests, committed for real)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from gongkai.agencies.models import Agency
from gongkai.agencies.services import agency_settings_update
from gongkai.approvals.models import ApprovalRequest
from gongkai.approvals.services import approval_decide, approval_withdraw
from gongkai.audit.models import AuditEvent
from gongkai.cases import letters, services
from gongkai.cases.models import Application, Letter
from tests import factories
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)

DURABLE = "durable atomic block cannot be nested"


def refused_inside_an_outer_block(call) -> None:
    audit_count = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match=DURABLE), transaction.atomic():
        call()
    assert AuditEvent.objects.count() == audit_count
    assert not connection.in_atomic_block


def test_register_refuses_an_outer_atomic_block(tree, clerk):
    refused_inside_an_outer_block(lambda: factories.register(tree["a"], clerk, 1))
    assert not Application.objects.exists()
    factories.register(tree["a"], clerk, 1)  # on its own it commits
    assert Application.objects.count() == 1


def test_letter_services_refuse_an_outer_atomic_block(tree, application, clerk):
    refused_inside_an_outer_block(
        lambda: letters.letter_draft(application=application, by=clerk, kind="receipt")
    )
    assert not Letter.objects.exists()
    letter = letters.letter_draft(application=application, by=clerk, kind="receipt")
    refused_inside_an_outer_block(lambda: letters.letter_submit(letter=letter, by=clerk, on=TODAY))
    refused_inside_an_outer_block(lambda: letters.letter_issue(letter=letter, by=clerk, on=TODAY))
    letter.refresh_from_db()
    assert (letter.status, letter.number) == ("draft", "")
    assert letters.letter_issue(letter=letter, by=clerk, on=TODAY).number == "沙科信公开〔2026〕1号"


def test_approval_services_refuse_an_outer_atomic_block(tree, application, clerk, reviewer):
    factories.set_letter_levels(tree["a"], factories.TWO_LEVELS)
    letter = letters.letter_submit(
        letter=letters.letter_draft(application=application, by=clerk, kind="receipt"), by=clerk, on=TODAY
    )
    request = ApprovalRequest.objects.get(subject_id=letter.pk)
    refused_inside_an_outer_block(
        lambda: approval_decide(request=request, by=reviewer, approved=True, on=TODAY)
    )
    refused_inside_an_outer_block(lambda: approval_withdraw(request=request, by=clerk))
    request.refresh_from_db()
    assert (request.status, request.step) == ("pending", 0)


def test_the_extension_request_refuses_an_outer_atomic_block(register, clerk):
    application = register()
    refused_inside_an_outer_block(
        lambda: services.application_request_extension(
            application=application, by=clerk, on=application.received_on, days=5, reason="需调档"
        )
    )
    assert not ApprovalRequest.objects.exists()


def test_agency_settings_refuse_an_outer_atomic_block(tree, admin_a):
    refused_inside_an_outer_block(
        lambda: agency_settings_update(agency=tree["a"], by=admin_a, letter_steps=[], letter_code="沙科改")
    )
    assert Agency.objects.get(pk=tree["a"].pk).letter_code == "沙科信公开"
