"""节假日安排 in a real browser: a 系统管理员 sees the dashboard's reminder, pastes next year's notice, checks
the calendar, saves; a bad CSV upload is refused beside the field. Today is frozen at 15 November 2026."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from gongkai.cases.calendar import work_calendar_invalidate
from gongkai.cases.models import CalendarOverride, ConfirmedYear
from gongkai.workdays import WorkCalendar
from tests import factories

NOTICES = Path(__file__).parents[1] / "fixtures" / "notices"

pytestmark = pytest.mark.skipif(WorkCalendar().is_confirmed(2027), reason="chinesecalendar now covers 2027")


@pytest.fixture
def admin(transactional_db, settings, tmp_path, time_machine):
    time_machine.move_to(datetime(2026, 11, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    work_calendar_invalidate()
    yield factories.make_user("admin", first_name="系统管理员", is_superuser=True, is_staff=True)
    cache.clear()
    work_calendar_invalidate()


def test_enter_next_years_schedule(page: Page, live_server, admin, screenshots, tmp_path):
    base = live_server.url
    page.goto(f"{base}/workbench/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()

    reminder = page.get_by_role("status").filter(has_text="2027年节假日安排尚未录入")
    expect(reminder).to_be_visible()
    page.screenshot(path=screenshots / "holidays-0-dashboard.png", full_page=True)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="节假日安排").click()
    expect(page.get_by_role("heading", name="节假日安排", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("2027年.*未录入"))).to_be_visible()
    expect(page.get_by_text("未选择文件")).to_be_visible()  # the file input in Chinese
    page.screenshot(path=screenshots / "holidays-1-entry.png", full_page=True)

    # a CSV that is no CSV is refused beside the field
    not_csv = tmp_path / "通知.csv"
    not_csv.write_text((NOTICES / "2027-example.txt").read_text(encoding="utf-8"), encoding="utf-8")
    page.get_by_label("或者上传 CSV 文件").set_input_files(not_csv)
    expect(page.get_by_text("通知.csv")).to_be_visible()
    page.get_by_role("button", name="读取并预览").click()
    expect(page.locator("#id_csv_file_error")).to_contain_text("不是可以识别的节假日 CSV 文件")
    page.screenshot(path=screenshots / "holidays-2-upload-error.png", full_page=True)

    page.get_by_label("通知全文").fill((NOTICES / "2027-example.txt").read_text(encoding="utf-8"))
    page.get_by_role("button", name="读取并预览").click()
    expect(page.get_by_role("heading", name=re.compile("2027年节假日安排预览"))).to_be_visible()
    expect(page.locator(".hol-month")).to_have_count(12)
    expect(page.locator("td.rest")).to_have_count(28)
    expect(page.locator("td.work")).to_have_count(6)
    expect(page.locator("td.work", has_text="31")).to_have_attribute(
        "title", "1月31日 星期日 调休上班（春节）"
    )
    expect(page.get_by_role("row", name=re.compile("春节.*2月5日"))).to_be_visible()
    assert not ConfirmedYear.objects.exists()
    page.screenshot(path=screenshots / "holidays-3-preview.png", full_page=True)

    page.get_by_role("button", name="确认保存2027年节假日安排").click()
    expect(page.get_by_text("已保存2027年节假日安排：放假 28 天，调休上班 6 天")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("2027年.*已录入.*放假 28 天"))).to_be_visible()
    page.screenshot(path=screenshots / "holidays-4-saved.png", full_page=True)
    assert CalendarOverride.objects.count() == 34
    assert ConfirmedYear.objects.filter(year=2027).exists()

    page.get_by_role("link", name="工作台").first.click()
    expect(page.get_by_text("节假日安排尚未录入")).to_have_count(0)
