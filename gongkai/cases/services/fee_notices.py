"""信息处理费 (Art. 42, 国办函〔2020〕109号): notice, payment, closing when unpaid."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from gongkai.agencies.permissions import require_write
from gongkai.audit.services import audit_record
from gongkai.cases import clock
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import (
    EventKind,
    FeeScale,
    Status,
)
from gongkai.cases.fees import fee_calculate
from gongkai.cases.models import Application, FeeNotice
from gongkai.cases.services.common import (
    BASIS_FEE,
    _change,
    _check_day,
    _check_within_reply_period,
    _conclude,
    _d,
    _invalid,
    _json,
    _locked,
    _record,
    _require_status,
    _resume_changes,
    _schedule_known,
    _sync,
    fee_pauses_clock,
)
from gongkai.report.formats import OUTCOMES_BY_CODE

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
