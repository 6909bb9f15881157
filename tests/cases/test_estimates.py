"""Deadlines in a year whose holiday schedule is not entered yet: every step works, every such deadline is
stored as a weekends-only estimate with its flag, nothing is refused for it, and saving the year's schedule
computes them again (a task enqueued with the save) and says what moved.

The year is chosen at run time (`unconfirmed_year`: 2027 until the calendar package learns it) and today is
28 December of the year before, so these tests keep working when the package learns a new year.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.approvals.models import ApprovalRequest
from gongkai.approvals.services import approval_decide
from gongkai.audit.models import AuditEvent
from gongkai.cases import clock, letters, procedure, services
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.holidays import COMMAND_LINE, holiday_schedule_save
from gongkai.cases.letters.text import letter_text
from gongkai.cases.models import Application, ApplicationEvent
from gongkai.cases.notify import Notice, message_text
from gongkai.cases.procedure import Step
from gongkai.cases.selectors import application_facts, applications_due_soon, applications_overdue
from gongkai.cases.services.estimates import applications_with_estimates, estimated_deadlines_recompute
from gongkai.cases.tasks import recompute_estimated_deadlines
from gongkai.errors import Code
from gongkai.holiday_notice import parse_notice, parse_schedule_csv
from gongkai.workdays import WorkCalendar, fixed_holidays
from tests import factories

D = dt.date
pytestmark = pytest.mark.django_db


def weekends_only(year: int) -> WorkCalendar:
    """The calendar the estimates are counted on: `year` as if confirmed with only the holidays the law fixes
    on calendar dates (元旦, 劳动节, 国庆节)."""
    return WorkCalendar({day: False for day in fixed_holidays(year)}, [year])


def save_schedule(year: int, *, from_notice: bool = False):
    """The administrator saves `year`'s holidays: a CSV that moves January's deadlines (New Year's week off, a
    make-up Saturday), or `from_notice` the text of a real notice of a year with the same weekdays."""
    text, kind = (
        factories.holiday_notice_for(year) if from_notice else (factories.holiday_csv_for(year), "csv")
    )
    schedule = parse_notice(text) if kind == "notice" else parse_schedule_csv(text)
    assert schedule.ok and schedule.year == year, schedule.problems
    return holiday_schedule_save(
        schedule=schedule, by=COMMAND_LINE, source=f"测试：{year}年节假日安排（{kind}）"
    )


def reload(obj):
    obj.refresh_from_db()
    return obj


# --- every step, on estimates ------------------------------------------------------------------------------


def test_registration_stores_an_estimate_and_says_so(register, unconfirmed_year, today):
    application = register(received_on=today.value)
    expected = weekends_only(unconfirmed_year).add(today.value, clock.REPLY_WORKDAYS)
    assert (application.due_on, application.due_on_estimated) == (expected, True)
    assert expected.year == unconfirmed_year
    event = application.events.get(kind=EventKind.RECEIVED)
    assert (
        f"答复期限 预计 {expected.year}年{expected.month}月{expected.day}日（待节假日安排确认）" in event.note
    )
    assert event.data == {"due_on": expected.isoformat(), "due_on_estimated": True}
    audit = AuditEvent.objects.get(action="application.register", object_id=str(application.pk))
    assert audit.after["due_on_estimated"] is True
    # a period within a confirmed year is exact, as before
    assert not register(received_on=D(unconfirmed_year - 1, 12, 1)).due_on_estimated


def test_correction_notice_deadline_is_an_estimate_and_lateness_waits(
    register, clerk, unconfirmed_year, today
):
    application = register(received_on=today.value)
    result = services.application_request_correction(
        application=application, by=clerk, on=today.value, items="请写明文件名称",
        correction_due_on=today.value + dt.timedelta(days=20),
    )  # fmt: skip
    assert result.notice_deadline == weekends_only(unconfirmed_year).add(today.value, 7)
    assert result.notice_deadline_estimated and result.late is None
    assert result.event.data["notice_deadline_estimated"] is True
    assert (application.due_on, application.due_on_estimated) == (None, False)
    # the corrected application restarts an estimated clock
    services.application_receive_correction(application=application, by=clerk, on=today.value)
    assert application.due_on_estimated
    assert application.due_on == weekends_only(unconfirmed_year).add(today.value, 20)


def test_consultation_fee_and_extension_on_estimates(register, clerk, head, unconfirmed_year, today):
    weekends = weekends_only(unconfirmed_year)
    consulted = register(received_on=today.value)
    consultation = services.application_start_consultation(
        application=consulted, by=clerk, kind="third_party", party="甲公司", on=today.value
    )
    assert (consultation.reply_due_on, consultation.reply_due_on_estimated) == (
        weekends.add(today.value, 15),
        True,
    )

    paying = register(received_on=today.value, serial=2)
    notice = services.application_issue_fee_notice(
        application=paying, by=clerk, on=today.value, scale="by_volume", quantity=40
    )
    assert (notice.pay_due_on, notice.pay_due_on_estimated) == (weekends.add(today.value, 20), True)
    assert (notice.reply_due_on, notice.reply_due_on_estimated) == (weekends.add(today.value, 20), True)
    assert notice.reply_period == {"from": today.value.isoformat(), "workdays": 20, "pauses": []}

    extended = register(received_on=today.value, serial=3)
    request = factories.extend(extended, head, today.value, 20)
    assert request.limit_estimated and request.limit_on == weekends.add(today.value, 20)
    assert (extended.due_on, extended.due_on_estimated) == (weekends.add(today.value, 40), True)
    event = extended.events.get(kind=EventKind.EXTENDED)
    assert event.data["previous_due_on_estimated"] is True and event.data["previous_period"]["workdays"] == 20
    assert "答复期限延至 预计 " in event.note


def test_an_estimated_reply_period_is_not_held_against_the_agency(
    register, clerk, head, unconfirmed_year, today
):
    application = register(received_on=today.value)
    request = services.application_request_extension(
        application=application, by=clerk, on=today.value, days=10, reason="需调档核查"
    )
    # weeks later, past the estimated due date, while the year is still not entered
    late = application.due_on + dt.timedelta(days=3)
    today.set(late)
    facts = application_facts(reload(application))
    assert procedure.is_overdue(facts, today=late)  # overdue on the estimate, and the pages say so
    # ... but whether the real period has passed is not known: the head may still approve
    assert procedure.refusal(Step.EXTEND, facts, on=late) is None
    approval_decide(request=request, by=head, approved=True, on=late)
    assert reload(application).extension_days == 10
    decision = request.decisions.get()
    assert decision.late  # on the estimate
    # a limit known for certain is still enforced
    exact = register(received_on=D(unconfirmed_year - 1, 11, 2), serial=2)
    exact_request = services.application_request_extension(
        application=exact, by=clerk, on=D(unconfirmed_year - 1, 11, 3), days=5, reason="需调档核查"
    )
    with pytest.raises(ValidationError) as caught:
        approval_decide(request=exact_request, by=head, approved=True, on=late)
    assert Code.APPROVAL_LIMIT_PASSED.value in str(caught.value.error_list[0].code)


def test_closing_unpaid_waits_until_the_payment_deadline_is_confirmed(
    register, clerk, unconfirmed_year, today
):
    application = register(received_on=today.value)
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=today.value, scale="by_volume", quantity=40
    )
    today.set(notice.pay_due_on + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        services.application_close_unpaid(application=application, by=clerk, on=today.value)
    (message,) = caught.value.message_dict["on"]
    assert "是预计日期" in message and "节假日安排录入" in message
    save_schedule(unconfirmed_year)
    estimated_deadlines_recompute(year=unconfirmed_year)
    notice.refresh_from_db()
    assert not notice.pay_due_on_estimated
    today.set(notice.pay_due_on + dt.timedelta(days=1))
    services.application_close_unpaid(application=application, by=clerk, on=today.value)
    assert reload(application).status == Status.CONCLUDED


def test_overdue_and_due_soon_use_the_estimate(register, clerk, unconfirmed_year, today):
    application = register(received_on=today.value)
    today.set(application.due_on - dt.timedelta(days=1))
    assert list(applications_due_soon(user=clerk, today=today.value)) == [application]
    today.set(application.due_on + dt.timedelta(days=1))
    (overdue,) = applications_overdue(user=clerk, today=today.value)
    assert overdue == application and overdue.is_overdue and overdue.due_on_estimated


def test_the_reply_is_not_refused(register, clerk, head, unconfirmed_year, today):
    application = register(received_on=today.value)
    factories.reply(application, clerk, today.value, "granted", approver=head)
    assert application.status == Status.CONCLUDED
    replied = application.events.get(kind=EventKind.REPLIED)
    # whether a reply was late is known once the due date is (a make-up working day could bring it forward)
    assert replied.data["due_on_estimated"] is True and replied.data["late"] is None


# --- letters and e-mails never state an estimate as the deadline -------------------------------------------


def test_letters_write_the_period_in_words_when_the_date_is_an_estimate(
    register, head, unconfirmed_year, today
):
    application = register(received_on=today.value)
    due = application.due_on
    _, receipt = letter_text(application=application, kind="receipt")
    assert f"{due.year}年{due.month}月{due.day}日" not in receipt
    assert "自收到申请之日起20个工作日内予以答复" in receipt
    _, extension = letter_text(application=application, kind="extension", extension_days=10)
    assert "本机关将自收到申请之日起30个工作日内作出答复" in extension
    assert "前作出答复" not in extension
    # with an exact date, the letters name it
    exact = register(received_on=D(unconfirmed_year - 1, 11, 2), serial=2)
    _, receipt = letter_text(application=exact, kind="receipt")
    assert f"本机关将于{exact.due_on.year}年{exact.due_on.month}月{exact.due_on.day}日前作出答复" in receipt


def test_letter_limits_are_estimates(register, clerk, unconfirmed_year, today):
    application = register(received_on=today.value)
    letter = letters.letter_draft(application=application, by=clerk, kind="correction", items=["请写明文号"])
    limit = letters.letter_limit(letter)
    assert limit.estimated and limit.on == weekends_only(unconfirmed_year).add(today.value, 7)
    reply = services.application_prepare_reply(application=application, by=clerk, outcome="granted")
    letters.letter_submit(letter=factories.fill_placeholders(reply, clerk), by=clerk, on=today.value)
    request = ApprovalRequest.objects.get(kind="letter", subject_id=reply.pk)
    assert request.limit_estimated and request.limit_on == application.due_on


def test_e_mails_say_estimate(register, unconfirmed_year, today):
    application = register(received_on=today.value)
    _, body = message_text(application, Notice.RECEIVED)
    shown = procedure.deadline_text(application.due_on, True)
    assert f"答复期限{shown}" in body and "20个工作日内答复" in body
    _, body = message_text(
        application, Notice.FEE, amount=100, pay_due_on=application.due_on, pay_due_on_estimated=True
    )
    assert f"缴费期限为{shown}" in body


def test_the_staff_reminder_says_estimate(register, clerk, unconfirmed_year, today):
    from gongkai.cases.tasks import reminder_text

    application = register(received_on=today.value)
    _, body = reminder_text(user=clerk, overdue=[application], due_soon=[], today=today.value)
    assert f"答复期限 {procedure.deadline_text(application.due_on, True)}" in body


# --- the schedule is entered: everything computed again ----------------------------------------------------


def test_saving_the_schedule_recomputes_every_estimate_once(
    register, clerk, head, unconfirmed_year, today, run_tasks
):
    year = unconfirmed_year
    registered = register(received_on=today.value)
    consulted = register(received_on=today.value, serial=2)
    consultation = services.application_start_consultation(
        application=consulted, by=clerk, kind="third_party", party="甲公司", on=today.value
    )
    paying = register(received_on=D(year - 1, 12, 14), serial=3)
    notice = services.application_issue_fee_notice(
        application=paying, by=clerk, on=today.value, scale="by_volume", quantity=40
    )
    asking = register(received_on=D(year - 1, 12, 14), serial=4)
    extension = services.application_request_extension(
        application=asking, by=clerk, on=today.value, days=10, reason="需调档核查"
    )
    replying = register(received_on=today.value, serial=5)
    reply = services.application_prepare_reply(application=replying, by=clerk, outcome="granted")
    letters.letter_submit(letter=factories.fill_placeholders(reply, clerk), by=clerk, on=today.value)
    reply_request = ApprovalRequest.objects.get(kind="letter", subject_id=reply.pk)
    exact = register(received_on=D(year - 1, 11, 2), serial=6)  # nothing estimated: left alone
    assert sorted(applications_with_estimates()) == sorted(
        a.pk for a in (registered, consulted, paying, asking, replying)
    )

    saved = save_schedule(year)
    # the recomputation is queued in the transaction of the save
    assert run_tasks() == 1
    cal = work_calendar()
    assert cal.is_confirmed(year) and saved.year == year

    def expect(day, start, n):
        assert day == cal.add(start, n), (day, start, n)

    for application in (registered, replying):
        reload(application)
        expect(application.due_on, today.value, 20)
        assert not application.due_on_estimated
    reload(consultation)
    expect(consultation.reply_due_on, today.value, 15)
    assert not consultation.reply_due_on_estimated
    reload(notice)
    expect(notice.pay_due_on, today.value, 20)
    expect(notice.reply_due_on, D(year - 1, 12, 14), 20)
    assert not notice.pay_due_on_estimated and not notice.reply_due_on_estimated
    reload(extension)
    expect(extension.limit_on, D(year - 1, 12, 14), 20)
    assert not extension.limit_estimated
    reload(reply_request)
    expect(reply_request.limit_on, today.value, 20)
    assert not reply_request.limit_estimated
    assert applications_with_estimates() == []

    # one event and one audit record per application, saying what moved
    events = ApplicationEvent.objects.filter(kind=EventKind.DEADLINES_RECOMPUTED)
    assert sorted(e.application_id for e in events) == sorted(
        a.pk for a in (registered, consulted, paying, asking, replying)
    )
    event = events.get(application=registered)
    assert event.note.startswith("节假日安排确认后重新计算：答复期限 ")
    assert "预计" not in event.note.split("（")[0]
    assert event.basis == f"测试：{year}年节假日安排（csv）"
    assert event.on == today.value and event.by is None
    audit = AuditEvent.objects.get(action="application.recompute_deadlines", object_id=str(registered.pk))
    assert audit.before["due_on"]["estimated"] is True and audit.after["due_on"]["estimated"] is False
    assert audit.before["due_on"]["on"] < audit.after["due_on"]["on"]  # New Year's week moved it
    assert (
        f"（原预计 {procedure.deadline_text(D.fromisoformat(audit.before['due_on']['on']))}）" in event.note
    )
    assert not exact.events.filter(kind=EventKind.DEADLINES_RECOMPUTED).exists()

    # safe to run again: nothing left to change, no new events
    recompute_estimated_deadlines.enqueue(year)
    assert run_tasks() == 1
    assert ApplicationEvent.objects.filter(kind=EventKind.DEADLINES_RECOMPUTED).count() == 5
    assert estimated_deadlines_recompute(year=year).changed == []


def test_saving_from_the_notice_text_confirms_the_estimates(register, unconfirmed_year, today, run_tasks):
    admin = factories.make_user("admin", first_name="系统管理员", is_superuser=True, is_staff=True)
    application = register(received_on=today.value)
    text, kind = factories.holiday_notice_for(unconfirmed_year)
    schedule = parse_notice(text) if kind == "notice" else parse_schedule_csv(text)
    holiday_schedule_save(schedule=schedule, by=admin, source="国务院办公厅关于部分节假日安排的通知")
    assert run_tasks() == 1
    reload(application)
    assert not application.due_on_estimated
    assert application.due_on == work_calendar().add(today.value, 20)
    event = application.events.get(kind=EventKind.DEADLINES_RECOMPUTED)
    assert event.basis == "国务院办公厅关于部分节假日安排的通知"


def test_the_daily_sweep_catches_an_estimate_the_save_missed(register, unconfirmed_year, today, run_tasks):
    from gongkai.cases.models import ConfirmedYear
    from gongkai.cases.tasks import daily_sweep

    application = register(received_on=today.value)
    # the year confirmed by a path that queued nothing (or a step that raced with the save)
    ConfirmedYear.objects.create(year=unconfirmed_year, note="直接录入")
    daily_sweep.enqueue()
    run_tasks()
    reload(application)
    assert not application.due_on_estimated and application.due_on == work_calendar().add(today.value, 20)
    assert application.events.get(kind=EventKind.DEADLINES_RECOMPUTED).basis == "节假日安排"


def test_pauses_counted_on_an_estimate_are_counted_again(register, clerk, unconfirmed_year, today, run_tasks):
    year = unconfirmed_year
    application = register(received_on=today.value)
    consultation = services.application_start_consultation(
        application=application, by=clerk, kind="third_party", party="甲公司", on=today.value
    )
    # the answer comes in January of the year not entered yet
    answered = D(year, 1, 12)
    today.set(answered)
    services.application_end_consultation(consultation=consultation, by=clerk, on=answered, answer="同意公开")
    reload(application)
    paused = weekends_only(year).between(D(year - 1, 12, 28), answered)
    assert application.paused_workdays == paused and application.due_on_estimated
    assert application.estimated_pauses == [
        {"since": D(year - 1, 12, 28).isoformat(), "until": answered.isoformat(), "workdays": paused}
    ]
    assert application.due_on == weekends_only(year).add(D(year - 1, 12, 28), 20 + paused)

    save_schedule(year)
    run_tasks()
    reload(application)
    cal = work_calendar()
    exact_pause = cal.between(D(year - 1, 12, 28), answered)
    assert exact_pause < paused  # New Year's week off
    assert (application.paused_workdays, application.estimated_pauses) == (exact_pause, [])
    assert application.due_on == cal.add(D(year - 1, 12, 28), 20 + exact_pause)
    assert not application.due_on_estimated


def test_a_deadline_needing_a_year_still_unknown_stays_an_estimate(
    register, unconfirmed_year, today, run_tasks
):
    application = register(received_on=today.value)
    before = Application.objects.filter(pk=application.pk).values().get()
    # the year after is entered first (an administrator ahead of time): this estimate does not need it
    save_schedule(unconfirmed_year + 1)
    assert run_tasks() == 1
    assert Application.objects.filter(pk=application.pk).values().get() == before
    assert not ApplicationEvent.objects.filter(kind=EventKind.DEADLINES_RECOMPUTED).exists()
    assert applications_with_estimates() == [application.pk]


def test_the_queued_recomputation_is_rolled_back_with_a_failed_save(unconfirmed_year, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from gongkai.cases import holidays

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(holidays, "audit_record", broken)
    with pytest.raises(RuntimeError):
        save_schedule(unconfirmed_year)
    assert not DBTaskResult.objects.exists()
