"""Drafting, the 保密审查 and publication of catalog items (先审查、后公开), withdrawal, validity, 索引号."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.audit.models import AuditEvent
from gongkai.catalog.enums import Disclosure, ItemStatus, Validity
from gongkai.catalog.models import Item, ReviewSheet
from gongkai.catalog.services import (
    catalog_bootstrap,
    column_create,
    item_create,
    item_publish_due,
    item_set_validity,
    item_submit,
    item_update,
    item_withdraw,
    item_withdraw_due,
)
from tests.catalog.conftest import draft_data


def test_bootstrap_creates_the_standard_tree_once(tree, columns):
    top = {c.name for c in columns.values() if c.parent_id is None}
    assert {
        "政府信息公开指南",
        "政府信息公开制度",
        "法定主动公开内容",
        "政府信息公开年报",
        "依申请公开",
    } <= top
    assert columns["normative_documents"].parent == columns["policy"]
    assert columns["policy"].parent == columns["statutory"]
    assert columns["budget"].limit_working_days is False  # 预算法: 20 days after approval
    assert catalog_bootstrap(agency=tree["a"]) == []


def test_index_numbers_are_allocated_per_agency_and_year_and_never_reused(tree, clerk, clerk_b, columns):
    first = item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data())
    second = item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data())
    assert first.index_number == "640502001/2026-00001"
    assert second.index_number == "640502001/2026-00002"
    # an imported number that the sequence would reach next is skipped, not used twice
    item_create(
        agency=tree["a"],
        column=columns["plans"],
        by=clerk,
        data=draft_data(),
        index_number="640502001/2026-00003",
    )
    fourth = item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data())
    assert fourth.index_number == "640502001/2026-00004"


def test_duplicate_or_malformed_index_number_is_refused_and_nothing_is_written(tree, clerk, columns):
    item_create(
        agency=tree["a"],
        column=columns["plans"],
        by=clerk,
        data=draft_data(),
        index_number="640502001/2020-00001",
    )
    count = Item.objects.count()
    with pytest.raises(ValidationError) as duplicate:
        item_create(
            agency=tree["a"],
            column=columns["plans"],
            by=clerk,
            data=draft_data(),
            index_number=" 640502001/2020-00001",
        )
    assert "索引号不能重复" in str(duplicate.value)
    with pytest.raises(ValidationError) as malformed:
        item_create(
            agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data(), index_number="第一号"
        )
    assert "索引号格式不正确" in str(malformed.value)
    assert Item.objects.count() == count


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("卫科发[2020]12号", "卫科发〔2020〕12号"), ("卫科发（2020）第12号", "卫科发〔2020〕12号"), ("", "")],
)
def test_doc_numbers_are_kept_in_the_official_form(tree, clerk, columns, typed, kept):
    item = item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data(doc_number=typed))
    assert item.doc_number == kept


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "请填写标题"),
        ("doc_number", "12号文", "文号格式"),
        ("formed_on", dt.date(2099, 1, 1), "不能晚于今天"),
        ("summary", "概" * 301, "不能超过300字"),
        ("disclosure", Disclosure.WITHHELD, "请写明理由和依据"),
        ("statutory_kind", "normative", None),
    ],
)
def test_bad_fields_are_refused_with_the_field_named(tree, clerk, columns, field, value, message):
    data = draft_data(**{field: value})
    if field == "statutory_kind":
        data["written_on"] = None
        data["formed_on"] = dt.date(2020, 3, 2)
        field, message = "written_on", "须填写成文日期"
    if field == "disclosure":
        field = "withheld_reason"
    with pytest.raises(ValidationError) as error:
        item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=data)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])


def test_body_is_sanitised(tree, clerk, columns):
    item = item_create(
        agency=tree["a"], column=columns["plans"], by=clerk,
        data=draft_data(body='<p onclick="steal()">正文<script>alert(1)</script><a href="javascript:x()">链接</a></p>'),
    )  # fmt: skip
    assert "script" not in item.body and "onclick" not in item.body and "javascript" not in item.body
    assert item.body_text == "正文链接"


def test_review_then_publish_with_the_sheet_recorded(publish, tree):
    item = publish()
    assert item.status == ItemStatus.PUBLISHED
    assert item.published_on == timezone.localdate()
    sheet = ReviewSheet.objects.get(item=item)
    assert sheet.approved is True and sheet.method == "政府网站" and sheet.scope == "社会公众"
    assert sheet.approval.status == "approved"
    actions = list(
        AuditEvent.objects.filter(object_type="Item", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["catalog.item_create", "catalog.item_submit", "catalog.item_publish"]


def test_the_reviewer_returns_an_item_with_reasons_and_the_clerk_resubmits(
    tree, clerk, reviewer, head, columns
):
    item = item_create(agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data())
    item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
    with pytest.raises(ValidationError):  # editing while under review is refused
        item_update(item=item, by=clerk, data=draft_data(title="改"))
    approval_decide(
        request=pending_request(subject=item),
        by=reviewer,
        approved=False,
        comment="附件含个人信息",
        on=dt.date.today(),
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    assert ReviewSheet.objects.get(item=item).opinion == "附件含个人信息"
    item_update(item=item, by=clerk, data=draft_data(title="沙坡头区科技扶贫工作方案（修订）"))
    item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
    assert ReviewSheet.objects.filter(item=item).count() == 2


def test_the_clerk_cannot_review_their_own_item(tree, clerk, columns, make_user):
    both = make_user("both", tree["a"], "clerk", "reviewer")
    item = item_create(agency=tree["a"], column=columns["plans"], by=both, data=draft_data())
    item_submit(item=item, by=both, method="政府网站", scope="社会公众")
    with pytest.raises(PermissionDenied):
        approval_decide(request=pending_request(subject=item), by=both, approved=True, on=dt.date.today())


def test_the_scan_stops_a_submission_until_confirmed(tree, clerk, columns):
    from tests.factories import VALID_ID

    item = item_create(
        agency=tree["a"], column=columns["plans"], by=clerk,
        data=draft_data(body=f"<p>联系人张三，身份证{VALID_ID}，电话13800138000。文号编号123456789012345678不是身份证。</p>"),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
    text = str(error.value)
    assert "110105********002X" in text and "138****8000" in text
    assert VALID_ID not in text and text.count("身份证号码") == 1  # the 18-digit serial is no ID number
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    sheet = item_submit(item=item, by=clerk, method="政府网站", scope="社会公众", confirm_warnings=True)
    assert [w["kind"] for w in sheet.warnings] == ["id_number", "mobile"]


def test_sensitive_words_are_configurable(tree, clerk, columns, settings):
    settings.SENSITIVE_WORDS = ("内部资料",)
    item = item_create(
        agency=tree["a"], column=columns["plans"], by=clerk, data=draft_data(body="<p>内部资料，注意保管</p>")
    )
    with pytest.raises(ValidationError, match="敏感词"):
        item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")


def test_scheduled_release_waits_for_its_time(publish, today, run_tasks):
    at = timezone.now() + dt.timedelta(hours=2)
    item = publish(publish_at=at)
    assert item.status == ItemStatus.SCHEDULED
    assert item_publish_due() == []
    today.shift(dt.timedelta(hours=2, minutes=1))
    run_tasks()
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED


def test_items_withheld_are_recorded_not_published(publish):
    item = publish(disclosure=Disclosure.WITHHELD, withheld_reason="涉及国家秘密（条例第十四条）")
    assert item.status == ItemStatus.RECORDED and item.published_on is None


def test_withdrawal_now_and_at_a_set_time(publish, reviewer, clerk, today):
    item = publish()
    with pytest.raises(PermissionDenied):
        item_withdraw(item=item, by=clerk, reason="内容有误")
    with pytest.raises(ValidationError, match="请写明撤回原因"):
        item_withdraw(item=item, by=reviewer, reason="")
    item_withdraw(
        item=item, by=reviewer, reason="内容有误，已重新发布", at=timezone.now() + dt.timedelta(days=1)
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    today.shift(dt.timedelta(days=1, minutes=1))
    assert item_withdraw_due() == [item.pk]
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN and item.withdrawn_reason == "内容有误，已重新发布"


def test_late_publication_is_flagged(publish):
    item = publish(written_on=dt.date(2026, 9, 1), formed_on=dt.date(2026, 9, 1))
    assert item.late is True
    on_time = publish(written_on=dt.date(2026, 11, 20), formed_on=dt.date(2026, 11, 20))
    assert on_time.late is False


def test_budget_column_counts_calendar_days(publish, columns):
    item = publish("budget", written_on=dt.date(2026, 11, 6), formed_on=dt.date(2026, 11, 6))
    assert item.publish_limit_on == dt.date(2026, 11, 26)
    assert item.late is True


def test_validity_is_marked_on_published_documents(publish, clerk):
    item = publish(statutory_kind="normative")
    with pytest.raises(ValidationError, match="请填写废止日期"):
        item_set_validity(item=item, by=clerk, validity=Validity.REPEALED, on=None)
    item = item_set_validity(
        item=item, by=clerk, validity=Validity.REPEALED, on=dt.date(2026, 6, 1), note="被新文件替代"
    )
    assert item.validity == Validity.REPEALED and item.validity_changed_on == dt.date(2026, 6, 1)


def test_staff_of_another_agency_cannot_write(tree, clerk_b, columns):
    with pytest.raises(PermissionDenied):
        item_create(agency=tree["a"], column=columns["plans"], by=clerk_b, data=draft_data())


def test_columns_of_another_agency_or_group_columns_are_refused(tree, clerk, clerk_b, columns):
    from gongkai.catalog.models import Column

    other = Column.objects.get(agency=tree["b"], code="plans")
    with pytest.raises(ValidationError, match="不属于本机关"):
        item_create(agency=tree["a"], column=other, by=clerk, data=draft_data())
    with pytest.raises(ValidationError, match="栏目分组"):
        item_create(agency=tree["a"], column=columns["statutory"], by=clerk, data=draft_data())


def test_local_columns(tree, clerk, columns):
    column = column_create(agency=tree["a"], parent=None, name="部门动态", by=clerk, cycle_days=14)
    assert column.cycle_days == 14 and column.code == ""
    with pytest.raises(ValidationError, match="已有“部门动态”"):
        column_create(agency=tree["a"], parent=None, name="部门动态", by=clerk)


# --- 补录: an item published in a past year, entered now ---------------------------------------------------


def _past(**overrides):
    """The 2020 time an item was published (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime(2020, 3, 6, 9, 30), **overrides)


