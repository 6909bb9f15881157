"""Reads of applications and review cases, always filtered by the acting user (DESIGN.md: agency isolation
lives in selectors), and tables 3 and 4 of the annual report computed from the records by SQL aggregation.

Visibility: `applications_for(user=…)` is the one door; every other selector starts from it, so a clerk of
agency A never sees, counts or opens a case of agency B (`application_get` answers Http404, as for a case
that does not exist). Supervisors see their subtree, superusers everything (gongkai.agencies.selectors).

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
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agencies_visible
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import CaseResult, Status
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
from gongkai.workdays import DUE_SOON_DAYS, UnconfirmedSchedule, WorkCalendar

# The six outcome groups of table 3 (（一）…（六）), for filters and the dashboard chart. A group holds the
# outcomes whose table 3 row is the group or one of its sub-rows: 予以公开 = already_public + granted.
OUTCOME_GROUPS: tuple[tuple[str, str], ...] = (
    ("granted", "予以公开"),
    ("partial", "部分公开"),
    ("refused", "不予公开"),
    ("unable", "无法提供"),
    ("not_processed", "不予处理"),
    ("other", "其他处理"),
)
OUTCOME_GROUP_CODES: dict[str, tuple[str, ...]] = {
    group: tuple(o.code for o in OUTCOMES if o.row_2021.split(".")[0] == group) for group, _ in OUTCOME_GROUPS
}
# A concluded application whose outcome is not a known code is counted under （六）其他处理 / 3.其他.
_FALLBACK_OUTCOME = "other.other"
_LIST_RELATED = ("agency", "created_by")
# When the holiday schedule of the coming days is not confirmed, "due soon" looks this many calendar days
# ahead instead: wider than any run of `within` working days, so nothing due is left off the list.
_UNCONFIRMED_WINDOW_DAYS = 21


# --- visibility ---------------------------------------------------------------------------------------

# Above this many visible agencies the filter stays a subquery instead of a list of ids.
_ID_LIST_LIMIT = 500


def _sees_everything(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def _scope(user, agency_id: int | None = None) -> Q | None:
    """The filter on `agency_id` that limits a query to what the user may see (and to `agency_id` when
    given): None for no limit at all, Q(pk__in=[]) for nothing.

    The visible agencies are resolved first (one small query; a second when there are several, to tell a
    supervisor of the whole tree) so that the big query gets a plain `agency_id = x`, an id list, or no
    filter at all: with an `IN (subquery)` SQLite sorted every visible row to show the first page of a
    list (1.2 s at 500,000 applications) instead of walking the received_on index."""
    if _sees_everything(user):
        return None if agency_id is None else Q(agency_id=agency_id)
    visible = agencies_visible(user=user)
    if agency_id is not None:
        return Q(agency_id=agency_id) if visible.filter(pk=agency_id).exists() else Q(pk__in=[])
    ids = list(visible.order_by().values_list("pk", flat=True)[: _ID_LIST_LIMIT + 1])
    if not ids:
        return Q(pk__in=[])
    if len(ids) == 1:
        return Q(agency_id=ids[0])
    if len(ids) > _ID_LIST_LIMIT:
        return Q(agency__in=visible)
    if len(ids) == Agency.objects.count():
        return None
    return Q(agency_id__in=ids)


def _scoped(qs: QuerySet, user, agency_id: int | None = None) -> QuerySet:
    scope = _scope(user, agency_id)
    return qs if scope is None else qs.filter(scope)


def applications_for(*, user, agency_id: int | None = None) -> QuerySet[Application]:
    """Every application the user may see (those of agencies_visible(user)), or those of one visible
    agency; an empty queryset for an agency the user may not see."""
    return _scoped(Application.objects.all(), user, agency_id)


def review_cases_for(*, user, agency_id: int | None = None) -> QuerySet[ReviewCase]:
    return _scoped(ReviewCase.objects.select_related("agency", "application"), user, agency_id)


def application_get(*, user, pk) -> Application:
    """The application with this id if the user may see it; Http404 otherwise, exactly as for an id that
    does not exist, so that another agency's case numbers cannot be probed."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到该申请") from None
    try:
        return applications_for(user=user).select_related(*_LIST_RELATED).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404("未找到该申请") from None


