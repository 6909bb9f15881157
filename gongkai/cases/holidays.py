"""A year's holiday schedule, as the State Council announces it each autumn, saved into the calendar tables
(CalendarOverride, ConfirmedYear) that gongkai.cases.calendar.work_calendar() reads; and which years are known.

The schedule is read by gongkai.holiday_notice (from the notice text or a CSV file); this module only saves
what has no problems. Only a 系统管理员 (superuser) saves from the workbench; the command line
(`gongkai workdays schedule FILE --save`) saves as the installation's operator, `COMMAND_LINE`, which no web
request can be: whoever runs commands on the server can change the database anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongkai.audit.actions import AuditAction
from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_record
from gongkai.cases.calendar import work_calendar_invalidate
from gongkai.cases.models import CalendarOverride, ConfirmedYear
from gongkai.cases.tasks import recompute_estimated_deadlines
from gongkai.errors import Code
from gongkai.holiday_notice import REST, WORK, ParsedSchedule, schedule_problems
from gongkai.text import clean_multiline
from gongkai.workdays import calendar as package_calendar

ACTION_SAVE = AuditAction.HOLIDAY_SCHEDULE_SAVE
_OVERRIDE_NOTE_MAX = CalendarOverride._meta.get_field("note").max_length
_YEAR_NOTE_MAX = ConfirmedYear._meta.get_field("note").max_length


class _CommandLine:
    """The operator of the installation at the command line: audited with no user (actor None)."""

    def __repr__(self) -> str:
        return "COMMAND_LINE"


COMMAND_LINE = _CommandLine()


@dataclass(frozen=True)
class ScheduleSaved:
    year: int
    rest_days: int
    work_days: int
    added: tuple[date, ...]  # named days that had no override
    changed: tuple[date, ...]  # named days whose override said the opposite
    unchanged: tuple[date, ...]  # named days already overridden the same way
    newly_confirmed: bool
    event: AuditEvent

    @property
    def summary(self) -> str:
        changes = f"新增 {len(self.added)} 个日期，改动 {len(self.changed)} 个日期"
        if self.unchanged:
            changes += f"，{len(self.unchanged)} 个日期原已相同"
        return f"已保存{self.year}年节假日安排：放假 {self.rest_days} 天，调休上班 {self.work_days} 天（{changes}）。"


def may_save_holidays(user) -> bool:
    """A 系统管理员: an active superuser."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser
    )


def holiday_schedule_save(*, schedule: ParsedSchedule, by, source: str) -> ScheduleSaved:
    """Save the days a schedule names as overrides (replacing earlier overrides of those days, also those in
    the previous December) and mark its year confirmed, with `source` as the basis, in one transaction with
    an audit event listing the changed days. Other overrides of the year stay as they are.

    PermissionDenied unless `by` is a 系统管理员 or COMMAND_LINE; ValidationError when the schedule has
    problems or no days, or `source` is empty. work_calendar() sees the new schedule at once, and a task
    enqueued in the same transaction computes again every deadline stored as an estimate (the saved year's
    dates were counted Monday to Friday until now: gongkai.cases.services.estimates)."""
    if by is not COMMAND_LINE and not may_save_holidays(by):
        raise PermissionDenied("只有系统管理员可以录入节假日安排")
    problems = list(schedule.problems) or schedule_problems(schedule)
    if problems:
        raise ValidationError(
            [ValidationError(m, code=Code.INVALID) for m in ("节假日安排有问题，未保存：", *problems)]
        )
    source = " ".join(clean_multiline(source or "").split())
    if not source:
        raise ValidationError("请写明节假日安排的依据（如通知名称或文件名）", code=Code.REQUIRED)
    year = schedule.year
    period_of = {day: p.name for p in schedule.periods for day in (*p.rest, *p.work) if p.name}

    with transaction.atomic(durable=True):
        existing = {
            o.day: o for o in CalendarOverride.objects.select_for_update().filter(day__in=list(schedule.days))
        }
        added, changed, unchanged, new_rows, updated_rows = [], [], [], [], []
        before_days: dict[str, str | None] = {}
        after_days: dict[str, str] = {}
        for day, work in schedule.days.items():
            kind, key = (WORK if work else REST), day.isoformat()
            row = existing.get(day)
            if row is None:
                added.append(day)
                new_rows.append(
                    CalendarOverride(day=day, is_workday=work, note=_override_note(period_of, day, source))
                )
                before_days[key], after_days[key] = None, kind
                continue
            if row.is_workday == work:
                unchanged.append(day)
            else:
                changed.append(day)
                before_days[key], after_days[key] = (WORK if row.is_workday else REST), kind
            row.is_workday, row.note = work, _override_note(period_of, day, source)
            updated_rows.append(row)
        CalendarOverride.objects.bulk_create(new_rows)
        CalendarOverride.objects.bulk_update(updated_rows, ["is_workday", "note"])

        confirmed = ConfirmedYear.objects.select_for_update().filter(year=year).first()
        before_note = confirmed.note if confirmed else None
        if confirmed is None:
            confirmed = ConfirmedYear(year=year)
        confirmed.note = source[:_YEAR_NOTE_MAX]
        confirmed.save()
        recompute_estimated_deadlines.enqueue(year)  # committed with the schedule, or not at all
        event = audit_record(
            actor=None if by is COMMAND_LINE else by,
            action=ACTION_SAVE,
            obj=confirmed,
            before={"year": year, "confirmed": before_note, "days": before_days},
            after={
                "year": year,
                "confirmed": confirmed.note,
                "days": after_days,
                "unchanged": len(unchanged),
            },
        )
    work_calendar_invalidate()
    return ScheduleSaved(
        year=year,
        rest_days=len(schedule.rest_days),
        work_days=len(schedule.work_days),
        added=tuple(added),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        newly_confirmed=before_note is None,
        event=event,
    )


