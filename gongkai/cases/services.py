"""Every write of the case system (DESIGN.md "How code is written here").

Each function checks that `by` may write in the agency (PermissionDenied otherwise), validates what the
user can get wrong (ValidationError with a dict field → Chinese message), and then makes its change in one
transaction together with an audit event (before/after of the changed fields) and, for applications, an
ApplicationEvent with the date, the person and the legal basis. A failure anywhere leaves nothing behind.

The clock (gongkai.cases.clock): `due_on` is the day the reply is due while the clock runs, and None while
it stands still (awaiting correction, consulting, awaiting a fee when settings.FEE_PAUSES_CLOCK). A deadline
that needs an unconfirmed year's holiday schedule is refused with a message, never guessed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from gongkai.agencies.models import Agency, Role
from gongkai.agencies.permissions import require_role, require_write
from gongkai.agencies.validators import credit_code_problem, id_number_problem, mask_id_number, mask_phone
from gongkai.audit.services import audit_record
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import (
    ApplicantKind,
    CaseKind,
    CaseResult,
    Channel,
    ConsultationKind,
    Delivery,
    EventKind,
    FeeScale,
    IdType,
    RequestedForm,
    Status,
)
from gongkai.cases.fees import fee_calculate
from gongkai.cases.models import Application, ApplicationEvent, Consultation, FeeNotice, ReviewCase
from gongkai.report.formats import OUTCOMES_BY_CODE
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
    elif received_on > _today():
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


# --- 补正 (Art. 30) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectionRequested:
    application: Application
    event: ApplicationEvent
    notice_deadline: date | None  # None: the holiday schedule of that period is not confirmed
    late: bool | None  # sent after the 7 working days of Art. 30; None when it cannot be known


def application_request_correction(
    *, application: Application, by, on: date, items: str, correction_due_on: date
) -> CorrectionRequested:
    """Send the one 补正 notice (一次性告知): the reply clock stops until the corrected application arrives.
    A notice sent after the 7 working days is recorded and flagged as late (the lateness is a fact to
    keep, not a reason to refuse)."""
    require_write(by, application.agency)
    items = (items or "").strip()
    if not items:
        raise _invalid("items", "请写明需要补正的事项")
    try:
        notice_deadline = clock.correction_notice_deadline(application.received_on, work_calendar())
    except UnconfirmedSchedule:
        notice_deadline = None
    late = None if notice_deadline is None else on > notice_deadline
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.RECEIVED,), "发出补正告知")
        if locked.events.filter(kind=EventKind.CORRECTION_REQUESTED).exists():
            raise _invalid("status", "补正告知应当一次性告知（《条例》第三十条），本申请已发出过补正告知")
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        if correction_due_on <= on:
            raise _invalid("correction_due_on", "补正期限应晚于补正告知日期")
        before, after = _change(
            locked,
            {"status": Status.AWAITING_CORRECTION, "due_on": None, "correction_due_on": correction_due_on},
        )
        note = items
        if late:
            note += f"（晚于《条例》第三十条规定的告知期限 {_d(notice_deadline)}）"
        event = _record(
            application=locked,
            by=by,
            action="application.request_correction",
            before=before,
            after=after,
            kind=EventKind.CORRECTION_REQUESTED,
            on=on,
            basis=BASIS_CORRECTION,
            note=note,
            data={
                "items": items,
                "correction_due_on": correction_due_on.isoformat(),
                "notice_deadline": notice_deadline and notice_deadline.isoformat(),
                "late": late,
            },
        )
    _sync(application, locked)
    return CorrectionRequested(application, event, notice_deadline, late)


def application_receive_correction(*, application: Application, by, on: date) -> Application:
    """The corrected application arrived on `on`: a fresh 20-working-day clock starts (Art. 30)."""
    require_write(by, application.agency)
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.AWAITING_CORRECTION,), "登记补正材料")
        requested = locked.events.filter(kind=EventKind.CORRECTION_REQUESTED).latest("on", "id")
        _check_day(on, not_before=requested.on, what="补正告知日期")
        due = _due_from(locked, on)
        late = locked.correction_due_on is not None and on > locked.correction_due_on
        before, after = _change(
            locked,
            {
                "status": Status.RECEIVED,
                "clock_start": on,
                "paused_workdays": 0,
                "paused_since": None,
                "due_on": due,
            },
        )
        _record(
            application=locked,
            by=by,
            action="application.receive_correction",
            before=before,
            after=after,
            kind=EventKind.CORRECTION_RECEIVED,
            on=on,
            basis=BASIS_CORRECTION,
            note=f"答复期限自收到补正申请之日起重新计算，至 {_d(due)}"
            + ("（补正材料晚于补正期限收到）" if late else ""),
            data={"due_on": due.isoformat(), "late": late},
        )
    _sync(application, locked)
    return application


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


def application_close_uncorrected(*, application: Application, by, on: date) -> Application:
    """Not corrected by the deadline: treated as abandoned, concluded as 2021 （六）1 (Art. 30)."""
    require_write(by, application.agency)
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.AWAITING_CORRECTION,), "按逾期未补正办结")
        _check_day(on, not_before=locked.received_on, what="收到申请日期")
        if locked.correction_due_on is not None and on <= locked.correction_due_on:
            raise _invalid("on", f"补正期限（{_d(locked.correction_due_on)}）届满后才能按逾期未补正办结")
        _conclude(
            locked,
            by=by,
            on=on,
            outcome="other.no_correction",
            action="application.close_uncorrected",
            basis=BASIS_CORRECTION,
            note="申请人无正当理由逾期不补正，视为放弃申请，不再处理该政府信息公开申请",
            data={"correction_due_on": _json(locked.correction_due_on)},
        )
    _sync(application, locked)
    return application


# --- consultation (Art. 32, 34) --------------------------------------------------------------------------


def application_start_consultation(
    *, application: Application, by, kind: str, party: str, on: date
) -> Consultation:
    """Send a consultation letter; the clock stops while any consultation is open (Art. 33 (2))."""
    require_write(by, application.agency)
    party = (party or "").strip()
    if kind not in ConsultationKind.values:
        raise _invalid("kind", "请选择征求意见的类型")
    if not party:
        raise _invalid("party", "请填写被征求意见的第三方或机关")
    with _schedule_known("on"):
        reply_due_on = clock.consultation_reply_deadline(on, work_calendar())
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.RECEIVED, Status.CONSULTING), "征求意见")
        _check_day(on, not_before=locked.clock_start, what="计时起算日")
        _check_within_reply_period(locked, on, "征求意见")
        if locked.paused_since is not None and on < locked.paused_since:
            raise _invalid("on", "日期不能早于正在进行的征求意见的发出日期")
        consultation = Consultation.objects.create(
            application=locked, kind=kind, party=party, sent_on=on, reply_due_on=reply_due_on
        )
        audit_record(
            actor=by,
            action="consultation.start",
            obj=consultation,
            agency=locked.agency,
            after={
                "party": party,
                "kind": kind,
                "sent_on": on.isoformat(),
                "reply_due_on": _json(reply_due_on),
            },
        )
        changes = {"status": Status.CONSULTING}
        if locked.paused_since is None:
            changes.update(paused_since=on, due_on=None)
        before, after = _change(locked, changes)
        _record(
            application=locked,
            by=by,
            action="application.start_consultation",
            before=before,
            after=after,
            kind=EventKind.CONSULTATION_STARTED,
            on=on,
            basis=BASIS_CONSULTATION[kind],
            note=f"征求{party}意见，答复期限 {_d(reply_due_on)}；征求意见所需时间不计算在答复期限内",
            data={"consultation": consultation.pk, "reply_due_on": reply_due_on.isoformat()},
        )
    _sync(application, locked)
    return consultation


def application_end_consultation(*, consultation: Consultation, by, on: date, answer: str) -> Consultation:
    """Record the answer (or its absence: co-agencies' silence is consent, Art. 34); the clock runs again
    when no other consultation of the application is open."""
    application = consultation.application
    require_write(by, application.agency)
    answer = (answer or "").strip()
    with transaction.atomic():
        locked = _locked(application)
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if current.answered_on is not None:
            raise _invalid("consultation", "该征求意见已登记答复")
        _check_day(on, not_before=current.sent_on, what="征求意见发出日期")
        before_c = {"answered_on": None, "answer": current.answer}
        current.answered_on, current.answer = on, answer
        current.save(update_fields=["answered_on", "answer"])
        audit_record(
            actor=by,
            action="consultation.end",
            obj=current,
            agency=locked.agency,
            before=before_c,
            after={"answered_on": on.isoformat(), "answer": answer},
        )
        still_open = locked.consultations.filter(answered_on__isnull=True).exists()
        changes = {} if still_open else _resume_changes(locked, on)
        before, after = _change(locked, changes) if changes else ({}, {})
        silent = "（逾期未提出意见）" if not answer and on > current.reply_due_on else ""
        _record(
            application=locked,
            by=by,
            action="application.end_consultation",
            before=before,
            after=after,
            kind=EventKind.CONSULTATION_ENDED,
            on=on,
            basis=BASIS_CONSULTATION[current.kind],
            note=f"{current.party}：{answer or '未提出意见'}{silent}",
            data={"consultation": current.pk, "resumed": not still_open, "due_on": _json(locked.due_on)},
        )
    _sync(consultation, current)
    _sync(application, locked)
    return consultation


# --- 信息处理费 (Art. 42, 国办函〔2020〕109号) -------------------------------------------------------------


def application_month_ordinal(application: Application) -> int:
    """The ordinal number of `application` among the same applicant's applications to the same agency in
    the natural month of its receipt (按件计收)."""
    first = application.received_on.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        Application.objects.filter(
            agency_id=application.agency_id,
            id_number=application.id_number,
            received_on__gte=first,
            received_on__lt=following,
        )
        .filter(
            Q(received_on__lt=application.received_on)
            | Q(received_on=application.received_on, pk__lte=application.pk)
        )
        .count()
    )


def application_issue_fee_notice(
    *, application: Application, by, on: date, scale: str, quantity: int | None = None
) -> FeeNotice:
    """Issue a 收费通知书 within the reply period. For 按件计收 the quantity is this application's ordinal
    number in the applicant's month, computed from the records unless given."""
    require_write(by, application.agency)
    if scale not in FeeScale.values:
        raise _invalid("scale", "请选择计收方式（按件计收或按量计收）")
    if scale == FeeScale.BY_COUNT and quantity is None:
        quantity = application_month_ordinal(application)
    if quantity is None or quantity < 1:
        raise _invalid("quantity", "请填写页数" if scale == FeeScale.BY_VOLUME else "件数应为正整数")
    fee = fee_calculate(scale, quantity)
    if fee.amount <= 0:
        raise _invalid(
            "quantity", f"按国办函〔2020〕109号的标准，本申请无需收取信息处理费（{fee.calculation}）"
        )
    with _schedule_known("on"):
        pay_due_on = clock.fee_payment_deadline(on, work_calendar())
    pauses = fee_pauses_clock()
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.RECEIVED,), "发出收费通知")
        _check_day(on, not_before=locked.clock_start, what="计时起算日")
        _check_within_reply_period(locked, on, "发出收费通知")
        notice = FeeNotice.objects.create(
            application=locked,
            scale=scale,
            quantity=quantity,
            amount=fee.amount,
            calculation=fee.calculation,
            issued_on=on,
            pay_due_on=pay_due_on,
        )
        audit_record(
            actor=by,
            action="fee_notice.issue",
            obj=notice,
            agency=locked.agency,
            after={
                "scale": scale,
                "quantity": quantity,
                "amount": str(fee.amount),
                "issued_on": on.isoformat(),
                "pay_due_on": pay_due_on.isoformat(),
            },
        )
        changes: dict = {"status": Status.AWAITING_FEE}
        if pauses:
            changes.update(paused_since=on, due_on=None)
        before, after = _change(locked, changes)
        _record(
            application=locked,
            by=by,
            action="application.issue_fee_notice",
            before=before,
            after=after,
            kind=EventKind.FEE_NOTICE,
            on=on,
            basis=BASIS_FEE,
            note=f"{fee.calculation}。缴费期限 {_d(pay_due_on)}",
            data={
                "fee_notice": notice.pk,
                "amount": str(fee.amount),
                "pay_due_on": pay_due_on.isoformat(),
                "pauses_clock": pauses,
            },
        )
    _sync(application, locked)
    return notice


