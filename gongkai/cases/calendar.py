"""The working calendar of this installation: the official schedules (chinesecalendar), the administrator's
CalendarOverride days and ConfirmedYear years, and settings.COUNT_START_DAY.

`work_calendar()` is called on every deadline computation, so it is cached per process. Each call checks
a version, one aggregate row per table, and rebuilds the calendar only when the tables changed,
so an override entered through any worker is used by every worker from its next call on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Max, Sum, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from gongkai.cases.models import CalendarOverride, ConfirmedYear
from gongkai.workdays import WorkCalendar

_lock = threading.Lock()
_cached: tuple[tuple, WorkCalendar] | None = None


def _version() -> tuple:
    """Changes whenever a row is added, removed, or has its day or flag edited (a checksum, not a proof:
    edits that cancel each other exactly are not seen until the next change or `work_calendar_invalidate`)."""
    day_number = ExtractYear("day") * 10000 + ExtractMonth("day") * 100 + ExtractDay("day")
    overrides = CalendarOverride.objects.aggregate(
        count=Count("id"),
        top=Max("id"),
        workday_ids=Sum(Case(When(is_workday=True, then=F("id")), default=Value(0))),
        days=Sum(day_number, output_field=IntegerField()),
    )
    years = ConfirmedYear.objects.aggregate(count=Count("id"), top=Max("id"), years=Sum("year"))
    return (
        settings.COUNT_START_DAY,
        *(overrides[k] for k in ("count", "top", "workday_ids", "days")),
        *(years[k] for k in ("count", "top", "years")),
    )


def _build() -> WorkCalendar:
    return WorkCalendar(
        dict(CalendarOverride.objects.values_list("day", "is_workday")),
        ConfirmedYear.objects.values_list("year", flat=True),
        count_start_day=settings.COUNT_START_DAY,
    )


def work_calendar() -> WorkCalendar:
    """The calendar for deadlines, current with the overrides tables."""
    global _cached
    if _pinned is not None:
        return _pinned
    version = _version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        cal = _build()
        _cached = (version, cal)
    return cal


_pinned: WorkCalendar | None = None


@contextmanager
def calendar_pinned() -> Iterator[WorkCalendar]:
    """Within the block, work_calendar() returns one calendar without looking at the overrides tables
    again: for a batch of writes in one transaction (the demo load), where they cannot change."""
    global _pinned
    _pinned = work_calendar()
    try:
        yield _pinned
    finally:
        _pinned = None


def work_calendar_invalidate() -> None:
    """Forget the cached calendar (call after editing the overrides tables in this process)."""
    global _cached
    _cached = None
