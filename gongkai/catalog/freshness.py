"""The freshness guard: the checks of 国办秘函〔2019〕19号 (the inspection of government websites and new
media) on an agency's own catalog, before an inspector finds them.

- A column not updated for longer than its update cycle (`Column.cycle_days`: 动态 2 weeks, 通知公告 and
  政策文件 6 months, …): measured from the last 发布日期 of an item published in the column or any column
  below it (withdrawn later or not). A column without a cycle (a group such as 依申请公开) is not measured.
- A blank column (空白栏目): a column where nothing was ever published, and no 备注 saying why (e.g. "本机关
  无规章制定权"). Only the columns a visitor opens last are looked at (those without children): a group is
  blank exactly when its columns are, and each of those is reported. 依申请公开 is a link to the
  application form and never holds items.
- A new-media account in use that has posted nothing for more than two weeks (the same 19号 threshold).

Whatever the number of agencies, columns and items: three queries (`freshness_check`). Readers go through
`gongkai.catalog.selectors.freshness_for` (filtered to the agencies the user may see); the daily task
calls `freshness_check` for every agency.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max

from gongkai.catalog.enums import ItemStatus, Platform
from gongkai.catalog.models import Account, Column, Item
from gongkai.catalog.standard import DYNAMIC_DAYS

ACCOUNT_IDLE_DAYS = DYNAMIC_DAYS  # 19号: a new-media account without an update for two weeks
# an item withdrawn later was published all the same (the portal keeps its notice)
PUBLISHED = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)
# columns that are links, never holding items of their own
NO_ITEMS = frozenset({"apply"})


class Kind:
    COLUMN_IDLE = "column_idle"
    COLUMN_BLANK = "column_blank"
    ACCOUNT_IDLE = "account_idle"


KIND_LABELS = {
    Kind.COLUMN_IDLE: "栏目长期未更新",
    Kind.COLUMN_BLANK: "空白栏目未说明",
    Kind.ACCOUNT_IDLE: "政务新媒体超过2周未更新",
}


@dataclass(frozen=True)
class Finding:
    agency_id: int
    kind: str  # Kind.*
    subject_id: int  # the column's or the account's id
    name: str
    message: str
    last_on: dt.date | None = None  # the last publication seen
    idle_days: int | None = None
    limit_days: int | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _cycle_text(days: int) -> str:
    named = {14: "2周", 182: "6个月", 365: "1年"}
    return f"{named[days]}（{days}天）" if days in named else f"{days}天"


def _column_findings(columns: list[dict], last: dict[int, dt.date], today: dt.date) -> list[Finding]:
    children: dict[int | None, list[dict]] = defaultdict(list)
    for column in columns:
        children[column["parent_id"]].append(column)

    latest: dict[int, dt.date | None] = {}

    def newest(column: dict) -> dt.date | None:  # the column and everything below it
        if column["pk"] not in latest:
            days = [last.get(column["pk"])] + [newest(child) for child in children[column["pk"]]]
            known = [d for d in days if d is not None]
            latest[column["pk"]] = max(known) if known else None
        return latest[column["pk"]]

    found = []
    for column in sorted(columns, key=lambda c: (c["position"], c["pk"])):
        on = newest(column)
        name = column["name"]
        if on is None:
            if column["code"] in NO_ITEMS or children[column["pk"]] or column["note"].strip():
                continue
            found.append(
                Finding(
                    column["agency_id"],
                    Kind.COLUMN_BLANK,
                    column["pk"],
                    name,
                    f"栏目“{name}”暂无信息，也未在备注中说明原因（空白栏目应注明，如“本机关无此类信息”）",
                )  # fmt: skip
            )
            continue
        cycle = column["cycle_days"]
        idle = (today - on).days
        if cycle and idle > cycle:
            found.append(
                Finding(
                    column["agency_id"],
                    Kind.COLUMN_IDLE,
                    column["pk"],
                    name,
                    f"栏目“{name}”已{idle}天未更新（更新周期{_cycle_text(cycle)}，最近发布于{_d(on)}）",
                    on,
                    idle,
                    cycle,
                )  # fmt: skip
            )
    return found


def _account_findings(accounts: Iterable[dict], today: dt.date) -> list[Finding]:
    found = []
    for account in accounts:
        name = f"{Platform(account['platform']).label}“{account['name']}”"
        on = account["last"]
        if on is None:
            message = f"{name}尚无发布记录（政务新媒体超过2周未更新即为不合格）"
            found.append(Finding(account["agency_id"], Kind.ACCOUNT_IDLE, account["pk"], name, message))
            continue
        idle = (today - on).days
        if idle > ACCOUNT_IDLE_DAYS:
            found.append(
                Finding(
                    account["agency_id"],
                    Kind.ACCOUNT_IDLE,
                    account["pk"],
                    name,
                    f"{name}已{idle}天未更新（超过2周，最近发布于{_d(on)}）",
                    on,
                    idle,
                    ACCOUNT_IDLE_DAYS,
                )  # fmt: skip
            )
    return found


def freshness_check(*, agency_ids: Iterable[int], today: dt.date) -> dict[int, list[Finding]]:
    """The findings of each agency (agencies without any are left out): columns first, in the order of
    the tree, then the accounts. Three queries."""
    ids = sorted(set(agency_ids))
    if not ids:
        return {}
    columns = list(
        Column.objects.filter(agency_id__in=ids).values(
            "pk", "agency_id", "parent_id", "name", "code", "position", "cycle_days", "note"
        )
    )
    last = dict(
        Item.objects.filter(agency_id__in=ids, status__in=PUBLISHED, published_on__isnull=False)
        .values("column_id")
        .annotate(last=Max("published_on"))
        .values_list("column_id", "last")
    )
    accounts = (
        Account.objects.filter(agency_id__in=ids, active=True)
        .annotate(last=Max("posts__posted_on"))
        .order_by("agency_id", "platform", "pk")
        .values("pk", "agency_id", "platform", "name", "last")
    )
    by_agency: dict[int, list[dict]] = defaultdict(list)
    for column in columns:
        by_agency[column["agency_id"]].append(column)
    result: dict[int, list[Finding]] = defaultdict(list)
    for agency_id, own in by_agency.items():
        result[agency_id] += _column_findings(own, last, today)
    for finding in _account_findings(accounts, today):
        result[finding.agency_id].append(finding)
    return {agency_id: result[agency_id] for agency_id in ids if result.get(agency_id)}


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each kind (every kind present, 0 when none)."""
    total = dict.fromkeys(KIND_LABELS, 0)
    for finding in findings:
        total[finding.kind] += 1
    return total
