"""Public reads for the portal: nothing here needs a login, so nothing here returns personal data by itself
(every function is named public_…); the callers show only what a member of the public may see."""

from __future__ import annotations

import secrets

from django.db.models import Exists, OuterRef, Q, QuerySet

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import public_agencies_accepting_online, public_agency_accepting_online
from gongkai.cases import procedure
from gongkai.cases.enums import EventKind, LetterKind, LetterStatus
from gongkai.cases.models import Application, ApplicationEvent, FeeNotice, Letter
from gongkai.catalog.models import Column

__all__ = [
    "public_agencies_accepting_online",
    "public_agencies_on_home",
    "public_agency_accepting_online",
    "public_application_by_query_code",
    "public_correction_request",
    "public_events",
    "public_identity_matches",
    "public_open_fee_notice",
    "public_reply_letter",
]


def public_agencies_on_home() -> QuerySet[Agency]:
    """The agencies the home page lists: those with a 政府信息公开 section (`has_catalog`) or that take online
    applications (`accepting`), in the tree's order. One query."""
    accepting = public_agencies_accepting_online().filter(pk=OuterRef("pk"))
    return (
        Agency.objects.annotate(
            accepting=Exists(accepting), has_catalog=Exists(Column.objects.filter(agency=OuterRef("pk")))
        )
        .filter(Q(accepting=True) | Q(has_catalog=True))
        .order_by("path")
    )


def public_application_by_query_code(*, code: str) -> Application | None:
    """The application with exactly this query code (the code is the applicant's secret; it is stored in
    capitals and callers pass the normalised input)."""
    if not code:
        return None
    return (
        Application.objects.select_related("agency")
        .only(
            "id", "number", "query_code", "agency__name", "agency__phone", "agency__office_name",
            "agency__payment_instructions", "agency__address", "channel", "received_on", "status", "due_on",
            "due_on_estimated",
            "concluded_on", "outcome", "correction_due_on", "paused_since", "extension_days", "clock_start",
            "paused_workdays",
        )
        .filter(query_code=code)
        .first()
    )  # fmt: skip


def public_identity_matches(*, application: Application, last4: str) -> bool:
    """Do these match the last four characters of the applicant's ID number (the second secret)?"""
    number = Application.objects.filter(pk=application.pk).values_list("id_number", flat=True).first() or ""
    return len(last4) == 4 and secrets.compare_digest(number[-4:].upper().encode(), last4.upper().encode())


def public_events(*, application: Application) -> QuerySet[ApplicationEvent]:
    """Kinds and dates of the steps taken; never the notes or data (they may name the applicant)."""
    return application.events.order_by("on", "id").only("kind", "on")


def public_open_fee_notice(*, application: Application) -> FeeNotice | None:
    notices = procedure.open_fee_notices(
        application.fee_notices.only("amount", "issued_on", "pay_due_on", "pay_due_on_estimated", "paid_on")
    )
    return notices[0] if notices else None


def public_correction_request(*, application: Application) -> list[str]:
    """What the 补正 notice asks the applicant to correct, one item per line."""
    event = application.events.filter(kind=EventKind.CORRECTION_REQUESTED).order_by("-on", "-id").first()
    if event is None:
        return []
    return [line.strip() for line in str(event.data.get("items") or "").splitlines() if line.strip()]


def public_reply_letter(*, application: Application) -> Letter | None:
    """The issued 答复告知书 (its text goes only to someone who also knows the applicant's ID suffix)."""
    return (
        application.letters.filter(kind=LetterKind.REPLY, status=LetterStatus.ISSUED)
        .order_by("-issued_on", "-id")
        .defer("docx")
        .first()
    )
