"""E-mail notifications to the applicant, enqueued with the step and delivered by the task worker through
Django's SMTP backend to a real local SMTP server: receipt, 补正, fee notice, extension, reply; nothing on a
rollback, nothing without an address or a server, no identity number or phone in any message; a failing
server is tried again later."""

import datetime as dt
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from gongkai.cases import services
from gongkai.cases.notify import Notice, message_text
from gongkai.cases.tasks import MAIL_ATTEMPTS
from tests import factories

D = date


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def mailed(register):
    """Register with an e-mail address."""

    def make(**fields):
        return register(email="wang@example.cn", delivery="email", **fields)

    return make


def queued_notifications() -> list[str]:
    return [r.args_kwargs["args"][1] for r in DBTaskResult.objects.ready().order_by("enqueued_at")]


def test_every_step_the_applicant_must_know_is_mailed(mailbox, mailed, clerk, head, run_tasks):
    application = mailed(received_on=D(2025, 1, 20))
    services.application_request_correction(
        application=application,
        by=clerk,
        on=D(2025, 1, 21),
        items="请写明文件名称\n请写明年份",
        correction_due_on=D(2025, 2, 14),
    )
    assert mailbox == []  # enqueued with the step, sent by the worker
    assert queued_notifications() == ["received", "correction"]
    assert run_tasks() == 2
    services.application_receive_correction(application=application, by=clerk, on=D(2025, 1, 22))
    notice = services.application_issue_fee_notice(
        application=application, by=clerk, on=D(2025, 1, 23), scale="by_volume", quantity=150
    )
    services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 1, 24))
    factories.extend(application, head, D(2025, 2, 5), 10, "需调档")
    factories.reply(application, clerk, D(2025, 2, 10), "granted")
    assert run_tasks() == 3

    subjects = [m["Subject"] for m in mailbox]
    assert len(subjects) == 5
    for subject, words in zip(
        subjects, ("已收到", "请补正", "信息处理费", "答复期限已延长", "已答复"), strict=True
    ):
        assert words in subject and application.number in subject and "中卫市沙坡头区科学技术局" in subject
    assert all(m["To"] == "wang@example.cn" and m["From"] == "gongkai@example.gov.cn" for m in mailbox)
    bodies = [body_of(m) for m in mailbox]
    assert application.query_code in bodies[0]  # the receipt tells the code
    assert "1．请写明文件名称" in bodies[1] and "2．请写明年份" in bodies[1]
    assert "1700元" in bodies[2] and "2025年2月" in bodies[2]
    assert "延长10个工作日" in bodies[3]
    assert "政府信息予以公开告知书" in bodies[4] and "/status/" in bodies[4]
    for body in bodies:
        assert factories.VALID_ID not in body and "13800138000" not in body


def test_nothing_is_sent_for_a_step_that_fails(mailbox, mailed, clerk, run_tasks):
    application = mailed()
    run_tasks()
    mailbox.clear()
    with pytest.raises(ValidationError):
        services.application_request_correction(
            application=application, by=clerk, on=D(2020, 9, 29), items="x", correction_due_on=D(2020, 9, 28)
        )
    assert queued_notifications() == []
    assert run_tasks() == 0 and mailbox == []


def test_nothing_without_an_address_or_a_server(mailbox, register, settings, run_tasks):
    register(email="", delivery="post")
    settings.MAIL_ENABLED = False
    register(email="li@example.cn", delivery="email", serial=2)
    assert queued_notifications() == []
    assert run_tasks() == 0 and mailbox == []


def test_a_failing_mail_server_is_tried_again_later(register, settings, run_tasks, caplog, today, mailbox):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens
    application = register(email="wang@example.cn", delivery="email")
    assert run_tasks() == 1 and application.pk and "again in 1 minutes" in caplog.text
    assert run_tasks() == 0  # the retry waits for its time
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][3] == 2  # the second attempt
    settings.EMAIL_PORT = port  # the server is back
    today.shift(dt.timedelta(minutes=2))
    assert run_tasks() == 1
    assert [m["Subject"] for m in mailbox if "已收到" in m["Subject"]]


def test_a_mail_server_down_for_good_is_given_up(mailbox, register, settings, run_tasks, caplog, today):
    settings.EMAIL_PORT = 9
    register(email="wang@example.cn", delivery="email")
    for _ in range(MAIL_ATTEMPTS):
        run_tasks()
        today.shift(dt.timedelta(hours=3))
    assert run_tasks() == 0
    results = list(
        DBTaskResult.objects.successful().order_by("finished_at").values_list("return_value", flat=True)
    )
    assert results == ["retry"] * (MAIL_ATTEMPTS - 1) + ["failed"], results
    assert "given up" in caplog.text


def test_messages_are_chinese_and_name_no_personal_numbers(application):
    for notice in Notice:
        application.concluded_on = application.received_on
        subject, body = message_text(
            application,
            notice,
            items=["事项"],
            amount=100,
            pay_due_on=application.received_on,
            title="告知书",
        )
        assert subject.startswith("【") and application.number in subject
        assert application.id_number not in body and application.phone not in body
