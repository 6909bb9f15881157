"""Shared by the case services: legal bases, dates, the audit record of a change, status checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.audit.services import audit_record
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import (
    ConsultationKind,
    EventKind,
    Status,
)
from gongkai.cases.models import Application, ApplicationEvent
from gongkai.workdays import UnconfirmedSchedule

BASIS_REGISTER = "《条例》第二十九条、第三十一条"
BASIS_CORRECTION = "《条例》第三十条"
BASIS_CONSULTATION = {
    ConsultationKind.THIRD_PARTY: "《条例》第三十二条、第三十三条第二款",
    ConsultationKind.CO_AGENCY: "《条例》第三十四条、第三十三条第二款",
}
BASIS_FEE = "《条例》第四十二条，国办函〔2020〕109号"
BASIS_EXTENSION = "《条例》第三十三条第一款"

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
QUERY_CODE_LENGTH = 12
_MOBILE = re.compile(r"(\+?86)?1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
_POSTCODE = re.compile(r"\d{6}")
_NUMBER_SEQUENCE = re.compile(r"第(\d+)号$")


def fee_pauses_clock() -> bool:
    """rules.md §2 leaves open whether the payment period stops the clock; default: it does."""
    return bool(getattr(settings, "FEE_PAUSES_CLOCK", True))


# --- helpers -------------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _d(day: date) -> str:
    """2020年9月28日"""
    return f"{day.year}年{day.month}月{day.day}日"


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def unconfirmed_message(year: int) -> str:
    return (
        f"节假日安排未确认：{year}年的节假日安排尚未公布或尚未录入，无法计算期限。"
        f"请管理员按国务院办公厅公布的{year}年节假日安排录入后再办理。"
    )


@contextmanager
def _schedule_known(field: str) -> Iterator[None]:
    try:
        yield
    except UnconfirmedSchedule as exc:
        raise _invalid(field, unconfirmed_message(exc.year)) from exc


def _check_day(on: date, *, field: str = "on", not_before: date | None = None, what: str = "") -> None:
    if on > _today():
        raise _invalid(field, "日期不能晚于今天")
    if not_before is not None and on < not_before:
        raise _invalid(field, f"日期不能早于{what}（{_d(not_before)}）")


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _change(obj, changes: dict) -> tuple[dict, dict]:
    """Apply and save `changes`; return the before/after values of the fields that changed."""
    before = {name: _json(getattr(obj, name)) for name in changes}
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    after = {name: _json(getattr(obj, name)) for name in changes}
    changed = [name for name in changes if before[name] != after[name]]
    return {n: before[n] for n in changed}, {n: after[n] for n in changed}


def _record(
    *,
    application: Application,
    by,
    action: str,
    before: dict | None,
    after: dict,
    kind: str,
    on: date,
    basis: str,
    note: str = "",
    data: dict | None = None,
) -> ApplicationEvent:
    audit_record(
        actor=by, action=action, obj=application, agency=application.agency, before=before, after=after
    )
    return ApplicationEvent.objects.create(
        application=application, kind=kind, on=on, by=by, basis=basis, note=note, data=data or {}
    )


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _sync(target, source) -> None:
    """Copy the saved state into the caller's instance, which we did not touch inside the transaction."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _require_status(application: Application, allowed: tuple[str, ...], action: str) -> None:
    if application.status in allowed:
        return
    reasons = {
        Status.CONCLUDED: "该申请已办结",
        Status.AWAITING_CORRECTION: "该申请正在等待申请人补正",
        Status.CONSULTING: "该申请正在征求意见",
        Status.AWAITING_FEE: "该申请正在等待申请人缴纳信息处理费",
        Status.RECEIVED: "该申请正在办理中",
    }
    raise _invalid("status", f"{reasons[application.status]}，不能{action}")


def _resume_changes(application: Application, on: date, field: str = "on") -> dict:
    """The field changes that end a pause on `on` and restart the clock."""
    cal = work_calendar()
    with _schedule_known(field):
        paused = application.paused_workdays + clock.pause_workdays(application.paused_since, on, cal)
        due = clock.due_date(application.clock_start, paused, application.extension_days, cal)
    return {"paused_workdays": paused, "paused_since": None, "due_on": due, "status": Status.RECEIVED}


def _check_within_reply_period(application: Application, on: date, action: str) -> None:
    if application.due_on is not None and on > application.due_on:
        raise _invalid("on", f"答复期限（{_d(application.due_on)}）已过，不能再{action}")


def _due_from(application: Application, clock_start: date) -> date:
    with _schedule_known("on"):
        return clock.due_date(clock_start, 0, application.extension_days, work_calendar())


def _conclude(
    locked: Application, *, by, on: date, outcome: str, action: str, basis: str, note: str, data: dict
) -> None:
    changes: dict = {"status": Status.CONCLUDED, "outcome": outcome, "concluded_on": on}
    if locked.paused_since is not None:
        # close the pause so that the paused days stay a true record
        with _schedule_known("on"):
            paused = clock.pause_workdays(locked.paused_since, on, work_calendar())
        changes.update(paused_workdays=locked.paused_workdays + paused, paused_since=None)
    before, after = _change(locked, changes)
    _record(
        application=locked,
        by=by,
        action=action,
        before=before,
        after=after,
        kind=EventKind.REPLIED,
        on=on,
        basis=basis,
        note=note,
        data={"outcome": outcome, **data},
    )
