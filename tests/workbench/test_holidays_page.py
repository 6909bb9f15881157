"""节假日安排 in the workbench: preview and confirm, uploads, who may use it, the dashboard's reminder and the
admin pages of the holiday tables. Today is frozen: the reminder depends on the date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.audit.models import AuditEvent
from gongkai.cases.calendar import work_calendar, work_calendar_invalidate
from gongkai.cases.models import CalendarOverride, ConfirmedYear
from gongkai.workdays import WorkCalendar
from tests import factories

EXAMPLE_2027 = (Path(__file__).parents[1] / "fixtures" / "notices" / "2027-example.txt").read_text(
    encoding="utf-8"
)
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/workbench/holidays/"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(WorkCalendar().is_confirmed(2027), reason="chinesecalendar now covers 2027"),
]


@pytest.fixture(autouse=True)
def mid_november(time_machine):
    """15 November 2026, and 2027 not entered (the workbench fixtures confirm the years around the real
    date; here the tables start empty)."""
    time_machine.move_to(datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI))
    ConfirmedYear.objects.all().delete()
    CalendarOverride.objects.all().delete()
    work_calendar_invalidate()
    return time_machine


@pytest.fixture
def admin_user(db):
    return factories.make_user("admin", first_name="系统管理员", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<textarea\b.*?</textarea>", " ", html, flags=re.S)  # the pasted notice itself
    return re.sub(r"<[^>]+>", " ", html)


def english_words(response) -> list[str]:
    allowed = {"CSV", "UTF", "GBK", "MB"}
    return [w for w in re.findall(r"[A-Za-z]{2,}", visible_text(response)) if w not in allowed]


def preview(client, text: str = EXAMPLE_2027):
    return client.post(URL, {"text": text})


def confirm_data(response, action: str = "save") -> dict:
    """The hidden fields of the preview's confirm form, as the browser would send them back."""
    form = response.context["confirm"]
    return {**{name: form.initial[name] for name in ("kind", "content", "name", "token")}, "action": action}


# --- preview and save ---------------------------------------------------------------------------------------


