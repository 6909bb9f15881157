"""Registering an application (登记): by a clerk, or submitted online with its attachment."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models.functions import Length

from gongkai.agencies.models import Agency
from gongkai.agencies.permissions import require_write
from gongkai.agencies.selectors import public_agency_accepting_online
from gongkai.audit.actions import AuditAction
from gongkai.cases import clock, procedure
from gongkai.cases.applicant import Applicant, Surface, applicant_problems, problems_error, shown_identity
from gongkai.cases.attachments import attachment_file_remove, attachment_store
from gongkai.cases.calendar import work_calendar
from gongkai.cases.enums import Channel, EventKind, Status
from gongkai.cases.models import Application, Attachment
from gongkai.cases.notify import Notice, notify_applicant
from gongkai.cases.services import common
from gongkai.cases.services.common import (
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    _due,
    _json,
    _record,
    past_year_reason,
)
from gongkai.errors import Code, invalid
from gongkai.web.attachments import CheckedUpload

_NUMBER_PREFIX = "依申〔{year}〕第"
_AUDIT_FIELDS = (
    "number", "applicant_kind", "applicant_name", "id_type", "channel", "received_on", "status", "clock_start",
    "due_on", "due_on_estimated",
)  # fmt: skip


def _next_number(agency: Agency, year: int) -> str:
    prefix = _NUMBER_PREFIX.format(year=year)
    last = (
        Application.objects.filter(agency=agency, number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix).removesuffix("号")) + 1 if last else 1
    return f"{prefix}{sequence:04d}号"


def new_query_code() -> str:
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
                    query_code=new_query_code(),
                    **fields,
                )
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _register(
    *, agency: Agency, by, applicant: Applicant, channel: str, received_on: date, reason: str = ""
) -> Application:
    """Within the caller's transaction: validate, number, record."""
    if channel not in Channel.values:
        raise invalid("channel", Code.INVALID_CHOICE, "请选择申请方式")
    if problems := applicant_problems(applicant):
        raise problems_error(problems)
    common._check_day(received_on, field="received_on")
    reason = past_year_reason(received_on, reason, what="收到申请日期")
    due = clock.due_date(clock_start=received_on, paused_workdays=0, extension_days=0, cal=work_calendar())
    application = _create_numbered(
        agency,
        {
            **applicant.as_fields(),
            "channel": channel,
            "received_on": received_on,
            "status": Status.RECEIVED,
            "clock_start": received_on,
            "due_on": due.day,
            "due_on_estimated": due.estimated,
            "created_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    after = {name: _json(getattr(application, name)) for name in _AUDIT_FIELDS}
    masked = shown_identity(
        id_type=application.id_type, id_number=application.id_number, phone=application.phone,
        surface=Surface.EXPORT, staff=False,
    )  # fmt: skip
    after |= {"id_number": masked.id_number, "phone": masked.phone}
    _record(
        application=application,
        by=by,
        action=AuditAction.APPLICATION_REGISTER,
        before=None,
        after=after,
        kind=EventKind.RECEIVED,
        on=received_on,
        basis=procedure.event_basis(EventKind.RECEIVED),
        note=f"{Channel(application.channel).label}，答复期限 {_due(*due)}",
        data={"due_on": due.day.isoformat(), "due_on_estimated": due.estimated},
        reason=reason,
    )
    notify_applicant(application, Notice.RECEIVED)
    return application


def application_register(
    *,
    agency: Agency,
    by,
    applicant: Applicant,
    channel: str,
    received_on: date,
    past_year_reason: str = "",
) -> Application:
    """A clerk registers an application (登记); the 20 working days run from the day of receipt (Art. 31,
    33 (2)). An application received in an earlier year changes that year's figures: it needs a reason."""
    require_write(by, agency)
    with transaction.atomic(durable=True):
        return _register(
            agency=agency, by=by, applicant=applicant, channel=channel, received_on=received_on,
            reason=past_year_reason,
        )  # fmt: skip


def application_submit_online(
    *, agency: Agency, applicant: Applicant, attachment: CheckedUpload | None = None
) -> Application:
    """The public submits an application online (Art. 29), received today (Art. 31 (三)), with an optional
    attachment already checked for size and type. All or nothing: when anything fails, no application and
    no file remain."""
    if public_agency_accepting_online(pk=agency.pk) is None:
        raise PermissionDenied("该机关暂不受理网上申请")
    stored = None
    try:
        with transaction.atomic(durable=True):
            application = _register(
                agency=agency,
                by=None,
                applicant=applicant,
                channel=Channel.ONLINE,
                received_on=common._today(),
            )
            if attachment is not None:
                stored = attachment_store(
                    application=application, upload=attachment, source=Attachment.Source.APPLICATION
                )
    except BaseException:
        if stored is not None:  # the row went with the rollback; its file goes now
            attachment_file_remove(stored)
        raise
    return application
