"""Registering an application (登记): validation of the applicant's data, number and query code."""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Length

from gongkai.agencies.models import Agency
from gongkai.agencies.permissions import require_write
from gongkai.agencies.validators import credit_code_problem, id_number_problem, mask_id_number, mask_phone
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import (
    ApplicantKind,
    Channel,
    Delivery,
    EventKind,
    IdType,
    RequestedForm,
    Status,
)
from gongkai.cases.models import Application
from gongkai.cases.services import common
from gongkai.cases.services.common import (
    _LANDLINE,
    _MOBILE,
    _NUMBER_SEQUENCE,
    _POSTCODE,
    BASIS_REGISTER,
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    _d,
    _json,
    _record,
    _schedule_known,
)

# --- registration ---------------------------------------------------------------------------------------


_TEXT_FIELDS = ("applicant_name", "description", "email", "address", "postcode", "contact_person")
_CHOICES = (
    ("applicant_kind", ApplicantKind, "申请人类型"),
    ("id_type", IdType, "身份证明类型"),
    ("requested_form", RequestedForm, "信息的指定提供形式"),
    ("delivery", Delivery, "获取信息的方式"),
    ("channel", Channel, "申请方式"),
)
_REQUIRED = (
    ("applicant_name", "申请人姓名或者名称"),
    ("id_number", "身份证明号码"),
    ("description", "所需政府信息的名称、文号或者便于查询的其他特征性描述"),
)


def _clean_registration(raw: dict) -> dict:
    """The cleaned fields of a new application, or ValidationError listing every problem."""
    fields = dict(raw)
    for name in _TEXT_FIELDS:
        fields[name] = (raw[name] or "").strip()
    fields["id_number"] = (raw["id_number"] or "").strip().upper()
    fields["phone"] = re.sub(r"[\s()（）]", "", raw["phone"] or "")
    errors: dict[str, str] = {}
    for check in (_form_errors, _identity_errors, _contact_errors):
        for name, message in check(fields).items():
            errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    return fields


def _form_errors(fields: dict) -> dict[str, str]:
    errors = {
        name: f"请选择{label}" for name, choices, label in _CHOICES if fields[name] not in choices.values
    }
    errors |= {name: f"请填写{label}" for name, label in _REQUIRED if not fields[name]}
    for name in ("applicant_name", "id_number", "contact_person", "address", "email"):
        limit = Application._meta.get_field(name).max_length
        if len(fields[name]) > limit:
            errors[name] = f"不能超过{limit}个字"
    received_on = fields["received_on"]
    if not isinstance(received_on, date):
        errors["received_on"] = "请填写收到申请日期"
    elif received_on > common._today():
        errors["received_on"] = "收到申请日期不能晚于今天"
    return errors


def _identity_errors(fields: dict) -> dict[str, str]:
    """Organisations prove who they are by 统一社会信用代码, natural persons by a personal document."""
    kind, id_type, number = fields["applicant_kind"], fields["id_type"], fields["id_number"]
    if kind not in ApplicantKind.values or id_type not in IdType.values:
        return {}
    if kind != ApplicantKind.NATURAL_PERSON and id_type != IdType.CREDIT_CODE:
        return {"id_type": "法人或者其他组织应提供统一社会信用代码"}
    if kind == ApplicantKind.NATURAL_PERSON and id_type == IdType.CREDIT_CODE:
        return {"id_type": "自然人应提供居民身份证、护照等个人身份证明，不能使用统一社会信用代码"}
    checker = {IdType.RESIDENT_ID: id_number_problem, IdType.CREDIT_CODE: credit_code_problem}.get(id_type)
    problem = checker(number) if checker and number else None
    return {"id_number": problem} if problem else {}


def _contact_errors(fields: dict) -> dict[str, str]:
    errors = {}
    phone = fields["phone"]
    if not phone:
        errors["phone"] = "请填写联系电话"
    elif not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        errors["phone"] = "联系电话格式不正确：手机号码为11位，固定电话请加区号（如 0951-1234567）"
    if fields["email"]:
        try:
            validate_email(fields["email"])
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确"
    if fields["postcode"] and not _POSTCODE.fullmatch(fields["postcode"]):
        errors["postcode"] = "邮政编码应为6位数字"
    if fields["delivery"] == Delivery.POST and not fields["address"]:
        errors["address"] = "选择邮寄的，请填写通信地址"
    if fields["delivery"] == Delivery.EMAIL and not fields["email"]:
        errors["email"] = "选择电子邮件获取的，请填写电子邮箱"
    return errors


def _next_number(agency: Agency, year: int) -> str:
    prefix = f"依申〔{year}〕第"
    last = (
        Application.objects.filter(agency=agency, number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(_NUMBER_SEQUENCE.search(last).group(1)) + 1 if last else 1
    return f"{prefix}{sequence:04d}号"


def _new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def _create_numbered(agency: Agency, fields: dict, attempts: int = 5) -> Application:
    # The agency row lock serialises numbering within an agency; the savepoint and retry cover the
    # remaining clash (a query code drawn twice).
    Agency.objects.select_for_update().filter(pk=agency.pk).exists()
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return Application.objects.create(
                    agency=agency,
                    number=_next_number(agency, fields["received_on"].year),
                    query_code=_new_query_code(),
                    **fields,
                )
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


_AUDIT_REGISTER_FIELDS = (
    "number",
    "applicant_kind",
    "applicant_name",
    "id_type",
    "channel",
    "received_on",
    "status",
    "clock_start",
    "due_on",
)


def application_register(
    *,
    agency: Agency,
    by,
    applicant_kind: str,
    applicant_name: str,
    id_type: str,
    id_number: str,
    phone: str,
    description: str,
    requested_form: str,
    delivery: str,
    channel: str,
    received_on: date,
    email: str = "",
    address: str = "",
    postcode: str = "",
    contact_person: str = "",
) -> Application:
    """Register an application (登记); the 20 working days run from the day of receipt (Art. 31, 33).

    `by` is the clerk who registers it, or None for an application the public submits online (Art. 29).
    """
    if not (by is None and channel == Channel.ONLINE):
        require_write(by, agency)
    fields = _clean_registration(
        {
            "applicant_kind": applicant_kind,
            "applicant_name": applicant_name,
            "id_type": id_type,
            "id_number": id_number,
            "phone": phone,
            "description": description,
            "requested_form": requested_form,
            "delivery": delivery,
            "channel": channel,
            "received_on": received_on,
            "email": email,
            "address": address,
            "postcode": postcode,
            "contact_person": contact_person,
        }
    )
    with _schedule_known("received_on"):
        due = clock.due_date(received_on, 0, 0, work_calendar())
    with transaction.atomic():
        application = _create_numbered(
            agency,
            {
                **fields,
                "status": Status.RECEIVED,
                "clock_start": received_on,
                "due_on": due,
                "created_by": by,
            },
        )
        after = {name: _json(getattr(application, name)) for name in _AUDIT_REGISTER_FIELDS}
        after["id_number"] = mask_id_number(application.id_number)
        after["phone"] = mask_phone(application.phone)
        _record(
            application=application,
            by=by,
            action="application.register",
            before=None,
            after=after,
            kind=EventKind.RECEIVED,
            on=received_on,
            basis=BASIS_REGISTER,
            note=f"{Channel(application.channel).label}，答复期限 {_d(due)}",
            data={"due_on": due.isoformat()},
        )
    return application