def test_a_past_year_item_is_reviewed_now_and_recorded_as_published_then(
    tree, clerk, reviewer, head, columns
):
    item = item_create(
        agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data(),
        created_on=dt.date(2020, 3, 2),
    )  # fmt: skip
    assert item.index_number == "640502001/2020-00001"
    sheet = item_submit(
        item=item, by=clerk, method="政府网站", scope="社会公众", published_at=_past(),
        past_year_reason="平台启用前已在政府网站发布，补录目录",
    )  # fmt: skip
    assert sheet.publish_at == _past() and sheet.approval.title.startswith("保密审查（补录2020年已发布信息）")
    request = approval_decide(request=sheet.approval, by=reviewer, approved=True, on=dt.date(2020, 3, 6))
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEWING  # published only once the head approves, as any item
    approval_decide(request=request, by=head, approved=True, on=dt.date(2020, 3, 6))
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert (item.published_on, item.published_at, item.late) == (dt.date(2020, 3, 6), _past(), False)
    for action in ("catalog.item_submit", "catalog.item_publish"):
        event = AuditEvent.objects.get(action=action, object_id=str(item.pk))
        assert event.after["past_year_reason"] == "平台启用前已在政府网站发布，补录目录"
        assert event.at.year == 2026  # entered now: the audit record does not pretend otherwise


