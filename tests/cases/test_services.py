"""The writes of the case system: happy paths, refusals, audit and events, atomicity, permissions.

Expected dates are the hand-counted ones of test_clock.py.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.agencies.models import Role
from gongkai.agencies.permissions import can_write
from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.models import (
    Application,
    ApplicationEvent,
    CalendarOverride,
    ConfirmedYear,
    Consultation,
    FeeNotice,
    ReviewCase,
)
from tests.factories import TEST_REASON, VALID_CREDIT_CODE, VALID_ID, extend, reply

pytestmark = pytest.mark.django_db

D = date


def errors_of(caught) -> dict[str, list[str]]:
    return caught.value.message_dict


def audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def last_event(application, kind: str) -> ApplicationEvent:
    return application.events.filter(kind=kind).latest("id")


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


# --- register ---------------------------------------------------------------------------------------------


def test_register_numbers_codes_and_due_date(register, tree, clerk):
    first = register()
    assert first.number == "依申〔2020〕第0001号"
    assert re.fullmatch(f"[{services.QUERY_CODE_ALPHABET}]{{13}}", first.query_code)
    assert first.status == Status.RECEIVED
    assert first.clock_start == D(2020, 9, 28)
    assert first.due_on == D(2020, 11, 2)  # across National Day 2020, see test_clock
    assert first.created_by == clerk

    second = register(received_on=D(2020, 12, 31))
    assert second.number == "依申〔2020〕第0002号"
    assert second.query_code != first.query_code
    assert register(received_on=D(2021, 1, 4)).number == "依申〔2021〕第0001号"


def test_numbers_are_per_agency_and_keep_counting_past_9999(register, tree, make_user):
    clerk_b = make_user("clerk_b2", tree["b"], Role.CLERK)
    assert register(agency=tree["b"], by=clerk_b).number == "依申〔2020〕第0001号"
    assert register().number == "依申〔2020〕第0001号"
    Application.objects.filter(agency=tree["a"]).update(number="依申〔2020〕第9999号")
    assert register().number == "依申〔2020〕第10000号"
    assert register().number == "依申〔2020〕第10001号"


def test_register_writes_event_and_audit_without_clear_personal_numbers(register):
    application = register()
    event = last_event(application, EventKind.RECEIVED)
    assert event.basis == "《条例》第二十九条、第三十一条"
    assert event.on == D(2020, 9, 28)
    (audit,) = audits("application.register")
    assert audit.object_id == str(application.pk)
    assert audit.before is None
    assert audit.after["due_on"] == "2020-11-02"
    assert audit.after["id_number"] == "110105********002X"
    assert VALID_ID not in str(audit.after)
    assert "13800138000" not in str(audit.after)


def test_register_an_organisation_with_credit_code(register):
    application = register(
        applicant_kind="commercial",
        applicant_name="宁夏某科技有限公司",
        id_type="credit_code",
        id_number=VALID_CREDIT_CODE.lower(),
        phone="0955-7012345",
        contact_person="李四",
    )
    assert application.id_number == VALID_CREDIT_CODE


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"id_type": "credit_code", "id_number": VALID_CREDIT_CODE}, "id_type", "自然人"),
        ({"applicant_kind": "commercial"}, "id_type", "统一社会信用代码"),
        (
            {"applicant_kind": "commercial", "id_type": "credit_code", "id_number": "91350100M000100Y44"},
            "id_number",
            "校验位",
        ),
        ({"phone": "12345"}, "phone", "联系电话格式不正确"),
        ({"phone": ""}, "phone", "请填写联系电话"),
        ({"received_on": D(2026, 11, 28)}, "received_on", "不能晚于今天"),
        ({"description": "  "}, "description", "请填写"),
        ({"delivery": "post", "address": ""}, "address", "通信地址"),
        ({"delivery": "email"}, "email", "电子邮箱"),
        ({"email": "not-an-address"}, "email", "格式不正确"),
        ({"postcode": "7550"}, "postcode", "6位数字"),
        ({"channel": "pigeon"}, "channel", "请选择申请方式"),
    ],
)
def test_register_refusals(register, overrides, field, words):
    with pytest.raises(ValidationError) as caught:
        register(**overrides)
    assert any(words in m for m in errors_of(caught)[field]), errors_of(caught)
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="application.register").exists()


def test_register_lists_every_problem_at_once(register):
    with pytest.raises(ValidationError) as caught:
        register(id_number="123", phone="x", description="")
    assert {"id_number", "phone", "description"} <= set(errors_of(caught))


def test_register_accepts_passports_and_landlines(register):
    application = register(id_type="passport", id_number="e12345678", phone="0955-7012345-801")
    assert application.id_number == "E12345678"


def test_register_today_is_allowed(register, today):
    assert register(received_on=today.value).received_on == today.value


# --- calendar cache ------------------------------------------------------------------------------------


def test_work_calendar_follows_override_changes_without_explicit_invalidation():
    assert work_calendar() is work_calendar()  # cached while the tables do not change
    assert not work_calendar().is_workday(D(2020, 10, 1))
    override = CalendarOverride.objects.create(day=D(2020, 10, 1), is_workday=True)
    assert work_calendar().is_workday(D(2020, 10, 1))
    CalendarOverride.objects.filter(pk=override.pk).update(is_workday=False)  # flag edited in place
    assert not work_calendar().is_workday(D(2020, 10, 1))
    CalendarOverride.objects.filter(pk=override.pk).update(day=D(2020, 10, 9))  # day edited in place
    assert not work_calendar().is_workday(D(2020, 10, 9))
    assert not work_calendar().is_confirmed(2030)
    ConfirmedYear.objects.create(year=2030)
    assert work_calendar().is_confirmed(2030)


def test_work_calendar_follows_the_count_start_day_setting(settings):
    settings.COUNT_START_DAY = True
    assert work_calendar().count_start_day
    settings.COUNT_START_DAY = False
    assert not work_calendar().count_start_day


# --- permissions ----------------------------------------------------------------------------------------


def test_can_write(tree, clerk, head, clerk_b, supervisor, make_user):
    assert can_write(clerk, tree["a"]) and can_write(head, tree["a"])
    assert not can_write(clerk_b, tree["a"])
    assert not can_write(supervisor, tree["a"]) and not can_write(supervisor, tree["region"])
    parent_clerk = make_user("region_clerk", tree["region"], Role.CLERK)
    assert not can_write(parent_clerk, tree["a"])  # no inherited rights in child agencies
    inactive = make_user("gone", tree["a"], Role.CLERK, is_active=False)
    assert not can_write(inactive, tree["a"])
    assert not can_write(None, tree["a"])
    for role in (Role.REVIEWER, Role.ADMIN):
        assert can_write(make_user(f"u_{role}", tree["a"], role), tree["a"])


def test_other_agency_staff_and_supervisors_cannot_write(register, clerk_b, supervisor):
    application = register()
    for outsider in (clerk_b, supervisor):
        with pytest.raises(PermissionDenied):
            register(by=outsider)
        with pytest.raises(PermissionDenied):
            reply(application, outsider, D(2020, 10, 9), "granted")
        with pytest.raises(PermissionDenied):
            services.application_start_consultation(
                application=application, by=outsider, kind="third_party", party="某公司", on=D(2020, 10, 9)
            )
    assert fresh(application).status == Status.RECEIVED
    assert Application.objects.count() == 1


# --- 补正 ---------------------------------------------------------------------------------------------------


def test_request_correction_stops_the_clock(register, clerk):
    application = register()
    result = services.application_request_correction(
        application=application,
        by=clerk,
        on=D(2020, 10, 9),
        items="请写明所需信息的名称或文号",
        correction_due_on=D(2020, 10, 23),
    )
    assert result.late is False and result.notice_deadline == D(2020, 10, 14)
    assert application.status == Status.AWAITING_CORRECTION  # the caller's instance is updated too
    assert application.due_on is None
    stored = fresh(application)
    assert (stored.status, stored.due_on, stored.correction_due_on) == (
        Status.AWAITING_CORRECTION,
        None,
        D(2020, 10, 23),
    )
    event = last_event(application, EventKind.CORRECTION_REQUESTED)
    assert event.basis == "《条例》第三十条" and event.by == clerk and event.on == D(2020, 10, 9)
    (audit,) = audits("application.request_correction")
    assert audit.before == {"status": "received", "due_on": "2020-11-02", "correction_due_on": None}
    assert audit.after == {"status": "awaiting_correction", "due_on": None, "correction_due_on": "2020-10-23"}


def test_late_correction_notice_is_recorded_and_flagged(register, clerk):
    application = register()
    # 7 working days from 2020-09-28 end on 2020-10-14
    result = services.application_request_correction(
        application=application,
        by=clerk,
        on=D(2020, 10, 15),
        items="补充文号",
        correction_due_on=D(2020, 10, 30),
    )
    assert result.late is True
    assert result.event.data["late"] is True
    assert "晚于《条例》第三十条规定的告知期限" in result.event.note


def test_correction_refusals(register, clerk):
    application = register()
    with pytest.raises(ValidationError) as caught:
        services.application_request_correction(
            application=application, by=clerk, on=D(2020, 10, 9), items="x", correction_due_on=D(2020, 10, 8)
        )
    assert "correction_due_on" in errors_of(caught)
    with pytest.raises(ValidationError):
        services.application_request_correction(
            application=application, by=clerk, on=D(2020, 10, 9), items=" ", correction_due_on=D(2020, 10, 20)
        )
    with pytest.raises(ValidationError):  # before receipt
        services.application_request_correction(
            application=application, by=clerk, on=D(2020, 9, 27), items="x", correction_due_on=D(2020, 10, 20)
        )
    assert fresh(application).status == Status.RECEIVED
    services.application_request_correction(
        application=application, by=clerk, on=D(2020, 10, 9), items="x", correction_due_on=D(2020, 10, 20)
    )
    with pytest.raises(ValidationError):  # awaiting correction: cannot ask again
        services.application_request_correction(
            application=application, by=clerk, on=D(2020, 10, 9), items="y", correction_due_on=D(2020, 10, 20)
        )
    services.application_receive_correction(application=application, by=clerk, on=D(2020, 10, 12))
    with pytest.raises(ValidationError) as caught:  # one notice only (一次性告知)
        services.application_request_correction(
            application=application,
            by=clerk,
            on=D(2020, 10, 13),
            items="y",
            correction_due_on=D(2020, 10, 20),
        )
    assert "一次性告知" in errors_of(caught)["status"][0]


def test_receive_correction_restarts_the_clock(register, clerk):
    application = register(received_on=D(2023, 1, 16))
    assert application.due_on == D(2023, 2, 16)
    services.application_request_correction(
        application=application,
        by=clerk,
        on=D(2023, 1, 18),
        items="补充文号",
        correction_due_on=D(2023, 2, 10),
    )
    services.application_receive_correction(application=application, by=clerk, on=D(2023, 2, 1))
    stored = fresh(application)
    assert stored.status == Status.RECEIVED
    assert stored.clock_start == D(2023, 2, 1)
    assert stored.due_on == D(2023, 3, 1)  # a fresh 20 working days from Feb 1
    event = last_event(application, EventKind.CORRECTION_RECEIVED)
    assert event.basis == "《条例》第三十条"
    (audit,) = audits("application.receive_correction")
    assert audit.before["clock_start"] == "2023-01-16" and audit.after["clock_start"] == "2023-02-01"
    assert audit.before["due_on"] is None and audit.after["due_on"] == "2023-03-01"


def test_receive_correction_refusals(register, clerk):
    application = register()
    with pytest.raises(ValidationError):  # no correction asked for
        services.application_receive_correction(application=application, by=clerk, on=D(2020, 10, 12))
    services.application_request_correction(
        application=application, by=clerk, on=D(2020, 10, 9), items="x", correction_due_on=D(2020, 10, 20)
    )
    with pytest.raises(ValidationError):  # before the notice
        services.application_receive_correction(application=application, by=clerk, on=D(2020, 10, 8))


def test_close_uncorrected_only_after_the_deadline(register, clerk):
    application = register()
    services.application_request_correction(
        application=application, by=clerk, on=D(2020, 10, 9), items="x", correction_due_on=D(2020, 10, 20)
    )
    with pytest.raises(ValidationError) as caught:
        services.application_close_uncorrected(
            application=application, by=clerk, on=D(2020, 10, 20), past_year_reason=TEST_REASON
        )
    assert "届满后" in errors_of(caught)["on"][0]
    services.application_close_uncorrected(
        application=application, by=clerk, on=D(2020, 10, 21), past_year_reason=TEST_REASON
    )
    stored = fresh(application)
    assert (stored.status, stored.outcome, stored.concluded_on) == (
        Status.CONCLUDED,
        "other.no_correction",
        D(2020, 10, 21),
    )
    event = last_event(application, EventKind.REPLIED)
    assert event.basis == "《条例》第三十条" and event.data["outcome"] == "other.no_correction"
    assert audits("application.close_uncorrected")[0].after["outcome"] == "other.no_correction"
    with pytest.raises(ValidationError):
        services.application_close_uncorrected(
            application=application, by=clerk, on=D(2020, 10, 22), past_year_reason=TEST_REASON
        )


# --- consultation -------------------------------------------------------------------------------------------


def test_consultation_pauses_across_spring_festival_2024(register, clerk):
    application = register(received_on=D(2024, 1, 22))
    assert application.due_on == D(2024, 2, 22)
    consultation = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="宁夏某科技有限公司", on=D(2024, 2, 1)
    )
    assert consultation.reply_due_on == D(2024, 2, 27)
    stored = fresh(application)
    assert (stored.status, stored.paused_since, stored.due_on) == (Status.CONSULTING, D(2024, 2, 1), None)
    assert (
        last_event(application, EventKind.CONSULTATION_STARTED).basis
        == "《条例》第三十二条、第三十三条第三款"
    )
    assert audits("consultation.start")[0].after["reply_due_on"] == "2024-02-27"

    services.application_end_consultation(
        consultation=consultation, by=clerk, on=D(2024, 2, 20), answer="不同意公开"
    )
    stored = fresh(application)
    assert stored.status == Status.RECEIVED
    assert stored.paused_workdays == 10
    assert stored.paused_since is None
    assert stored.due_on == D(2024, 3, 7)
    assert Consultation.objects.get(pk=consultation.pk).answered_on == D(2024, 2, 20)
    event = last_event(application, EventKind.CONSULTATION_ENDED)
    assert event.data["resumed"] is True and "不同意公开" in event.note
    (audit,) = audits("application.end_consultation")
    assert audit.before == {
        "paused_workdays": 0,
        "paused_since": "2024-02-01",
        "due_on": None,
        "status": "consulting",
    }
    assert audit.after == {
        "paused_workdays": 10,
        "paused_since": None,
        "due_on": "2024-03-07",
        "status": "received",
    }
    assert audits("consultation.end")[0].after["answered_on"] == "2024-02-20"


def test_the_clock_runs_again_only_when_the_last_consultation_ends(register, clerk):
    application = register(received_on=D(2024, 1, 22))
    first = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="甲公司", on=D(2024, 2, 1)
    )
    second = services.application_start_consultation(
        application=application, by=clerk, kind="co_agency", party="沙坡头区财政局", on=D(2024, 2, 5)
    )
    assert fresh(application).paused_since == D(2024, 2, 1)  # the pause started with the first
    services.application_end_consultation(consultation=first, by=clerk, on=D(2024, 2, 7), answer="同意")
    assert fresh(application).status == Status.CONSULTING
    assert fresh(application).due_on is None
    # the co-producing agency stays silent (consent, Art. 34); recorded when its period has run out
    services.application_end_consultation(consultation=second, by=clerk, on=D(2024, 2, 20), answer="")
    stored = fresh(application)
    assert (
        stored.status == Status.RECEIVED and stored.paused_workdays == 10 and stored.due_on == D(2024, 3, 7)
    )
    assert (
        last_event(application, EventKind.CONSULTATION_ENDED).basis == "《条例》第三十四条、第三十三条第三款"
    )


def test_consultation_refusals(register, clerk):
    application = register(received_on=D(2024, 1, 22))
    with pytest.raises(ValidationError):
        services.application_start_consultation(
            application=application, by=clerk, kind="x", party="甲", on=D(2024, 2, 1)
        )
    with pytest.raises(ValidationError):
        services.application_start_consultation(
            application=application, by=clerk, kind="third_party", party=" ", on=D(2024, 2, 1)
        )
    with pytest.raises(ValidationError) as caught:  # after the due date
        services.application_start_consultation(
            application=application, by=clerk, kind="third_party", party="甲", on=D(2024, 2, 23)
        )
    assert "答复期限" in errors_of(caught)["on"][0]
    consultation = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="甲", on=D(2024, 2, 1)
    )
    with pytest.raises(ValidationError):  # answer before the letter
        services.application_end_consultation(
            consultation=consultation, by=clerk, on=D(2024, 1, 31), answer=""
        )
    services.application_end_consultation(consultation=consultation, by=clerk, on=D(2024, 2, 2), answer="")
    with pytest.raises(ValidationError):
        services.application_end_consultation(
            consultation=consultation, by=clerk, on=D(2024, 2, 5), answer=""
        )


# --- fees -------------------------------------------------------------------------------------------------


def test_fee_notice_pauses_the_clock_across_spring_festival_2025(register, clerk):
    application = register(received_on=D(2025, 1, 20))
    assert application.due_on == D(2025, 2, 21)
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=D(2025, 1, 22), scale="by_volume", quantity=150
    )
    assert notice.amount == Decimal("1700")
    assert notice.calculation.endswith("第101—150页：50页 × 20元 = 1000元；合计 1700元")
    assert notice.pay_due_on == D(2025, 2, 25)
    stored = fresh(application)
    assert (stored.status, stored.paused_since, stored.due_on) == (Status.AWAITING_FEE, D(2025, 1, 22), None)
    event = last_event(application, EventKind.FEE_NOTICE)
    assert event.basis == "《条例》第四十二条第一款、国办函〔2020〕109号" and event.data["amount"] == "1700"
    assert audits("fee_notice.issue")[0].after["amount"] == "1700"

    services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 2, 10))
    stored = fresh(application)
    assert stored.status == Status.RECEIVED
    assert stored.paused_workdays == 9
    assert stored.due_on == D(2025, 3, 6)
    assert FeeNotice.objects.get(pk=notice.pk).paid_on == D(2025, 2, 10)
    assert (
        last_event(application, EventKind.FEE_PAID).basis == "《条例》第四十二条第一款、国办函〔2020〕109号"
    )
    assert audits("application.record_payment")[0].after["due_on"] == "2025-03-06"
    assert audits("fee_notice.paid")[0].after == {"paid_on": "2025-02-10"}


def test_fee_period_can_leave_the_clock_running(register, clerk, settings):
    settings.FEE_PAUSES_CLOCK = False
    application = register(received_on=D(2025, 1, 20))
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=D(2025, 1, 22), scale="by_volume", quantity=31
    )
    stored = fresh(application)
    assert (stored.status, stored.paused_since, stored.due_on) == (Status.AWAITING_FEE, None, D(2025, 2, 21))
    services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 2, 10))
    stored = fresh(application)
    assert (stored.status, stored.paused_workdays, stored.due_on) == (Status.RECEIVED, 0, D(2025, 2, 21))


def test_by_count_uses_the_applicants_ordinal_in_the_month(register, clerk):
    # 11 applications of the same person in January 2025; another person's and February's do not count.
    register(received_on=D(2025, 1, 2), id_type="passport", id_number="E12345678")
    register(received_on=D(2025, 2, 3))
    apps = [register(received_on=D(2025, 1, 2 + i)) for i in range(11)]
    assert services.application_month_ordinal(apps[9]) == 10
    with pytest.raises(ValidationError) as caught:  # the 10th is free: no notice
        services.application_issue_fee_notice(
            application=apps[9], by=clerk, on=D(2025, 1, 14), scale="by_count"
        )
    assert "无需收取" in errors_of(caught)["quantity"][0]
    notice = services.application_issue_fee_notice(
        application=apps[10], by=clerk, on=D(2025, 1, 14), scale="by_count"
    )
    assert (notice.quantity, notice.amount) == (11, Decimal("100"))
    given = services.application_issue_fee_notice(
        application=apps[0], by=clerk, on=D(2025, 1, 14), scale="by_count", quantity=45
    )
    assert given.amount == Decimal("300")


def test_close_unpaid_only_after_the_payment_period(register, clerk):
    application = register(received_on=D(2025, 1, 20))
    services.application_issue_fee_notice(
        application=application, by=clerk, on=D(2025, 1, 22), scale="by_volume", quantity=250
    )
    with pytest.raises(ValidationError):
        services.application_close_unpaid(
            application=application, by=clerk, on=D(2025, 2, 25), past_year_reason=TEST_REASON
        )
    services.application_close_unpaid(
        application=application, by=clerk, on=D(2025, 2, 26), past_year_reason=TEST_REASON
    )
    stored = fresh(application)
    assert (stored.status, stored.outcome, stored.concluded_on) == (
        Status.CONCLUDED,
        "other.fee_unpaid",
        D(2025, 2, 26),
    )
    # the pause is closed on the record: Jan 23 … Feb 26 = 9 + Feb 11–14, 17–21, 24–26 = 21 working days
    assert stored.paused_since is None and stored.paused_workdays == 21
    assert last_event(application, EventKind.REPLIED).basis == "国办函〔2020〕109号"


def test_fee_refusals(register, clerk):
    application = register(received_on=D(2025, 1, 20))
    with pytest.raises(ValidationError):
        services.application_issue_fee_notice(application=application, by=clerk, on=D(2025, 1, 22), scale="x")
    with pytest.raises(ValidationError):  # pages are needed for 按量计收
        services.application_issue_fee_notice(
            application=application, by=clerk, on=D(2025, 1, 22), scale="by_volume"
        )
    with pytest.raises(ValidationError):  # 30 pages are free
        services.application_issue_fee_notice(
            application=application, by=clerk, on=D(2025, 1, 22), scale="by_volume", quantity=30
        )
    with pytest.raises(ValidationError):  # after the reply period
        services.application_issue_fee_notice(
            application=application, by=clerk, on=D(2025, 2, 24), scale="by_volume", quantity=31
        )
    with pytest.raises(ValidationError):  # nothing to close
        services.application_close_unpaid(
            application=application, by=clerk, on=D(2025, 3, 1), past_year_reason=TEST_REASON
        )
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=D(2025, 1, 22), scale="by_volume", quantity=31
    )
    with pytest.raises(ValidationError):  # one open notice at a time
        services.application_issue_fee_notice(
            application=application, by=clerk, on=D(2025, 1, 23), scale="by_volume", quantity=31
        )
    services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 1, 23))
    with pytest.raises(ValidationError):
        services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 1, 24))
    assert FeeNotice.objects.count() == 1


# --- extension --------------------------------------------------------------------------------------------


def test_extension_by_the_head(register, head, clerk):
    application = register()
    request = extend(application, head, D(2020, 10, 30), 20, "涉及档案调取")
    assert request.status == "approved"  # the head asks and approves in one step
    stored = fresh(application)
    assert (stored.extension_days, stored.due_on) == (20, D(2020, 11, 30))
    event = last_event(application, EventKind.EXTENDED)
    assert event.basis == "《条例》第三十三条第二款" and "涉及档案调取" in event.note
    assert event.data["previous_due_on"] == "2020-11-02"
    (audit,) = audits("application.extend")
    assert audit.before == {"extension_days": 0, "due_on": "2020-11-02"}
    assert audit.after == {"extension_days": 20, "due_on": "2020-11-30"}
    letter = application.letters.get(kind="extension")
    assert (
        "因涉及档案调取，本机关无法在规定期限内作出答复" in letter.body and "【延期理由】" not in letter.body
    )
    with pytest.raises(ValidationError) as caught:
        extend(application, head, D(2020, 11, 2), 1, "再延")
    assert "只能延长一次" in errors_of(caught)["status"][0]


def test_a_clerk_asks_and_the_head_decides(register, head, clerk):
    from gongkai.approvals.services import approval_decide

    application = register()
    request = services.application_request_extension(
        application=application, by=clerk, on=D(2020, 10, 29), days=10, reason="需调档"
    )
    assert request.status == "pending" and request.limit_on == D(2020, 11, 2) and request.limit_hard
    assert fresh(application).due_on == D(2020, 11, 2)  # nothing changes before the head agrees
    assert last_event(application, EventKind.EXTENSION_REQUESTED).basis == "《条例》第三十三条第二款"
    with pytest.raises(ValidationError) as caught:  # one request at a time
        services.application_request_extension(
            application=application, by=clerk, on=D(2020, 10, 29), days=5, reason="x"
        )
    assert "等待负责人审批" in errors_of(caught)["status"][0]
    with pytest.raises(PermissionDenied):  # the clerk cannot approve
        approval_decide(request=request, by=clerk, approved=True, on=D(2020, 10, 30))
    approval_decide(request=request, by=head, approved=True, on=D(2020, 10, 30))
    assert fresh(application).due_on == D(2020, 11, 16)
    assert last_event(application, EventKind.EXTENDED).by == head


def test_the_head_refuses_or_approves_too_late(register, head, clerk):
    from gongkai.approvals.services import approval_decide

    application = register()
    request = services.application_request_extension(
        application=application, by=clerk, on=D(2020, 10, 29), days=10, reason="需调档"
    )
    with pytest.raises(ValidationError) as caught:  # after the original due date: refused (Art. 33 (2))
        approval_decide(request=request, by=head, approved=True, on=D(2020, 11, 3))
    assert "已超过法定期限" in caught.value.messages[0]
    assert fresh(application).extension_days == 0
    with pytest.raises(ValidationError):  # refusing needs a reason
        approval_decide(request=request, by=head, approved=False, on=D(2020, 10, 30))
    approval_decide(request=request, by=head, approved=False, comment="可以按期答复", on=D(2020, 10, 30))
    assert fresh(application).extension_days == 0
    refused = last_event(application, EventKind.EXTENSION_REFUSED)
    assert "可以按期答复" in refused.note
    # a new request is possible after a refusal
    services.application_request_extension(
        application=application, by=clerk, on=D(2020, 10, 30), days=5, reason="y"
    )


def test_extension_refusals(register, head, clerk):
    application = register()
    for days in (0, 21):
        with pytest.raises(ValidationError):
            extend(application, head, D(2020, 10, 30), days, "r")
    with pytest.raises(ValidationError):
        extend(application, head, D(2020, 10, 30), 5, " ")
    with pytest.raises(ValidationError) as caught:  # after the due date
        extend(application, head, D(2020, 11, 3), 5, "r")
    assert "答复期限" in errors_of(caught)["on"][0]
    # on the due date itself it is still in time: 10 more working days end on Nov 16
    extend(application, head, D(2020, 11, 2), 10, "r")
    assert fresh(application).due_on == D(2020, 11, 16)


def test_extension_during_a_consultation_applies_when_the_clock_runs_again(register, head, clerk):
    application = register(received_on=D(2024, 1, 22))
    consultation = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="甲", on=D(2024, 2, 1)
    )
    extend(application, head, D(2024, 2, 5), 5, "r")
    assert fresh(application).due_on is None
    services.application_end_consultation(consultation=consultation, by=clerk, on=D(2024, 2, 20), answer="")
    # 35 working days from Jan 22: Mar 7 was the 30th; Mar 8 (31), Mar 11–14 (35).
    assert fresh(application).due_on == D(2024, 3, 14)


# --- reply ------------------------------------------------------------------------------------------------


def test_reply_concludes_with_one_outcome(register, clerk):
    application = register()
    reply(application, clerk, D(2020, 10, 30), "partial", "区分处理")
    stored = fresh(application)
    assert (stored.status, stored.outcome, stored.concluded_on) == (
        Status.CONCLUDED,
        "partial",
        D(2020, 10, 30),
    )
    event = last_event(application, EventKind.REPLIED)
    assert event.basis == "《条例》第三十七条" and event.data["late"] is False
    assert event.note == f"区分处理（补录理由：{TEST_REASON}）"  # a 2020 reply recorded in 2026 says why
    (audit,) = audits("application.reply")
    assert audit.before == {"status": "received", "outcome": "", "concluded_on": None}
    assert audit.after == {
        "status": "concluded",
        "outcome": "partial",
        "concluded_on": "2020-10-30",
        "past_year_reason": TEST_REASON,
    }
    with pytest.raises(ValidationError) as caught:
        reply(application, clerk, D(2020, 10, 30), "granted")
    assert "已办结" in errors_of(caught)["status"][0]


def test_a_late_reply_is_recorded_as_late(register, clerk):
    application = register()
    reply(application, clerk, D(2020, 11, 3), "granted")
    assert last_event(application, EventKind.REPLIED).data["late"] is True


@pytest.mark.parametrize("outcome", ["", "granted.maybe", "other.no_correction", "other.fee_unpaid"])
def test_reply_refuses_unknown_or_special_outcomes(register, clerk, outcome):
    application = register()
    with pytest.raises(ValidationError):
        reply(application, clerk, D(2020, 10, 30), outcome)


def test_reply_refused_while_the_clock_stands_still(register, clerk, settings):
    settings.FEE_PAUSES_CLOCK = False  # even when the fee period does not stop the clock
    waiting = {
        "awaiting_correction": lambda a: services.application_request_correction(
            application=a, by=clerk, on=D(2020, 10, 9), items="x", correction_due_on=D(2020, 10, 20)
        ),
        "consulting": lambda a: services.application_start_consultation(
            application=a, by=clerk, kind="third_party", party="甲", on=D(2020, 10, 9)
        ),
        "awaiting_fee": lambda a: services.application_issue_fee_notice(
            application=a, by=clerk, on=D(2020, 10, 9), scale="by_volume", quantity=40
        ),
    }
    for status, start in waiting.items():
        application = register()
        start(application)
        with pytest.raises(ValidationError):
            reply(application, clerk, D(2020, 10, 12), "granted")
        assert fresh(application).status == status


def test_unclear_after_correction_needs_a_correction(register, clerk):
    application = register()
    with pytest.raises(ValidationError):
        reply(application, clerk, D(2020, 10, 12), "unable.unclear_after_correction")
    services.application_request_correction(
        application=application, by=clerk, on=D(2020, 10, 9), items="x", correction_due_on=D(2020, 10, 20)
    )
    services.application_receive_correction(application=application, by=clerk, on=D(2020, 10, 12))
    reply(application, clerk, D(2020, 10, 13), "unable.unclear_after_correction")
    assert fresh(application).outcome == "unable.unclear_after_correction"


def test_reply_date_checks(register, clerk):
    from gongkai.cases import letters

    application = register()
    letter = services.application_prepare_reply(application=application, by=clerk, outcome="granted")
    for day, words in ((D(2020, 9, 27), "不能早于收到申请日期"), (D(2026, 11, 28), "不能晚于今天")):
        with pytest.raises(ValidationError) as caught:
            letters.letter_issue(letter=letter, by=clerk, on=day, past_year_reason=TEST_REASON)
        assert words in errors_of(caught)["on"][0]
    assert fresh(application).status == Status.RECEIVED
    with pytest.raises(ValidationError) as caught:  # a reply dated in an earlier year needs a reason
        letters.letter_issue(letter=letter, by=clerk, on=D(2020, 10, 9))
    assert "2020年度的统计数据" in errors_of(caught)["past_year_reason"][0]
    letters.letter_issue(letter=letter, by=clerk, on=D(2020, 10, 9), past_year_reason=TEST_REASON)
    assert fresh(application).concluded_on == D(2020, 10, 9)


# --- atomicity ----------------------------------------------------------------------------------------------


def _failing_audit(*args, **kwargs):
    raise RuntimeError("audit store unavailable")


def test_register_writes_nothing_when_the_audit_fails(register, monkeypatch):
    monkeypatch.setattr(services.common, "audit_record", _failing_audit)
    with pytest.raises(RuntimeError):
        register()
    assert not Application.objects.exists()
    assert not ApplicationEvent.objects.exists()


def test_state_changes_write_nothing_when_a_step_fails(register, clerk, head, monkeypatch):
    application = register(received_on=D(2024, 1, 22))
    consultation = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="甲", on=D(2024, 2, 1)
    )
    snapshot = Application.objects.filter(pk=application.pk).values().get()
    events, audit_count = ApplicationEvent.objects.count(), AuditEvent.objects.count()

    monkeypatch.setattr(services.common, "audit_record", _failing_audit)
    steps = [
        lambda: services.application_end_consultation(
            consultation=consultation, by=clerk, on=D(2024, 2, 20), answer="同意"
        ),
        lambda: services.application_start_consultation(
            application=application, by=clerk, kind="co_agency", party="乙", on=D(2024, 2, 2)
        ),
        lambda: extend(application, head, D(2024, 2, 5), 5, "r"),
    ]
    for step in steps:
        with pytest.raises(RuntimeError):
            step()
    assert Application.objects.filter(pk=application.pk).values().get() == snapshot
    assert application.status == Status.CONSULTING  # the caller's instance is untouched as well
    assert Consultation.objects.get(pk=consultation.pk).answered_on is None
    assert Consultation.objects.count() == 1
    assert (ApplicationEvent.objects.count(), AuditEvent.objects.count()) == (events, audit_count)


def test_event_failure_after_the_audit_rolls_back_the_audit_too(register, clerk, monkeypatch):
    from gongkai.cases import letters

    application = register()
    letter = services.application_prepare_reply(application=application, by=clerk, outcome="granted")
    audit_count = AuditEvent.objects.count()

    def failing_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ApplicationEvent.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        letters.letter_issue(letter=letter, by=clerk, on=D(2020, 10, 30), past_year_reason=TEST_REASON)
    assert fresh(application).status == Status.RECEIVED
    assert AuditEvent.objects.count() == audit_count
    letter.refresh_from_db()
    assert (letter.status, letter.number, letter.issued_on) == ("draft", "", None)


# --- review cases -------------------------------------------------------------------------------------------


def test_review_case_register_and_conclude(register, tree, clerk):
    application = register()
    case = services.review_case_register(
        agency=tree["a"],
        by=clerk,
        kind="review",
        case_number="中沙政复〔2020〕3号",
        filed_on=D(2020, 12, 1),
        body="中卫市沙坡头区人民政府",
        application=application,
        past_year_reason=TEST_REASON,
    )
    assert case.result == "pending"
    assert audits("review_case.register")[0].after["case_number"] == "中沙政复〔2020〕3号"
    services.review_case_conclude(
        case=case, by=clerk, result="upheld", concluded_on=D(2021, 1, 20), past_year_reason=TEST_REASON
    )
    stored = ReviewCase.objects.get(pk=case.pk)
    assert (stored.result, stored.concluded_on) == ("upheld", D(2021, 1, 20))
    assert case.result == "upheld"
    (audit,) = audits("review_case.conclude")
    assert audit.before == {"result": "pending", "concluded_on": None}
    assert audit.after == {"result": "upheld", "concluded_on": "2021-01-20", "past_year_reason": TEST_REASON}
    with pytest.raises(ValidationError):
        services.review_case_conclude(
            case=case, by=clerk, result="corrected", concluded_on=D(2021, 1, 21), past_year_reason=TEST_REASON
        )


def test_review_case_refusals(register, tree, clerk, clerk_b, supervisor):
    application = register()
    good = {
        "agency": tree["a"],
        "by": clerk,
        "kind": "review",
        "case_number": "复〔2020〕1号",
        "filed_on": D(2020, 12, 1),
        "past_year_reason": TEST_REASON,
    }
    for bad in ({"kind": "appeal"}, {"case_number": " "}, {"filed_on": D(2026, 11, 28)}):
        with pytest.raises(ValidationError):
            services.review_case_register(**(good | bad))
    with pytest.raises(ValidationError):  # an application of another agency
        services.review_case_register(
            **(good | {"agency": tree["b"], "by": clerk_b, "application": application})
        )
    for outsider in (clerk_b, supervisor):
        with pytest.raises(PermissionDenied):
            services.review_case_register(**(good | {"by": outsider}))
    case = services.review_case_register(**good)
    with pytest.raises(ValidationError):  # the same case twice
        services.review_case_register(**good)
    with pytest.raises(ValidationError):
        services.review_case_conclude(
            case=case, by=clerk, result="pending", concluded_on=D(2021, 1, 1), past_year_reason=TEST_REASON
        )
    with pytest.raises(ValidationError):  # before it was filed
        services.review_case_conclude(
            case=case, by=clerk, result="upheld", concluded_on=D(2020, 11, 30), past_year_reason=TEST_REASON
        )
    with pytest.raises(PermissionDenied):
        services.review_case_conclude(
            case=case,
            by=supervisor,
            result="upheld",
            concluded_on=D(2021, 1, 1),
            past_year_reason=TEST_REASON,
        )
    assert ReviewCase.objects.count() == 1
