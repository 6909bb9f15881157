"""信息处理费 (国办函〔2020〕109号): the examples of the notice and the text a clerk checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.cases.fees import count_band, fee_by_count, fee_by_volume, fee_calculate, yuan


@pytest.mark.parametrize(
    ("ordinal", "amount"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (45, 300), (50, 300), (51, 400)],
)
def test_by_count(ordinal, amount):
    assert fee_by_count(ordinal).amount == Decimal(amount)


def test_by_count_text_names_the_band():
    fee = fee_by_count(45)
    assert fee.calculation == (
        "按件计收（国办函〔2020〕109号）；本申请为同一申请人本自然月内第45件申请，"
        "第41—50件每件300元：1件 × 300元 = 300元；合计 300元"
    )
    assert fee_by_count(10).calculation.endswith("第1—10件免收；合计 0元")


@pytest.mark.parametrize(
    ("pages", "amount"),
    [
        (1, 0),
        (30, 0),
        (31, 10),
        (100, 700),
        (101, 720),
        (150, 1700),  # 70 × 10 + 50 × 20
        (200, 2700),  # 70 × 10 + 100 × 20
        (201, 2740),
        (250, 4700),  # 70 × 10 + 100 × 20 + 50 × 40 = 700 + 2000 + 2000
    ],
)
def test_by_volume_is_excess_progressive(pages, amount):
    assert fee_by_volume(pages).amount == Decimal(amount)


def test_by_volume_text_shows_each_band():
    assert fee_by_volume(150).calculation == (
        "按量计收（国办函〔2020〕109号），共150页；第1—30页：30页，免费；"
        "第31—100页：70页 × 10元 = 700元；第101—150页：50页 × 20元 = 1000元；合计 1700元"
    )
    assert "第201—250页：50页 × 40元 = 2000元" in fee_by_volume(250).calculation
    assert "第31页：1页 × 10元 = 10元" in fee_by_volume(31).calculation
    assert fee_by_volume(30).calculation.endswith("第1—30页：30页，免费；合计 0元")


def test_bad_quantities():
    for bad in (0, -1):
        with pytest.raises(ValueError):
            fee_by_count(bad)
        with pytest.raises(ValueError):
            fee_by_volume(bad)
    with pytest.raises(ValueError):
        fee_calculate("by_weight", 3)


def test_dispatch_and_money_text():
    assert fee_calculate("by_count", 11).amount == 100
    assert fee_calculate("by_volume", 150).scale == "by_volume"
    assert yuan(Decimal("1700.00")) == "1700元"
    assert yuan(Decimal("12.5")) == "12.50元"


def _page_price(page: int) -> int:
    return 0 if page <= 30 else 10 if page <= 100 else 20 if page <= 200 else 40


@given(st.integers(min_value=1, max_value=5000))
def test_by_volume_is_the_sum_of_each_pages_own_price(pages):
    assert fee_by_volume(pages).amount == sum(_page_price(p) for p in range(1, pages + 1))


@given(st.integers(min_value=1, max_value=4999))
def test_fees_never_decrease(n):
    assert fee_by_volume(n).amount <= fee_by_volume(n + 1).amount
    assert fee_by_count(n).amount <= fee_by_count(n + 1).amount


@given(st.integers(min_value=31, max_value=5000))
def test_each_band_of_ten_from_31_adds_100(n):
    first, last, price = count_band(n)
    assert first <= n <= last and last - first == 9 and (first - 31) % 10 == 0
    assert price == 200 + 100 * ((n - 31) // 10)
