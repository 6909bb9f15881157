"""Table 2 and the proactive figures from the records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongkai.catalog.enums import Platform, Validity
from gongkai.catalog.figures import proactive_figures
from gongkai.catalog.models import Item
from gongkai.catalog.services import account_save, art20_figures_save, item_set_validity, post_create


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