def test_a_past_year_item_published_late_then_is_flagged(tree, clerk, reviewer, head, columns):
    item = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data())
    sheet = item_submit(
        item=item, by=clerk, method="政府网站", scope="社会公众",
        published_at=timezone.make_aware(dt.datetime(2020, 6, 1, 10)), past_year_reason="补录",
    )  # fmt: skip
    request = approval_decide(request=sheet.approval, by=reviewer, approved=True, on=dt.date(2020, 6, 1))
    approval_decide(request=request, by=head, approved=True, on=dt.date(2020, 6, 1))
    item.refresh_from_db()
    assert item.late is True and item.published_on > item.publish_limit_on


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"published_at": _past()}, "past_year_reason", "past_year_reason_required"),
        (
            {"published_at": _past(), "past_year_reason": "  "},
            "past_year_reason",
            "past_year_reason_required",
        ),
        (
            {"published_at": timezone.make_aware(dt.datetime(2026, 1, 5, 9)), "past_year_reason": "补录"},
            "published_at",
            "invalid",
        ),
        (
            {"published_at": timezone.make_aware(dt.datetime(2020, 3, 1, 9)), "past_year_reason": "补录"},
            "published_at",
            "date_too_early",
        ),
        (
            {
                "published_at": _past(),
                "past_year_reason": "补录",
                "publish_at": timezone.make_aware(dt.datetime(2026, 12, 1, 9)),
            },
            "publish_at",
            "invalid",
        ),  # fmt: skip
        (
            {
                "published_at": _past(),
                "past_year_reason": "补录",
                "withdraw_at": timezone.make_aware(dt.datetime(2026, 12, 1, 9)),
            },
            "withdraw_at",
            "not_applicable",
        ),  # fmt: skip
    ],
)
def test_a_past_year_entry_is_checked_and_writes_nothing_when_refused(
    tree, clerk, columns, kwargs, field, code
):
    item = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data())
    with pytest.raises(ValidationError) as error:
        item_submit(item=item, by=clerk, method="政府网站", scope="社会公众", **kwargs)
    assert error.value.error_dict[field][0].code == code
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and not ReviewSheet.objects.filter(item=item).exists()


