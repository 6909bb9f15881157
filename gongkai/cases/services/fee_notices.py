"""信息处理费 (Art. 42, 国办函〔2020〕109号): notice, payment, closing when unpaid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from gongkai.agencies.permissions import require_write
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases import clock, procedure
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import EventKind, FeeScale, Status
from gongkai.cases.fees import MAX_PAGES, fee_calculate, yuan
from gongkai.cases.models import Application, FeeNotice
from gongkai.cases.notify import Notice, notify_applicant
from gongkai.cases.procedure import Step
from gongkai.cases.services import common
from gongkai.cases.services.common import (
    _change,
    _check_day,
    _conclude,
    _due,
    _json,
    _locked,
    _record,
    _resume_changes,
    _sync,
    fee_pauses_clock,
    require_step,
)
from gongkai.errors import Code, invalid
from gongkai.report.formats import OUTCOMES_BY_CODE

# --- 信息处理费 (Art. 42, 国办函〔2020〕109号) -------------------------------------------------------------


def amount_max() -> Decimal:
    """The largest amount the fee notice's column holds (99999999.99 for DECIMAL(10, 2))."""
    field = FeeNotice._meta.get_field("amount")
    return Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(10) ** -field.decimal_places


def application_month_ordinal(application: Application) -> int:
    """The ordinal number of `application` among the same applicant's applications to the same agency in
    the natural month of its receipt (按件计收). The applicant is the same identity number, compared through
    its keyed hash (the number itself is encrypted)."""
    first = application.received_on.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        Application.objects.filter(
            agency_id=application.agency_id,
            id_number_hash=Application._meta.get_field("id_number_hash").hash_of(application.id_number),
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
        raise invalid("scale", Code.INVALID_CHOICE, "请选择计收方式（按件计收或按量计收）")
    if scale == FeeScale.BY_COUNT and quantity is None:
        quantity = application_month_ordinal(application)
    if quantity is None or not isinstance(quantity, int) or quantity < 1:
        raise invalid(
            "quantity", Code.REQUIRED, "请填写页数" if scale == FeeScale.BY_VOLUME else "件数应为正整数"
        )
    if quantity > MAX_PAGES:
        raise invalid("quantity", Code.OUT_OF_RANGE, f"页数或件数不能超过{MAX_PAGES}，请核对")
    fee = fee_calculate(scale, quantity)
    if fee.amount > amount_max():
        raise invalid(
            "quantity",
            Code.OUT_OF_RANGE,
            f"计算出的金额（{yuan(fee.amount)}）超过可记录的上限（{yuan(amount_max())}），请核对页数或件数",
        )
    if fee.amount <= 0:
        raise invalid(
            "quantity",
            Code.NOT_APPLICABLE,
            f"按国办函〔2020〕109号的标准，本申请无需收取信息处理费（{fee.calculation}）",
        )
    _check_day(on)
    pay_due = clock.fee_payment_deadline(notice_received_on=on, cal=work_calendar())
    pauses = fee_pauses_clock()
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.ISSUE_FEE_NOTICE, on=on)
        _check_day(on, not_before=locked.clock_start, what="计时起算日")
        notice = FeeNotice.objects.create(
            application=locked,
            scale=scale,
            quantity=quantity,
            amount=fee.amount,
            calculation=fee.calculation,
            issued_on=on,
            pay_due_on=pay_due.day,
            pay_due_on_estimated=pay_due.estimated,
            reply_due_on=locked.due_on,
            reply_due_on_estimated=locked.due_on_estimated,
            reply_period=clock.reply_period(
                clock_start=locked.clock_start, paused_workdays=locked.paused_workdays,
                extension_days=locked.extension_days, estimated_pauses=locked.estimated_pauses,
            ),
        )  # fmt: skip
        audit_record(
            actor=by,
            action=AuditAction.FEE_NOTICE_ISSUE,
            obj=notice,
            agency=locked.agency,
            after={
                "scale": scale,
                "quantity": quantity,
                "amount": str(fee.amount),
                "issued_on": on.isoformat(),
                "pay_due_on": pay_due.day.isoformat(),
                "pay_due_on_estimated": pay_due.estimated,
            },
        )
        changes: dict = {"status": Status.AWAITING_FEE}
        if pauses:
            changes.update(paused_since=on, due_on=None, due_on_estimated=False)
        before, after = _change(locked, changes)
        _record(
            application=locked,
            by=by,
            action=AuditAction.APPLICATION_ISSUE_FEE_NOTICE,
            before=before,
            after=after,
            kind=EventKind.FEE_NOTICE,
            on=on,
            basis=procedure.event_basis(EventKind.FEE_NOTICE),
            note=f"{fee.calculation}。缴费期限 {_due(*pay_due)}",
            data={
                "fee_notice": notice.pk,
                "amount": str(fee.amount),
                "pay_due_on": pay_due.day.isoformat(),
                "pay_due_on_estimated": pay_due.estimated,
                "pauses_clock": pauses,
            },
        )
        notify_applicant(
            locked, Notice.FEE, amount=notice.amount, pay_due_on=notice.pay_due_on,
            pay_due_on_estimated=notice.pay_due_on_estimated,
        )  # fmt: skip
    _sync(application, locked)
    return notice


