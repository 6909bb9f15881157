"""The procedure in one place (gongkai.cases.procedure): the action table as the Regulations have it, the same
table refusing steps in the services and hiding them on the case page, the deadline box, overdue, and the
legal basis every event records.

EXPECTED is written out here from the Regulations, not derived from the module: removing a rule from
procedure.STEPS_BY_STATUS makes the table test, the service test and the page test fail.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongkai.cases import procedure, services
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.models import ApplicationEvent
from gongkai.cases.procedure import STEPS_BY_STATUS, Facts, Step, deadline_box, is_overdue, refusal
from gongkai.law import Ground, cite
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.workdays import WorkCalendar
from tests import factories

D = dt.date
S = Step
EXPECTED = {
    # 补正 (Art. 30), consultation (Art. 32, 34), fee (109号), extension (Art. 33 (2)) and the reply
    Status.RECEIVED: {
        S.REQUEST_CORRECTION, S.START_CONSULTATION, S.ISSUE_FEE_NOTICE, S.REQUEST_EXTENSION, S.EXTEND,
        S.PREPARE_REPLY, S.REPLY,
    },
    # the clock stands still until the corrected application comes or the applicant lets the deadline pass
    Status.AWAITING_CORRECTION: {S.RECEIVE_CORRECTION, S.CLOSE_UNCORRECTED},
    # more parties may be consulted; the extension is still possible; no reply while consulting
    Status.CONSULTING: {S.END_CONSULTATION, S.START_CONSULTATION, S.REQUEST_EXTENSION, S.EXTEND},
    Status.AWAITING_FEE: {S.RECORD_PAYMENT, S.CLOSE_UNPAID, S.REQUEST_EXTENSION, S.EXTEND},
    Status.CONCLUDED: set(),
}  # fmt: skip
ON_PAGE = {s for s in Step if s not in (S.EXTEND, S.REPLY)}  # these two happen through approval / issue


def test_the_action_table_is_the_regulations():
    assert {status: set(steps) for status, steps in STEPS_BY_STATUS.items()} == EXPECTED


def facts(**values) -> Facts:
    base = {"status": Status.RECEIVED, "received_on": D(2020, 9, 28), "clock_start": D(2020, 9, 28)}
    return Facts(**(base | values))


def test_refusals_say_why():
    assert refusal(S.RECORD_PAYMENT, facts()).message == "该申请正在办理中，不能登记缴费"
    assert refusal(S.REQUEST_CORRECTION, facts(correction_requested=True)).code == "already_done"
    assert "只能延长一次" in refusal(S.REQUEST_EXTENSION, facts(extension_days=5)).message
    assert refusal(S.REQUEST_EXTENSION, facts(extension_pending=True)).code == "duplicate"
    assert refusal(S.PREPARE_REPLY, facts(reply_pending=True)).code == "duplicate"
    late = refusal(S.START_CONSULTATION, facts(due_on=D(2020, 11, 2)), on=D(2020, 11, 3))
    assert late.code == "deadline_passed" and "2020年11月2日" in late.message
    waiting = facts(status=Status.AWAITING_CORRECTION, correction_due_on=D(2020, 10, 20))
    assert refusal(S.CLOSE_UNCORRECTED, waiting, on=D(2020, 10, 20)).code == "deadline_not_passed"
    assert refusal(S.CLOSE_UNCORRECTED, waiting, on=D(2020, 10, 21)) is None
    paying = facts(status=Status.AWAITING_FEE, fee_pay_due_on=D(2020, 11, 20))
    assert refusal(S.CLOSE_UNPAID, paying, on=D(2020, 11, 20)).code == "deadline_not_passed"


def test_available_steps_follow_the_table_and_the_dates():
    today = D(2020, 10, 9)
    assert procedure.available_steps(facts(due_on=D(2020, 11, 2)), today=today) == [
        S.REQUEST_CORRECTION, S.START_CONSULTATION, S.ISSUE_FEE_NOTICE, S.REQUEST_EXTENSION, S.PREPARE_REPLY,
    ]  # fmt: skip
    waiting = facts(status=Status.AWAITING_CORRECTION, correction_due_on=D(2020, 10, 20))
    assert procedure.available_steps(waiting, today=today) == [S.RECEIVE_CORRECTION]
    assert procedure.available_steps(waiting, today=D(2020, 10, 21)) == [
        S.RECEIVE_CORRECTION,
        S.CLOSE_UNCORRECTED,
    ]


CAL = WorkCalendar()


def test_deadline_box_and_overdue():
    running = facts(due_on=D(2020, 11, 2))
    box = deadline_box(running, today=D(2020, 10, 30), cal=CAL)
    assert (box.state, box.left, box.unconfirmed) == ("running", 1, ())
    box = deadline_box(running, today=D(2020, 11, 4), cal=CAL)
    assert (box.state, box.overdue_days) == ("overdue", 2)
    assert is_overdue(running, today=D(2020, 11, 3)) and not is_overdue(running, today=D(2020, 11, 2))
    paused = facts(status=Status.CONSULTING, paused_since=D(2020, 10, 9))
    box = deadline_box(paused, today=D(2020, 10, 12), cal=CAL)
    assert box.state == "paused" and box.if_resumed_today == D(2020, 11, 4)
    assert not is_overdue(paused, today=D(2021, 1, 1))
    waiting = facts(status=Status.AWAITING_CORRECTION, correction_due_on=D(2020, 10, 20))
    assert deadline_box(waiting, today=D(2020, 10, 12), cal=CAL).state == "correction"
    done = facts(status=Status.CONCLUDED, due_on=D(2020, 11, 2), concluded_on=D(2020, 11, 3))
    box = deadline_box(done, today=D(2020, 12, 1), cal=CAL)
    assert box.state == "concluded" and box.late
    with pytest.raises(AttributeError):  # a frozen value
        box.state = "running"


def test_estimated_deadlines_in_the_box_and_in_words():
    far = 2031  # no schedule will cover it for years; the estimate counts its weekdays
    assert procedure.deadline_text(D(far, 1, 8), True) == f"预计 {far}年1月8日（待节假日安排确认）"
    assert procedure.deadline_text(D(far, 1, 8)) == f"{far}年1月8日"
    assert (
        procedure.deadline_text(D(far, 1, 8), True, numeric=True) == f"预计 {far}-01-08（待节假日安排确认）"
    )
    assert procedure.deadline_text(None, True) == ""
    running = facts(clock_start=D(far, 1, 6), due_on=D(far, 2, 3), due_on_estimated=True)
    box = deadline_box(running, today=D(far, 1, 6), cal=CAL)
    # Jan 7–10 (4), 13–17 (9), 20–24 (14), 27–31 (19), Feb 3 (20): weekdays
    assert (box.state, box.left, box.estimated, box.unconfirmed) == ("running", 20, True, (far,))
    assert box.due_text == f"预计 {far}年2月3日（待节假日安排确认）"
    box = deadline_box(running, today=D(far, 2, 5), cal=CAL)
    assert (box.state, box.overdue_days, box.estimated) == ("overdue", 2, True)
    assert is_overdue(running, today=D(far, 2, 4))
    # an estimated reply period is not held against the agency; an exact one is
    assert refusal(S.REQUEST_EXTENSION, running, on=D(far, 2, 5)) is None
    exact = facts(due_on=D(2020, 11, 2))
    assert refusal(S.REQUEST_EXTENSION, exact, on=D(2020, 11, 3)).code == "deadline_passed"
    # a pause from an exact year into an estimated one: the "if resumed today" date is an estimate
    paused = facts(status=Status.CONSULTING, clock_start=D(far - 1, 12, 1), paused_since=D(far - 1, 12, 20))
    box = deadline_box(paused, today=D(far - 1, 12, 22), cal=CAL)
    assert box.estimated and box.if_resumed_text.startswith("预计 ")
    # the applicant's payment period is not cut short on a guess
    paying = facts(status=Status.AWAITING_FEE, fee_pay_due_on=D(far, 2, 3), fee_pay_due_on_estimated=True)
    refused = refusal(S.CLOSE_UNPAID, paying, on=D(far, 2, 10))
    assert refused.code == "deadline_not_passed" and "是预计日期" in refused.message
    assert (
        refusal(
            S.CLOSE_UNPAID, facts(status=Status.AWAITING_FEE, fee_pay_due_on=D(far, 2, 3)), on=D(far, 2, 10)
        )
        is None
    )
    limit = procedure.due_soon_limit(today=D(far, 1, 6), cal=CAL)
    assert limit == (D(far, 1, 13), True)


# --- the same table in the services and on the page -----------------------------------------------------------


@pytest.fixture
def in_status(register, clerk, settings):
    """An application brought into each status through the services."""

    def make(status: str, serial: int):
        application = register(serial=serial, received_on=D(2024, 1, 22))
        if status == Status.AWAITING_CORRECTION:
            services.application_request_correction(
                application=application,
                by=clerk,
                on=D(2024, 1, 23),
                items="x",
                correction_due_on=D(2024, 1, 30),
            )
        elif status == Status.CONSULTING:
            services.application_start_consultation(
                application=application, by=clerk, kind="third_party", party="甲", on=D(2024, 1, 23)
            )
        elif status == Status.AWAITING_FEE:
            services.application_issue_fee_notice(
                application=application, by=clerk, on=D(2024, 1, 23), scale="by_volume", quantity=40
            )
        elif status == Status.CONCLUDED:
            factories.reply(application, clerk, D(2024, 1, 24), "granted")
        application.refresh_from_db()
        assert application.status == status
        return application

    return make


def _run(step: Step, application, by):
    """Take a step through its service on 2024-02-01 (before every deadline of the set-up)."""
    on = D(2024, 2, 1)
    run = {
        S.REQUEST_CORRECTION: lambda: services.application_request_correction(
            application=application, by=by, on=on, items="y", correction_due_on=D(2024, 2, 20)
        ),
        S.RECEIVE_CORRECTION: lambda: services.application_receive_correction(
            application=application, by=by, on=on
        ),
        S.CLOSE_UNCORRECTED: lambda: services.application_close_uncorrected(
            application=application, by=by, on=on, past_year_reason=factories.TEST_REASON
        ),
        S.START_CONSULTATION: lambda: services.application_start_consultation(
            application=application, by=by, kind="co_agency", party="乙", on=on
        ),
        S.END_CONSULTATION: lambda: services.application_end_consultation(
            consultation=application.consultations.first()
            or application.consultations.model(application=application),
            by=by,
            on=on,
            answer="",
        ),
        S.ISSUE_FEE_NOTICE: lambda: services.application_issue_fee_notice(
            application=application, by=by, on=on, scale="by_volume", quantity=40
        ),
        S.RECORD_PAYMENT: lambda: services.application_record_payment(
            fee_notice=application.fee_notices.first()
            or application.fee_notices.model(application=application),
            by=by,
            on=on,
        ),
        S.CLOSE_UNPAID: lambda: services.application_close_unpaid(
            application=application, by=by, on=on, past_year_reason=factories.TEST_REASON
        ),
        S.REQUEST_EXTENSION: lambda: services.application_request_extension(
            application=application, by=by, on=on, days=5, reason="r"
        ),
        S.PREPARE_REPLY: lambda: services.application_prepare_reply(
            application=application, by=by, outcome="granted"
        ),
    }[step]
    try:
        run()
    except ValidationError as error:
        groups = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
        return {e.code for errors in groups for e in errors}
    except (PermissionDenied, ValueError, type(application).DoesNotExist):
        return {"other"}
    return set()


@pytest.mark.parametrize("status", list(EXPECTED), ids=str)
def test_the_services_refuse_exactly_the_steps_the_status_does_not_allow(status, in_status, clerk):
    for n, step in enumerate(sorted(ON_PAGE), start=1):
        application = in_status(status, serial=n)
        codes = _run(step, application, clerk)
        if step in EXPECTED[status]:
            assert "step_not_allowed" not in codes, (status, step, codes)
        else:
            assert "step_not_allowed" in codes, (status, step, codes)


@pytest.mark.parametrize("status", list(EXPECTED), ids=str)
def test_the_case_page_offers_exactly_the_allowed_steps(status, in_status, client, clerk, today):
    today.set(D(2024, 1, 24))  # before the set-up's deadlines
    application = in_status(status, serial=1)
    client.force_login(clerk)
    page = client.get(reverse("workbench:application_detail", args=[application.pk])).content.decode()
    offered = {s for s in ON_PAGE if f'/act/{s.value}/"' in page}
    expected = EXPECTED[status] & ON_PAGE
    # the closing steps appear once their deadline has passed; one 补正 notice only
    expected -= {S.CLOSE_UNCORRECTED, S.CLOSE_UNPAID}
    assert offered == expected


# --- every event cites the table's entry ----------------------------------------------------------------------


def test_each_event_kind_cites_its_table_entry(register, clerk, head):
    application = register(received_on=D(2025, 1, 20))
    services.application_request_correction(
        application=application, by=clerk, on=D(2025, 1, 21), items="x", correction_due_on=D(2025, 2, 14)
    )
    services.application_receive_correction(application=application, by=clerk, on=D(2025, 1, 22))
    third = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="甲", on=D(2025, 1, 23)
    )
    co = services.application_start_consultation(
        application=application, by=clerk, kind="co_agency", party="乙", on=D(2025, 1, 23)
    )
    services.application_end_consultation(consultation=third, by=clerk, on=D(2025, 1, 24), answer="")
    services.application_end_consultation(consultation=co, by=clerk, on=D(2025, 1, 24), answer="")
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=D(2025, 1, 24), scale="by_volume", quantity=40
    )
    services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 1, 26))
    factories.extend(application, head, D(2025, 2, 5), 10, "调档")
    factories.reply(application, clerk, D(2025, 2, 10), "partial")

    expected = {
        EventKind.RECEIVED: cite(Ground.APPLICATION, Ground.RECEIPT_DATE),
        EventKind.CORRECTION_REQUESTED: cite(Ground.CORRECTION),
        EventKind.CORRECTION_RECEIVED: cite(Ground.CORRECTION),
        EventKind.FEE_NOTICE: cite(Ground.FEE, Ground.FEE_MEASURES),
        EventKind.FEE_PAID: cite(Ground.FEE, Ground.FEE_MEASURES),
        EventKind.EXTENSION_REQUESTED: cite(Ground.EXTENSION),
        EventKind.EXTENDED: cite(Ground.EXTENSION),
        EventKind.REPLIED: OUTCOMES_BY_CODE["partial"].basis,
    }
    events = list(ApplicationEvent.objects.filter(application=application))
    for event in events:
        if event.kind in expected:
            assert event.basis == expected[event.kind], event.kind
    consulted = {e.data["consultation"]: e.basis for e in events if e.kind == EventKind.CONSULTATION_STARTED}
    assert consulted == {
        third.pk: "《条例》第三十二条、第三十三条第三款",
        co.pk: "《条例》第三十四条、第三十三条第三款",
    }
    assert {e.kind for e in events} >= set(expected) | {EventKind.CONSULTATION_ENDED, EventKind.LETTER_ISSUED}