def _override_note(period_of: dict[date, str], day: date, source: str) -> str:
    period = period_of.get(day)
    note = f"{period}（{source}）" if period else source
    return note if len(note) <= _OVERRIDE_NOTE_MAX else note[: _OVERRIDE_NOTE_MAX - 1] + "…"


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearStatus:
    year: int
    in_package: bool  # the chinesecalendar package has the official schedule
    saved_note: str | None  # the basis an administrator saved, None when not saved
    rest_days: int  # overrides in the year (rest days, make-up working days)
    work_days: int
    saved_at: object | None = None  # the time of the last save (datetime), when audited
    saved_by: object | None = None  # the user of the last save; None from the command line

    @property
    def confirmed(self) -> bool:
        return self.in_package or self.saved_note is not None


@dataclass(frozen=True)
class HolidayYearsStatus:
    today: date
    years: tuple[YearStatus, ...]  # newest first
    this_year: YearStatus
    next_year: YearStatus

    @property
    def needs_entry(self) -> YearStatus | None:
        """The status of `year_needing_entry`, or None."""
        known = {self.this_year.year: self.this_year, self.next_year.year: self.next_year}
        year = year_needing_entry(today=self.today, is_confirmed=lambda y: known[y].confirmed)
        return None if year is None else known[year]


def year_needing_entry(*, today: date, is_confirmed: Callable[[int], bool]) -> int | None:
    """The year whose schedule an administrator must enter now: this year when it is not confirmed
    (deadlines are being computed in it), else next year from 1 November on (the State Council announces
    it in the autumn; a 20-working-day period from late November reaches into January)."""
    if not is_confirmed(today.year):
        return today.year
    if today.month >= 11 and not is_confirmed(today.year + 1):
        return today.year + 1
    return None


def holiday_years_status(*, today: date) -> HolidayYearsStatus:
    """Which years' schedules are known, from the package or saved: last year, this year, next year and
    every year saved."""
    package = package_calendar()
    saved = {c.year: c for c in ConfirmedYear.objects.all()}
    counts: dict[int, list[int]] = {}
    for day, work in CalendarOverride.objects.values_list("day", "is_workday"):
        counts.setdefault(day.year, [0, 0])[bool(work)] += 1
    last_saves: dict[str, AuditEvent] = {}
    events = AuditEvent.objects.filter(
        action=ACTION_SAVE, object_type="ConfirmedYear", object_id__in=[str(c.pk) for c in saved.values()]
    ).select_related("actor")
    for event in events.order_by("at", "id"):
        last_saves[event.object_id] = event
    statuses = {}
    for year in sorted({today.year - 1, today.year, today.year + 1, *saved}, reverse=True):
        row = saved.get(year)
        event = last_saves.get(str(row.pk)) if row else None
        rest, work = counts.get(year, (0, 0))
        statuses[year] = YearStatus(
            year=year,
            in_package=package.is_confirmed(year),
            saved_note=row.note if row else None,
            rest_days=rest,
            work_days=work,
            saved_at=event.at if event else None,
            saved_by=event.actor if event else None,
        )
    return HolidayYearsStatus(
        today=today,
        years=tuple(statuses.values()),
        this_year=statuses[today.year],
        next_year=statuses[today.year + 1],
    )


def overrides_outside(*, schedule: ParsedSchedule) -> list[CalendarOverride]:
    """The overrides of the schedule's year that it does not name: saving keeps them, so the page says so."""
    if schedule.year is None:
        return []
    return list(
        CalendarOverride.objects.filter(day__year=schedule.year)
        .exclude(day__in=list(schedule.days))
        .order_by("day")
    )
