"""Table 2 and the proactive figures from the records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.approvals.services import approval_decide
from gongkai.audit.models import AuditEvent
from gongkai.catalog.enums import Platform, Validity
from gongkai.catalog.figures import proactive_figures
from gongkai.catalog.models import Item, Post
from gongkai.catalog.services import (
    account_save,
    art20_figures_save,
    column_create,
    item_create,
    item_set_validity,
    item_submit,
    post_create,
    posts_import,
)
from tests.catalog.conftest import draft_data


@pytest.fixture
def year_2021(publish, today, clerk):
    """Normative documents: one written 2020 and repealed 2021, one written 2021, one written 2021 lapsed 2021."""
    today.set(dt.date(2021, 6, 1))
    old = publish(
        "normative_documents",
        statutory_kind="normative",
        written_on=dt.date(2020, 5, 1),
        formed_on=dt.date(2020, 5, 1),
    )
    item_set_validity(item=old, by=clerk, validity=Validity.REPEALED, on=dt.date(2021, 3, 1))
    publish(
        "normative_documents",
        statutory_kind="normative",
        written_on=dt.date(2021, 5, 1),
        formed_on=dt.date(2021, 5, 1),
    )
    lapsed = publish(
        "normative_documents",
        statutory_kind="normative",
        written_on=dt.date(2021, 4, 1),
        formed_on=dt.date(2021, 4, 1),
    )
    item_set_validity(item=lapsed, by=clerk, validity=Validity.LAPSED, on=dt.date(2021, 5, 20))
    publish("plans")


def test_table2_2021_from_the_items(year_2021, tree):
    figures = proactive_figures(agency_id=tree["a"].pk, year=2021)
    assert figures.format == "2021"
    assert figures.table2["normative_documents"] == {"issued": 2, "repealed": 2, "in_force": 1}
    assert figures.table2["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    # R6: this year's in force = last year's + issued − repealed
    last = proactive_figures(agency_id=tree["a"].pk, year=2020).table2
    assert last["normative_documents"]["made"] == 1  # 2019 layout in 2020: 本年新制作


def test_channels_and_columns_add_up(year_2021, tree, clerk):
    weibo = account_save(agency=tree["a"], by=clerk, platform=Platform.WEIBO, name="沙坡头科技")
    for n in range(3):
        post_create(
            account=weibo, by=clerk, posted_on=dt.date(2021, 2, n + 1), title=f"转发{n}", original=n == 0
        )
    figures = proactive_figures(agency_id=tree["a"].pk, year=2021)
    website = figures.channels[0]
    assert website.name == "政府网站" and website.total == 4
    assert figures.channels[1].name == "政务微博" and (
        figures.channels[1].original,
        figures.channels[1].reposted,
    ) == (1, 2)
    assert figures.total == 7
    assert sum(total for _, total in figures.columns) == website.total
    assert dict(figures.columns) == {"政策文件": 3, "规划计划": 1}


def test_entered_figures_fill_table2_and_unentered_are_listed(tree, clerk):
    art20_figures_save(
        agency=tree["a"],
        year=2020,
        by=clerk,
        values={"other_services.previous": "3", "penalty.previous": 2, "procurement.amount": "12.5"},
        source="审批科台账",
    )
    figures = proactive_figures(agency_id=tree["a"].pk, year=2020)
    assert figures.table2["other_services"] == {"previous": 3, "change": 0, "decisions": 0}
    assert figures.table2["procurement"]["amount"] == Decimal("12.5")
    assert "行政许可“上一年项目数量”" in figures.unentered
    assert figures.as_json()["table2"]["procurement"]["amount"] == 12.5


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"licensing.decisions": "-1"}, "不能为负数"),
        ({"licensing.decisions": "1.5"}, "应为整数"),
        ({"licensing.decisions": "很多"}, "应为数字"),
        ({"regulations.made": "1"}, "没有这些项目"),
        ({"procurement.amount": "1"}, None),
    ],
)
def test_entered_figures_are_checked_against_the_years_layout(tree, clerk, values, message):
    if message is None:  # 2021 has no procurement block
        with pytest.raises(ValidationError, match="没有这些项目"):
            art20_figures_save(agency=tree["a"], year=2021, by=clerk, values=values)
        return
    with pytest.raises(ValidationError, match=message):
        art20_figures_save(agency=tree["a"], year=2020, by=clerk, values=values)


def test_signed_change_may_be_negative(tree, clerk):
    art20_figures_save(agency=tree["a"], year=2020, by=clerk, values={"licensing.change": "-2"})
    assert proactive_figures(agency_id=tree["a"].pk, year=2020).table2["licensing"]["change"] == -2


def test_figures_take_a_fixed_number_of_queries(year_2021, tree, django_assert_max_num_queries):
    assert Item.objects.count() == 4
    with django_assert_max_num_queries(6):
        proactive_figures(agency_id=tree["a"].pk, year=2021)


def test_local_columns_are_their_own_lines_in_the_catalogs_order(
    columns, tree, clerk, reviewer, head, publish, today
):
    """A column the agency added is a line of its own with what it holds below; standard sub-columns add up
    into their Art. 20 heading (the seed lists 部门预算 and 部门决算 apart, both 财政预决算)."""

    def local(name, parent):
        return column_create(agency=tree["a"], parent=parent, name=name, by=clerk)

    def put(column, n=1):
        for _ in range(n):
            item = item_create(agency=tree["a"], column=column, by=clerk, data=draft_data())
            request = item_submit(item=item, by=clerk, method="政府网站", scope="社会公众").approval
            for user in (reviewer, head):
                request = approval_decide(request=request, by=user, approved=True, on=today.value)

    news = local("部门动态", columns["statutory"])  # created first, listed after the standard columns
    budget, accounts = local("部门预算", columns["budget"]), local("部门决算", columns["budget"])
    science = local("科技类文件", columns["other_documents"])
    put(news)
    put(local("乡镇动态", news), 2)  # under a local column: counted in it
    put(budget)
    put(accounts, 2)
    put(science, 3)
    publish("normative_documents")  # standard: into 政策文件, with 科技类文件 apart
    publish("annual")
    figures = proactive_figures(agency_id=tree["a"].pk, year=today.value.year)
    assert figures.columns == [
        ("政策文件", 1), ("科技类文件", 3), ("部门预算", 1), ("部门决算", 2), ("部门动态", 3), ("政府信息公开年报", 1),
    ]  # fmt: skip
    assert sum(n for _, n in figures.columns) == figures.channels[0].total == 11


def test_posts_import_registers_many_at_once_and_skips_what_it_has(tree, clerk, clerk_b, columns, publish):
    weibo = account_save(agency=tree["a"], by=clerk, platform=Platform.WEIBO, name="沙坡头科技")
    post_create(account=weibo, by=clerk, posted_on=dt.date(2026, 1, 5), title="转发：科普", original=False)
    item = publish("plans")
    rows = [
        {"posted_on": dt.date(2026, 1, 5), "title": "转发：科普", "original": False},  # registered already
        {"posted_on": "2026-01-06", "title": "原创  一条", "original": True, "item": item},
        {"posted_on": dt.date(2026, 1, 7), "title": "转发：另一条", "original": False},
        {"posted_on": dt.date(2026, 1, 7), "title": "转发：另一条", "original": False},  # twice in the export
    ]
    assert posts_import(account=weibo, by=clerk, posts=rows) == (2, 2)
    assert Post.objects.filter(account=weibo).count() == 3
    assert Post.objects.get(title="原创 一条").item == item
    event = AuditEvent.objects.get(action="media.posts_import")
    assert event.after | {"account": 0} == {
        "account": 0, "registered": 2, "skipped": 2, "original": 1, "from": "2026-01-06", "to": "2026-01-07"
    }  # fmt: skip
    figures = proactive_figures(agency_id=tree["a"].pk, year=2026)
    assert [(c.name, c.total, c.original) for c in figures.channels][1] == ("政务微博", 3, 1)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"posted_on": "2026-13-01", "title": "x", "original": True}, "第2条：发布日期应为日期"),
        ({"posted_on": "2027-01-01", "title": "x", "original": True}, "第2条：发布日期不能晚于今天"),
        ({"posted_on": "2026-01-01", "title": "", "original": True}, "第2条：请填写标题"),
        ({"posted_on": "2026-01-01", "title": "x", "original": "是"}, "第2条：请注明原创或转载"),
        ({"posted_on": "2026-01-01", "title": "x", "original": True, "item": "b"}, "第2条：对应的目录信息不属于本机关"),
    ],
)  # fmt: skip
def test_posts_import_is_all_or_nothing(tree, clerk, clerk_b, row, message):
    from gongkai.catalog.services import catalog_bootstrap

    weibo = account_save(agency=tree["a"], by=clerk, platform=Platform.WEIBO, name="沙坡头科技")
    if row.get("item") == "b":
        catalog_bootstrap(agency=tree["b"])
        plans = tree["b"].catalog_columns.get(code="plans")
        row = row | {"item": item_create(agency=tree["b"], column=plans, by=clerk_b, data=draft_data())}
    good = {"posted_on": "2026-01-02", "title": "好的一条", "original": False}
    with pytest.raises(ValidationError, match=message):
        posts_import(account=weibo, by=clerk, posts=[good, row])
    assert not Post.objects.exists() and not AuditEvent.objects.filter(action="media.posts_import").exists()
    with pytest.raises(PermissionDenied):
        posts_import(account=weibo, by=clerk_b, posts=[good])


def test_figures_of_many_agencies_are_those_of_each_in_a_fixed_number_of_queries(
    year_2021, tree, clerk_b, django_assert_max_num_queries
):
    from gongkai.catalog.figures import proactive_figures_many
    from gongkai.catalog.models import Column
    from gongkai.catalog.services import item_create

    item_create(agency=tree["b"], column=Column.objects.get(agency=tree["b"], code="plans"), by=clerk_b,
                data={"title": "教育局规划", "formed_on": dt.date(2021, 5, 1)})  # fmt: skip
    ids = [tree["a"].pk, tree["b"].pk, tree["region"].pk]
    with django_assert_max_num_queries(6):
        many = proactive_figures_many(agency_ids=ids, year=2021)
    for agency_id in ids:
        assert many[agency_id].as_json() == proactive_figures(agency_id=agency_id, year=2021).as_json()
    assert many[tree["a"].pk].total == 4 and many[tree["b"].pk].total == 0  # b's item is a draft
