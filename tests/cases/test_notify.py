"""E-mail notifications to the applicant, delivered by Django's SMTP backend to a real local SMTP server:
receipt, 补正, fee notice, extension, reply; nothing on a rollback, nothing without an address or a server,
no identity number or phone in any message."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gongkai.cases import services
from gongkai.cases.notify import Notice, message_text
from tests import factories

D = date


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def mailed(register, django_capture_on_commit_callbacks):
    """Register with an e-mail address, running the on-commit callbacks."""

    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return register(email="wang@example.cn", delivery="email", **fields)

    return make


def test_every_step_the_applicant_must_know_is_mailed(
    mailbox, mailed, clerk, head, django_capture_on_commit_callbacks
):
    application = mailed(received_on=D(2025, 1, 20))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_correction(
            application=application,
            by=clerk,
            on=D(2025, 1, 21),
            items="请写明文件名称\n请写明年份",
            correction_due_on=D(2025, 2, 14),
        )
        services.application_receive_correction(application=application, by=clerk, on=D(2025, 1, 22))
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.application_issue_fee_notice(
            application=application, by=clerk, on=D(2025, 1, 23), scale="by_volume", quantity=150
        )
        services.application_record_payment(fee_notice=notice, by=clerk, on=D(2025, 1, 24))
    with django_capture_on_commit_callbacks(execute=True):
        factories.extend(application, head, D(2025, 2, 5), 10, "需调档")
    with django_capture_on_commit_callbacks(execute=True):
        factories.reply(application, clerk, D(2025, 2, 10), "granted")

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


def test_nothing_is_sent_for_a_step_that_fails(mailbox, mailed, clerk, django_capture_on_commit_callbacks):
    application = mailed()
    mailbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.application_request_correction(
            application=application, by=clerk, on=D(2020, 9, 29), items="x", correction_due_on=D(2020, 9, 28)
        )
    assert mailbox == []


def test_nothing_without_an_address_or_a_server(
    mailbox, register, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(email="", delivery="post")
    assert mailbox == []
    settings.MAIL_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        register(email="li@example.cn", delivery="email", serial=2)
    assert mailbox == []


def test_a_failing_mail_server_does_not_fail_the_step(
    register, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.MAIL_ENABLED = "127.0.0.1", 9, True  # nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        application = register(email="wang@example.cn", delivery="email")
    assert application.pk and "could not be sent" in caplog.text


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
