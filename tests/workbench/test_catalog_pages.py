"""The workbench's 主动公开 pages: the list with its filters and a fixed number of queries, drafting and
editing with the service's Chinese errors beside their fields (nothing written when refused), the 保密审查单
with the scan's warnings confirmed, the review from the approvals queue and the item page, withdrawal with
its confirmation, validity, the column tree, new-media accounts and posts, the Art. 20 figures, the
dashboard's panel; who may do what, another agency's records never shown, CSRF on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.approvals.models import ApprovalDecision
from gongkai.approvals.selectors import pending_request
from gongkai.audit.models import AuditEvent
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.models import Account, Art20Figure, Column, Item, Post, ReviewSheet
from gongkai.catalog.services import account_save, item_create, item_submit, post_create
from tests import factories
from tests.catalog.conftest import draft_data

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


def url(name, *args):
    return reverse(f"workbench:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def field_errors(response, name: str) -> list[str]:
    """The messages shown under one field (the `_field.html` error list beside it)."""
    found = soup(response).find(id=f"id_{name}_error")
    return [li.get_text(strip=True) for li in found.find_all("li")] if found else []


def form_data(column: Column, **overrides) -> dict:
    data = {
        "column": column.pk,
        "title": "沙坡头区科学技术局关于2026年科技项目申报的通知",
        "doc_number": "卫科发[2026]7号",
        "publisher": "",
        "written_on": "2026-11-20",
        "formed_on": "2026-11-20",
        "topic": "科技、教育",
        "genre": "通知",
        "summary": "组织申报2026年度区级科技项目。",
        "body": "各有关单位：\n现将2026年度科技项目申报工作通知如下。",
        "disclosure": "proactive",
        "withheld_reason": "",
        "statutory_kind": "other",
        "validity": "valid",
        "validity_changed_on": "",
        "validity_note": "",
        "channels": ["website", "notice_board"],
    }
    return data | overrides


def rows() -> dict:
    return {
        "items": Item.objects.count(),
        "sheets": ReviewSheet.objects.count(),
        "audit": AuditEvent.objects.count(),
        "columns": Column.objects.count(),
        "accounts": Account.objects.count(),
        "posts": Post.objects.count(),
        "figures": Art20Figure.objects.count(),
    }


@pytest.fixture
def draft(tree, clerk, columns):
    return item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data())


@pytest.fixture
def account(tree, clerk):
    return account_save(agency=tree["a"], by=clerk, platform="wechat", name="沙坡头科技")


# --- every page ----------------------------------------------------------------------------------------------


def test_every_page_renders_for_a_clerk(client, clerk, columns, draft, publish, account):
    published = publish()
    as_user(client, clerk)
    pages = [
        url("catalog_items"),
        url("catalog_item_new"),
        url("catalog_item", draft.pk),
        url("catalog_item", published.pk),
        url("catalog_item_edit", draft.pk),
        url("catalog_item_submit", draft.pk),
        url("catalog_columns"),
        url("catalog_column_edit", columns["policy"].pk),
        url("media_accounts"),
        url("media_account", account.pk),
        url("catalog_art20") + "?year=2020",
        url("catalog_art20"),
        url("dashboard"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "主动公开" in response.content.decode()


def test_navigation_has_the_catalog_entry(client, clerk):
    page = soup(as_user(client, clerk).get(url("dashboard")))
    link = page.find("nav", class_="site-nav").find("a", string="主动公开")
    assert link["href"] == url("catalog_items")


# --- drafting --------------------------------------------------------------------------------------------------


def test_a_new_item_is_saved_as_a_draft_with_its_index_number(client, clerk, tree, columns):
    response = as_user(client, clerk).post(url("catalog_item_new"), form_data(columns["other_documents"]))
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == url("catalog_item", item.pk)
    assert item.status == ItemStatus.DRAFT and item.index_number == "640502001/2026-00001"
    assert item.publisher == tree["a"].name  # left blank: the agency
    assert item.doc_number == "卫科发〔2026〕7号"  # normalised by the service
    assert item.channels == ["website", "notice_board"]
    # plain text typed in the textarea: one paragraph per line, escaped
    assert item.body == "<p>各有关单位：</p><p>现将2026年度科技项目申报工作通知如下。</p>"
    page = client.get(response["Location"]).content.decode()
    assert "640502001/2026-00001" in page and "提交保密审查" in page
    # edited again as the text it was typed as
    edit = soup(client.get(url("catalog_item_edit", item.pk)))
    assert edit.find("textarea", attrs={"name": "body"}).get_text().strip().splitlines() == [
        "各有关单位：",
        "现将2026年度科技项目申报工作通知如下。",
    ]


def test_html_pasted_in_the_body_is_sanitised(client, clerk, columns):
    body = '<p onclick="x()">正文<script>alert(1)</script></p><table><tr><td>1</td></tr></table>'
    as_user(client, clerk).post(url("catalog_item_new"), form_data(columns["plans"], body=body))
    item = Item.objects.get()
    assert "script" not in item.body and "onclick" not in item.body and "<table>" in item.body


def test_the_column_select_is_the_agencys_tree_with_groups_not_selectable(client, clerk, columns, tree):
    catalog_columns_b = Column.objects.filter(agency=tree["b"]).values_list("pk", flat=True)
    page = soup(as_user(client, clerk).get(url("catalog_item_new")))
    options = page.find("select", attrs={"name": "column"}).find_all("option")
    values = [o.get("value") for o in options]
    assert str(columns["regulations"].pk) in values
    assert not set(map(str, catalog_columns_b)) & set(values)
    group = next(o for o in options if "法定主动公开内容" in o.get_text())
    assert group.has_attr("disabled") and group["value"] == ""
    child = next(o for o in options if o.get_text().strip() == "规章")
    assert child.get_text().startswith("　　")  # indented under 法定主动公开内容 › 政策文件


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题"),
        ({"doc_number": "12号文"}, "doc_number", "文号格式应为"),
        ({"formed_on": "2027-01-05", "written_on": ""}, "formed_on", "不能晚于今天"),
        ({"formed_on": "", "written_on": ""}, "formed_on", "请填写形成或变更日期"),
        ({"statutory_kind": "normative", "written_on": ""}, "written_on", "须填写成文日期"),
        ({"disclosure": "withheld"}, "withheld_reason", "请写明理由和依据"),
        ({"validity": "repealed"}, "validity_changed_on", "请填写废止日期"),
        ({"channels": []}, "channels", "请至少选择一个发布渠道"),
        ({"formed_on": "2026-02-30"}, "formed_on", "日期格式不正确"),
        ({"title": "长" * 301}, "title", "不能超过300个字"),
    ],
)
def test_bad_input_is_shown_by_its_field_in_chinese_and_nothing_is_written(
    client, clerk, columns, overrides, field, message
):
    before = rows()
    response = as_user(client, clerk).post(
        url("catalog_item_new"), form_data(columns["other_documents"], **overrides)
    )
    assert response.status_code == 400
    assert any(message in e for e in field_errors(response, field)), field_errors(response, field)
    assert rows() == before


def test_a_group_column_is_refused_by_the_service_beside_the_field(client, clerk, columns):
    before = rows()
    response = as_user(client, clerk).post(url("catalog_item_new"), form_data(columns["statutory"]))
    assert response.status_code == 400
    assert any("栏目分组" in e for e in field_errors(response, "column"))
    assert rows() == before


def test_editing_a_draft_and_not_a_published_item(client, clerk, columns, draft, publish):
    as_user(client, clerk)
    response = client.post(
        url("catalog_item_edit", draft.pk), form_data(columns["plans"], title="修改后的标题")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "修改后的标题" and draft.column == columns["plans"]
    published = publish()
    response = client.get(url("catalog_item_edit", published.pk))
    assert response.status_code == 302
    assert "不能修改" in client.get(response["Location"]).content.decode()


# --- the 保密审查 ------------------------------------------------------------------------------------------------


def submit_data(**overrides) -> dict:
    return {
        "method": "政府网站",
        "scope": "社会公众",
        "when": "now",
        "publish_at": "",
        "withdraw_at": "",
    } | overrides


def test_scan_warnings_stop_the_submission_until_confirmed(client, clerk, tree, columns):
    item = item_create(
        agency=tree["a"], column=columns["plans"], by=clerk,
        data=draft_data(body=f"<p>联系人：张三，电话{MOBILE}</p>"),
    )  # fmt: skip
    as_user(client, clerk)
    page = soup(client.get(url("catalog_item_submit", item.pk)))
    assert "139****5678" in page.get_text() and MOBILE not in page.get_text()
    assert page.find("input", attrs={"name": "confirm"}) is not None
    before = rows()
    response = client.post(url("catalog_item_submit", item.pk), submit_data())
    assert response.status_code == 400
    assert any(
        "已核对，仍然提交" in e for e in soup(response).find(class_="confirm-box").find_all(string=True)
    )
    assert rows() == before
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    response = client.post(url("catalog_item_submit", item.pk), submit_data(confirm="on"))
    assert response.status_code == 302
    item.refresh_from_db()
    sheet = item.review_sheets.get()
    assert item.status == ItemStatus.REVIEWING and sheet.warnings[0]["shown"] == "139****5678"
    page = client.get(url("catalog_item", item.pk)).content.decode()
    assert "提交人已核对以下提示后提交" in page and "审核人" in page


def test_without_warnings_there_is_no_confirmation(client, clerk, draft):
    page = soup(as_user(client, clerk).get(url("catalog_item_submit", draft.pk)))
    assert page.find("input", attrs={"name": "confirm"}) is None
    assert page.find("input", attrs={"name": "method"})["value"] == "政府网站"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"when": "at"}, "publish_at", "请填写定时发布时间"),
        ({"when": "at", "publish_at": "2026-11-26T09:00"}, "publish_at", "应晚于现在"),
        ({"when": "at", "publish_at": "2026-13-01T09:00"}, "publish_at", "时间格式不正确"),
        ({"withdraw_at": "2026-11-27T09:00"}, "withdraw_at", "定时撤回时间应晚于发布时间"),
        ({"method": "长" * 201}, "method", "不能超过200个字"),
    ],
)
def test_bad_review_sheets_are_refused_by_field(client, clerk, draft, overrides, field, message):
    before = rows()
    response = as_user(client, clerk).post(url("catalog_item_submit", draft.pk), submit_data(**overrides))
    assert response.status_code == 400
    assert any(message in e for e in field_errors(response, field)), field_errors(response, field)
    assert rows() == before


def test_review_from_the_queue_and_the_item_page_with_the_opinion_recorded(
    client, clerk, reviewer, head, draft
):
    as_user(client, clerk).post(
        url("catalog_item_submit", draft.pk), submit_data(when="at", publish_at="2026-12-01T09:00")
    )
    # the reviewer's queue lists the item and links to its page
    queue = soup(as_user(client, reviewer).get(url("approval_queue")))
    link = queue.find("a", href=url("catalog_item", draft.pk))
    assert link is not None and "查看并审查" in link.get_text()
    assert "主动公开保密审查：" + draft.title in queue.get_text()
    page = soup(client.get(url("catalog_item", draft.pk)))
    form = page.find("form", action=url("approval_decide", pending_request(subject=draft).pk))
    assert form.find("input", attrs={"name": "next"})["value"] == url("catalog_item", draft.pk)
    assert "审查意见" in form.get_text()
    response = client.post(
        form["action"],
        {"decision": "approve", "comment": "不涉密，同意公开", "next": url("catalog_item", draft.pk)},
    )
    assert response["Location"] == url("catalog_item", draft.pk)
    # the clerk sees the opinion; the head approves from the item page as well
    assert "不涉密，同意公开" in as_user(client, clerk).get(url("catalog_item", draft.pk)).content.decode()
    as_user(client, head).post(
        url("approval_decide", pending_request(subject=draft).pk),
        {"decision": "approve", "comment": "同意", "next": url("catalog_item", draft.pk)},
    )
    draft.refresh_from_db()
    assert draft.status == ItemStatus.SCHEDULED
    assert list(ApprovalDecision.objects.values_list("comment", flat=True).order_by("id")) == [
        "不涉密，同意公开",
        "同意",
    ]
    page = client.get(url("catalog_item", draft.pk)).content.decode()
    assert "将于 <strong>2026年12月1日 09:00</strong> 自动发布" in page


def test_a_refusal_comes_back_with_its_reason(client, clerk, reviewer, draft):
    item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众")
    as_user(client, reviewer).post(
        url("approval_decide", pending_request(subject=draft).pk),
        {"decision": "refuse", "comment": "附件含个人信息，请删除", "next": url("catalog_item", draft.pk)},
    )
    draft.refresh_from_db()
    assert draft.status == ItemStatus.RETURNED
    page = as_user(client, clerk).get(url("catalog_item", draft.pk)).content.decode()
    assert "保密审查未通过" in page and "附件含个人信息，请删除" in page
    assert url("catalog_item_submit", draft.pk) in page  # may be submitted again


def test_the_clerk_recalls_a_submission(client, clerk, draft):
    item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众")
    response = as_user(client, clerk).post(url("catalog_item_recall", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ItemStatus.DRAFT
    again = client.post(url("catalog_item_recall", draft.pk))
    assert "不在审查中" in client.get(again["Location"]).content.decode()


# --- withdrawal and validity ---------------------------------------------------------------------------------


def test_withdrawal_needs_a_reviewer_a_reason_and_the_confirmation(client, clerk, reviewer, publish):
    item = publish()
    as_user(client, clerk)
    assert "撤回信息" not in client.get(url("catalog_item", item.pk)).content.decode()
    response = client.post(
        url("catalog_item_withdraw", item.pk), {"reason": "已废止", "when": "now", "confirm": "on"}
    )
    assert response.status_code == 403
    as_user(client, reviewer)
    before = rows()
    response = client.post(url("catalog_item_withdraw", item.pk), {"reason": "已被新文件替代", "when": "now"})
    assert response.status_code == 400 and field_errors(response, "confirm") == ["请勾选确认后再撤回"]
    response = client.post(
        url("catalog_item_withdraw", item.pk), {"reason": "", "when": "now", "confirm": "on"}
    )
    assert response.status_code == 400 and field_errors(response, "reason") == ["此项为必填项"]
    assert rows() == before
    response = client.post(
        url("catalog_item_withdraw", item.pk), {"reason": "已被新文件替代", "when": "now", "confirm": "on"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN and item.withdrawn_reason == "已被新文件替代"
    page = client.get(url("catalog_item", item.pk)).content.decode()
    assert "撤回原因：已被新文件替代" in page and "撤回目录信息" in page  # the notice and the audit trail


def test_a_withdrawal_set_for_later(client, reviewer, publish):
    item = publish()
    response = as_user(client, reviewer).post(
        url("catalog_item_withdraw", item.pk),
        {"reason": "公示期满", "when": "at", "at": "2026-12-05T17:00", "confirm": "on"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and timezone.localtime(item.withdraw_at).hour == 17
    assert "自动撤回" in client.get(url("catalog_item", item.pk)).content.decode()


def test_validity_of_a_published_document(client, clerk, publish):
    item = publish(statutory_kind="normative")
    as_user(client, clerk)
    response = client.post(
        url("catalog_item_validity", item.pk), {"validity": "repealed", "on": "", "note": ""}
    )
    assert response.status_code == 400 and field_errors(response, "validity") == []
    assert "请填写废止日期" in response.content.decode()
    response = client.post(
        url("catalog_item_validity", item.pk),
        {"validity": "repealed", "on": "2026-11-01", "note": "已被卫科发〔2026〕9号废止"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.validity == "repealed" and item.validity_changed_on == dt.date(2026, 11, 1)
    assert "已废止" in client.get(url("catalog_items")).content.decode()


# --- the list ---------------------------------------------------------------------------------------------------


def test_filters_and_the_late_flag(client, clerk, columns, publish, draft, tree):
    late = publish("plans", title="沙坡头区2020年科技工作要点")  # formed in 2020: published late
    on_time = publish("regulations", title="沙坡头区科技计划项目管理办法", formed_on=dt.date(2026, 11, 20),
                      written_on=dt.date(2026, 11, 20))  # fmt: skip
    assert late.late and not on_time.late
    as_user(client, clerk)

    def titles(query: str) -> list[str]:
        page = soup(client.get(url("catalog_items") + query))
        return [a.get_text() for a in page.select("td.title a")]

    assert set(titles("")) == {late.title, on_time.title, draft.title}
    assert titles("?late=1") == [late.title]
    assert titles("?status=draft") == [draft.title]
    assert titles(f"?column={columns['policy'].pk}") == [on_time.title, draft.title]  # and the columns below
    assert titles("?q=工作要点") == [late.title]
    assert titles(f"?q={on_time.index_number}") == [on_time.title]
    assert set(titles("?year=2026")) == {late.title, on_time.title}
    assert titles("?year=2025") == []
    row = soup(client.get(url("catalog_items") + "?late=1")).select_one("tbody tr")
    assert "逾期公开" in row.get_text()
    response = client.get(url("catalog_items") + "?status=nonsense&year=abc")
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    partial = client.get(url("catalog_items") + "?q=工作要点", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and late.title in partial.content.decode()


def test_pagination(client, clerk, tree, columns):
    for n in range(30):
        item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data(title=f"信息{n}"))
    first = as_user(client, clerk).get(url("catalog_items")).content.decode()
    assert first.count("<tr>") == 1 + 25 and "共 30 条" in first and "下一页" in first
    second = client.get(url("catalog_items") + "?page=2").content.decode()
    assert second.count("<tr>") == 1 + 5


@pytest.mark.parametrize("size", [3, 40])
def test_list_queries_do_not_grow_with_data(
    client, clerk, tree, columns, size, django_assert_max_num_queries
):
    for n in range(size):
        item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data(title=f"信息{n}"))
    as_user(client, clerk)
    # session, user, memberships and agencies seen, the column tree, count, rows, the navigation's roles
    with django_assert_max_num_queries(9):
        assert client.get(url("catalog_items")).status_code == 200
    with django_assert_max_num_queries(10):
        query = f"?page=2&status=draft&q=信息&column={columns['statutory'].pk}&year=2026"
        assert client.get(url("catalog_items") + query).status_code == 200


# --- columns -----------------------------------------------------------------------------------------------------


def test_standard_columns_are_set_up_from_the_page(client, clerk, tree):
    page = as_user(client, clerk).get(url("catalog_columns")).content.decode()
    assert "尚未建立公开目录栏目" in page
    response = client.post(url("catalog_columns_bootstrap"), {"agency": tree["a"].pk})
    assert response.status_code == 302
    assert Column.objects.filter(agency=tree["a"], code="regulations").exists()
    assert not Column.objects.filter(agency=tree["b"]).exists()


def test_local_columns_are_added_and_cycles_edited(client, clerk, admin_a, reviewer, tree, columns):
    as_user(client, clerk)
    data = {
        "agency": tree["a"].pk,
        "name": "部门动态",
        "parent": "",
        "cycle": "14",
        "cycle_days": "",
        "note": "",
    }
    response = client.post(url("catalog_columns"), data)
    assert response.status_code == 302
    local = Column.objects.get(name="部门动态")
    assert local.cycle_days == 14 and local.parent is None and local.code == ""
    response = client.post(url("catalog_columns"), data)  # the same name again
    assert response.status_code == 400 and any(
        "已有“部门动态”栏目" in e for e in field_errors(response, "name")
    )
    before = rows()
    response = client.post(url("catalog_columns"), data | {"name": "意见征集", "cycle": "custom"})
    assert response.status_code == 400 and field_errors(response, "cycle_days") == ["请填写更新周期的天数"]
    assert rows() == before
    # the administrator edits a standard column: cycle, 备注, a law's limit; its name stays
    as_user(client, admin_a)
    column = columns["regulations"]
    response = client.post(
        url("catalog_column_edit", column.pk),
        {"name": "改名", "cycle": "custom", "cycle_days": "90", "note": "本机关无规章制定权",
         "limit_days": "15", "limit_working_days": "0", "limit_basis": "某法第十条"},
    )  # fmt: skip
    assert response.status_code == 302
    column.refresh_from_db()
    assert (column.name, column.cycle_days, column.note) == ("规章", 90, "本机关无规章制定权")
    assert (column.limit_days, column.limit_working_days, column.limit_basis) == (15, False, "某法第十条")
    # a reviewer reads the tree but does not change it
    as_user(client, reviewer)
    page = client.get(url("catalog_columns")).content.decode()
    assert "栏目由本机关的管理员或经办人维护" in page and "添加本机关栏目" not in page
    assert client.post(url("catalog_columns"), data | {"name": "其他"}).status_code == 403
    assert client.get(url("catalog_column_edit", column.pk)).status_code == 403


def test_the_column_page_shows_the_freshness_findings(client, clerk, columns):
    page = soup(as_user(client, clerk).get(url("catalog_columns")))
    row = next(tr for tr in page.select("table.tree tbody tr") if "行政许可" in tr.get_text())
    assert "空白栏目未说明" in row.get_text()
    assert "依申请公开" in page.get_text()


# --- new media ----------------------------------------------------------------------------------------------------


def test_accounts_and_posts(client, clerk, tree, account):
    as_user(client, clerk)
    response = client.post(
        url("media_accounts"),
        {"agency": tree["a"].pk, "platform": "weibo", "name": "沙坡头科技微博", "url": "", "active": "on"},
    )
    assert response.status_code == 302
    weibo = Account.objects.get(platform="weibo")
    before = rows()
    response = client.post(
        url("media_accounts"),
        {"agency": tree["a"].pk, "platform": "weibo", "name": "x", "url": "ftp://x", "active": "on"},
    )
    assert response.status_code == 400 and any("http" in e for e in field_errors(response, "url"))
    assert rows() == before
    post = {"posted_on": "2026-11-25", "title": "科技活动周开幕", "url": "", "original": "1"}
    assert client.post(url("media_post_new", weibo.pk), post).status_code == 302
    response = client.post(url("media_post_new", weibo.pk), post)
    assert response.status_code == 400 and "该发布已登记过" in response.content.decode()
    response = client.post(url("media_post_new", weibo.pk), post | {"posted_on": "2026-12-25"})
    assert response.status_code == 400 and field_errors(response, "posted_on") == ["发布日期不能晚于今天"]
    page = client.get(url("media_accounts")).content.decode()
    assert "沙坡头科技微博" in page and "尚无发布记录" in page  # the WeChat account has none
    response = client.post(
        url("media_account_edit", weibo.pk),
        {"platform": "weibo", "name": "沙坡头科技", "url": "", "active": ""},
    )
    assert response.status_code == 302
    weibo.refresh_from_db()
    assert weibo.name == "沙坡头科技" and not weibo.active
    assert "科技活动周开幕" in client.get(url("media_account", weibo.pk)).content.decode()


# --- Art. 20 figures ------------------------------------------------------------------------------------------------


def test_art20_figures_are_entered_and_shown_in_table_2(client, clerk, tree, publish):
    publish("normative_documents", statutory_kind="normative", written_on=dt.date(2026, 11, 2),
            formed_on=dt.date(2026, 11, 2))  # fmt: skip
    as_user(client, clerk)
    page = soup(client.get(url("catalog_art20") + "?year=2026"))
    labels = page.find("input", attrs={"name": "fees__amount"}).find_parent("form").get_text()
    assert "本年收费金额（单位：万元）" in labels and "行政许可" in labels
    before = rows()
    response = client.post(
        url("catalog_art20") + "?year=2026", {"licensing__decisions": "3.5", "fees__amount": "", "source": ""}
    )
    assert response.status_code == 400
    assert (
        "应为整数" in soup(response).find("input", attrs={"name": "licensing__decisions"}).parent.get_text()
    )
    assert rows() == before
    response = client.post(
        url("catalog_art20") + "?year=2026",
        {"licensing__decisions": "12", "fees__amount": "1.25", "source": "财务科提供"},
    )
    assert response.status_code == 302
    assert Art20Figure.objects.get(row="fees").value == 1.25
    page = soup(client.get(url("catalog_art20") + "?year=2026"))
    assert page.find("input", attrs={"name": "fees__amount"})["value"] == "1.25"
    table = page.find("table", class_="statutory").get_text(" ", strip=True)
    assert "行政规范性文件 1 0 1" in table and "行政许可 12" in table and "1.25" in table


# --- the dashboard ---------------------------------------------------------------------------------------------------


def test_the_dashboard_panel(client, clerk, reviewer, tree, columns, publish, draft, account):
    publish("plans")  # late: formed in 2020
    item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众")
    panel = soup(as_user(client, clerk).get(url("dashboard"))).find(
        "section", attrs={"aria-labelledby": "catalog-check-title"}
    )
    figures = {
        a.find(class_="label").get_text(): a.find(class_="value").get_text() for a in panel.find_all("a")
    }
    assert figures["待保密审查的信息"] == "1"
    assert figures["2026年逾期公开（《条例》第二十六条）"] == "1"
    assert figures["政务新媒体超过2周未更新"] == "1"
    assert int(figures["空白栏目未说明原因"]) > 5
    assert panel.find("a", href=url("catalog_items") + "?status=reviewing") is not None


def test_the_dashboard_asks_for_the_columns_first(client, clerk):
    page = as_user(client, clerk).get(url("dashboard")).content.decode()
    assert "尚未建立公开目录栏目" in page


# --- who sees and does what -----------------------------------------------------------------------------------------


def test_another_agencys_catalog_is_not_found(client, clerk_b, columns, draft, account, publish):
    published = publish()
    post = post_create(
        account=account, by=draft.created_by, posted_on=dt.date(2026, 11, 20), title="发布", original=True
    )
    as_user(client, clerk_b)
    for page in (
        url("catalog_item", published.pk),
        url("catalog_item_edit", draft.pk),
        url("catalog_item_submit", draft.pk),
        url("catalog_column_edit", columns["plans"].pk),
        url("media_account", account.pk),
        url("catalog_columns") + f"?agency={draft.agency_id}",
        url("media_accounts") + f"?agency={draft.agency_id}",
        url("catalog_art20") + f"?agency={draft.agency_id}",
    ):
        assert client.get(page).status_code == 404, page
    for action in ("catalog_item_withdraw", "catalog_item_validity", "catalog_item_recall"):
        assert client.post(url(action, published.pk), {}).status_code == 404
    assert client.post(url("media_post_new", account.pk), {}).status_code == 404
    listing = client.get(url("catalog_items")).content.decode()
    assert published.title not in listing and draft.title not in listing
    assert "沙坡头科技" not in client.get(url("media_accounts")).content.decode()
    assert post.title  # the post exists, unseen


def test_a_supervisor_reads_but_does_not_write(client, supervisor, tree, columns, draft, publish):
    published = publish()
    as_user(client, supervisor)
    listing = client.get(url("catalog_items")).content.decode()
    assert published.title in listing and tree["a"].name in listing  # the agency column
    page = client.get(url("catalog_item", draft.pk)).content.decode()
    assert "只有查看权限" in page and url("catalog_item_submit", draft.pk) not in page
    refused = client.get(url("catalog_item_new"))
    assert refused.status_code == 403 and "上级督查账号为只读" in refused.content.decode()
    assert client.post(url("catalog_item_edit", draft.pk), form_data(columns["plans"])).status_code == 403
    assert client.post(url("catalog_item_submit", draft.pk), submit_data()).status_code == 403
    before = rows()
    response = client.post(
        url("catalog_item_validity", published.pk), {"validity": "lapsed", "on": "2026-11-01"}
    )
    assert response.status_code == 403
    assert rows() == before


def test_pages_require_login(client, draft):
    for page in (
        url("catalog_items"),
        url("catalog_item", draft.pk),
        url("catalog_columns"),
        url("catalog_art20"),
    ):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(url("login"))


def test_csrf_is_checked_on_every_catalog_form(clerk, reviewer, columns, draft, publish, account):
    published = publish()
    posts = [
        (clerk, url("catalog_item_new"), form_data(columns["plans"])),
        (clerk, url("catalog_item_edit", draft.pk), form_data(columns["plans"])),
        (clerk, url("catalog_item_submit", draft.pk), submit_data()),
        (
            reviewer,
            url("catalog_item_withdraw", published.pk),
            {"reason": "x", "when": "now", "confirm": "on"},
        ),
        (clerk, url("catalog_item_validity", published.pk), {"validity": "lapsed", "on": "2026-11-01"}),
        (clerk, url("catalog_columns"), {"name": "部门动态", "cycle": "14"}),
        (
            clerk,
            url("media_post_new", account.pk),
            {"posted_on": "2026-11-25", "title": "x", "original": "1"},
        ),
        (clerk, url("catalog_art20"), {"source": "x"}),
    ]
    before = rows()
    for user, path, data in posts:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        response = client.post(path, data)
        assert response.status_code == 403 and "页面已过期" in response.content.decode(), path
    assert rows() == before


def test_the_item_page_shows_the_audit_trail(client, clerk, reviewer, head, draft):
    item_submit(item=draft, by=clerk, method="政府网站", scope="社会公众")
    page = soup(as_user(client, clerk).get(url("catalog_item", draft.pk)))
    history = page.find("section", attrs={"aria-labelledby": "history-title"}).get_text(" ", strip=True)
    assert re.search(r"李文\s+新建目录信息\s+索引号 640502001/2026-00001", history)
    assert "提交保密审查" in history
    assert factories.PASSWORD not in history