def application_list(
    *,
    user,
    status: str | None = None,
    outcome: str | None = None,
    outcome_group: str | None = None,
    applicant_kind: str | None = None,
    year: int | None = None,
    agency_id: int | None = None,
    q: str | None = None,
) -> QuerySet[Application]:
    """Applications for the workbench list, newest first, with agency and creator joined in. A page is at
    most four queries at any data size: the visible agencies (one or two, see `_scope`), the count and the
    rows.

    year: received in that year. outcome: one outcome code (`Outcome`); outcome_group: one of OUTCOME_GROUPS
    (the dashboard chart links to it). q: a fragment of the number, the applicant's name or the description.
    """
    qs = applications_for(user=user, agency_id=agency_id or None).select_related(*_LIST_RELATED)
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if outcome_group:
        qs = qs.filter(outcome__in=OUTCOME_GROUP_CODES.get(outcome_group, ()))
    if applicant_kind:
        qs = qs.filter(applicant_kind=applicant_kind)
    if year:
        qs = qs.filter(received_on__gte=dt.date(int(year), 1, 1), received_on__lte=dt.date(int(year), 12, 31))
    if q and (q := q.strip()):
        qs = qs.filter(Q(number__icontains=q) | Q(applicant_name__icontains=q) | Q(description__icontains=q))
    return qs


# --- deadlines ----------------------------------------------------------------------------------------


def due_soon_limit(
    today: dt.date, within: int = DUE_SOON_DAYS, calendar: WorkCalendar | None = None
) -> dt.date:
    """The last due date that counts as "due soon": the `within`-th working day after today, as
    gongkai.workdays.deadline_status counts it (whatever the installation's count-start-day convention).
    Without `calendar`, the installation's calendar (official schedule + overrides)."""
    if within <= 0:
        return today
    cal = calendar or work_calendar()
    try:
        return cal.add(today + dt.timedelta(days=1) if cal.count_start_day else today, within)
    except UnconfirmedSchedule:
        return today + dt.timedelta(days=max(_UNCONFIRMED_WINDOW_DAYS, 3 * within))


def _clock_running() -> Q:
    """Open, and the reply clock is running: not waiting for a correction (a fresh clock starts when it
    comes, Art. 30) and not paused (consultation, or a fee notice when the fee period stops the clock)."""
    return Q(concluded_on__isnull=True, paused_since__isnull=True, due_on__isnull=False) & ~Q(
        status__in=(Status.AWAITING_CORRECTION, Status.CONCLUDED)
    )


def applications_due_soon(
    *, user, today: dt.date, within: int = DUE_SOON_DAYS, calendar: WorkCalendar | None = None
) -> QuerySet[Application]:
    """Running applications due today or within `within` working days, most urgent first."""
    limit = due_soon_limit(today, within, calendar)
    return (
        applications_for(user=user)
        .filter(_clock_running(), due_on__gte=today, due_on__lte=limit)
        .select_related(*_LIST_RELATED)
        .order_by("due_on", "id")
    )


def applications_overdue(*, user, today: dt.date) -> QuerySet[Application]:
    """Running applications whose reply deadline is before today, longest overdue first."""
    return (
        applications_for(user=user)
        .filter(_clock_running(), due_on__lt=today)
        .select_related(*_LIST_RELATED)
        .order_by("due_on", "id")
    )


# --- dashboard ----------------------------------------------------------------------------------------


