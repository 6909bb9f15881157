"""信息处理费 (《条例》第四十二条, 国办函〔2020〕109号), as pure functions.

One scale per application, never both; both are excess-progressive.

- 按件计收: the same applicant's applications in one natural month. The fee of one application depends on
  its ordinal number n in that month: 1–10 free, 11–30 100元, 31–40 200元, 41–50 300元, and every further
  band of 10 adds 100元 (the bands from 31 on are derived, rules.md §2).
- 按量计收: one application by pages: 1–30 free, 31–100 10元/页, 101–200 20元/页, from 201 40元/页; each page
  is charged at the price of its own band (150 pages = 70 × 10 + 50 × 20 = 1700元).

The result carries a step-by-step text a clerk can check by hand and print on the 收费通知书.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from gongkai.law import FEE_NOTICE_NUMBER as BASIS

FREE_APPLICATIONS_PER_MONTH = 10
# Far above any real request, far below what the amount column can hold (a mistyped count is refused).
MAX_PAGES = 100_000

# (first page, last page or None for open-ended, price per page in 元)
PAGE_BANDS: tuple[tuple[int, int | None, int], ...] = (
    (1, 30, 0),
    (31, 100, 10),
    (101, 200, 20),
    (201, None, 40),
)

Scale = Literal["by_count", "by_volume"]


@dataclass(frozen=True)
class Fee:
    scale: Scale
    quantity: int  # the ordinal number of the application in the month, or the number of pages
    amount: Decimal  # 元
    steps: tuple[str, ...]

    @property
    def calculation(self) -> str:
        """ "第1—30页：30页，免费；第31—100页：70页 × 10元 = 700元；…；合计 1700元"."""
        return "；".join((*self.steps, f"合计 {yuan(self.amount)}"))


def yuan(amount: Decimal | int) -> str:
    """1700 -> "1700元", 12.5 -> "12.50元"."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"{int(amount)}元"
    return f"{amount.quantize(Decimal('0.01'))}元"


def count_band(ordinal: int) -> tuple[int, int, int]:
    """(first, last, price in 元) of the band of the `ordinal`-th application of the month."""
    if ordinal < 1:
        raise ValueError(f"the ordinal number of an application starts at 1, got {ordinal}")
    if ordinal <= FREE_APPLICATIONS_PER_MONTH:
        return 1, FREE_APPLICATIONS_PER_MONTH, 0
    if ordinal <= 30:
        return 11, 30, 100
    step = (ordinal - 31) // 10
    first = 31 + 10 * step
    return first, first + 9, 200 + 100 * step


def fee_by_count(ordinal: int) -> Fee:
    """The fee of the applicant's `ordinal`-th application in a natural month (按件计收)."""
    first, last, price = count_band(ordinal)
    where = f"本申请为同一申请人本自然月内第{ordinal}件申请"
    if price == 0:
        step = f"{where}，第{first}—{last}件免收"
    else:
        step = f"{where}，第{first}—{last}件每件{price}元：1件 × {price}元 = {price}元"
    return Fee("by_count", ordinal, Decimal(price), (f"按件计收（{BASIS}）", step))


def fee_by_volume(pages: int) -> Fee:
    """The fee of one application of `pages` pages (按量计收), excess-progressive."""
    if pages < 1:
        raise ValueError(f"the number of pages must be at least 1, got {pages}")
    steps = [f"按量计收（{BASIS}），共{pages}页"]
    total = 0
    for first, last, price in PAGE_BANDS:
        if pages < first:
            break
        upto = pages if last is None else min(pages, last)
        count = upto - first + 1
        span = f"第{first}页" if count == 1 else f"第{first}—{upto}页"
        if price == 0:
            steps.append(f"{span}：{count}页，免费")
        else:
            steps.append(f"{span}：{count}页 × {price}元 = {count * price}元")
        total += count * price
    return Fee("by_volume", pages, Decimal(total), tuple(steps))


def fee_calculate(scale: str, quantity: int) -> Fee:
    if scale == "by_count":
        return fee_by_count(quantity)
    if scale == "by_volume":
        return fee_by_volume(quantity)
    raise ValueError(f"unknown fee scale {scale!r}")
