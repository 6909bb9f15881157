"""E-mail notifications to the applicant: receipt, 补正, fee notice, extension, reply.

Sent through Django's mail framework (SMTP settings in the environment, gongkai/settings.py) by a task
(gongkai.cases.tasks.send_notification) that is enqueued in the transaction of the step: a rolled-back step
sends nothing, a committed one is sent by the worker (`gongkai worker`). A message names the step and what
the applicant must do; it carries no identity number and no phone. When no SMTP server is configured, or the
applicant gave no address, nothing is enqueued. A mail server that fails is tried again later and logged,
never shown to the clerk as an error: the step itself is done.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.urls import reverse

from gongkai.cases.clock import FEE_PAYMENT_WORKDAYS, REPLY_WORKDAYS

log = logging.getLogger(__name__)


class Notice(StrEnum):
    RECEIVED = "received"
    CORRECTION = "correction"
    FEE = "fee"
    EXTENDED = "extended"
    REPLIED = "replied"


_SUBJECTS = {
    Notice.RECEIVED: "已收到您的政府信息公开申请",
    Notice.CORRECTION: "请补正您的政府信息公开申请",
    Notice.FEE: "您的政府信息公开申请需缴纳信息处理费",
    Notice.EXTENDED: "您的政府信息公开申请答复期限已延长",
    Notice.REPLIED: "您的政府信息公开申请已答复",
}


def mail_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", "")) and getattr(settings, "MAIL_ENABLED", False)


def _status_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:status")


def message_text(application, notice: Notice, **facts) -> tuple[str, str]:
    """(subject, body) of a notification. A deadline counted on an estimate (the holiday schedule of its
    year not entered yet) is written "预计 …（待节假日安排确认）", never as the deadline."""
    from gongkai.cases.letters.text import cn_date
    from gongkai.cases.procedure import deadline_text

    agency = application.agency.name
    lines = [f"{application.applicant_name}：", ""]
    opening = f"您向{agency}提出的政府信息公开申请（申请编号：{application.number}）"
    if notice == Notice.RECEIVED:
        lines.append(f"{opening}已于{cn_date(application.received_on)}收到。")
        if application.due_on and application.due_on_estimated:
            lines.append(
                f"如无补正、征求意见或延期等情形，将自收到申请之日起{REPLY_WORKDAYS}个工作日内答复，"
                f"答复期限{deadline_text(application.due_on, True)}。"
            )
        elif application.due_on:
            lines.append(f"如无补正、征求意见或延期等情形，将于{cn_date(application.due_on)}前答复。")
        lines.append(f"您的查询码为：{application.query_code}。查询码是查询办理进度的凭证，请妥善保管。")
    elif notice == Notice.CORRECTION:
        lines.append(f"{opening}内容不明确，需要补正。需要补正的事项：")
        lines += [f"  {n}．{item}" for n, item in enumerate(facts.get("items") or [], 1)]
        if application.correction_due_on:
            lines.append(
                f"请于{cn_date(application.correction_due_on)}前补正，可在网上查询页面直接提交补正材料。"
            )
        lines.append("逾期无正当理由不补正的，视为放弃申请。")
    elif notice == Notice.FEE:
        pay_due = deadline_text(
            dt.date.fromisoformat(str(facts["pay_due_on"])), bool(facts.get("pay_due_on_estimated"))
        )
        lines.append(
            f"{opening}需缴纳信息处理费人民币{facts['amount']}元，请自收到收费通知次日起{FEE_PAYMENT_WORKDAYS}个工作日内缴纳，"
            f"缴费期限为{pay_due}。"
        )
        if application.agency.payment_instructions:
            lines.append(f"缴费方式：{application.agency.payment_instructions}")
        lines.append("逾期未缴纳的，视为放弃申请。收费通知书将另行送达。")
    elif notice == Notice.EXTENDED:
        due = ""
        if application.due_on and application.due_on_estimated:
            due = f"，答复期限{deadline_text(application.due_on, True)}"
        elif application.due_on:
            due = f"，将于{cn_date(application.due_on)}前答复"
        lines.append(
            f"{opening}的答复期限经政府信息公开工作机构负责人同意已延长{application.extension_days}个工作日{due}。"
        )
    else:
        lines.append(f"{opening}已于{cn_date(application.concluded_on)}作出答复（{facts['title']}）。")
        lines.append(
            "您可以在网上查询页面输入查询码并核对证件号码后四位，下载答复告知书；纸质文书按您选择的方式送达。"
        )
    lines += [
        "",
        f"办理进度查询：{_status_url()}",
        "",
        f"{agency}",
        "（本邮件由系统自动发送，请勿直接回复。）",
    ]
    return f"【{agency}】{_SUBJECTS[notice]}（{application.number}）", "\n".join(lines)


def _json_safe(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def notify_applicant(application, notice: Notice, **facts) -> None:
    """Enqueue the notification in the current transaction (sent by the worker once it commits)."""
    from gongkai.cases.tasks import send_notification

    if not (application.email or "").strip() or not mail_enabled():
        return
    send_notification.enqueue(application.pk, str(notice), {k: _json_safe(v) for k, v in facts.items()})
