"""行政复议 and 行政诉讼 cases about the agency's disclosure work (table 4)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from gongkai.agencies.models import Agency
from gongkai.agencies.permissions import require_write
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases.enums import CaseKind, CaseResult
from gongkai.cases.models import Application, ReviewCase
from gongkai.cases.services import common
from gongkai.cases.services.common import _change, _check_day, _sync
from gongkai.errors import Code, clean_text, invalid

NOTE_MAX = 2000


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
    past_year_reason: str = "",
) -> ReviewCase:
    require_write(by, agency)
    errors: dict[str, ValidationError] = {}
    texts = {}
    for field, value, multiline, limit in (
        ("case_number", case_number, False, None),
        ("body", body, False, ReviewCase._meta.get_field("body").max_length),
        ("note", note, True, NOTE_MAX),
    ):
        try:
            texts[field] = clean_text(field, value, multiline=multiline, max_length=limit)
        except ValidationError as error:
            errors.update(error.error_dict)
            texts[field] = ""
    case_number, body, note = texts["case_number"], texts["body"], texts["note"]
    if kind not in CaseKind.values:
        errors["kind"] = ValidationError("请选择案件类型（行政复议或行政诉讼）", code=Code.INVALID_CHOICE)
    if not case_number:
        errors.setdefault("case_number", ValidationError("请填写案号", code=Code.REQUIRED))
    elif len(case_number) > ReviewCase._meta.get_field("case_number").max_length:
        errors["case_number"] = ValidationError("案号过长", code=Code.TOO_LONG)
    if application is not None and application.agency_id != agency.pk:
        errors["application"] = ValidationError("相关申请不属于本机关", code=Code.INVALID)
    if errors:
        raise ValidationError(errors)
    _check_day(filed_on, field="filed_on")
    reason = common.past_year_reason(filed_on, past_year_reason, what="收到申请/起诉日期")
    with transaction.atomic(durable=True):
        if ReviewCase.objects.filter(agency=agency, kind=kind, case_number=case_number).exists():
            raise invalid("case_number", Code.DUPLICATE, "该案号已经登记")
        case = ReviewCase.objects.create(
            agency=agency,
            kind=kind,
            case_number=case_number,
            filed_on=filed_on,
            body=body,
            application=application,
            note=note,
        )
        after = {
            "kind": kind,
            "case_number": case_number,
            "filed_on": filed_on.isoformat(),
            "body": case.body,
            "application": application and application.pk,
            "result": case.result,
        }
        if reason:
            after["past_year_reason"] = reason
        audit_record(actor=by, action=AuditAction.REVIEW_CASE_REGISTER, obj=case, agency=agency, after=after)
    return case


def review_case_conclude(
    *, case: ReviewCase, by, result: str, concluded_on: date, past_year_reason: str = ""
) -> ReviewCase:
    require_write(by, case.agency)
    if result not in CaseResult.values or result == CaseResult.PENDING:
        raise invalid("result", Code.INVALID_CHOICE, "请选择审结结果（结果维持、结果纠正或其他结果）")
    _check_day(concluded_on, field="concluded_on")
    reason = common.past_year_reason(concluded_on, past_year_reason, what="审结日期")
    with transaction.atomic(durable=True):
        current = ReviewCase.objects.select_for_update().get(pk=case.pk)
        if current.result != CaseResult.PENDING:
            raise invalid("result", Code.ALREADY_DONE, "该案件已经审结")
        _check_day(concluded_on, field="concluded_on", not_before=current.filed_on, what="收到申请/起诉日期")
        before, after = _change(current, {"result": result, "concluded_on": concluded_on})
        if reason:
            after["past_year_reason"] = reason
        audit_record(
            actor=by,
            action=AuditAction.REVIEW_CASE_CONCLUDE,
            obj=current,
            agency=current.agency,
            before=before,
            after=after,
        )
    _sync(case, current)
    return case
