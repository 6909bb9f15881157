"""One application from the public form to the issued 答复告知书, through the pages, in a real browser: the
applicant corrects online, the head approves the clerk's extension from the queue, the reply goes through
审核 and 签发, gets its 文号, and the applicant downloads it."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from gongkai.cases.models import Application
from tests import factories

# A Monday whose next weeks (National Day 2026 included) the calendar package covers.
START = datetime.date(2026, 9, 14)


@pytest.fixture
def world(live_server, tree, clerk, head, reviewer, today, mailbox, run_tasks):
    today.set(START)
    # some history so that the dashboard and the list have something to show (issued before the agency
    # introduced 审核 and 签发)
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
            tree["a"], clerk, serial, received_on=START - datetime.timedelta(days=40 + serial)
        )
        factories.reply(old, clerk, START - datetime.timedelta(days=30), outcome)
    factories.set_letter_levels(tree["a"], factories.TWO_LEVELS)
    factories.register(tree["a"], clerk, 20, received_on=START - datetime.timedelta(days=45))  # overdue
    factories.register(tree["a"], clerk, 21, received_on=START - datetime.timedelta(days=25))  # due soon
    return {"tree": tree, "mailbox": mailbox, "run_tasks": run_tasks}


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


def status_page(page: Page, base: str, code: str) -> None:
    page.goto(f"{base}/status/")
    page.get_by_label("查询码").fill(code.lower())  # typed as it comes: lower case is fine
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="办理情况")).to_be_visible()


def decide_from_queue(page: Page, base: str, username: str, screenshot) -> None:
    """Log in, open the first item of 待我审批 from the dashboard, approve it."""
    login(page, base, username)
    queue = page.get_by_role("region", name=re.compile("待我审批"))
    expect(queue).to_be_visible()
    screenshot(f"{username}-dashboard")
    queue.get_by_role("link").filter(has_text=re.compile("审阅文书|查看并审批")).first.click()
    page.get_by_label("同意", exact=True).check()
    screenshot(f"{username}-decide")
    page.get_by_role("button", name=re.compile("提交.*意见")).click()
    expect(page.locator(".messages").get_by_text(re.compile("已同意"))).to_be_visible()
    logout(page)


def test_online_application_to_issued_reply(page: Page, world, live_server, screenshots):
    base = live_server.url
    shot_number = iter(range(100))

    def shot(name: str) -> None:
        page.screenshot(path=screenshots / f"{next(shot_number):02d}-{name}.png", full_page=True)

    # --- a member of the public applies online ---
    page.goto(f"{base}/")
    shot("public-home")
    page.get_by_role("link", name=re.compile("向该机关申请")).first.click()
    expect(page.get_by_role("heading", name="政府信息公开申请表")).to_be_visible()
    shot("public-form")
    id_number = factories.id_number(88)
    page.get_by_label("姓名 / 单位名称").fill("王小明")
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("联系电话").fill("13900008888")
    page.get_by_label("电子邮箱").fill("wang@example.cn")
    page.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "沙坡头区2025年科技项目专项资金分配结果"
    )
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    shot("receipt")
    code = page.locator("#query-code").inner_text().strip()
    assert len(code) == 13
    with page.context.expect_page() as printed:
        page.get_by_role("link", name="打印回执").click()
    receipt = printed.value
    expect(receipt.get_by_role("heading", name="政府信息公开申请回执")).to_be_visible()
    receipt.screenshot(path=screenshots / "receipt-print.png", full_page=True)
    assert id_number not in receipt.content() and code in receipt.content()
    receipt.close()

    # --- the clerk asks for a correction ---
    login(page, base, "clerk_a")
    expect(page.locator("#outcome-chart svg")).to_be_visible()
    shot("clerk-dashboard")
    page.get_by_role("link", name="申请列表").click()
    shot("list")
    page.get_by_role("row", name=re.compile("王小明")).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="答复期限")).to_be_visible()
    shot("case")
    form = open_action(page, "补正告知")
    form.get_by_label("需要补正的事项").fill("请写明所需信息的文件名称或文号")
    form.get_by_label("补正期限").fill((START + datetime.timedelta(days=15)).isoformat())
    form.get_by_role("button", name="确定补正告知").click()
    expect(page.get_by_text("待补正 · 暂停计时")).to_be_visible()
    case_url = page.url
    logout(page)

    # --- the applicant corrects online ---
    status_page(page, base, code)
    expect(page.get_by_text("请写明所需信息的文件名称或文号")).to_be_visible()
    correction = page.get_by_role("region", name="在线补正")
    correction.get_by_label("证件号码后四位").fill("0000" if not id_number.endswith("0000") else "1111")
    correction.get_by_label("补正内容").fill(
        "所需文件为《沙坡头区2025年科技项目专项资金分配方案》（沙科发〔2025〕12号）"
    )
    correction.get_by_role("button", name="提交补正").click()
    expect(page.get_by_text("证件号码后四位与申请时填写的不一致")).to_be_visible()
    correction = page.get_by_role("region", name="在线补正")
    correction.get_by_label("证件号码后四位").fill(id_number[-4:])
    correction.get_by_role("button", name="提交补正").click()
    expect(page.get_by_text("补正材料已提交")).to_be_visible()
    shot("status-corrected")

    # --- the clerk asks for an extension; the head approves it from the queue ---
    login(page, base, "clerk_a")
    page.goto(case_url)
    expect(page.get_by_text("申请人通过网上查询页面提交补正")).to_be_visible()
    form = open_action(page, "延期答复")
    form.get_by_label("延长工作日数").fill("5")
    form.get_by_label("延期理由").fill("所需信息涉及多个年度档案，需调档核查")
    form.get_by_role("button", name="确定延期答复").click()
    expect(page.get_by_text("等待负责人审批")).to_be_visible()
    logout(page)
    decide_from_queue(page, base, "head_a", shot)

    # --- the clerk drafts the reply and sends it to 审核, 签发 ---
    login(page, base, "clerk_a")
    page.goto(case_url)
    expect(page.get_by_text("已延期 5 个工作日")).to_be_visible()
    form = open_action(page, "答复")
    form.get_by_label("答复结果").select_option(label="予以公开")
    form.get_by_role("button", name="确定答复").click()
    expect(page.get_by_role("heading", name="政府信息予以公开告知书")).to_be_visible()
    shot("reply-draft")
    page.get_by_role("button", name="保存并送审核、签发").click()
    expect(page.get_by_text("待审核（审核人）")).to_be_visible()
    logout(page)
    decide_from_queue(page, base, "reviewer_a", shot)  # 审核
    decide_from_queue(page, base, "head_a", shot)  # 签发

    # --- the clerk issues it: 文号, the application concludes ---
    login(page, base, "clerk_a")
    page.goto(case_url)
    page.get_by_role("row", name=re.compile("政府信息予以公开告知书")).get_by_role(
        "link", name="查看"
    ).click()
    page.get_by_label(re.compile("确认出具")).check()
    page.get_by_role("button", name="出具并编制文号").click()
    expect(page.get_by_text(re.compile("已出具，文号"))).to_be_visible()
    shot("case-concluded")
    letter_number = Application.objects.get(applicant_name="王小明").letters.get(kind="reply").number
    assert re.fullmatch(rf"沙科信公开〔{START.year}〕\d+号", letter_number) and "第" not in letter_number
    assert letter_number == f"沙科信公开〔{START.year}〕7号"  # after the six replies of the history
    expect(page.get_by_text(letter_number).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("row", name=re.compile("政府信息予以公开告知书")).get_by_role(
            "link", name="Word"
        ).click()
    assert download.value.suggested_filename.endswith(".docx")
    logout(page)

    # --- the applicant sees 已办结 and downloads the reply ---
    status_page(page, base, code)
    expect(page.get_by_text("已办结").first).to_be_visible()
    shot("status-concluded")
    content = page.content()
    assert "王小明" not in content and "13900008888" not in content
    reply = page.get_by_role("region", name="答复告知书")
    reply.get_by_label("证件号码后四位").fill(id_number[-4:])
    with page.expect_download() as download:
        reply.get_by_role("button", name=re.compile("下载答复告知书")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes()[:5] == b"%PDF-"

    # --- and was told by e-mail at each step (the task worker sent them; a real SMTP server received them) ---
    world["run_tasks"]()
    mails = [m for m in world["mailbox"] if m["To"] == "wang@example.cn"]
    subjects = [m["Subject"] for m in mails]
    assert [next(w for w in ("已收到", "请补正", "已延长", "已答复") if w in subject) for subject in subjects] == [
        "已收到", "请补正", "已延长", "已答复"
    ]  # fmt: skip
    receipt_mail = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert code in receipt_mail and id_number not in receipt_mail
