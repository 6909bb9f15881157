"""One application from the public form to the issued 答复告知书, through the pages, in a real browser."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from gongkai.agencies.models import Role
from gongkai.cases import services
from tests.workbench import factories


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    factories.confirm_years()
    tree = factories.make_tree()
    clerk = factories.make_user("clerk_a", tree["a"], Role.CLERK, first_name="李文")
    head = factories.make_user("head_a", tree["a"], Role.HEAD, first_name="王主任")
    # some history so that the dashboard and the list have something to show
    today = timezone.localdate()
    outcomes = [
        "granted",
        "granted",
        "partial",
        "refused.third_party",
        "unable.not_held",
        "not_processed.petition",
    ]
    for serial, outcome in enumerate(outcomes, start=1):
        old = factories.register(
            tree["a"], clerk, serial, received_on=today - datetime.timedelta(days=40 + serial)
        )
        services.application_reply(
            application=old, by=clerk, on=today - datetime.timedelta(days=30), outcome=outcome
        )
    factories.register(tree["a"], clerk, 20, received_on=today - datetime.timedelta(days=45))  # overdue
    factories.register(tree["a"], clerk, 21, received_on=today - datetime.timedelta(days=25))  # due soon
    yield {"tree": tree, "clerk": clerk, "head": head}
    cache.clear()


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def open_action(page: Page, title: str):
    page.locator("summary", has_text=re.compile(f"^{title}$")).click()
    return page.locator("details[open]")


def test_online_application_to_issued_reply(page: Page, live_server, world, screenshots):
    base = live_server.url
    today = timezone.localdate()

    # --- a member of the public applies online ---
    page.goto(f"{base}/")
    page.screenshot(path=screenshots / "00-public-home.png", full_page=True)
    page.get_by_role("link", name=re.compile("向该机关申请")).first.click()
    expect(page.get_by_role("heading", name="政府信息公开申请表")).to_be_visible()
    page.screenshot(path=screenshots / "01-public-form.png", full_page=True)
    page.get_by_label("姓名 / 单位名称").fill("王小明")
    page.get_by_label("证件号码").fill(factories.id_number(88))
    page.get_by_label("联系电话").fill("13900008888")
    page.get_by_label("电子邮箱").fill("wang@example.cn")
    page.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "沙坡头区2025年科技项目专项资金分配结果"
    )
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    page.screenshot(path=screenshots / "02-receipt.png", full_page=True)
    code = page.locator("#query-code").inner_text().strip()
    assert len(code) >= 8

    # --- the clerk finds it and asks for a correction ---
    page.goto(f"{base}/workbench/login/")
    page.screenshot(path=screenshots / "02b-login.png")
    login(page, base, "clerk_a")
    expect(page.locator("#outcome-chart svg")).to_be_visible()
    page.screenshot(path=screenshots / "03-dashboard.png", full_page=True)
    for path, name in (
        ("applications/new/", "11-register"),
        ("cases/", "12-review"),
        ("annual/", "13-annual"),
    ):
        page.goto(f"{base}/workbench/{path}")
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    page.get_by_role("link", name="申请列表").click()
    page.screenshot(path=screenshots / "04-list.png", full_page=True)
    page.get_by_role("row", name=re.compile("王小明")).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="答复期限")).to_be_visible()
    page.screenshot(path=screenshots / "05-case.png", full_page=True)

    form = open_action(page, "补正告知")
    form.get_by_label("需要补正的事项").fill("请写明所需信息的文件名称或文号")
    form.get_by_label("补正期限").fill((today + datetime.timedelta(days=15)).isoformat())
    form.get_by_role("button", name="确定补正告知").click()
    expect(page.get_by_text("待补正 · 暂停计时")).to_be_visible()
    page.screenshot(path=screenshots / "06-case-correction.png", full_page=True)

    form = open_action(page, "收到补正")
    form.get_by_role("button", name="确定收到补正").click()
    expect(page.get_by_text("已登记收到补正材料")).to_be_visible()
    case_url = page.url
    logout(page)

    # --- the head of office extends the deadline ---
    login(page, base, "head_a")
    page.goto(case_url)
    form = open_action(page, "延期答复")
    form.get_by_label("延长工作日数").fill("5")
    form.get_by_label("延期理由").fill("需要调取档案")
    form.get_by_role("button", name="确定延期答复").click()
    expect(page.get_by_text("已延期 5 个工作日")).to_be_visible()
    logout(page)

    # --- the clerk replies and issues the 答复告知书 ---
    login(page, base, "clerk_a")
    page.goto(case_url)
    form = open_action(page, "答复")
    form.get_by_label("答复结果").select_option(label="予以公开")
    form.get_by_role("button", name="确定答复").click()
    expect(page.get_by_text("已作出答复，申请已办结")).to_be_visible()
    page.get_by_label("文书类型").select_option(label="答复告知书")
    page.get_by_role("button", name="生成文书").click()
    body = page.get_by_label("正文")
    text = (
        body.input_value()
        .replace("【复议机关】", "中卫市沙坡头区人民政府")
        .replace("【××】", "中卫市沙坡头区")
    )
    body.fill(text)
    page.screenshot(path=screenshots / "07-letter.png", full_page=True)
    page.get_by_role("button", name="保存并出具…").click()
    expect(page.get_by_role("heading", name=re.compile("确认出具"))).to_be_visible()
    expect(page.get_by_text("待填写的内容")).to_have_count(0)
    page.screenshot(path=screenshots / "08-letter-issue.png", full_page=True)
    page.get_by_label(re.compile("确认出具")).check()
    page.get_by_role("button", name="确认出具").click()
    expect(page.get_by_text(re.compile("已出具，可下载 Word 文件"))).to_be_visible()
    page.screenshot(path=screenshots / "09-case-concluded.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word").first.click()
    assert download.value.suggested_filename.endswith(".docx")

    # --- the public status page says 已办结, and nothing personal ---
    logout(page)
    page.goto(f"{base}/status/")
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("已办结").first).to_be_visible()
    page.screenshot(path=screenshots / "10-status.png", full_page=True)
    content = page.content()
    assert "王小明" not in content and "13900008888" not in content
