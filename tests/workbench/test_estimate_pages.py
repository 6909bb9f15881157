"""The pages in late December, before next year's holidays are entered (browser-free, Django's test client):
a clerk registers, sends a 补正 notice, consults, issues a fee notice, asks for an extension the head
approves, and replies, all through the pages; the case page, the list, the dashboard, the portal's status
page and the API show each deadline in that year as an estimate, never as the deadline.

The year is chosen at run time (`unconfirmed_year`, 2027 until the calendar package learns it); today is
28 December of the year before.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongkai.approvals.models import ApprovalRequest
from gongkai.cases import procedure
from gongkai.cases.enums import Status
from gongkai.cases.models import Application
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"workbench:{name}", args=args)


def act(client, application, action, **data):
    payload = {f"{action}-{k}": v for k, v in data.items()}
    return client.post(url("application_action", application.pk, action), payload)


def text_of(response) -> str:
    """The page's visible text without any white space (compare with `bare`)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return bare(re.sub(r"<[^>]+>", " ", html))


def bare(text: str) -> str:
    return "".join(text.split())


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def register_on_the_page(client, tree, name: str, serial: int, on: dt.date) -> Application:
    data = {
        "agency": tree["a"].pk,
        "channel": "letter",
        "received_on": on.isoformat(),
        "applicant_kind": "natural_person",
        "applicant_name": name,
        "id_type": "resident_id",
        "id_number": factories.id_number(serial),
        "phone": "13912345678",
        "description": "沙坡头区科技计划项目立项名单",
        "requested_form": "paper",
        "delivery": "post",
        "address": "中卫市沙坡头区鼓楼东街2号",
    }
    response = client.post(url("application_register"), data)
    assert response.status_code == 302, text_of(response)
    return Application.objects.get(applicant_name=name)


