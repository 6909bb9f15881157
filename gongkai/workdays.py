"""Working-day arithmetic on the official State Council holiday schedules (rules.md §2, "Working days").

Pure Python, no Django: the platform builds a `WorkCalendar` from its overrides table and passes it in.

- `chinese_calendar` supplies 2004–2026, including 调休 make-up working days on Saturdays and Sundays.
- `overrides` are an administrator's entries: a new year's schedule once it is announced, or corrections.
- A year that is neither in the package nor in `confirmed_years` is unconfirmed: every exact question that
  needs a day of it without an override raises `UnconfirmedSchedule`, never a guess. The estimating
  questions (`add_estimated`, `between_estimated`) answer anyway, counting Monday to Friday as working days
  in such a year except the holidays the law fixes on a calendar date (`fixed_holidays`: 元旦, 劳动节,
  国庆节), its overrides still applying, and say whether they had to (`estimated`), so that a caller can
  show the answer as an estimate and compute it again once the year is confirmed. The lunar holidays and
  the make-up working days only the State Council's notice tells.

Counting convention (open in the Regulations): by default the start day (the receipt day) does not count and
counting begins the next day; `count_start_day=True` lets the start day count when it is a working day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache, lru_cache
from typing import Literal, NamedTuple

import chinese_calendar

DUE_SOON_DAYS = 5

# 《全国年节及纪念日放假办法》 (2024 revision, from 2025), Art. 2: the holidays of all citizens on fixed dates of
# the Gregorian calendar (元旦 1 Jan; 劳动节 1–2 May; 国庆节 1–3 Oct). 春节, 清明节, 端午节 and 中秋节 move with the
# lunar calendar or the solar terms and are left to the notice, as are the make-up working days.
FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


# How an estimate counts, in the words every page and message uses for it.
ESTIMATE_METHOD = "按周一至周五为工作日估算（已除去元旦、劳动节、国庆节，未计其他节假日和调休）"


def fixed_holidays(year: int) -> tuple[date, ...]:
    """The holidays the law fixes on a calendar date in `year` (an estimate of an unconfirmed year has them)."""
    return tuple(date(year, month, day) for month, day in FIXED_HOLIDAYS)


class UnconfirmedSchedule(Exception):
    """A computation needed a day of a year whose holiday schedule is not known."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未确认（国务院办公厅尚未公布或管理员尚未录入），无法计算工作日"
        )


class Deadline(NamedTuple):
    """A day counted on the calendar, and whether the count had to assume a day of an unconfirmed year."""

    day: date
    estimated: bool = False


class Span(NamedTuple):
    """A number of working days counted on the calendar, and whether the count is an estimate."""

    days: int
    estimated: bool = False


def _prefix(flags: bytes) -> list[int]:
    """prefix[i] is the sum of flags[0..i-1]: one entry more than there are flags."""
    prefix = [0] * (len(flags) + 1)
    running = 0
    for i, flag in enumerate(flags):
        running += flag
        prefix[i + 1] = running
    return prefix


class _Year:
    """One year's schedule: flags[i] is 1 when day i of the year is a working day; prefix[i] counts the
    working days among days 0..i-1, so prefix has one entry more than the year has days. In an estimate of
    an unconfirmed year, `known` counts the same way the days that have an override (None: all are known)."""

    __slots__ = ("first", "flags", "known", "prefix")

    def __init__(self, first: int, flags: bytes, known: bytes | None = None):
        self.first = first
        self.flags = flags
        self.prefix = _prefix(flags)
        self.known = None if known is None else _prefix(known)

    def all_known(self, i: int, j: int) -> bool:
        """Are days i..j-1 of the year all known (confirmed or overridden)?"""
        return self.known is None or self.known[j] - self.known[i] == j - i


@cache
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _package_flags(year: int) -> bytes:
    """The package's schedule for a year it covers (asked once per year per process)."""
    first = date(year, 1, 1).toordinal()
    days = date(year + 1, 1, 1).toordinal() - first
    return bytes(chinese_calendar.is_workday(date.fromordinal(first + i)) for i in range(days))


