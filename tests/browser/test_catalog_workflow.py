"""One proactive-disclosure item from the draft to its withdrawal, through the pages, in a real browser, with
a real `gongkai worker` process publishing it at the time the review set: the clerk drafts it and submits
the 保密审查单 (the scan finds a mobile number; she confirms it), the reviewer approves from the queue, the
head approves on the item page, the item waits as 待定时发布 until the worker publishes it, the list shows
it as 已发布, and the reviewer withdraws it with a reason. Screenshots of every 主动公开 page along the way."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.models import Column, Item
from gongkai.catalog.services import (
    account_save,
    art20_figures_save,
    catalog_bootstrap,
    column_update,
    item_create,
    item_submit,
    post_create,
)
from tests import factories
from tests.conftest import TZ

ROOT = Path(__file__).resolve().parents[2]
MOBILE = "13912345678"
# the time the clerk sets is this far ahead of her submission: enough for the reviewer and the head to
# approve through the pages first (a few seconds), short enough to wait for
PUBLISH_AHEAD = dt.timedelta(seconds=45)


def database_url() -> str:
    """The test database as the worker process reads it (a file on SQLite: see tests/conftest.py)."""
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return f"postgresql://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def world(live_server, tree, clerk, reviewer, head, today):
    """Agency a's catalog with some history, published on the days given (one of them late), a column
    with a 备注, two new-media accounts (one idle), the year's Art. 20 figures. The clock ends at the real
    time: the worker started later runs on it."""
    a = tree["a"]
    catalog_bootstrap(agency=a)
    columns = {c.code: c for c in Column.objects.filter(agency=a).exclude(code="")}
    column_update(column=columns["regulations"], by=clerk, name="规章", cycle_days=182,
                  note="本机关无规章制定权")  # fmt: skip
    history = [  # column, title, formed, published, 文件类别
        ("guide", "沙坡头区科学技术局政府信息公开指南", dt.date(2026, 1, 5), dt.date(2026, 1, 12), "other"),
        ("plans", "沙坡头区科学技术局2026年工作要点", dt.date(2026, 2, 20), dt.date(2026, 2, 26), "other"),
        ("other_documents", "关于举办2026年科技活动周的通知", dt.date(2026, 5, 6), dt.date(2026, 5, 8), "other"),
        ("normative_documents", "沙坡头区科技计划项目管理办法", dt.date(2026, 6, 10), dt.date(2026, 6, 15),
         "normative"),
        ("statistics", "2026年上半年全区科技统计数据", dt.date(2026, 7, 15), dt.date(2026, 9, 21), "other"),
    ]  # fmt: skip
    for code, title, formed_on, published_on, kind in history:
        today.set(published_on)
        item = item_create(
            agency=a, column=columns[code], by=clerk,
            data={"title": title, "formed_on": formed_on, "written_on": formed_on, "statutory_kind": kind,
                  "summary": f"{title}。", "body": f"<p>{title}全文。</p>"},
        )  # fmt: skip
        item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
        for user in (reviewer, head):
            approval_decide(request=pending_request(subject=item), by=user, approved=True, on=today.value)
    now = today.to_real_time()
    posts = {
        ("wechat", "沙坡头科技"): ((30, "科技活动周开幕", True), (24, "科技特派员下乡", True)),
        ("weibo", "沙坡头科技发布"): (
            (9, "转发：全区科技工作会议召开", False),
            (2, "科技特派员选派工作启动", True),
        ),
    }
    for (platform, name), entries in posts.items():
        account = account_save(agency=a, by=clerk, platform=platform, name=name)
        for days, title, original in entries:
            post_create(account=account, by=clerk, posted_on=now.date() - dt.timedelta(days=days), title=title,
                        original=original)  # fmt: skip
    art20_figures_save(
        agency=a, year=2026, by=clerk, values={"licensing.decisions": "12", "fees.amount": "1.25"},
        source="政务服务中心审批系统",
    )  # fmt: skip
    return {"agency": a, "columns": columns}


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def local_input(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def start_worker(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "worker.log"
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "GONGKAI_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "gongkai.cli", "worker", "--interval", "0.3"],
        env=env, cwd=tmp_path, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    return worker, log


def test_item_from_draft_to_scheduled_publication_and_withdrawal(
    page: Page, world, live_server, screenshots, today, tmp_path
):
    base = live_server.url
    shots = iter(range(100))

    def shot(name: str, *, full: bool = True) -> None:
        page.screenshot(path=screenshots / f"catalog-{next(shots):02d}-{name}.png", full_page=full)

    # --- the clerk drafts the item ---
    login(page, base, "clerk_a")
    expect(page.get_by_role("region", name="栏目更新检查")).to_be_visible()
    shot("clerk-dashboard")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="主动公开").click()
    expect(page.get_by_role("heading", name="目录信息")).to_be_visible()
    shot("list")
    page.get_by_role("link", name="新建信息").click()
    expect(page.get_by_role("heading", name="新建主动公开信息")).to_be_visible()
    shot("new-item-form")
    page.get_by_role("button", name="保存草稿").click()  # nothing filled in
    expect(page.get_by_text("请填写标题（名称应完整，不用简称）")).to_be_visible()
    expect(page.locator("#id_formed_on_error")).to_contain_text("请填写形成或变更日期")
    shot("new-item-errors")
    page.get_by_label("栏目").select_option(label="　　其他文件")
    title = "沙坡头区科学技术局关于开展2026年度科技特派员选派工作的通知"
    page.get_by_label("标题").fill(title)
    page.get_by_label("文号").fill("卫科发[2026]18号")
    formed = today.value - dt.timedelta(days=3)
    page.get_by_label("成文日期").fill(formed.isoformat())
    page.get_by_label("形成/变更日期").fill(formed.isoformat())
    page.get_by_label("主题分类").fill("科技、教育")
    page.get_by_label("体裁").fill("通知")
    page.get_by_label("内容概述").fill("部署2026年度科技特派员选派工作，明确选派条件、程序和时间安排。")
    page.get_by_label("正文").fill(
        "各乡镇人民政府，区直各有关单位：\n"
        "为深入实施科技特派员制度，现就2026年度科技特派员选派工作通知如下。\n"
        f"联系人：王科长，联系电话：{MOBILE}。"
    )
    page.get_by_label("公示栏").check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已保存草稿，索引号 640502001/")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("卫科发〔2026〕18号")).to_be_visible()
    item = Item.objects.get(title=title)
    shot("draft-item")

    # --- the 保密审查单: the scan's warning, confirmed ---
    page.get_by_role("link", name="提交保密审查").click()
    expect(page.get_by_role("heading", name="政府信息公开保密审查单")).to_be_visible()
    expect(page.get_by_text("139****5678").first).to_be_visible()
    assert MOBILE not in page.content()
    page.get_by_label("定时发布", exact=True).check()
    page.get_by_label("定时发布时间").fill(local_input(dt.datetime.now(TZ) + PUBLISH_AHEAD))
    shot("submit-form")
    page.get_by_role("button", name="提交保密审查").click()
    expect(page.locator("#id_confirm_error")).to_contain_text("勾选“已核对，仍然提交”")
    shot("submit-warning")
    page.get_by_label("已核对，仍然提交").check()
    publish_at = dt.datetime.now(TZ).replace(microsecond=0) + PUBLISH_AHEAD
    page.get_by_label("定时发布时间").fill(local_input(publish_at))
    page.get_by_role("button", name="提交保密审查").click()
    expect(page.locator(".messages")).to_contain_text("已提交保密审查")
    expect(page.locator(".page-head .badge").first).to_have_text("审查中")
    logout(page)

    # --- the reviewer approves from the queue, with the 审查意见 ---
    login(page, base, "reviewer_a")
    queue = page.get_by_role("region", name=re.compile("待我审批"))
    expect(queue).to_contain_text("主动公开保密审查：" + title)
    shot("reviewer-dashboard")
    queue.get_by_role("link", name="查看并审查").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("审查意见").fill(
        "经审查，不涉及国家秘密、商业秘密和个人隐私；联系电话为办公电话，同意公开。"
    )
    shot("review-decide")
    page.get_by_role("button", name="提交审查意见").click()
    expect(page.locator(".messages")).to_contain_text("已同意")
    logout(page)

    # --- the head approves on the item page: the item waits for its time ---
    login(page, base, "head_a")
    page.goto(f"{base}/workbench/catalog/{item.pk}/")
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("审查意见").fill("同意")
    page.get_by_role("button", name="提交审查意见").click()
    expect(page.locator(".messages")).to_contain_text("已同意")
    item.refresh_from_db()
    assert item.status == ItemStatus.SCHEDULED, "the approvals took longer than PUBLISH_AHEAD"
    expect(page.get_by_text(re.compile(r"将于 .* 自动发布"))).to_be_visible()
    shot("scheduled")
    logout(page)

    # --- a real worker process publishes it when the time comes ---
    worker, log = start_worker(tmp_path)
    try:
        deadline = time.monotonic() + PUBLISH_AHEAD.total_seconds() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            item.refresh_from_db()
            if item.status == ItemStatus.PUBLISHED:
                break
            time.sleep(0.5)
        assert item.status == ItemStatus.PUBLISHED, log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert item.published_at >= publish_at
    assert "后台任务进程已启动" in log.read_text()

    # --- the list shows it as 已发布; the reviewer withdraws it ---
    login(page, base, "reviewer_a")
    page.goto(f"{base}/workbench/catalog/")
    row = page.get_by_role("row", name=re.compile(title))
    expect(row.locator(".badge").first).to_have_text("已发布")
    shot("list-published")
    page.get_by_label("状态").select_option("published")  # htmx swaps the results in
    expect(page).to_have_url(re.compile(r"status=published"))
    expect(page.locator("#results")).to_contain_text(title)
    page.set_viewport_size({"width": 390, "height": 844})
    shot("list-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    row.get_by_role("link", name=title).click()
    expect(page.locator(".page-head .badge").first).to_have_text("已发布")
    page.locator("summary", has_text="撤回信息").click()
    page.get_by_label("撤回原因").fill("选派工作安排调整，本通知另行发布")
    page.get_by_role("button", name="确定撤回").click()
    expect(page.locator("#id_confirm_error")).to_have_text("请勾选确认后再撤回")
    page.get_by_label(re.compile("我已核对，确认撤回")).check()
    shot("withdraw-form")
    page.get_by_role("button", name="确定撤回").click()
    expect(page.locator(".messages")).to_contain_text("信息已撤回")
    expect(page.get_by_text("撤回原因：选派工作安排调整，本通知另行发布")).to_be_visible()
    shot("withdrawn-item")
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN

    # --- the other pages of the section, as the clerk sees them ---
    logout(page)
    login(page, base, "clerk_a")
    page.goto(f"{base}/workbench/catalog/columns/")
    expect(page.get_by_role("heading", name="栏目管理")).to_be_visible()
    shot("columns")
    page.get_by_role("row", name=re.compile("^统计信息")).get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", name="修改栏目：统计信息")).to_be_visible()
    shot("column-edit")
    page.goto(f"{base}/workbench/catalog/media/")
    expect(page.get_by_text("天未更新")).to_be_visible()
    shot("media-accounts")
    page.get_by_role("link", name="沙坡头科技", exact=True).click()
    expect(page.get_by_role("heading", name="微信公众号：沙坡头科技")).to_be_visible()
    shot("media-account")
    page.goto(f"{base}/workbench/catalog/art20/?year=2026")
    expect(page.get_by_role("heading", name="年报表二数据（2026年度）")).to_be_visible()
    shot("art20")
