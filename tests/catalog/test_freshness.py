"""The freshness guard (国办秘函〔2019〕19号): columns idle longer than their update cycle (counting the columns
below them), blank columns without a 备注, new-media accounts idle for more than two weeks; three queries
whatever the size; the daily check's mail to each agency's clerks."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.catalog.freshness import ACCOUNT_IDLE_DAYS, Kind, counts, freshness_check
from gongkai.catalog.models import Column
from gongkai.catalog.selectors import freshness_for
from gongkai.catalog.services import (
    account_save,
    column_create,
    column_update,
    item_create,
    item_submit,
    item_withdraw,
    post_create,
)
from gongkai.catalog.tasks import daily_check, freshness_mail
from tests import factories
from tests.catalog.conftest import draft_data

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


def of_kind(findings, kind) -> dict[str, object]:
    return {f.name: f for f in findings if f.kind == kind}


def publish_on(today, publish, day: dt.date, column: str, **data):
    """Publish an item on `day` (the clock moved there and back)."""
    today.set(day)
    item = publish(column, formed_on=day, written_on=day, **data)
    today.set(TODAY)
    return item


def test_a_fresh_catalog_has_only_blank_columns(tree, columns):
    findings = freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk]
    assert {f.kind for f in findings} == {Kind.COLUMN_BLANK}
    blank = of_kind(findings, Kind.COLUMN_BLANK)
    # the columns a visitor opens last; not their groups, not the link to the application form
    assert {"规章", "行政规范性文件", "其他文件", "行政许可", "政府信息公开指南"} <= set(blank)
    assert not {"法定主动公开内容", "政策文件", "依申请公开"} & set(blank)
    assert "暂无信息，也未在备注中说明原因" in blank["规章"].message


def test_a_note_explains_a_blank_column(tree, clerk, columns):
    column_update(
        column=columns["regulations"], by=clerk, name="规章", cycle_days=182, note="本机关无规章制定权"
    )
    blank = of_kind(freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk], Kind.COLUMN_BLANK)
    assert "规章" not in blank and "行政规范性文件" in blank


def test_idle_columns_count_the_columns_below(tree, columns, publish, today):
    publish_on(today, publish, dt.date(2026, 3, 2), "other_documents")  # 270 days ago; cycle 182
    publish_on(today, publish, dt.date(2026, 11, 2), "plans")  # 25 days ago; cycle 365
    publish_on(today, publish, dt.date(2026, 8, 1), "statistics")  # 118 days ago; cycle 90
    findings = freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk]
    idle = of_kind(findings, Kind.COLUMN_IDLE)
    assert set(idle) == {"其他文件", "政策文件", "统计信息"}
    assert idle["其他文件"].idle_days == 270 and idle["其他文件"].limit_days == 182
    assert idle["政策文件"].last_on == dt.date(2026, 3, 2)  # from the column below it
    assert idle["统计信息"].message == "栏目“统计信息”已118天未更新（更新周期90天，最近发布于2026年8月1日）"
    assert "6个月（182天）" in idle["政策文件"].message
    blank = of_kind(findings, Kind.COLUMN_BLANK)
    assert "其他文件" not in blank and "规划计划" not in blank and "规章" in blank
    # a newer item below 政策文件 makes it fresh again, 其他文件 stays idle
    publish_on(today, publish, dt.date(2026, 11, 20), "regulations", statutory_kind="regulation")
    idle = of_kind(freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk], Kind.COLUMN_IDLE)
    assert "政策文件" not in idle and "其他文件" in idle


def test_the_day_of_the_cycle_is_still_fresh(tree, clerk, reviewer, head, columns, today):
    column = column_create(agency=tree["a"], parent=None, name="部门动态", by=clerk, cycle_days=14)
    today.set(TODAY - dt.timedelta(days=14))
    item = item_create(agency=tree["a"], column=column, by=clerk, data=draft_data())
    item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
    for user in (reviewer, head):
        approval_decide(request=pending_request(subject=item), by=user, approved=True, on=today.value)
    idle = of_kind(freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk], Kind.COLUMN_IDLE)
    assert "部门动态" not in idle
    idle = of_kind(
        freshness_check(agency_ids=[tree["a"].pk], today=TODAY + dt.timedelta(days=1))[tree["a"].pk],
        Kind.COLUMN_IDLE,
    )
    assert idle["部门动态"].idle_days == 15


def test_a_withdrawn_item_was_published_all_the_same(tree, columns, publish, reviewer, today):
    item = publish_on(today, publish, dt.date(2026, 11, 20), "plans")
    item_withdraw(item=item, by=reviewer, reason="已被替代")
    findings = freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk]
    assert "规划计划" not in of_kind(findings, Kind.COLUMN_BLANK)
    assert "规划计划" not in of_kind(findings, Kind.COLUMN_IDLE)


def test_accounts_idle_for_more_than_two_weeks(tree, clerk, columns):
    fresh = account_save(agency=tree["a"], by=clerk, platform="wechat", name="沙坡头科技")
    idle = account_save(agency=tree["a"], by=clerk, platform="weibo", name="沙坡头科技微博")
    account_save(agency=tree["a"], by=clerk, platform="douyin", name="从未发布")
    stopped = account_save(agency=tree["a"], by=clerk, platform="toutiao", name="已停用", active=False)
    post_create(account=fresh, by=clerk, posted_on=TODAY - dt.timedelta(days=ACCOUNT_IDLE_DAYS), title="甲", original=True)  # fmt: skip
    post_create(account=idle, by=clerk, posted_on=TODAY - dt.timedelta(days=20), title="乙", original=True)
    post_create(account=stopped, by=clerk, posted_on=dt.date(2025, 1, 1), title="丙", original=False)
    accounts = of_kind(
        freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk], Kind.ACCOUNT_IDLE
    )
    assert set(accounts) == {"政务微博“沙坡头科技微博”", "抖音“从未发布”"}
    assert accounts["政务微博“沙坡头科技微博”"].message == (
        "政务微博“沙坡头科技微博”已20天未更新（超过2周，最近发布于2026年11月7日）"
    )
    assert "尚无发布记录" in accounts["抖音“从未发布”"].message


@pytest.mark.parametrize("size", [2, 30])
def test_three_queries_whatever_the_size(
    tree, clerk, clerk_b, columns, publish, size, django_assert_num_queries
):
    for n in range(size):
        publish("plans" if n % 2 else "other_documents", title=f"信息{n}")
        agency, by = (tree["a"], clerk) if n % 2 else (tree["b"], clerk_b)
        account = account_save(agency=agency, by=by, platform="other", name=f"账号{n}")
        post_create(
            account=account, by=by, posted_on=TODAY - dt.timedelta(days=n), title=f"发布{n}", original=True
        )
    with django_assert_num_queries(3):
        findings = freshness_check(agency_ids=[tree["a"].pk, tree["b"].pk, tree["region"].pk], today=TODAY)
    assert set(findings) == {tree["a"].pk, tree["b"].pk}  # the region has no catalog: nothing to say
    assert freshness_check(agency_ids=[], today=TODAY) == {}


def test_counts_of_each_kind(tree, columns):
    findings = freshness_check(agency_ids=[tree["a"].pk], today=TODAY)[tree["a"].pk]
    total = counts(findings)
    assert total[Kind.COLUMN_IDLE] == 0 and total[Kind.ACCOUNT_IDLE] == 0
    assert total[Kind.COLUMN_BLANK] == len(findings)


def test_a_clerk_of_b_sees_only_bs_findings(tree, columns, clerk_b, supervisor):
    seen = freshness_for(user=clerk_b, today=TODAY)
    assert set(seen) == {tree["b"].pk}
    assert freshness_for(user=clerk_b, today=TODAY, agency_id=tree["a"].pk) == {}
    assert set(freshness_for(user=supervisor, today=TODAY)) == {tree["a"].pk, tree["b"].pk}


# --- the daily check's mail -----------------------------------------------------------------------------------------


def test_the_daily_check_mails_each_agencys_clerks(
    mailbox, tree, clerk, reviewer, columns, run_tasks, publish, today
):
    clerk.email = "clerk@example.gov.cn"
    clerk.save()
    reviewer.email = "reviewer@example.gov.cn"  # reviewers get no freshness mail
    reviewer.save()
    factories.make_user("clerk_b", tree["b"], "clerk", email="b@example.gov.cn")
    factories.make_user("nomail", tree["a"], "clerk")
    # agency b has nothing to report: every blank column explained
    Column.objects.filter(agency=tree["b"]).update(note="本机关暂无此类信息")
    publish_on(today, publish, dt.date(2026, 3, 2), "other_documents")
    daily_check.enqueue()
    run_tasks()
    assert [m["To"] for m in mailbox] == ["clerk@example.gov.cn"]
    message = mailbox[0]
    assert "【政府信息公开】栏目更新检查：19 项需要处理" in message["Subject"]
    assert tree["a"].name in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "栏目“其他文件”已270天未更新" in body and "栏目“规章”暂无信息" in body
    assert f"/workbench/catalog/columns/?agency={tree['a'].pk}" in body


def test_no_mail_without_a_mail_server_or_without_findings(mailbox, settings, tree, clerk, columns):
    clerk.email = "clerk@example.gov.cn"
    clerk.save()
    Column.objects.update(note="暂无")
    assert freshness_mail(today=TODAY) == 0  # nothing to report
    Column.objects.update(note="")
    settings.MAIL_ENABLED = False
    assert freshness_mail(today=TODAY) == 0
    assert mailbox == []


def test_a_mail_server_that_fails_is_told_again_tomorrow(settings, tree, clerk, columns, caplog):
    clerk.email = "clerk@example.gov.cn"
    clerk.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.MAIL_ENABLED = "127.0.0.1", 9, True
    settings.EMAIL_TIMEOUT = 2
    assert freshness_mail(today=TODAY) == 0
    assert "could not be sent" in caplog.text
