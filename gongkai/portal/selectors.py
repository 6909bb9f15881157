"""Public reads for the portal. Nothing here needs a login, so nothing here returns personal data by
itself: callers show only what a member of the public may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.cases.models import Application, ApplicationEvent

# Roles that handle applications: an agency with one of them on the platform can take online applications.
_HANDLING_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.ADMIN)


def agencies_accepting_online() -> QuerySet[Agency]:
    """Agencies that accept online applications: those with staff on the platform to handle them."""
    staffed = Membership.objects.filter(agency=OuterRef("pk"), role__in=_HANDLING_ROLES)
    return Agency.objects.filter(Exists(staffed)).order_by("path")


def agency_accepting_online(*, pk) -> Agency | None:
    try:
        return agencies_accepting_online().get(pk=int(pk))
    except (Agency.DoesNotExist, TypeError, ValueError):
        return None


def application_by_query_code(*, code: str) -> Application | None:
    """The application with exactly this query code (the code is the applicant's secret)."""
    if not code:
        return None
    return (
        Application.objects.select_related("agency")
        .only(
            "id", "number", "query_code", "agency__name", "agency__phone", "agency__office_name", "channel",
            "received_on", "status", "due_on", "concluded_on", "outcome", "correction_due_on", "paused_since",
            "extension_days",
        )
        .filter(query_code=code)
        .first()
    )  # fmt: skip


def public_events(*, application: Application) -> QuerySet[ApplicationEvent]:
    """Kinds and dates of the steps taken; never the notes or data (they may name the applicant)."""
    return application.events.order_by("on", "id").only("kind", "on")
