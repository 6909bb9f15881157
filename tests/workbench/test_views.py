"""The staff pages: login lockout, every page for a clerk, agency isolation, read-only supervisors,
masking of personal data, a fixed number of queries for the list, Chinese field errors, admin access."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.agencies.models import LoginFailure, Role
from gongkai.agencies.validators import mask_id_number, mask_phone
from gongkai.approvals.models import ApprovalRequest
from gongkai.audit.models import AuditEvent
from gongkai.cases.enums import Status
from gongkai.cases.models import Application, ConfirmedYear, ReviewCase
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"workbench:{name}", args=args)


def today():
    return timezone.localdate()


def act(client, application, action, **data):
    """Post one action form of the case page (its fields carry the action's prefix)."""
    payload = {f"{action}-{k}": v for k, v in data.items()}
    return client.post(url("application_action", application.pk, action), payload)


# --- login and lockout -----------------------------------------------------------------------------------


def test_login_page_and_success(client, clerk):
    assert client.get(url("login")).status_code == 200
    response = client.post(url("login"), {"username": "clerk_a", "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == url("dashboard")
    assert AuditEvent.objects.filter(action="auth.login", actor=clerk).exists()


def test_pages_require_login(client, application):
    for target in (url("dashboard"), url("application_list"), url("application_detail", application.pk)):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(url("login"))


def test_lockout_after_max_failures(client, clerk, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCK_MINUTES = 15
    for _ in range(2):
        page = client.post(
            url("login"), {"username": "clerk_a", "password": "wrong-password"}
        ).content.decode()
        assert "用户名或密码不正确" in page
    page = client.post(url("login"), {"username": "clerk_a", "password": "wrong-password"}).content.decode()
    assert "已暂时锁定" in page and "后（约 15 分钟后）再试" in page
    assert LoginFailure.objects.filter(username="clerk_a").count() == 3
    # locked: even the right password is refused, and the refusal says when to retry
    response = client.post(url("login"), {"username": "CLERK_A", "password": factories.PASSWORD})
    assert response.status_code == 200 and "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked").exists()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 3

    # once the lock time has passed since the last failure, the right password works and clears the count
    LoginFailure.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))
    response = client.post(url("login"), {"username": "clerk_a", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="clerk_a").exists()


def test_lockout_is_per_username(client, clerk, head, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post(url("login"), {"username": "clerk_a", "password": "nope-nope-nope"})
    response = client.post(url("login"), {"username": "head_a", "password": factories.PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_audited(clerk_client, clerk):
    assert clerk_client.get(url("logout")).status_code == 405
    response = clerk_client.post(url("logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=clerk).exists()
    assert clerk_client.get(url("dashboard")).status_code == 302


# --- every page renders for a clerk -------------------------------------------------------------------------


def test_every_page_renders_for_a_clerk(clerk_client, application, tree, clerk):
    letter = factories_letter(application, clerk)
    ReviewCase.objects.create(
        agency=tree["a"], kind="review", case_number="沙复〔2026〕1号", filed_on=today()
    )
    pages = [
        url("dashboard"),
        url("dashboard") + f"?year={today().year - 1}",
        url("application_list"),
        url("application_list") + "?status=received&applicant_kind=natural_person&q=张",
        url("application_list") + f"?outcome=group:granted&year={today().year}",
        url("application_register"),
        url("application_detail", application.pk),
        url("letter_edit", application.pk, letter.pk),
        url("approval_queue"),
        url("review_case_list"),
        url("annual_tables"),
        url("annual_tables") + f"?agency={tree['a'].pk}&year={today().year}",
    ]
    for page in pages:
        response = clerk_client.get(page)
        assert response.status_code == 200, page
        assert '<html lang="zh-CN">' in response.content.decode()


def factories_letter(application, by):
    from gongkai.cases.letters import letter_draft

    return letter_draft(application=application, by=by, kind="receipt")


def test_dashboard_embeds_chart_data(clerk_client, application, clerk):
    factories.reply(application, clerk, today(), "granted")
    page = clerk_client.get(url("dashboard")).content.decode()
    assert 'id="outcome-data"' in page and "echarts.min.js" in page
    start = page.index('id="outcome-data"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["labels"][0] == "予以公开" and data["values"][0] == 1


def test_downloads(clerk_client, tree, application):
    query = f"?agency={tree['a'].pk}&year={today().year}"
    response = clerk_client.get(url("annual_tables_download", "json") + query)
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    assert data["table3"]["new"][0] == 1
    response = clerk_client.get(url("annual_tables_download", "docx") + query)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert clerk_client.get(url("annual_tables_download", "exe") + query).status_code == 404


# --- the case: actions and letters --------------------------------------------------------------------------


def test_case_flow_through_the_pages(client, clerk, head, application):
    ConfirmedYear.objects.create(year=2027, note="测试：延期后的期限落在2027年")
    client.force_login(clerk)
    page = client.get(url("application_detail", application.pk)).content.decode()
    assert application.id_number in page  # the agency's own staff see the full identity here
    assert "补正告知" in page and "延期答复" in page

    due = (today() + datetime.timedelta(days=10)).isoformat()
    response = act(
        client, application, "request_correction", on=today(), items="请写明文件名称", correction_due_on=due
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AWAITING_CORRECTION
    page = client.get(url("application_detail", application.pk)).content.decode()
    assert "待补正" in page and "收到补正" in page and "确定答复" not in page

    assert act(client, application, "receive_correction", on=today()).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.RECEIVED

    # the clerk asks for an extension; it waits for the head
    assert (
        act(client, application, "request_extension", on=today(), days=5, reason="需要调档").status_code
        == 302
    )
    application.refresh_from_db()
    assert application.extension_days == 0
    page = client.get(url("application_detail", application.pk)).content.decode()
    assert "等待负责人审批" in page
    client.force_login(head)
    assert "延期答复" in client.get(url("dashboard")).content.decode()  # in the head's queue
    request = ApprovalRequest.objects.get(kind="extension")
    response = client.post(url("approval_decide", request.pk), {"decision": "approve", "comment": ""})
    assert response.status_code == 302 and response["Location"] == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.extension_days == 5
    assert application.letters.get(kind="extension").body.count("因需要调档") == 1

    # the reply: the 答复告知书 is drafted with its outcome, filled, issued; then the application concludes
    client.force_login(clerk)
    response = act(client, application, "prepare_reply", outcome="granted", note="")
    letter = application.letters.get(kind="reply")
    assert response.status_code == 302 and response["Location"] == url(
        "letter_edit", application.pk, letter.pk
    )
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    body = factories.fill_placeholders(letter, clerk).body
    response = client.post(url("letter_issue", application.pk, letter.pk), {"on": today()})
    assert response.status_code == 400 and "请勾选确认后再出具" in response.content.decode()
    response = client.post(url("letter_issue", application.pk, letter.pk), {"on": today(), "confirm": "on"})
    assert response.status_code == 302
    letter.refresh_from_db()
    application.refresh_from_db()
    assert (
        letter.issued_on == today()
        and letter.number == f"沙科信公开〔{today().year}〕1号"
        and body == letter.body
    )
    assert application.status == Status.CONCLUDED and application.outcome == "granted"
    response = client.get(url("letter_download", application.pk, letter.pk))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response.content == bytes(letter.docx)
    response = client.get(url("letter_download_pdf", application.pk, letter.pk))
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    # an issued letter is not editable any more
    page = client.get(url("letter_edit", application.pk, letter.pk)).content.decode()
    assert "<textarea" not in page and letter.number in page


def test_action_errors_are_shown_in_chinese(clerk_client, application):
    response = act(clerk_client, application, "prepare_reply", outcome="", note="")
    assert response.status_code == 400
    assert "此项为必填项" in response.content.decode()
    # a service error lands beside its field: the correction deadline must follow the notice
    response = act(
        clerk_client,
        application,
        "request_correction",
        on=today(),
        items="写明文号",
        correction_due_on=today(),
    )
    assert response.status_code == 400
    assert "补正期限应晚于补正告知日期" in response.content.decode()
    response = act(
        clerk_client, application, "start_consultation", on="2026-13-45", kind="third_party", party="甲"
    )
    assert "日期格式不正确" in response.content.decode()


def test_register_form(clerk_client, tree):
    data = {
        "agency": tree["a"].pk,
        "channel": "letter",
        "received_on": today().isoformat(),
        "applicant_kind": "natural_person",
        "applicant_name": "赵六",
        "id_type": "resident_id",
        "id_number": factories.id_number(7)[:-1] + ("0" if factories.id_number(7)[-1] != "0" else "1"),
        "phone": "13912345678",
        "description": "沙坡头区2025年科技计划项目立项名单",
        "requested_form": "paper",
        "delivery": "post",
        "address": "",
    }
    response = clerk_client.post(url("application_register"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "校验位不正确" in page  # the service's message, next to the field
    assert "选择邮寄的，请填写通信地址" in page
    data.update(id_number=factories.id_number(7), address="中卫市沙坡头区鼓楼东街2号")
    response = clerk_client.post(url("application_register"), data)
    assert response.status_code == 302
    created = Application.objects.get(applicant_name="赵六")
    assert response["Location"] == url("application_detail", created.pk)
    assert created.channel == "letter" and created.agency == tree["a"]


def test_register_form_requires_fields(clerk_client, tree):
    response = clerk_client.post(url("application_register"), {"agency": tree["a"].pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "此项为必填项" in page  # 申请方式, 收到申请日期
    for message in ("请填写申请人姓名或者名称", "请填写身份证明号码", "请填写联系电话", "请选择申请人类型"):
        assert message in page  # the applicant's fields say what the applicant rules say


# --- isolation ---------------------------------------------------------------------------------------------


def test_other_agency_case_is_404(client, clerk_b, application, clerk):
    letter = factories_letter(application, clerk)
    client.force_login(clerk_b)
    assert client.get(url("application_detail", application.pk)).status_code == 404
    assert client.get(url("letter_edit", application.pk, letter.pk)).status_code == 404
    assert client.get(url("letter_download", application.pk, letter.pk)).status_code == 404
    assert client.get(url("attachment_download", application.pk, "0" * 32)).status_code == 404
    response = act(client, application, "reply", on=today(), outcome="granted")
    assert response.status_code == 404
    assert client.post(url("letter_draft", application.pk), {"kind": "receipt"}).status_code == 404
    assert (
        client.post(
            url("letter_issue", application.pk, letter.pk), {"on": today(), "confirm": "on"}
        ).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    page = client.get(url("application_list")).content.decode()
    assert "张1" not in page  # agency A's applicant


def test_annual_tables_of_another_agency_refused(client, clerk_b, tree, application):
    client.force_login(clerk_b)
    response = client.get(url("annual_tables") + f"?agency={tree['a'].pk}&year={today().year}")
    assert response.status_code == 400 and "中卫市沙坡头区科学技术局" not in response.content.decode()
    response = client.get(
        url("annual_tables_download", "json") + f"?agency={tree['a'].pk}&year={today().year}"
    )
    assert response.status_code == 404


def test_review_case_of_another_agency(client, clerk_b, tree):
    case = ReviewCase.objects.create(agency=tree["a"], kind="review", case_number="A-1", filed_on=today())
    client.force_login(clerk_b)
    assert "A-1" not in client.get(url("review_case_list")).content.decode()
    response = client.post(
        url("review_case_conclude", case.pk), {"result": "upheld", "concluded_on": today()}
    )
    assert response.status_code == 404


# --- supervisor: reads, never acts --------------------------------------------------------------------------


def test_supervisor_reads_but_cannot_act(client, supervisor, application, clerk):
    letter = factories_letter(application, clerk)
    client.force_login(supervisor)
    response = client.get(url("application_detail", application.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "只有查看权限" in page
    assert application.id_number not in page and mask_id_number(application.id_number) in page
    assert application.email not in page and application.phone not in page
    assert url("application_register") not in page  # no 登记申请 link for a read-only account
    assert "确定答复" not in page and "生成文书" not in page
    assert act(client, application, "prepare_reply", outcome="granted").status_code == 403
    assert client.post(url("letter_draft", application.pk), {"kind": "receipt"}).status_code == 403
    edit = client.post(url("letter_edit", application.pk, letter.pk), {"title": "x", "body": "y"})
    assert edit.status_code == 403
    assert client.post(url("letter_issue", application.pk, letter.pk), {"on": today()}).status_code == 403
    assert client.get(url("application_register")).status_code == 403
    assert client.post(url("review_case_list"), {"case_number": "1"}).status_code == 403
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    assert client.get(url("application_list")).status_code == 200
    assert client.get(url("dashboard")).status_code == 200


# --- masking ----------------------------------------------------------------------------------------------------


def test_list_and_export_mask_personal_data(clerk_client, application):
    page = clerk_client.get(url("application_list")).content.decode()
    assert application.id_number not in page and application.phone not in page
    assert mask_id_number(application.id_number) in page and mask_phone(application.phone) in page
    response = clerk_client.get(url("application_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert application.id_number not in text and application.phone not in text
    assert mask_id_number(application.id_number) in text and mask_phone(application.phone) in text
    assert application.number in text


# --- the list page: fixed number of queries ------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 40])
def test_list_queries_do_not_grow_with_data(clerk_client, tree, clerk, size, django_assert_max_num_queries):
    for serial in range(size):
        factories.register(tree["a"], clerk, serial + 10)
    with django_assert_max_num_queries(7):
        response = clerk_client.get(url("application_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(7):
        response = clerk_client.get(url("application_list") + "?page=2&status=received&q=张")
    assert response.status_code == 200


def test_pagination(clerk_client, tree, clerk):
    for serial in range(30):
        factories.register(tree["a"], clerk, serial + 100)
    first = clerk_client.get(url("application_list")).content.decode()
    assert first.count("<tr>") == 1 + 25 and "下一页" in first and "共 30 件" in first
    second = clerk_client.get(url("application_list") + "?page=2").content.decode()
    assert second.count("<tr>") == 1 + 5 and "第 2 / 2 页" in second


def test_filters_and_htmx_partial(clerk_client, tree, clerk):
    granted = factories.register(tree["a"], clerk, 1, applicant_name="公开甲")
    factories.register(tree["a"], clerk, 2, applicant_name="在办乙")
    factories.reply(granted, clerk, today(), "granted")
    page = clerk_client.get(url("application_list") + "?outcome=group:granted").content.decode()
    assert "公开甲" in page and "在办乙" not in page
    page = clerk_client.get(url("application_list") + "?status=received").content.decode()
    assert "公开甲" not in page and "在办乙" in page
    page = clerk_client.get(url("application_list") + "?q=在办").content.decode()
    assert "公开甲" not in page and "在办乙" in page
    response = clerk_client.get(url("application_list") + "?q=在办", HTTP_HX_REQUEST="true")
    partial = response.content.decode()
    assert "在办乙" in partial and "<html" not in partial and "HX-Request" in response["Vary"]
    response = clerk_client.get(url("application_list") + "?year=abc&status=nonsense")
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()


# --- 行政复议、行政诉讼 ---------------------------------------------------------------------------------------------


def test_review_case_register_and_conclude(clerk_client, tree, application):
    data = {
        "agency": tree["a"].pk,
        "kind": "review",
        "case_number": "卫政复〔2026〕3号",
        "filed_on": today().isoformat(),
        "body": "中卫市人民政府",
        "application": application.number,
        "note": "",
    }
    response = clerk_client.post(url("review_case_list"), data)
    assert response.status_code == 302
    case = ReviewCase.objects.get(case_number="卫政复〔2026〕3号")
    assert case.application == application
    again = clerk_client.post(url("review_case_list"), data)
    assert again.status_code == 400 and "该案号已经登记" in again.content.decode()
    response = clerk_client.post(
        url("review_case_conclude", case.pk), {"result": "upheld", "concluded_on": today()}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.result == "upheld"


# --- admin: superusers only ---------------------------------------------------------------------------------


def test_admin_refuses_staff_who_are_not_superusers(client, tree):
    staff = factories.make_user("staff_only", tree["a"], Role.ADMIN, is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff_only", "password": factories.PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "不是系统管理员" in response.content.decode()
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/cases/application/").status_code == 302


def test_admin_lets_superusers_in(client, tree, application):
    get_user_model().objects.create_superuser("root", "root@example.cn", factories.PASSWORD)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": factories.PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/cases/application/").content.decode()
    assert mask_id_number(application.id_number) in page
    assert client.get("/admin/agencies/agency/add/").status_code == 200


def test_admin_login_has_the_lockout(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    get_user_model().objects.create_superuser("root", "root@example.cn", factories.PASSWORD)
    for _ in range(2):
        client.post("/admin/login/", {"username": "root", "password": "wrong-wrong-wrong"})
    response = client.post("/admin/login/", {"username": "root", "password": factories.PASSWORD})
    assert response.status_code == 200 and "已暂时锁定" in response.content.decode()


def test_csrf_enforced_on_actions(clerk, application):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = act(client, application, "reply", on=today(), outcome="granted")
    assert response.status_code == 403