def test_a_naive_past_time_is_read_in_the_sites_time_zone(tree, clerk, reviewer, head, columns):
    item = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data())
    sheet = item_submit(
        item=item, by=clerk, method="政府网站", scope="社会公众",
        published_at=dt.datetime(2020, 3, 6, 9, 30), past_year_reason="补录",
    )  # fmt: skip
    assert sheet.publish_at == _past()


def test_a_body_keeps_no_control_character_typed_or_referenced(tree, clerk, columns):
    item = item_create(
        agency=tree["a"], column=columns["plans"], by=clerk,
        data=draft_data(body="<p>申请人张\x0b三\x85补&#11;充&#x0c;说明</p><p>第二段\x00</p>"),
    )  # fmt: skip
    assert item.body == "<p>申请人张三补充说明</p><p>第二段</p>"
    assert item.body_text == "申请人张三补充说明\n第二段"


def test_the_review_levels_and_the_index_code_are_set_in_the_agencys_settings(
    tree, admin_a, clerk, reviewer, head, columns, client
):
    from django.urls import reverse

    from gongkai.approvals.models import Kind
    from gongkai.approvals.services import policy_steps

    agency = tree["a"]
    client.force_login(admin_a)
    data = {
        "agency": agency.pk, "letter_code": agency.letter_code, "letter_levels": "0", "catalog_levels": "3",
        "index_code": "0142768-8", "review_body": "", "court": "", "payment_instructions": "",
    }  # fmt: skip
    response = client.post(reverse("workbench:agency_settings"), data)
    assert response.status_code == 302
    assert [s["role"] for s in policy_steps(agency=agency, kind=Kind.CATALOG_ITEM)] == [
        "reviewer",
        "admin",
        "head",
    ]
    agency.refresh_from_db()
    assert agency.index_code == "0142768-8"
    item = item_create(agency=agency, column=columns["plans"], by=clerk, data=draft_data())
    assert item.index_number == "0142768-8/2026-00001"
    item_submit(item=item, by=clerk, method="政府网站", scope="社会公众")
    for user in (reviewer, admin_a):
        approval_decide(request=pending_request(subject=item), by=user, approved=True, on=dt.date.today())
        item.refresh_from_db()
        assert item.status == ItemStatus.REVIEWING
    approval_decide(request=pending_request(subject=item), by=head, approved=True, on=dt.date.today())
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