class WorkCalendar:
    """Official working days plus an administrator's overrides. Immutable once built: when the overrides
    table changes, build a new calendar."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        confirmed_years: Iterable[int] = (),
        *,
        count_start_day: bool = False,
    ):
        self.overrides: dict[date, bool] = {day: bool(flag) for day, flag in (overrides or {}).items()}
        self.confirmed_years = frozenset(confirmed_years)
        self.count_start_day = count_start_day
        self._years: dict[int, _Year] = {}
        self._estimates: dict[int, _Year] = {}  # unconfirmed years as estimates

    # -- classification ---------------------------------------------------------------------------------

    def is_confirmed(self, year: int) -> bool:
        return year in self.confirmed_years or _package_covers(year)

    def is_workday(self, day: date) -> bool:
        flag = self.overrides.get(day)
        if flag is not None:
            return flag
        year = self._year(day.year)
        return bool(year.flags[day.toordinal() - year.first])

    def is_workday_estimated(self, day: date) -> bool:
        """`is_workday`, answered also in an unconfirmed year, as `add_estimated` counts it."""
        year = self._any_year(day.year)
        return bool(year.flags[day.toordinal() - year.first])

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, else the next working day."""
        return self._nth_from(day.toordinal(), 1)

    # -- arithmetic -------------------------------------------------------------------------------------

    def add(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (the due date of a `days`-working-day period)."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return start
        return self._nth_from(self._first_counted(start), days)

    def add_estimated(self, start: date, days: int) -> Deadline:
        """`add`, answered also when it needs an unconfirmed year: such a year's days without an override
        count as working days from Monday to Friday, except its `fixed_holidays`, and the answer says
        `estimated`. Equal to `add` whenever `add` answers; `estimated` exactly when `add` would raise
        UnconfirmedSchedule."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return Deadline(start, False)
        return self._nth_estimated(self._first_counted(start), days)

    def between_estimated(self, start: date, end: date) -> Span:
        """`between`, answered also when it needs an unconfirmed year (see `add_estimated`)."""
        if end < start:
            span = self.between_estimated(end, start)
            return Span(-span.days, span.estimated)
        return self._count_estimated(self._first_counted(start), end.toordinal())

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (with count_start_day, `start` counts too);
        the negative of the reverse count when `end` is before `start`."""
        if end < start:
            return -self.between(end, start)
        return self._count(self._first_counted(start), end.toordinal())

    def years_needed(self, start: date, end: date) -> list[int]:
        """The years whose schedule a count from `start` to `end` relies on (either order)."""
        if end < start:
            start, end = end, start
        first = date.fromordinal(self._first_counted(start)).year
        return list(range(first, end.year + 1))

    def unconfirmed_years(self, start: date, end: date) -> list[int]:
        """The years of `years_needed` whose schedule is not confirmed, for a UI to flag. Conservative: a
        year listed here may still have overrides for the very days a particular count touched."""
        return [year for year in self.years_needed(start, end) if not self.is_confirmed(year)]

    # -- internals --------------------------------------------------------------------------------------

    def _first_counted(self, start: date) -> int:
        return start.toordinal() + (0 if self.count_start_day else 1)

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not self.is_confirmed(year):
            raise UnconfirmedSchedule(year)
        first = date(year, 1, 1).toordinal()
        if _package_covers(year):
            flags = bytearray(_package_flags(year))
        else:  # confirmed by the administrator: the week pattern, corrected by the overrides below
            days = date(year + 1, 1, 1).toordinal() - first
            flags = bytearray(date.fromordinal(first + i).weekday() < 5 for i in range(days))
        for day, flag in self.overrides.items():
            if day.year == year:
                flags[day.toordinal() - first] = flag
        built = self._years[year] = _Year(first, bytes(flags))
        return built

    def _estimated_year(self, year: int) -> _Year:
        """An unconfirmed year as an estimate: the week pattern without the fixed-date holidays, corrected by
        the year's overrides (only the overridden days are known)."""
        cached = self._estimates.get(year)
        if cached is not None:
            return cached
        first = date(year, 1, 1).toordinal()
        days = date(year + 1, 1, 1).toordinal() - first
        flags = bytearray(date.fromordinal(first + i).weekday() < 5 for i in range(days))
        for holiday in fixed_holidays(year):
            flags[holiday.toordinal() - first] = 0
        known = bytearray(days)
        for day, flag in self.overrides.items():
            if day.year == year:
                flags[day.toordinal() - first] = flag
                known[day.toordinal() - first] = 1
        built = self._estimates[year] = _Year(first, bytes(flags), bytes(known))
        return built

    def _any_year(self, year: int) -> _Year:
        return self._year(year) if self.is_confirmed(year) else self._estimated_year(year)

    def _nth_estimated(self, ordinal: int, n: int) -> Deadline:
        estimated = False
        while True:
            year = self._any_year(date.fromordinal(ordinal).year)
            i = ordinal - year.first
            prefix = year.prefix
            target = prefix[i] + n
            if target <= prefix[-1]:
                k = bisect_left(prefix, target, i + 1)
                estimated = estimated or not year.all_known(i, k)
                return Deadline(date.fromordinal(year.first + k - 1), estimated)
            estimated = estimated or not year.all_known(i, len(year.flags))
            n = target - prefix[-1]
            ordinal = year.first + len(year.flags)

    def _count_estimated(self, first: int, last: int) -> Span:
        total, estimated = 0, False
        while first <= last:
            year = self._any_year(date.fromordinal(first).year)
            stop = min(last, year.first + len(year.flags) - 1)
            i, j = first - year.first, stop - year.first + 1
            total += year.prefix[j] - year.prefix[i]
            estimated = estimated or not year.all_known(i, j)
            first = stop + 1
        return Span(total, estimated)

    def _nth_from(self, ordinal: int, n: int) -> date:
        """The n-th working day (n >= 1) among the days from `ordinal` on."""
        while True:
            year_number = date.fromordinal(ordinal).year
            year = self._years.get(year_number)
            if year is None:
                if not self.is_confirmed(year_number):
                    # Only overridden days of an unconfirmed year are known: walk them, raise at the first gap.
                    ordinal, n, found = self._walk(ordinal, n, year_number)
                    if found:
                        return date.fromordinal(ordinal)
                    continue
                year = self._year(year_number)
            i = ordinal - year.first
            prefix = year.prefix
            target = prefix[i] + n
            if target <= prefix[-1]:
                # The first k with prefix[k] == target: day k-1 is the n-th working day.
                return date.fromordinal(year.first + bisect_left(prefix, target, i + 1) - 1)
            n = target - prefix[-1]
            ordinal = year.first + len(year.flags)

    def _walk(self, ordinal: int, n: int, year_number: int) -> tuple[int, int, bool]:
        while date.fromordinal(ordinal).year == year_number:
            if self.is_workday(date.fromordinal(ordinal)):  # raises at a day without an override
                n -= 1
                if n == 0:
                    return ordinal, 0, True
            ordinal += 1
        return ordinal, n, False

    def _count(self, first: int, last: int) -> int:
        """Working days among the days first..last (inclusive); 0 when last < first."""
        total = 0
        while first <= last:
            year_number = date.fromordinal(first).year
            year_end = date(year_number, 12, 31).toordinal()
            stop = min(last, year_end)
            if self.is_confirmed(year_number):
                year = self._year(year_number)
                total += year.prefix[stop - year.first + 1] - year.prefix[first - year.first]
            else:
                total += sum(self.is_workday(date.fromordinal(o)) for o in range(first, stop + 1))
            first = stop + 1
        return total


@lru_cache(maxsize=2)
def calendar(count_start_day: bool = False) -> WorkCalendar:
    """The package's schedule alone, without overrides (for scripts, and for the command line before the
    installation's database exists)."""
    return WorkCalendar(count_start_day=count_start_day)


def deadline_status(
    due: date, today: date, cal: WorkCalendar, *, soon: int = DUE_SOON_DAYS
) -> Literal["overdue", "due_soon", "ok"]:
    """Overdue after the due day; due soon when the due day is today or at most `soon` working days after
    it; else ok. Looks only `soon` working days ahead, so a due date in an unconfirmed year far
    away is still "ok"."""
    if today > due:
        return "overdue"
    limit = cal._nth_from(today.toordinal() + 1, soon) if soon > 0 else today
    return "due_soon" if due <= limit else "ok"
