"""Shared by the case services: the procedure's checks, dates, the audit record of a change, past years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases import clock, procedure
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import Status
from gongkai.cases.models import Application, ApplicationEvent
from gongkai.cases.procedure import Step
from gongkai.cases.selectors import application_facts
from gongkai.errors import Code, clean_text, invalid

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed without doubt
QUERY_CODE_LENGTH = 13  # 31**13 > 2**64
PAST_YEAR_REASON_MAX = 200


def fee_pauses_clock() -> bool:
    """rules.md §2 leaves open whether the payment period stops the clock; default: it does."""
    return bool(getattr(settings, "FEE_PAUSES_CLOCK", True))


# --- helpers -------------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _d(day: date) -> str:
    """2020年9月28日"""
    return f"{day.year}年{day.month}月{day.day}日"


def _due(day: date, estimated: bool) -> str:
    """A deadline as an event's note writes it: "2027年1月8日" or "预计 2027年1月8日（待节假日安排确认）"."""
    return procedure.deadline_text(day, estimated)


def _check_day(on: date, *, field: str = "on", not_before: date | None = None, what: str = "") -> None:
    if not isinstance(on, date):
        raise invalid(field, Code.REQUIRED, "请填写日期")
    if on > _today():
        raise invalid(field, Code.DATE_IN_FUTURE, "日期不能晚于今天")
    if not_before is not None and on < not_before:
        raise invalid(field, Code.DATE_TOO_EARLY, f"日期不能早于{what}（{_d(not_before)}）")


def past_year_reason(on: date, reason: str, *, what: str = "日期") -> str:
    """A change dated in a year before the current one changes that year's published figures (tables 3
    and 4): it needs a stated reason, which is returned cleaned for the audit record ("" for this year)."""
    if on.year >= _today().year:
        return ""
    reason = clean_text("past_year_reason", reason, max_length=PAST_YEAR_REASON_MAX)
    if not reason:
        raise invalid(
            "past_year_reason",
            Code.PAST_YEAR_REASON_REQUIRED,
            f"{what}在{on.year}年：办理后{on.year}年度的统计数据（年度报告表三、表四）将随之改变，"
            "请填写补录或更正的理由",
        )
    return reason


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
    action: AuditAction,
    before: dict | None,
    after: dict,
    kind: str,
    on: date,
    basis: str,
    note: str = "",
    data: dict | None = None,
    reason: str = "",
) -> ApplicationEvent:
    """The audit event and the ApplicationEvent of a step. `reason`: why a past year's figures change."""
    if reason:
        after = {**after, "past_year_reason": reason}
        note = f"{note}（补录理由：{reason}）" if note else f"补录理由：{reason}"
    audit_record(
        actor=by, action=action, obj=application, agency=application.agency, before=before, after=after
    )
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        on=on,
        by=by if getattr(by, "is_authenticated", False) else None,
        basis=basis,
        note=note,
        data=data or {},
    )


def _locked(application: Application) -> Application:
    # only the application's row: the joined agency stays free for the agency's other cases
    return Application.objects.select_for_update(of=("self",)).select_related("agency").get(pk=application.pk)


def _sync(target, source) -> None:
    """Copy the saved state into the caller's instance, which we did not touch inside the transaction."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def require_step(application: Application, step: Step, *, on: date | None = None) -> procedure.Facts:
    """The case's facts, or the procedure's refusal of `step` as a ValidationError."""
    facts = application_facts(application)
    refused = procedure.refusal(step, facts, on=on)
    if refused is not None:
        field = "on" if refused.code in (Code.DEADLINE_PASSED, Code.DEADLINE_NOT_PASSED) else "status"
        raise invalid(field, refused.code, refused.message)
    return facts


def _pause_end_changes(application: Application, on: date) -> dict:
    """The field changes that end the running pause on `on`: its working days are added to the paused days
    (and kept apart when they were counted on an estimate, to be counted again)."""
    pause = clock.pause_workdays(paused_since=application.paused_since, resumed_on=on, cal=work_calendar())
    pauses = list(application.estimated_pauses or [])
    if pause.estimated:
        pauses.append(
            clock.pause_record(paused_since=application.paused_since, resumed_on=on, workdays=pause.days)
        )
    return {
        "paused_workdays": application.paused_workdays + pause.days,
        "paused_since": None,
        "estimated_pauses": pauses,
    }


def _resume_changes(application: Application, on: date) -> dict:
    """The field changes that end a pause on `on` and restart the clock."""
    changes = _pause_end_changes(application, on)
    due = clock.due_date(
        clock_start=application.clock_start,
        paused_workdays=changes["paused_workdays"],
        extension_days=application.extension_days,
        cal=work_calendar(),
        paused_estimated=bool(changes["estimated_pauses"]),
    )
    return {**changes, "due_on": due.day, "due_on_estimated": due.estimated, "status": Status.RECEIVED}


def _due_from(application: Application, clock_start: date) -> clock.Deadline:
    return clock.due_date(
        clock_start=clock_start,
        paused_workdays=0,
        extension_days=application.extension_days,
        cal=work_calendar(),
    )


def _conclude(
    locked: Application,
    *,
    by,
    on: date,
    outcome: str,
    action: AuditAction,
    kind: str,
    basis: str,
    note: str,
    data: dict,
    reason: str = "",
) -> None:
    changes: dict = {"status": Status.CONCLUDED, "outcome": outcome, "concluded_on": on}
    if locked.paused_since is not None:
        # close the pause so that the paused days stay a true record
        changes.update(_pause_end_changes(locked, on))
    before, after = _change(locked, changes)
    _record(
        application=locked,
        by=by,
        action=action,
        before=before,
        after=after,
        kind=kind,
        on=on,
        basis=basis,
        note=note,
        data={"outcome": outcome, **data},
        reason=reason,
    )


def reason_error(error: ValidationError) -> bool:
    """Is this the refusal for a missing past-year reason (forms then show the reason field)?"""
    return Code.PAST_YEAR_REASON_REQUIRED.value in {
        e.code for errors in getattr(error, "error_dict", {}).values() for e in errors
    }