def test_the_page_is_chinese_with_the_years_and_csrf(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert english_words(response) == []
    assert "2027年节假日安排尚未录入" in page
    assert page.count("<form") == page.count("csrfmiddlewaretoken")
    years = response.context["status"].years
    assert [(y.year, y.confirmed) for y in years] == [(2027, False), (2026, True), (2025, True)]
    assert "未录入" in page and "已内置" in page


def test_preview_shows_the_year_and_saves_nothing(admin_client):
    response = preview(admin_client)
    assert response.status_code == 200
    page = response.content.decode()
    assert english_words(response) == []
    assert "2027年节假日安排预览" in page and "确认保存2027年节假日安排" in page
    assert [m["month"] for m in response.context["months"]] == list(range(1, 13))
    assert page.count('<td class="rest"') == 28 and page.count('<td class="work"') == 6
    # 2027's 104 Saturdays and Sundays, less 10 in holidays (Jan 2–3, Feb 6–7, Apr 3–4, May 1–2, Oct 2–3) and 6 调休
    assert page.count('<td class="weekend"') == 104 - 10 - 6
    assert "2月5日（星期五）至2月12日（星期五）" in page and "1月31日（星期日）、2月20日（星期六）" in page
    assert page.count("csrfmiddlewaretoken") == page.count("<form") == 2
    assert not CalendarOverride.objects.exists() and not ConfirmedYear.objects.exists()


def test_confirming_saves_and_the_calendar_runs_into_2027(admin_client, admin_user):
    data = confirm_data(preview(admin_client))
    response = admin_client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == URL
    page = admin_client.get(URL)
    assert "已保存2027年节假日安排：放假 28 天，调休上班 6 天" in page.content.decode()
    assert "2027年节假日安排尚未录入" not in page.content.decode()
    status = page.context["status"]
    assert status.next_year.saved_note == "国务院办公厅关于2027年部分节假日安排的通知（工作台录入）"
    assert CalendarOverride.objects.count() == 34
    event = AuditEvent.objects.get(action="holiday_schedule.save")
    assert event.actor == admin_user and event.after["days"]["2027-02-05"] == "休"
    assert work_calendar().add(date(2026, 12, 20), 20) == date(2027, 1, 18)


def test_the_confirmation_is_read_again_and_must_match_the_preview(admin_client):
    data = confirm_data(preview(admin_client))
    tampered = {**data, "content": data["content"].replace("2月5日（农历除夕、周五）", "2月4日（周四）")}
    response = admin_client.post(URL, tampered)
    assert response.status_code == 400
    assert "与预览时不一致" in response.content.decode()
    assert not CalendarOverride.objects.exists() and not ConfirmedYear.objects.exists()
    # the text as a browser sends a textarea back (CRLF line breaks) is the same text
    crlf = {**data, "content": data["content"].replace("\n", "\r\n")}
    assert admin_client.post(URL, crlf).status_code == 302


def test_a_confirmation_is_personal_and_expires(admin_client, mid_november):
    data = confirm_data(preview(admin_client))
    other = factories.make_user("admin2", is_superuser=True, is_staff=True)
    other_client = Client()
    other_client.force_login(other)
    assert other_client.post(URL, data).status_code == 400
    mid_november.shift(timedelta(hours=3))
    assert admin_client.post(URL, data).status_code == 400
    assert not ConfirmedYear.objects.exists()


def test_a_notice_with_problems_has_no_save_button_and_cannot_be_forced(admin_client):
    broken = EXAMPLE_2027.replace("1月31日（周日）", "1月31日（周六）")
    response = preview(admin_client, broken)
    page = response.content.decode()
    assert response.status_code == 200
    assert "读取时发现以下问题，不能保存" in page
    assert "第11行（春节）：1月31日括号中写的是星期六，但2027年1月31日是星期日" in page
    assert 'value="save"' not in page and "返回修改" in page
    forced = admin_client.post(URL, confirm_data(response))  # a valid token for the broken text
    assert forced.status_code == 400 and "节假日安排有问题，未保存" in forced.content.decode()
    assert not CalendarOverride.objects.exists() and not ConfirmedYear.objects.exists()


def test_back_to_edit_keeps_the_text(admin_client):
    response = admin_client.post(URL, confirm_data(preview(admin_client), action="edit"))
    assert response.status_code == 200
    assert response.context["form"].initial["text"].startswith("# 说明")
    assert "读取并预览" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "请粘贴通知全文，或者上传 CSV 文件"),
        ({"text": "x" * 20_001}, "text", "内容过长"),
    ],
)
def test_entry_errors(admin_client, data, field, message):
    response = admin_client.post(URL, data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert english_words(response) == []


def test_text_and_file_together_are_refused(admin_client):
    upload = SimpleUploadedFile("a.csv", "日期,类型\n2027-02-05,休\n".encode(), content_type="text/csv")
    response = admin_client.post(URL, {"text": EXAMPLE_2027, "csv_file": upload})
    assert response.status_code == 400
    assert "不要同时提交" in response.content.decode()


# --- CSV uploads ----------------------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "安排.csv"):
    return client.post(
        URL, {"text": "", "csv_file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def test_a_gbk_csv_is_previewed_and_saved_with_its_name(admin_client):
    content = "日期,类型\n2026-12-27,班\n2027-02-05,休\n2027-01-31,班\n".encode("gbk")
    response = upload(admin_client, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CSV 文件 安排.csv" in page
    assert "2026年12月27日（星期日）" in page  # the previous December, with its year
    assert admin_client.post(URL, confirm_data(response)).status_code == 302
    assert ConfirmedYear.objects.get(year=2027).note == "工作台上传的文件：安排.csv"
    assert CalendarOverride.objects.get(day=date(2026, 12, 27)).is_workday


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"date,kind\n" + b"2027-02-05,\xe4\xbc\x91\n" * 80_000, "文件过大"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "不是 UTF-8 或 GBK 编码的文本"),
        (EXAMPLE_2027.encode(), "不是可以识别的节假日 CSV 文件"),
        ("日期,类型\n2027-02-05,假\n".encode(), "类型“假”无效"),
    ],
)
def test_bad_uploads_are_refused_beside_the_field(admin_client, content, message):
    response = upload(admin_client, content)
    assert response.status_code == 400
    errors = response.context["form"].errors["csv_file"]
    assert any(message in e for e in errors), errors
    assert 'id="id_csv_file_error"' in response.content.decode()
    assert not CalendarOverride.objects.exists()


# --- who may use it -------------------------------------------------------------------------------------------


def test_only_a_system_administrator(client, tree):
    clerk = factories.make_user("clerk_a", tree["a"], Role.CLERK)
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": EXAMPLE_2027}).status_code == 403
    assert reverse("workbench:holidays") not in client.get(reverse("workbench:dashboard")).content.decode()
    assert not ConfirmedYear.objects.exists()


def test_every_post_needs_the_csrf_token(admin_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(URL, {"text": EXAMPLE_2027}).status_code == 403
    page = strict.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert strict.post(URL, {"text": EXAMPLE_2027, "csrfmiddlewaretoken": token}).status_code == 200


# --- the dashboard's reminder ---------------------------------------------------------------------------------


def test_dashboard_reminds_from_the_first_of_november(admin_client, tree, mid_november):
    dashboard = reverse("workbench:dashboard")
    page = admin_client.get(dashboard).content.decode()
    assert "2027年节假日安排尚未录入" in page and f'href="{URL}"' in page

    clerk = factories.make_user("clerk_a", tree["a"], Role.CLERK)
    clerk_client = Client()
    clerk_client.force_login(clerk)
    page = clerk_client.get(dashboard).content.decode()
    assert "2027年节假日安排尚未录入" in page and "请联系系统管理员录入" in page and URL not in page

    mid_november.move_to(datetime(2026, 10, 31, 10, 0, tzinfo=SHANGHAI))
    assert "节假日安排尚未录入" not in admin_client.get(dashboard).content.decode()

    mid_november.move_to(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))  # this year still unknown
    clerk_client.force_login(clerk)  # the session of November has expired
    assert "2027年节假日安排尚未录入" in clerk_client.get(dashboard).content.decode()


def test_no_reminder_once_saved(admin_client):
    admin_client.post(URL, confirm_data(preview(admin_client)))
    assert "节假日安排尚未录入" not in admin_client.get(reverse("workbench:dashboard")).content.decode()


# --- the admin pages ------------------------------------------------------------------------------------------


def test_admin_pages_of_the_holiday_tables_are_chinese(admin_client):
    CalendarOverride.objects.create(day=date(2027, 2, 5), is_workday=False, note="春节")
    ConfirmedYear.objects.create(year=2027, note="测试")
    index = admin_client.get("/admin/").content.decode()
    assert "节假日调整（放假日、调休上班日）" in index and "已确认节假日安排的年份" in index
    overrides = admin_client.get("/admin/cases/calendaroverride/")
    assert overrides.status_code == 200 and "2027年2月5日" in overrides.content.decode()
    years = admin_client.get("/admin/cases/confirmedyear/")
    assert years.status_code == 200 and "2027" in years.content.decode()
    change = admin_client.get(f"/admin/cases/calendaroverride/{CalendarOverride.objects.get().pk}/change/")
    assert "2027-02-05 放假" in change.content.decode()


def test_a_year_confirmed_in_the_admin_recomputes_the_estimates_too(admin_client, run_tasks):
    from django_tasks_db.models import DBTaskResult

    response = admin_client.post("/admin/cases/confirmedyear/add/", {"year": 2027, "note": "管理后台确认"})
    assert response.status_code == 302
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path.endswith("recompute_estimated_deadlines") and queued.args_kwargs["args"] == [2027]
    assert run_tasks() == 1
