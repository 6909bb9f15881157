"""The proactive-disclosure figures of an agency and year, from the records, as the annual report states
them: subsection （二）主动公开政府信息情况 (total, per channel with 原创/转载, website items per column) and
table 2 in the codes of that year's layout (docs/data-format.md). A few GROUP BY queries, whatever the size.

Counting, one rule each:
- an item counts in the year of its 发布日期 on every channel it went out on, if it was published (a
  withdrawn item was published all the same); a post counts in the year of its date on its account's
  platform; the total is the sum over channels, so the parts add up by construction;
- website items are also counted per column, the way reports list them (`report_columns`): by the topmost
  column the agency added itself (a local column) on the way up from the item's column, else by the
  first-level column under 法定主动公开内容, else by the first-level column itself; named as the agency named
  it and listed in the catalog's order;
- table 2, 第二十条第（一）项 from the items whose 文件类别 is 规章 or 行政规范性文件, by 成文日期 and by the date
  they lapsed or were repealed (a 失效 document is no longer in force, like a 废止 one):
  2021: 本年制发 = written in the year, 本年废止 = lapsed or repealed in the year, 现行有效 = written by the
  year's end and not lapsed or repealed by then — so this year's 现行有效 = last year's + 制发 − 废止 (R6);
  2019: 本年新制作 = written in the year, 本年新公开 = published in the year, 对外公开总数量 = published by
  the year's end;
- the other blocks are the figures entered for the year (gongkai.catalog.services.art20); a cell nobody
  entered is 0 and is listed in `unentered`, for the report builder to ask about.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from gongkai.catalog.enums import Channel, ItemStatus, Platform, StatutoryKind, Validity
from gongkai.catalog.models import Art20Figure, Column, Item, Post
from gongkai.catalog.services.art20 import entered_cells
from gongkai.report.formats import format_for_year
from gongkai.report.model import Cell

PUBLISHED = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)
KIND_ROWS = {StatutoryKind.REGULATION: "regulations", StatutoryKind.NORMATIVE: "normative_documents"}
# the order reports list channels in
CHANNEL_ORDER = [Channel.WEBSITE.label, *Platform.labels, *(c.label for c in Channel if c != Channel.WEBSITE)]


@dataclass(frozen=True)
class ChannelFigure:
    name: str
    total: int
    original: int | None = None  # None: not counted for this channel (items have no 原创/转载)
    reposted: int | None = None


@dataclass
class ProactiveFigures:
    agency_id: int
    year: int
    format: str
    channels: list[ChannelFigure]
    columns: list[tuple[str, int]]
    table2: dict[str, dict[str, int | Decimal]]
    unentered: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.channels)

    def table2_cells(self) -> dict[str, dict[str, Cell]]:
        """Table 2 as a report holds it (gongkai.report.model.AnnualReport.table2): for the report builder,
        the rules and comparisons with a published report."""
        return {row: {col: Cell.of(v) for col, v in cols.items()} for row, cols in self.table2.items()}

    def as_json(self) -> dict:
        def number(v):
            return float(v) if isinstance(v, Decimal) and v != v.to_integral_value() else int(v)

        return {
            "total": self.total,
            "channels": [
                {"name": c.name, "total": c.total, "original": c.original, "reposted": c.reposted}
                for c in self.channels
            ],
            "columns": [{"name": name, "total": total} for name, total in self.columns],
            "table2": {row: {col: number(v) for col, v in cols.items()} for row, cols in self.table2.items()},
        }


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def report_columns(columns: Iterable[Column]) -> dict[int, Column]:
    """Column id → the column a report lists it under (`columns`: all the columns of an agency).

    The standard tree (gongkai.catalog.standard) is the platform's common classification: its sub-columns
    add up into their Art. 20 heading (规章, 行政规范性文件 and 其他文件 into 政策文件), the child of
    法定主动公开内容, or into the first-level column. A column the agency added itself is its own heading,
    with whatever it holds below: reports list them so (the seed report gives 部门预算 and 部门决算 apart,
    both of what the standard tree calls 财政预决算, and 扶贫开发, 就业创业, 三农服务 apart, all 重点领域)."""
    columns = {c.pk: c for c in columns}
    top: dict[int, Column] = {}
    for column in columns.values():
        current, local = column, None
        while True:
            if not current.code:
                local = current  # the topmost so far
            if current.parent_id is None:
                break
            parent = columns[current.parent_id]
            if parent.parent_id is None and parent.code == "statutory":
                break
            current = parent
        top[column.pk] = local or current
    return top


def catalog_order(columns: Iterable[Column]) -> dict[int, int]:
    """Column id → its place in the catalog read top to bottom (parents before children, siblings by
    position): positions are kept among siblings, so they alone do not order columns of different parents."""
    children: dict[int | None, list[Column]] = defaultdict(list)
    for column in columns:
        children[column.parent_id].append(column)
    order: dict[int, int] = {}
    stack = sorted(children[None], key=lambda c: (c.position, c.pk), reverse=True)
    while stack:
        column = stack.pop()
        order[column.pk] = len(order)
        stack.extend(sorted(children[column.pk], key=lambda c: (c.position, c.pk), reverse=True))
    return order


def _lines(columns: list[Column], per_column: dict[int, int]) -> list[tuple[str, int]]:
    """Website items per reporting line (`report_columns`), in catalog order."""
    tops = report_columns(columns)
    order = catalog_order(columns)
    by_line: dict[int, tuple[Column, int]] = {}
    for column_id, count in per_column.items():
        top = tops[column_id]
        by_line[top.pk] = (top, by_line.get(top.pk, (top, 0))[1] + count)
    return [(c.name, n) for c, n in sorted(by_line.values(), key=lambda cn: order[cn[0].pk])]


def _channel_figures(
    agency_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, tuple[list[ChannelFigure], list[tuple[str, int]]]]:
    """Per agency: the channels and the website's lines. Items are counted grouped by agency, column and
    their list of channels (a handful of combinations), posts by agency and platform: two queries and the
    columns, whatever the number of items or agencies."""
    groups = (
        Item.objects.filter(agency_id__in=agency_ids, status__in=PUBLISHED, published_on__range=(start, end))
        .values_list("agency_id", "column_id", "channels")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_channel: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_column: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for agency_id, column_id, channels, n in groups:
        for channel in channels or ():
            per_channel[agency_id][channel] += n
        if Channel.WEBSITE in (channels or ()):
            per_column[agency_id][column_id] += n
    figures: dict[int, list[ChannelFigure]] = {
        a: [ChannelFigure(Channel(c).label, n) for c, n in per_channel[a].items() if c in Channel.values]
        for a in agency_ids
    }
    posts = (
        Post.objects.filter(account__agency_id__in=agency_ids, posted_on__range=(start, end))
        .values_list("account__agency_id", "account__platform")
        .annotate(total=Count("id"), original=Count("id", filter=Q(original=True)))
        .order_by()
    )
    for agency_id, platform, total, original in posts:
        figures[agency_id].append(ChannelFigure(Platform(platform).label, total, original, total - original))
    columns: dict[int, list[Column]] = defaultdict(list)
    for column in Column.objects.filter(agency_id__in=[a for a in agency_ids if per_column[a]]):
        columns[column.agency_id].append(column)
    return {
        a: (sorted(figures[a], key=lambda c: CHANNEL_ORDER.index(c.name)), _lines(columns[a], per_column[a]))
        for a in agency_ids
    }


def _item1(agency_ids: list[int], fmt_code: str, start: dt.date, end: dt.date) -> dict[int, dict]:
    gone = Q(validity__in=(Validity.LAPSED, Validity.REPEALED))
    documents = Item.objects.filter(
        agency_id__in=agency_ids, status__in=PUBLISHED, statutory_kind__in=list(KIND_ROWS)
    ).values("agency_id", "statutory_kind")
    if fmt_code == "2021":
        counts = documents.annotate(
            issued=Count("id", filter=Q(written_on__range=(start, end))),
            repealed=Count("id", filter=gone & Q(validity_changed_on__range=(start, end))),
            in_force=Count("id", filter=Q(written_on__lte=end) & ~(gone & Q(validity_changed_on__lte=end))),
        )
        columns = ("issued", "repealed", "in_force")
    else:
        counts = documents.annotate(
            made=Count("id", filter=Q(written_on__range=(start, end))),
            published=Count("id", filter=Q(published_on__range=(start, end))),
            total_published=Count("id", filter=Q(published_on__lte=end)),
        )
        columns = ("made", "published", "total_published")
    tables = {a: {row: dict.fromkeys(columns, 0) for row in KIND_ROWS.values()} for a in agency_ids}
    for row in counts.order_by():
        tables[row["agency_id"]][KIND_ROWS[row["statutory_kind"]]] = {c: row[c] for c in columns}
    return tables


def proactive_figures_many(*, agency_ids: Iterable[int], year: int) -> dict[int, ProactiveFigures]:
    """`proactive_figures` of many agencies at once, in a fixed number of grouped queries (a supervisor's
    roll-up, the public API of a region)."""
    agency_ids = list(dict.fromkeys(agency_ids))
    fmt = format_for_year(year)
    start, end = _year_range(year)
    channels = _channel_figures(agency_ids, start, end)
    tables = _item1(agency_ids, fmt.code, start, end)
    entered: dict[int, dict] = defaultdict(dict)
    for f in Art20Figure.objects.filter(agency_id__in=agency_ids, year=year):
        entered[f.agency_id][(f.row, f.column)] = f.value
    cells = entered_cells(year)
    result = {}
    for agency_id in agency_ids:
        table2, unentered = tables[agency_id], []
        for row, row_label, column, col in cells:
            value = entered[agency_id].get((row, column))
            if value is None:
                unentered.append(f"{row_label}“{col.label}”")
            value = value if value is not None else Decimal(0)
            table2.setdefault(row, {})[column] = value if col.kind == "money" else int(value)
        # rows in the layout's order
        ordered = {row.code: table2[row.code] for block in fmt.table2 for row in block.rows}
        result[agency_id] = ProactiveFigures(
            agency_id, year, fmt.code, *channels[agency_id], ordered, unentered
        )
    return result


def proactive_figures(*, agency_id: int, year: int) -> ProactiveFigures:
    return proactive_figures_many(agency_ids=[agency_id], year=year)[agency_id]