def dashboard_counts(
    *,
    user,
    year: int,
    today: dt.date | None = None,
    agency_id: int | None = None,
    within: int = DUE_SOON_DAYS,
    calendar: WorkCalendar | None = None,
) -> dict:
    """The workbench figures of a year, over everything the user may see (or one visible agency of it).

    received / concluded: in the year; carried_in / carried_out: as table 3 counts them (二 and 四), so
    received + carried_in = concluded + carried_out; open / overdue / due_soon: now (`today`).
    outcomes: concluded in the year per outcome group, in table order, for the ECharts bar or pie chart;
    months: received and concluded per month.

    Three aggregate queries, each over one indexed date range (received in the year; concluded in the year;
    open now or concluded after the year), plus the visible agencies (one or two small queries) and the
    holiday calendar's version check unless `calendar` is given.
    """
    today = today or timezone.localdate()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    limit = due_soon_limit(today, within, calendar)
    months = [(m, dt.date(year, m, 1), dt.date(year + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)]
    known_not_other = [c for g, codes in OUTCOME_GROUP_CODES.items() if g != "other" for c in codes]
    qs = applications_for(user=user, agency_id=agency_id).order_by()

    received = qs.filter(received_on__gte=start, received_on__lte=end).aggregate(
        **{f"m{m}": Count("pk", filter=Q(received_on__gte=a, received_on__lt=b)) for m, a, b in months}
    )
    concluded_aggregates = {
        f"m{m}": Count("pk", filter=Q(concluded_on__gte=a, concluded_on__lt=b)) for m, a, b in months
    }
    for group, codes in OUTCOME_GROUP_CODES.items():
        in_group = ~Q(outcome__in=known_not_other) if group == "other" else Q(outcome__in=codes)
        concluded_aggregates[group] = Count("pk", filter=in_group)
    concluded_aggregates["carried_in"] = Count("pk", filter=Q(received_on__lt=start))
    concluded = qs.filter(concluded_on__gte=start, concluded_on__lte=end).aggregate(**concluded_aggregates)
    still_open = Q(concluded_on__isnull=True)
    open_at_end = qs.filter(still_open | Q(concluded_on__gt=end)).aggregate(
        open=Count("pk", filter=still_open),
        overdue=Count("pk", filter=_clock_running() & Q(due_on__lt=today)),
        due_soon=Count("pk", filter=_clock_running() & Q(due_on__gte=today, due_on__lte=limit)),
        carried_in=Count("pk", filter=Q(received_on__lt=start)),
        carried_out=Count("pk", filter=Q(received_on__lte=end)),
    )
    return {
        "year": year,
        "today": today,
        "received": sum(received[f"m{m}"] for m in range(1, 13)),
        "concluded": sum(concluded[f"m{m}"] for m in range(1, 13)),
        "carried_in": concluded["carried_in"] + open_at_end["carried_in"],
        "carried_out": open_at_end["carried_out"],
        "open": open_at_end["open"],
        "overdue": open_at_end["overdue"],
        "due_soon": open_at_end["due_soon"],
        "outcomes": [
            {"code": group, "label": label, "count": concluded[group]} for group, label in OUTCOME_GROUPS
        ],
        "months": [
            {"month": m, "label": f"{m}月", "received": received[f"m{m}"], "concluded": concluded[f"m{m}"]}
            for m in range(1, 13)
        ],
    }


# --- the annual report from the records: tables 3 and 4 ---------------------------------------------------


def annual_tables(*, agency: Agency, year: int, format_code: str | None = None) -> AnnualReport:
    """Tables 3 and 4 of `agency`'s report for `year` (layout: 2021 from 2021 on, else 2019, unless
    `format_code` says otherwise). Two aggregate queries. The caller has checked that the user may see the
    agency. Table 2 and the text are left blank for the report builder."""
    fmt = FORMATS[format_code] if format_code else format_for_year(year)
    counts = _application_counts(Application.objects.filter(agency=agency), year)
    cases = _review_counts(ReviewCase.objects.filter(agency=agency), year)
    return _report(fmt, agency.name, year, counts, cases)


def annual_tables_all(
    *, year: int, format_code: str | None = None, agencies: QuerySet[Agency] | None = None
) -> dict[int, AnnualReport]:
    """annual_tables of every agency (or of `agencies`, e.g. agencies_visible(user=…)), by agency id, in
    three queries whatever the number of agencies: each agency's figures come from the same GROUP BY."""
    fmt = FORMATS[format_code] if format_code else format_for_year(year)
    apps, reviews = Application.objects.all(), ReviewCase.objects.all()
    if agencies is None:
        agencies = Agency.objects.all()
    else:
        apps, reviews = apps.filter(agency__in=agencies), reviews.filter(agency__in=agencies)
    names = dict(agencies.order_by().values_list("pk", "name"))
    counts_by: dict[int, list[tuple]] = defaultdict(list)
    for agency_id, *row in _application_counts(apps, year, by_agency=True):
        counts_by[agency_id].append(row)
    cases_by: dict[int, list[tuple]] = defaultdict(list)
    for agency_id, *row in _review_counts(reviews, year, by_agency=True):
        cases_by[agency_id].append(row)
    return {
        pk: _report(fmt, name, year, counts_by.get(pk, ()), cases_by.get(pk, ()))
        for pk, name in names.items()
    }


def _application_counts(qs: QuerySet[Application], year: int, *, by_agency: bool = False) -> list[tuple]:
    """One GROUP BY ([agency,] applicant kind, outcome) over the applications alive in the year, with the
    four counts of table 3 as conditional aggregates: rows ([agency_id,] kind, outcome, new, carried_in,
    concluded, carried_out)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    keys = ("agency_id", "applicant_kind", "outcome") if by_agency else ("applicant_kind", "outcome")
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


def _review_counts(qs: QuerySet[ReviewCase], year: int, *, by_agency: bool = False) -> list[tuple]:
    """Rows ([agency_id,] kind, upheld, corrected, other, pending) of the cases that count in the year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    keys = ("agency_id", "kind") if by_agency else ("kind",)
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
@lru_cache(maxsize=4096)
def _count_cell(value: int) -> Cell:
    return Cell.of(value)


@lru_cache(maxsize=4)
def _blank_table2(format_code: str) -> dict[str, dict[str, Cell]]:
    return empty_report(FORMATS[format_code]).table2


@lru_cache(maxsize=4)
def _rows_of(format_code: str) -> tuple[dict[str, str], str]:
    """outcome code -> table 3 row in this layout, and the row of an unknown outcome."""
    return {o.code: o.row(format_code) for o in OUTCOMES}, OUTCOMES_BY_CODE[_FALLBACK_OUTCOME].row(
        format_code
    )


def _report(
    fmt: Format, agency_name: str, year: int, counts: Iterable[tuple], cases: Iterable[tuple]
) -> AnnualReport:
    # table 2 stays blank (not zero): it comes from the catalog, not from these records
    report = AnnualReport(
        format=fmt.code,
        agency=agency_name,
        year=year,
        title=f"{agency_name}{year}年政府信息公开工作年度报告",
        table2={row: dict(cells) for row, cells in _blank_table2(fmt.code).items()},
    )
    row_of, fallback_row = _rows_of(fmt.code)
    table: dict[str, list[int]] = {row.code: [0] * _WIDTH for row in fmt.table3_rows}
    new, carried_in, carried_out = table["new"], table["carried_in"], table["carried_out"]
    unknown_outcome = unknown_kind = 0

    for kind, outcome, n_new, n_in, n_concluded, n_out in counts:
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
    outcome_rows = [table[code] for code in fmt.outcome_codes]
    table["total"] = [sum(row[c] for row in outcome_rows) for c in range(_WIDTH)]
    report.table3 = {code: [_count_cell(v) for v in (*values, sum(values))] for code, values in table.items()}

    table4 = {g.code: [0, 0, 0, 0] for g in TABLE4_GROUPS}
    for kind, *results in cases:
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
