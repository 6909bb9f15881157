"""A step dated in an earlier year changes that year's published figures (tables 3 and 4): registering an
application received then, concluding it then (not corrected, not paid, the reply issued), registering or
concluding a review case then. Each needs a stated reason, is audited with it and, for an application,
noted on its event; a step dated this year needs none.

The dates are early in a year, as when a clerk catches up after New Year: 2026-01 with steps dated in
2025 (both years in the calendar package), and once 2027-01 with a 2026 receipt (2027 confirmed by hand,
as an administrator does when the State Council publishes it)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongkai.audit.models import AuditEvent
from gongkai.cases import letters, services
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.models import Application, ConfirmedYear, ReviewCase
from gongkai.errors import Code
from tests import factories
from tests.factories import TEST_REASON

pytestmark = pytest.mark.django_db

REASON = "年底收到的信函申请，元旦后补录"


def refusal(caught) -> tuple[str, str]:
    """The one error of a refusal for a missing reason: (code, message) on the field past_year_reason."""
    error = caught.value
    assert set(error.error_dict) == {"past_year_reason"}, error.message_dict
    (only,) = error.error_dict["past_year_reason"]
    return only.code, only.message


def assert_refused_for(caught, *, what: str, year: int) -> None:
    code, message = refusal(caught)
    assert code == Code.PAST_YEAR_REASON_REQUIRED == "past_year_reason_required"
    assert message.startswith(f"{what}在{year}年：")
    assert f"{year}年度的统计数据" in message and "将随之改变" in message
    assert "请填写补录或更正的理由" in message


def audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


# --- registration ----------------------------------------------------------------------------------------


def test_registering_on_4_january_an_application_of_30_december(today, tree, clerk):
    today.set(date(2027, 1, 4))
    ConfirmedYear.objects.create(year=2027, note="测试：2027年节假日安排已录入")
    applicant = factories.applicant(1)
    with pytest.raises(ValidationError) as caught:
        services.application_register(
            agency=tree["a"], by=clerk, applicant=applicant, channel="letter", received_on=date(2026, 12, 30)
        )
    assert_refused_for(caught, what="收到申请日期", year=2026)
    assert not Application.objects.exists() and not audits("application.register")
    with pytest.raises(ValidationError) as caught:  # blanks are no reason
        services.application_register(
            agency=tree["a"], by=clerk, applicant=applicant, channel="letter", received_on=date(2026, 12, 30),
            past_year_reason="   ",
        )  # fmt: skip
    assert_refused_for(caught, what="收到申请日期", year=2026)

    application = services.application_register(
        agency=tree["a"], by=clerk, applicant=applicant, channel="letter", received_on=date(2026, 12, 30),
        past_year_reason=f"  {REASON} ",
    )  # fmt: skip
    assert application.number == "依申〔2026〕第0001号"  # numbered in the year of receipt
    (audit,) = audits("application.register")
    assert audit.after["past_year_reason"] == REASON and audit.after["received_on"] == "2026-12-30"
    event = application.events.get(kind=EventKind.RECEIVED)
    assert event.on == date(2026, 12, 30)
    assert f"补录理由：{REASON}" in event.note


def test_registering_in_january_an_application_of_last_year(today, tree, clerk):
    today.set(date(2026, 1, 12))
    applicant = factories.applicant(2)
    with pytest.raises(ValidationError) as caught:
        services.application_register(
            agency=tree["a"],
            by=clerk,
            applicant=applicant,
            channel="in_person",
            received_on=date(2025, 12, 31),
        )
    assert_refused_for(caught, what="收到申请日期", year=2025)
    assert not Application.objects.exists()
    application = services.application_register(
        agency=tree["a"], by=clerk, applicant=applicant, channel="in_person", received_on=date(2025, 12, 31),
        past_year_reason=REASON,
    )  # fmt: skip
    assert audits("application.register")[0].after["past_year_reason"] == REASON
    assert REASON in application.events.get(kind=EventKind.RECEIVED).note


def test_a_step_dated_this_year_needs_no_reason(today, tree, clerk):
    today.set(date(2026, 1, 12))
    application = services.application_register(
        agency=tree["a"], by=clerk, applicant=factories.applicant(3), channel="letter",
        received_on=date(2026, 1, 5),
    )  # fmt: skip
    (audit,) = audits("application.register")
    assert "past_year_reason" not in audit.after
    assert "补录理由" not in application.events.get(kind=EventKind.RECEIVED).note
    # a reason given for this year's date is not recorded as one
    other = services.application_register(
        agency=tree["a"], by=clerk, applicant=factories.applicant(4), channel="letter",
        received_on=date(2026, 1, 6), past_year_reason=REASON,
    )  # fmt: skip
    assert "past_year_reason" not in audits("application.register")[1].after
    assert REASON not in other.events.get(kind=EventKind.RECEIVED).note


# --- conclusions ------------------------------------------------------------------------------------------


def _uncorrected(tree, clerk) -> Application:
    application = factories.register(tree["a"], clerk, 5, received_on=date(2025, 12, 1))
    services.application_request_correction(
        application=application, by=clerk, on=date(2025, 12, 3), items="请写明文件名称",
        correction_due_on=date(2025, 12, 17),
    )  # fmt: skip
    return application


def test_close_uncorrected_in_an_earlier_year(today, tree, clerk):
    today.set(date(2026, 1, 12))
    application = _uncorrected(tree, clerk)
    with pytest.raises(ValidationError) as caught:
        services.application_close_uncorrected(application=application, by=clerk, on=date(2025, 12, 30))
    assert_refused_for(caught, what="办结日期", year=2025)
    assert fresh(application).status == Status.AWAITING_CORRECTION
    assert not audits("application.close_uncorrected")

    services.application_close_uncorrected(
        application=application, by=clerk, on=date(2025, 12, 30), past_year_reason=REASON
    )
    stored = fresh(application)
    assert (stored.status, stored.concluded_on) == (Status.CONCLUDED, date(2025, 12, 30))
    assert audits("application.close_uncorrected")[0].after["past_year_reason"] == REASON
    event = stored.events.get(kind=EventKind.REPLIED)
    assert f"补录理由：{REASON}" in event.note and "视为放弃申请" in event.note


def test_close_uncorrected_this_year_needs_no_reason(today, tree, clerk):
    today.set(date(2026, 1, 12))
    application = _uncorrected(tree, clerk)
    services.application_close_uncorrected(application=application, by=clerk, on=date(2026, 1, 5))
    assert fresh(application).status == Status.CONCLUDED
    assert "past_year_reason" not in audits("application.close_uncorrected")[0].after
    assert "补录理由" not in application.events.get(kind=EventKind.REPLIED).note


def test_close_unpaid_in_an_earlier_year(today, tree, clerk):
    today.set(date(2026, 1, 12))
    application = factories.register(tree["a"], clerk, 6, received_on=date(2025, 11, 3))
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=date(2025, 11, 5), scale="by_volume", quantity=150
    )
    day = date(2025, 12, 15)
    assert notice.pay_due_on < day
    with pytest.raises(ValidationError) as caught:
        services.application_close_unpaid(application=application, by=clerk, on=day)
    assert_refused_for(caught, what="办结日期", year=2025)
    assert fresh(application).status == Status.AWAITING_FEE

    services.application_close_unpaid(application=application, by=clerk, on=day, past_year_reason=REASON)
    stored = fresh(application)
    assert (stored.status, stored.outcome) == (Status.CONCLUDED, "other.fee_unpaid")
    assert audits("application.close_unpaid")[0].after["past_year_reason"] == REASON
    assert f"补录理由：{REASON}" in stored.events.get(kind=EventKind.REPLIED).note


def test_a_reply_issued_with_an_earlier_years_date(today, tree, clerk):
    today.set(date(2026, 1, 12))
    application = factories.register(tree["a"], clerk, 7, received_on=date(2025, 12, 1))
    letter = services.application_prepare_reply(application=application, by=clerk, outcome="granted")
    letter = factories.fill_placeholders(letter, clerk)
    with pytest.raises(ValidationError) as caught:
        letters.letter_issue(letter=letter, by=clerk, on=date(2025, 12, 19))
    assert_refused_for(caught, what="答复日期", year=2025)
    # nothing happened: the letter is not issued, no 文号 was used, the application is open
    letter.refresh_from_db()
    assert letter.issued_on is None and not letter.number
    assert fresh(application).status == Status.RECEIVED
    assert not audits("application.reply") and not audits("letter.issue")

    letters.letter_issue(letter=letter, by=clerk, on=date(2025, 12, 19), past_year_reason=REASON)
    letter.refresh_from_db()
    assert letter.number == "沙科信公开〔2025〕1号"
    stored = fresh(application)
    assert (stored.status, stored.concluded_on) == (Status.CONCLUDED, date(2025, 12, 19))
    assert audits("application.reply")[0].after["past_year_reason"] == REASON
    assert f"补录理由：{REASON}" in stored.events.get(kind=EventKind.REPLIED).note


def test_a_reply_issued_this_year_on_an_application_of_last_year_needs_no_reason(today, tree, clerk):
    today.set(date(2026, 1, 12))
    application = factories.register(tree["a"], clerk, 8, received_on=date(2025, 12, 29))
    letter = factories.fill_placeholders(
        services.application_prepare_reply(application=application, by=clerk, outcome="granted"), clerk
    )
    letters.letter_issue(letter=letter, by=clerk, on=date(2026, 1, 9))
    assert fresh(application).status == Status.CONCLUDED
    assert "past_year_reason" not in audits("application.reply")[0].after


# --- review cases -----------------------------------------------------------------------------------------


def test_review_case_filed_in_an_earlier_year(today, tree, clerk):
    today.set(date(2026, 1, 12))
    case = {"agency": tree["a"], "by": clerk, "kind": "review", "case_number": "卫政复〔2025〕31号",
            "filed_on": date(2025, 12, 22), "body": "中卫市人民政府"}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.review_case_register(**case)
    assert_refused_for(caught, what="收到申请/起诉日期", year=2025)
    assert not ReviewCase.objects.exists() and not audits("review_case.register")

    created = services.review_case_register(**case, past_year_reason=REASON)
    assert created.filed_on == date(2025, 12, 22)
    assert audits("review_case.register")[0].after["past_year_reason"] == REASON


def test_review_case_concluded_in_an_earlier_year(today, tree, clerk):
    today.set(date(2026, 1, 12))
    case = services.review_case_register(
        agency=tree["a"], by=clerk, kind="litigation_direct", case_number="（2025）宁0502行初12号",
        filed_on=date(2025, 10, 20), past_year_reason=TEST_REASON,
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.review_case_conclude(case=case, by=clerk, result="upheld", concluded_on=date(2025, 12, 30))
    assert_refused_for(caught, what="审结日期", year=2025)
    case.refresh_from_db()
    assert case.result == "pending" and not audits("review_case.conclude")

    services.review_case_conclude(
        case=case, by=clerk, result="upheld", concluded_on=date(2025, 12, 30), past_year_reason=REASON
    )
    assert audits("review_case.conclude")[0].after == {
        "result": "upheld", "concluded_on": "2025-12-30", "past_year_reason": REASON,
    }  # fmt: skip


def test_review_case_of_last_year_concluded_this_year_needs_no_reason(today, tree, clerk):
    today.set(date(2026, 1, 12))
    case = services.review_case_register(
        agency=tree["a"], by=clerk, kind="review", case_number="卫政复〔2025〕40号", filed_on=date(2025, 12, 1),
        past_year_reason=TEST_REASON,
    )  # fmt: skip
    services.review_case_conclude(case=case, by=clerk, result="corrected", concluded_on=date(2026, 1, 8))
    assert audits("review_case.conclude")[0].after == {"result": "corrected", "concluded_on": "2026-01-08"}


# --- through the workbench --------------------------------------------------------------------------------


def register_form(tree, **overrides) -> dict:
    return {
        "agency": tree["a"].pk, "channel": "letter", "received_on": "2025-12-29",
        "applicant_kind": "natural_person", "applicant_name": "赵六", "id_type": "resident_id",
        "id_number": factories.id_number(9), "phone": "13912345678", "email": "",
        "description": "沙坡头区2025年科技计划项目立项名单", "requested_form": "paper", "delivery": "post",
        "address": "中卫市沙坡头区鼓楼东街2号", "postcode": "", "contact_person": "", "past_year_reason": "",
        **overrides,
    }  # fmt: skip


def test_the_registration_form_shows_the_reason_beside_its_field(today, tree, clerk_client):
    today.set(date(2026, 1, 12))
    response = clerk_client.post(reverse("workbench:application_register"), register_form(tree))
    assert response.status_code == 400
    message = "收到申请日期在2025年：办理后2025年度的统计数据（年度报告表三、表四）将随之改变，请填写补录或更正的理由"
    assert response.context["form"].errors == {"past_year_reason": [message]}
    page = response.content.decode()
    assert f'<ul class="errorlist" id="id_past_year_reason_error"><li>{message}</li></ul>' in page
    field = page[page.index('<label for="id_past_year_reason">') : page.index("id_past_year_reason_error")]
    assert "补录或更正理由" in field
    assert (
        not Application.objects.exists()
        and not AuditEvent.objects.filter(action="application.register").exists()
    )

    response = clerk_client.post(
        reverse("workbench:application_register"), register_form(tree, past_year_reason=REASON)
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.received_on == date(2025, 12, 29)
    assert audits("application.register")[0].after["past_year_reason"] == REASON


def test_the_case_page_asks_for_the_reason_to_close_in_an_earlier_year(today, tree, clerk, clerk_client):
    today.set(date(2026, 1, 12))
    application = _uncorrected(tree, clerk)
    action = reverse("workbench:application_action", args=[application.pk, "close_uncorrected"])
    response = clerk_client.post(action, {"close_uncorrected-on": "2025-12-30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_close_uncorrected-past_year_reason_error"><li>办结日期在2025年：' in page
    assert fresh(application).status == Status.AWAITING_CORRECTION
    response = clerk_client.post(
        action, {"close_uncorrected-on": "2025-12-30", "close_uncorrected-past_year_reason": REASON}
    )
    assert response.status_code == 302
    assert fresh(application).status == Status.CONCLUDED
