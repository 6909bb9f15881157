"""Reads of applications and review cases, always filtered by the acting user (DESIGN.md: agency isolation
lives in selectors). Tables 3 and 4 from the records are in gongkai.reports.selectors.

Visibility: `applications_for(user=…)` is the one door; every other selector starts from it, so a clerk of
agency A never sees, counts or opens a case of agency B (`application_get` answers Http404, as for a case
that does not exist). Supervisors see their subtree, superusers everything (gongkai.agencies.selectors).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agencies_visible
from gongkai.approvals.models import ApprovalRequest, Kind, RequestStatus
from gongkai.cases import procedure
from gongkai.cases.applicant import lookup_kind
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, LetterKind, LetterStatus
from gongkai.cases.models import Application, ReviewCase
from gongkai.report.formats import OUTCOME_GROUPS, outcomes_in_group
from gongkai.workdays import DUE_SOON_DAYS, WorkCalendar

_LIST_RELATED = ("agency", "created_by")


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


def _clock_running() -> Q:
    """procedure.clock_running() as a filter."""
    return Q(concluded_on__isnull=True, paused_since__isnull=True, due_on__isnull=False) & ~Q(
        status__in=procedure.CLOCK_STOPPED_STATUSES
    )


def with_overdue(qs: QuerySet[Application], *, today: dt.date) -> QuerySet[Application]:
    """Annotate `is_overdue` (procedure.is_overdue, in SQL) for the lists and their templates. An estimated
    due date counts as it stands (the lists show it as an estimate, `due_on_estimated`)."""
    return qs.annotate(
        is_overdue=ExpressionWrapper(_clock_running() & Q(due_on__lt=today), output_field=BooleanField())
    )


def application_facts(application: Application, *, events=None) -> procedure.Facts:
    """The facts the procedure decides on (procedure.Facts): four small queries, three with `events`."""
    kinds = (
        {e.kind for e in events}
        if events is not None
        else set(application.events.values_list("kind", flat=True))
    )
    open_notices = procedure.open_fee_notices(
        application.fee_notices.only("paid_on", "issued_on", "pay_due_on", "pay_due_on_estimated")
    )
    return procedure.Facts(
        status=application.status,
        received_on=application.received_on,
        clock_start=application.clock_start,
        due_on=application.due_on,
        due_on_estimated=application.due_on_estimated,
        paused_since=application.paused_since,
        paused_workdays=application.paused_workdays,
        paused_estimated=bool(application.estimated_pauses),
        extension_days=application.extension_days,
        correction_due_on=application.correction_due_on,
        concluded_on=application.concluded_on,
        correction_requested=EventKind.CORRECTION_REQUESTED in kinds,
        corrected=EventKind.CORRECTION_RECEIVED in kinds,
        extension_pending=ApprovalRequest.objects.filter(
            kind=Kind.EXTENSION,
            subject_type="Application",
            subject_id=application.pk,
            status=RequestStatus.PENDING,
        ).exists(),
        reply_pending=application.letters.filter(
            kind=LetterKind.REPLY,
            status__in=(LetterStatus.DRAFT, LetterStatus.PENDING, LetterStatus.APPROVED),
        ).exists(),
        fee_pay_due_on=open_notices[0].pay_due_on if open_notices else None,
        fee_pay_due_on_estimated=bool(open_notices) and open_notices[0].pay_due_on_estimated,
    )


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
    (the dashboard chart links to it). q: a fragment of the number, the applicant's name or the description;
    a whole ID number or phone number also finds the applicant's applications exactly (through the keyed
    hashes: the numbers themselves are encrypted).
    """
    qs = with_overdue(
        applications_for(user=user, agency_id=agency_id or None).select_related(*_LIST_RELATED),
        today=timezone.localdate(),
    )
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if outcome_group:
        qs = qs.filter(outcome__in=[o.code for o in outcomes_in_group(outcome_group)])
    if applicant_kind:
        qs = qs.filter(applicant_kind=applicant_kind)
    if year:
        qs = qs.filter(received_on__gte=dt.date(int(year), 1, 1), received_on__lte=dt.date(int(year), 12, 31))
    if q and (q := q.strip()):
        match = Q(number__icontains=q) | Q(applicant_name__icontains=q) | Q(description__icontains=q)
        if kind := lookup_kind(q):
            match |= Q(**{f"{kind}_hash": Application._meta.get_field(f"{kind}_hash").hash_of(q)})
        qs = qs.filter(match)
    return qs


# --- deadlines ----------------------------------------------------------------------------------------


def due_soon_limit(
    today: dt.date, within: int = DUE_SOON_DAYS, calendar: WorkCalendar | None = None
) -> dt.date:
    """The last due date that counts as "due soon" (procedure.due_soon_limit), on the estimate when the
    coming days lie in a year whose schedule is not confirmed."""
    return procedure.due_soon_limit(today=today, cal=calendar or work_calendar(), within=within).day


def applications_due_soon(
    *, user, today: dt.date, within: int = DUE_SOON_DAYS, calendar: WorkCalendar | None = None
) -> QuerySet[Application]:
    """Running applications due today or within `within` working days, most urgent first."""
    limit = due_soon_limit(today, within, calendar)
    return with_overdue(
        applications_for(user=user)
        .filter(_clock_running(), due_on__gte=today, due_on__lte=limit)
        .select_related(*_LIST_RELATED)
        .order_by("due_on", "id"),
        today=today,
    )


def applications_overdue(*, user, today: dt.date) -> QuerySet[Application]:
    """Running applications whose reply deadline is before today, longest overdue first."""
    return with_overdue(
        applications_for(user=user)
        .filter(_clock_running(), due_on__lt=today)
        .select_related(*_LIST_RELATED)
        .order_by("due_on", "id"),
        today=today,
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
    known_not_other = [o.code for g in OUTCOME_GROUPS if g.code != "other" for o in outcomes_in_group(g.code)]
    qs = applications_for(user=user, agency_id=agency_id).order_by()

    received = qs.filter(received_on__gte=start, received_on__lte=end).aggregate(
        **{f"m{m}": Count("pk", filter=Q(received_on__gte=a, received_on__lt=b)) for m, a, b in months}
    )
    concluded_aggregates = {
        f"m{m}": Count("pk", filter=Q(concluded_on__gte=a, concluded_on__lt=b)) for m, a, b in months
    }
    for group in OUTCOME_GROUPS:
        codes = [o.code for o in outcomes_in_group(group.code)]
        in_group = ~Q(outcome__in=known_not_other) if group.code == "other" else Q(outcome__in=codes)
        concluded_aggregates[group.code] = Count("pk", filter=in_group)
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
        "outcomes": [{"code": g.code, "label": g.label, "count": concluded[g.code]} for g in OUTCOME_GROUPS],
        "months": [
            {"month": m, "label": f"{m}月", "received": received[f"m{m}"], "concluded": concluded[f"m{m}"]}
            for m in range(1, 13)
        ],
    }