def test_a_december_clerk_is_refused_nothing_and_every_page_says_estimate(
    client, tree, clerk, head, unconfirmed_year, today
):
    year = unconfirmed_year
    on = today.value
    client.force_login(clerk)

    registered = register_on_the_page(client, tree, "赵一", 1, on)
    assert registered.due_on_estimated and registered.due_on.year == year
    shown = procedure.deadline_text(registered.due_on, True)
    assert shown == f"预计 {cn(registered.due_on)}（待节假日安排确认）"

    # the case page: the deadline box says estimate, and why
    page = text_of(client.get(url("application_detail", registered.pk)))
    assert bare(f"预计 {cn(registered.due_on)} （待节假日安排确认）") in page
    assert bare(f"{year}年的节假日安排尚未录入") in page and bare("录入后系统自动重新计算") in page
    assert "节假日安排未确认" not in page  # the old refusal is gone

    # 补正 notice
    corrected = register_on_the_page(client, tree, "赵二", 2, on)
    due = (on + dt.timedelta(days=20)).isoformat()
    response = act(
        client, corrected, "request_correction", on=on, items="请写明文件名称", correction_due_on=due
    )
    assert response.status_code == 302, text_of(response)
    assert Application.objects.get(pk=corrected.pk).status == Status.AWAITING_CORRECTION

    # consultation
    consulted = register_on_the_page(client, tree, "赵三", 3, on)
    response = act(client, consulted, "start_consultation", on=on, kind="third_party", party="甲公司")
    assert response.status_code == 302, text_of(response)
    consultation = consulted.consultations.get()
    assert consultation.reply_due_on_estimated and consultation.reply_due_on.year == year
    page = text_of(client.get(url("application_detail", consulted.pk)))
    assert bare("如今日恢复计时，答复期限为 预计 ") in page

    # fee notice
    paying = register_on_the_page(client, tree, "赵四", 4, on)
    response = act(client, paying, "issue_fee_notice", on=on, scale="by_volume", quantity=120)
    assert response.status_code == 302, text_of(response)
    notice = paying.fee_notices.get()
    assert notice.pay_due_on_estimated and notice.pay_due_on.year == year

    # the extension: the clerk asks, the head approves from the page
    extended = register_on_the_page(client, tree, "赵五", 5, on)
    response = act(client, extended, "request_extension", on=on, days=10, reason="需调档核查")
    assert response.status_code == 302, text_of(response)
    request = ApprovalRequest.objects.get(kind="extension", subject_id=extended.pk)
    assert request.limit_estimated
    client.force_login(head)
    queue = text_of(client.get(url("approval_queue")))
    assert bare(f"预计 {request.limit_on.isoformat()} （待节假日安排确认）") in queue
    page = text_of(client.get(url("application_detail", extended.pk)))
    assert bare(f"须于预计 {cn(request.limit_on)}（待节假日安排确认）前批准") in page
    response = client.post(url("approval_decide", request.pk), {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    extended.refresh_from_db()
    assert extended.extension_days == 10 and extended.due_on_estimated
    letter = extended.letters.get(kind="extension")
    assert "本机关将自收到申请之日起30个工作日内作出答复" in letter.body  # a period, not a guessed date

    # the reply
    client.force_login(clerk)
    replied = register_on_the_page(client, tree, "赵六", 6, on)
    response = act(client, replied, "prepare_reply", outcome="granted", note="")
    assert response.status_code == 302, text_of(response)
    reply = factories.fill_placeholders(replied.letters.get(kind="reply"), clerk)
    edit = text_of(client.get(url("letter_edit", replied.pk, reply.pk)))
    assert bare(f"法定期限：预计 {cn(replied.due_on)}（待节假日安排确认）") in edit
    response = client.post(url("letter_issue", replied.pk, reply.pk), {"on": on, "confirm": "on"})
    assert response.status_code == 302, text_of(response)
    assert Application.objects.get(pk=replied.pk).status == Status.CONCLUDED

    # the list
    listing = text_of(client.get(url("application_list")))
    assert bare(f"预计 {registered.due_on.isoformat()} （待节假日安排确认）") in listing

    # the dashboard, a few days before the estimated due date (now in the year not entered yet)
    today.set(registered.due_on - dt.timedelta(days=1))
    client.force_login(clerk)  # weeks later: a new session
    dashboard = text_of(client.get(url("dashboard")))
    assert (
        bare(f"{year}年节假日安排尚未录入") in dashboard
        and bare("暂按周一至周五为工作日估算（已除去元旦、劳动节、国庆节，未计其他节假日和调休）")
        in dashboard
    )
    assert (
        bare(f"预计 {registered.due_on.isoformat()} （待节假日安排确认）") in dashboard
    )  # due soon, as an estimate
    today.set(registered.due_on + dt.timedelta(days=3))
    client.force_login(clerk)
    dashboard = text_of(client.get(url("dashboard")))
    assert (
        bare("已逾期") in dashboard
        and bare(f"预计 {registered.due_on.isoformat()} （待节假日安排确认）") in dashboard
    )

    # the applicant's status page
    status = text_of(client.get(reverse("portal:status"), {"code": registered.query_code}))
    assert bare(f"答复期限 预计 {cn(registered.due_on)}（待节假日安排确认）") in status
    status = text_of(client.get(reverse("portal:status"), {"code": paying.query_code}))
    assert bare(f"缴费期限 预计 {cn(notice.pay_due_on)}（待节假日安排确认）") in status

    # the API says which dates are estimates
    client.force_login(clerk)
    row = client.get(f"/api/applications/{registered.pk}").json()
    assert row["due_on"] == registered.due_on.isoformat() and row["due_on_estimated"] is True
    assert row["due_on_text"] == shown
    exact = factories.register(tree["a"], clerk, 9, received_on=dt.date(year - 1, 11, 2))
    row = client.get(f"/api/applications/{exact.pk}").json()
    assert row["due_on_estimated"] is False and row["due_on_text"] == cn(exact.due_on)


def test_the_portal_receipt_of_an_online_application_says_estimate(
    client, tree, clerk, unconfirmed_year, today
):
    data = {
        "applicant_kind": "natural_person",
        "applicant_name": "王小明",
        "id_type": "resident_id",
        "id_number": factories.id_number(5),
        "contact_person": "",
        "phone": "13900001111",
        "email": "",
        "address": "",
        "postcode": "",
        "description": "沙坡头区科技项目专项资金分配结果",
        "requested_form": "electronic",
        "delivery": "online",
    }
    response = client.post(reverse("portal:apply", args=[tree["a"].pk]), data)
    assert response.status_code == 302, text_of(response)
    application = Application.objects.get(applicant_name="王小明")
    assert application.due_on_estimated
    receipt = text_of(client.get(reverse("portal:receipt")))
    assert bare(f"答复期限 预计 {application.due_on.isoformat()}（待节假日安排确认）") in receipt
    printed = text_of(client.get(reverse("portal:receipt"), {"print": 1}))
    assert bare(f"预计 {application.due_on.isoformat()}（待节假日安排确认）（如需补正") in printed