def _open_fee_notice(application: Application) -> FeeNotice:
    notices = procedure.open_fee_notices(application.fee_notices.all())
    if not notices:
        raise invalid("status", Code.NOT_APPLICABLE, "该申请没有待缴费的收费通知")
    return notices[0]


def application_record_payment(*, fee_notice: FeeNotice, by, on: date) -> FeeNotice:
    """The applicant paid: the clock runs again (when the fee period stopped it)."""
    application = fee_notice.application
    require_write(by, application.agency)
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.RECORD_PAYMENT, on=on)
        notice = FeeNotice.objects.select_for_update().filter(pk=fee_notice.pk, application=locked).first()
        if notice is None:
            raise invalid("fee_notice", Code.INVALID_CHOICE, "请选择要登记缴费的收费通知")
        if notice.paid_on is not None:
            raise invalid("fee_notice", Code.ALREADY_DONE, "该收费通知已登记缴费")
        _check_day(on, not_before=notice.issued_on, what="收费通知日期")
        notice.paid_on = on
        notice.save(update_fields=["paid_on"])
        audit_record(
            actor=by,
            action=AuditAction.FEE_NOTICE_PAID,
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
        late = on > notice.pay_due_on and not notice.pay_due_on_estimated
        _record(
            application=locked,
            by=by,
            action=AuditAction.APPLICATION_RECORD_PAYMENT,
            before=before,
            after=after,
            kind=EventKind.FEE_PAID,
            on=on,
            basis=procedure.event_basis(EventKind.FEE_PAID),
            note=f"缴纳信息处理费 {notice.amount}元" + ("（逾期缴纳）" if late else ""),
            data={
                "fee_notice": notice.pk,
                "due_on": _json(locked.due_on),
                "due_on_estimated": locked.due_on_estimated,
                "late": late,
            },
        )
    _sync(fee_notice, notice)
    _sync(application, locked)
    return fee_notice


def application_close_unpaid(
    *, application: Application, by, on: date, past_year_reason: str = ""
) -> Application:
    """Not paid by the deadline: treated as abandoned, concluded as 2021 （六）2 (109号)."""
    require_write(by, application.agency)
    outcome = OUTCOMES_BY_CODE["other.fee_unpaid"]
    with transaction.atomic(durable=True):
        locked = _locked(application)
        require_step(locked, Step.CLOSE_UNPAID, on=on)
        notice = _open_fee_notice(locked)
        _check_day(on, not_before=notice.issued_on, what="收费通知日期")
        reason = common.past_year_reason(on, past_year_reason, what="办结日期")
        _conclude(
            locked,
            by=by,
            on=on,
            outcome=outcome.code,
            action=AuditAction.APPLICATION_CLOSE_UNPAID,
            kind=EventKind.REPLIED,
            basis=outcome.basis,
            note="申请人逾期未按收费通知要求缴纳费用，视为放弃申请，不再处理该政府信息公开申请",
            data={"fee_notice": notice.pk, "pay_due_on": notice.pay_due_on.isoformat()},
            reason=reason,
        )
    _sync(application, locked)
    return application