def _open_fee_notice(application: Application) -> FeeNotice:
    notice = application.fee_notices.filter(paid_on__isnull=True).order_by("-issued_on", "-id").first()
    if notice is None:
        raise _invalid("status", "该申请没有待缴费的收费通知")
    return notice


def application_record_payment(*, fee_notice: FeeNotice, by, on: date) -> FeeNotice:
    """The applicant paid: the clock runs again (when the fee period stopped it)."""
    application = fee_notice.application
    require_write(by, application.agency)
    with transaction.atomic():
        locked = _locked(application)
        notice = FeeNotice.objects.select_for_update().get(pk=fee_notice.pk)
        if notice.paid_on is not None:
            raise _invalid("fee_notice", "该收费通知已登记缴费")
        _require_status(locked, (Status.AWAITING_FEE,), "登记缴费")
        _check_day(on, not_before=notice.issued_on, what="收费通知日期")
        notice.paid_on = on
        notice.save(update_fields=["paid_on"])
        audit_record(
            actor=by,
            action="fee_notice.paid",
            obj=notice,
            agency=locked.agency,
            before={"paid_on": None},
            after={"paid_on": on.isoformat()},
        )
        if locked.paused_since is not None:
            changes = _resume_changes(locked, on)
        else:
            changes = {"status": Status.RECEIVED}
        before, after = _change(locked, changes)
        late = on > notice.pay_due_on
        _record(
            application=locked,
            by=by,
            action="application.record_payment",
            before=before,
            after=after,
            kind=EventKind.FEE_PAID,
            on=on,
            basis=BASIS_FEE,
            note=f"缴纳信息处理费 {notice.amount}元" + ("（逾期缴纳）" if late else ""),
            data={"fee_notice": notice.pk, "due_on": _json(locked.due_on), "late": late},
        )
    _sync(fee_notice, notice)
    _sync(application, locked)
    return fee_notice


def application_close_unpaid(*, application: Application, by, on: date) -> Application:
    """Not paid by the deadline: treated as abandoned, concluded as 2021 （六）2 (109号)."""
    require_write(by, application.agency)
    with transaction.atomic():
        locked = _locked(application)
        _require_status(locked, (Status.AWAITING_FEE,), "按逾期未缴费办结")
        notice = _open_fee_notice(locked)
        _check_day(on, not_before=notice.issued_on, what="收费通知日期")
        if on <= notice.pay_due_on:
            raise _invalid("on", f"缴费期限（{_d(notice.pay_due_on)}）届满后才能按逾期未缴费办结")
        _conclude(
            locked,
            by=by,
            on=on,
            outcome="other.fee_unpaid",
            action="application.close_unpaid",
            basis=OUTCOMES_BY_CODE["other.fee_unpaid"].basis,
            note="申请人逾期未按收费通知要求缴纳费用，视为放弃申请，不再处理该政府信息公开申请",
            data={"fee_notice": notice.pk, "pay_due_on": notice.pay_due_on.isoformat()},
        )
    _sync(application, locked)
    return application


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
    if filed_on > _today():
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
