"""Tables 3 and 4 of the annual report computed from the records by SQL aggregation, for the agencies the
acting user may see (gongkai.agencies.selectors.agencies_visible).

Counting for the annual report (rules.md §1, §2), one rule applied everywhere:

- an application is *alive* in a year when it was received by 12-31 and not concluded before 01-01;
- 一、本年新收 = alive and received in the year; 二、上年结转 = alive and received before the year;
- （一）…（六）= concluded in the year, in the one row its outcome maps to (OUTCOMES[…].row(format));
  （七）总计 = their sum; 四、结转下年度继续办理 = alive and not concluded by 12-31.
  So 一 + 二 = （七） + 四 (R1) and the totals (R2, R3) hold by construction, and this year's 二 equals last
  year's 四 (R5) for the same records.
- "concluded" means `concluded_on` is set: the status field is for the workbench, the date for counting.
- Table 4 counts a review or lawsuit by its state at 12-31: decided in the year → its result column
  (结果维持 / 结果纠正 / 其他结果), including cases filed in earlier years ("含上年度结转"); filed by 12-31 and not
  decided by then → 尚未审结; decided in an earlier year → not counted. 总计 is their sum (R4 by construction).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongkai.agencies.selectors import agencies_visible
from gongkai.cases.enums import CaseResult
from gongkai.cases.models import Application, ReviewCase
from gongkai.report.formats import (
    FORMATS,
    OUTCOMES,
    OUTCOMES_BY_CODE,
    TABLE3_APPLICANT_COLUMNS,
    TABLE4_GROUPS,
    Format,
    format_for_year,
)
from gongkai.report.model import AnnualReport, Cell, Finding, Location, Severity, empty_report

# A concluded application whose outcome is not a known code is counted under （六）其他处理 / 3.其他.
_FALLBACK_OUTCOME = "other.other"


def annual_tables(*, user, agency_id: int, year: int, format_code: str | None = None) -> AnnualReport:
    """Tables 3 and 4 of an agency's report for `year` (layout: 2021 from 2021 on, else 2019, unless
    `format_code` says otherwise), when the user may see the agency (Http404 otherwise, as for one that does
    not exist). Three queries. Table 2 and the text are left blank for the report builder."""
    agency = agencies_visible(user=user).filter(pk=agency_id).only("pk", "name").first()
    if agency is None:
        raise Http404("未找到该机关，或您无权查看")
    fmt = FORMATS[format_code] if format_code else format_for_year(year)
    counts = _application_counts(Application.objects.filter(agency=agency), year)
    cases = _review_counts(ReviewCase.objects.filter(agency=agency), year)
    return _report(fmt, agency.name, year, counts, cases)


def annual_tables_all(*, user, year: int, format_code: str | None = None) -> dict[int, AnnualReport]:
    """annual_tables of every agency the user may see, by agency id, in three queries whatever the number
    of agencies: each agency's figures come from the same GROUP BY."""
    fmt = FORMATS[format_code] if format_code else format_for_year(year)
    names = dict(agencies_visible(user=user).order_by().values_list("pk", "name"))
    apps, reviews = Application.objects.all(), ReviewCase.objects.all()
    if not (user.is_active and user.is_superuser):
        # the visible agencies as a list of ids: PostgreSQL plans the GROUP BY over it as well as over the
        # whole table, where the visibility subquery cost it half again as much
        apps, reviews = apps.filter(agency_id__in=list(names)), reviews.filter(agency_id__in=list(names))
    counts_by: dict[int, list[tuple]] = defaultdict(list)
    for row in _application_counts(apps, year):
        counts_by[row[0]].append(row)
    cases_by: dict[int, list[tuple]] = defaultdict(list)
    for row in _review_counts(reviews, year):
        cases_by[row[0]].append(row)
    return {
        pk: _report(fmt, name, year, counts_by.get(pk, ()), cases_by.get(pk, ()))
        for pk, name in names.items()
    }


def _application_counts(qs: QuerySet[Application], year: int) -> list[tuple]:
    """One GROUP BY (agency, applicant kind, outcome) over the applications alive in the year, with the
    four counts of table 3 as conditional aggregates: rows (agency_id, kind, outcome, new, carried_in,
    concluded, carried_out)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    keys = ("agency_id", "applicant_kind", "outcome")
    open_at_end = Q(concluded_on__isnull=True) | Q(concluded_on__gt=end)
    return _plain_rows(
        qs.filter(Q(received_on__lte=end) & (Q(concluded_on__isnull=True) | Q(concluded_on__gte=start)))
        .order_by()
        .values(*keys)
        .annotate(
            new=Count("pk", filter=Q(received_on__gte=start)),
            carried_in=Count("pk", filter=Q(received_on__lt=start)),
            concluded=Count("pk", filter=Q(concluded_on__lte=end)),
            carried_out=Count("pk", filter=open_at_end),
        )
        .values_list(*keys, "new", "carried_in", "concluded", "carried_out")
    )


def _review_counts(qs: QuerySet[ReviewCase], year: int) -> list[tuple]:
    """Rows (agency_id, kind, upheld, corrected, other, pending) of the cases that count in the year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    keys = ("agency_id", "kind")
    undecided_at_end = Q(result=CaseResult.PENDING) | Q(concluded_on__isnull=True) | Q(concluded_on__gt=end)
    decided_in_year = ~Q(result=CaseResult.PENDING) & Q(concluded_on__gte=start, concluded_on__lte=end)
    return _plain_rows(
        qs.filter(
            Q(filed_on__lte=end)
            & (Q(result=CaseResult.PENDING) | Q(concluded_on__isnull=True) | Q(concluded_on__gte=start))
        )
        .order_by()
        .values(*keys)
        .annotate(
            upheld=Count("pk", filter=decided_in_year & Q(result=CaseResult.UPHELD)),
            corrected=Count("pk", filter=decided_in_year & Q(result=CaseResult.CORRECTED)),
            other=Count("pk", filter=decided_in_year & Q(result=CaseResult.OTHER)),
            pending=Count("pk", filter=undecided_at_end),
        )
        .values_list(*keys, "upheld", "corrected", "other", "pending")
    )


