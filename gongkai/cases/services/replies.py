"""Extension (Art. 33), the reply with exactly one outcome, and 行政复议/行政诉讼 cases (table 4)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from gongkai.agencies.models import Agency, Role
from gongkai.agencies.permissions import require_role, require_write
from gongkai.audit.services import audit_record
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import (
    CaseKind,
    CaseResult,
    EventKind,
    Status,
)
from gongkai.cases.models import Application, ReviewCase
from gongkai.cases.services import common
from gongkai.cases.services.common import (
    BASIS_EXTENSION,
    _change,
    _check_day,
    _check_within_reply_period,
    _conclude,
    _invalid,
    _json,
    _locked,
    _record,
    _require_status,
    _schedule_known,
    _sync,
)
from gongkai.report.formats import OUTCOMES_BY_CODE

# --- extension (Art. 33 (1)) -------------------------------------------------------------------------------


def application_extend(*, application: Application, by, on: date, days: int, reason: str) -> Application:
    """One extension of at most 20 working days, approved by the head of the disclosure office, before the
    current due date."""
    require_write(by, application.agency)
    require_role(
        by,
        application.agency,
        Role.HEAD,
        "延长答复期限应当经政府信息公开工作机构负责人同意（《条例》第三十三条）",
    )
    reason = (reason or "").strip()
    if not isinstance(days, int) or not 1 <= days <= clock.MAX_EXTENSION_WORKDAYS:
        raise _invalid("days", f"延长的期限应为1至{clock.MAX_EXTENSION_WORKDAYS}个工作日")
    if not reason:
        raise _invalid("reason", "请填写延期理由")
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.RECEIVED, Status.CONSULTING, Status.AWAITING_FEE), "延期答复")
        if locked.extension_days:
            raise _invalid("days", "答复期限只能延长一次，本申请已经延期")
        _check_day(on, not_before=locked.clock_start, what="计时起算日")
        _check_within_reply_period(locked, on, "延期")
        changes: dict = {"extension_days": days}
        if locked.paused_since is None:
            with _schedule_known("on"):
                changes["due_on"] = clock.due_date(
                    locked.clock_start, locked.paused_workdays, days, work_calendar()
                )
        before, after = _change(locked, changes)
        _record(
            application=locked,
            by=by,
            action="application.extend",
            before=before,
            after=after,
            kind=EventKind.EXTENDED,
            on=on,
            basis=BASIS_EXTENSION,
            note=f"延长{days}个工作日。理由：{reason}",
            data={"days": days, "reason": reason, "due_on": _json(locked.due_on)},
        )
    _sync(application, locked)
    return application


# --- reply ---------------------------------------------------------------------------------------------------

_OUTCOMES_WITH_OWN_STEP = {
    "other.no_correction": "逾期未补正的申请请使用“逾期未补正办结”",
    "other.fee_unpaid": "逾期未缴费的申请请使用“逾期未缴费办结”",
}


def application_reply(*, application: Application, by, on: date, outcome: str, note: str = "") -> Application:
    """Conclude the application with exactly one outcome (Art. 36 etc.), counted in one table 3 row."""
    require_write(by, application.agency)
    if outcome not in OUTCOMES_BY_CODE:
        raise _invalid("outcome", "请选择答复结果")
    if outcome in _OUTCOMES_WITH_OWN_STEP:
        raise _invalid("outcome", _OUTCOMES_WITH_OWN_STEP[outcome])
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.RECEIVED,), "作出答复")
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        if (
            outcome == "unable.unclear_after_correction"
            and not locked.events.filter(kind=EventKind.CORRECTION_RECEIVED).exists()
        ):
            raise _invalid("outcome", "只有经补正的申请才能以“补正后申请内容仍不明确”答复")
        late = locked.due_on is not None and on > locked.due_on
        _conclude(
            locked,
            by=by,
            on=on,
            outcome=outcome,
            action="application.reply",
            basis=OUTCOMES_BY_CODE[outcome].basis,
            note=(note or "").strip() or OUTCOMES_BY_CODE[outcome].label,
            data={"due_on": _json(locked.due_on), "late": late},
        )
    _sync(application, locked)
    return application


# --- 行政复议、行政诉讼 (table 4) ----------------------------------------------------------------------------


def review_case_register(
    *,
    agency: Agency,
    by,
    kind: str,
    case_number: str,
    filed_on: date,
    body: str = "",
    application: Application | None = None,
    note: str = "",
) -> ReviewCase:
    require_write(by, agency)
    case_number = (case_number or "").strip()
    errors = {}
    if kind not in CaseKind.values:
        errors["kind"] = "请选择案件类型（行政复议或行政诉讼）"
    if not case_number:
        errors["case_number"] = "请填写案号"
    elif len(case_number) > ReviewCase._meta.get_field("case_number").max_length:
        errors["case_number"] = "案号过长"
    if filed_on > common._today():
        errors["filed_on"] = "日期不能晚于今天"
    if application is not None and application.agency_id != agency.pk:
        errors["application"] = "相关申请不属于本机关"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if ReviewCase.objects.filter(agency=agency, kind=kind, case_number=case_number).exists():
            raise _invalid("case_number", "该案号已经登记")
        case = ReviewCase.objects.create(
            agency=agency,
            kind=kind,
            case_number=case_number,
            filed_on=filed_on,
            body=(body or "").strip(),
            application=application,
            note=(note or "").strip(),
        )
        audit_record(
            actor=by,
            action="review_case.register",
            obj=case,
            agency=agency,
            after={
                "kind": kind,
                "case_number": case_number,
                "filed_on": filed_on.isoformat(),
                "body": case.body,
                "application": application and application.pk,
                "result": case.result,
            },
        )
    return case


def review_case_conclude(*, case: ReviewCase, by, result: str, concluded_on: date) -> ReviewCase:
    require_write(by, case.agency)
    if result not in CaseResult.values or result == CaseResult.PENDING:
        raise _invalid("result", "请选择审结结果（结果维持、结果纠正或其他结果）")
    with transaction.atomic():
        current = ReviewCase.objects.select_for_update().get(pk=case.pk)
        if current.result != CaseResult.PENDING:
            raise _invalid("result", "该案件已经审结")
        _check_day(concluded_on, field="concluded_on", not_before=current.filed_on, what="收到申请/起诉日期")
        before, after = _change(current, {"result": result, "concluded_on": concluded_on})
        audit_record(
            actor=by,
            action="review_case.conclude",
            obj=current,
            agency=current.agency,
            before=before,
            after=after,
        )
    _sync(case, current)
    return case