def _plain_rows(qs: QuerySet) -> list[tuple]:
    """The rows of an aggregate values_list() queryset, as the database returns them. The ORM would pass
    each COUNT through a converter (None -> 0, which COUNT never returns): a third of the Python time of
    annual_tables_all at 20,000 groups."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_COLUMN_INDEX = {c.code: i for i, c in enumerate(TABLE3_APPLICANT_COLUMNS)}
_OTHER_COLUMN = _COLUMN_INDEX["other"]
_WIDTH = len(TABLE3_APPLICANT_COLUMNS)


# Cells are immutable: reports share them, which makes annual_tables_all of hundreds of agencies cheap.
_SMALL_CELLS = tuple(Cell.of(n) for n in range(1000))


def _count_cell(value: int) -> Cell:
    return _SMALL_CELLS[value] if 0 <= value < len(_SMALL_CELLS) else Cell.of(value)


@lru_cache(maxsize=4)
def _blank_table2(format_code: str) -> dict[str, dict[str, Cell]]:
    return empty_report(FORMATS[format_code]).table2


@lru_cache(maxsize=4)
def _rows_of(format_code: str) -> tuple[dict[str, str], str]:
    """outcome code -> table 3 row in this layout, and the row of an unknown outcome."""
    return {o.code: o.row(format_code) for o in OUTCOMES}, OUTCOMES_BY_CODE[_FALLBACK_OUTCOME].row(
        format_code
    )


@lru_cache(maxsize=4)
def _layout_rows(format_code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The table 3 row codes of a layout and its outcome rows (（七）总计 sums these)."""
    fmt = FORMATS[format_code]
    return tuple(row.code for row in fmt.table3_rows), fmt.outcome_codes


def _report(
    fmt: Format, agency_name: str, year: int, counts: Iterable[tuple], cases: Iterable[tuple]
) -> AnnualReport:
    # table 2 stays blank (not zero): it comes from the catalog, not from these records
    report = AnnualReport(
        format=fmt.code,
        agency=agency_name,
        year=year,
        title=f"{agency_name}{year}年政府信息公开工作年度报告（表三、表四）",
        table2={row: dict(cells) for row, cells in _blank_table2(fmt.code).items()},
    )
    row_of, fallback_row = _rows_of(fmt.code)
    row_codes, outcome_codes = _layout_rows(fmt.code)
    table: dict[str, list[int]] = {code: [0] * _WIDTH for code in row_codes}
    new, carried_in, carried_out = table["new"], table["carried_in"], table["carried_out"]
    unknown_outcome = unknown_kind = 0

    for _agency, kind, outcome, n_new, n_in, n_concluded, n_out in counts:
        column = _COLUMN_INDEX.get(kind)
        if column is None:
            column = _OTHER_COLUMN
            unknown_kind += n_new + n_in
        new[column] += n_new
        carried_in[column] += n_in
        carried_out[column] += n_out
        if n_concluded:
            target = row_of.get(outcome)
            if target is None:
                target = fallback_row
                unknown_outcome += n_concluded
            table[target][column] += n_concluded
    outcome_rows = [table[code] for code in outcome_codes]
    table["total"] = [sum(row[c] for row in outcome_rows) for c in range(_WIDTH)]
    report.table3 = {code: [_count_cell(v) for v in (*values, sum(values))] for code, values in table.items()}

    table4 = {g.code: [0, 0, 0, 0] for g in TABLE4_GROUPS}
    for _agency, kind, *results in cases:
        if kind in table4:
            table4[kind] = [a + b for a, b in zip(table4[kind], results, strict=True)]
    report.table4 = {
        code: [_count_cell(v) for v in (*values, sum(values))] for code, values in table4.items()
    }

    if unknown_outcome:
        report.findings.append(
            Finding(
                "DATA",
                Severity.WARNING,
                Location.table3(fallback_row),
                f"有 {unknown_outcome} 件已办结的申请未记录有效的答复结果，已计入“其他处理”，请核对",
                actual=unknown_outcome,
            )
        )
    if unknown_kind:
        report.findings.append(
            Finding(
                "DATA",
                Severity.WARNING,
                Location.table3("new"),
                f"有 {unknown_kind} 件申请的申请人类型无效，已计入“法人或其他组织 · 其他”列，请核对",
                actual=unknown_kind,
            )
        )
    return report
