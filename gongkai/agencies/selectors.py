"""Reads of agencies, filtered by who is asking (DESIGN.md: agency isolation lives in selectors).

A user sees the agencies they hold a membership in, and the whole subtree of every agency where they are
上级督查 (Role.SUPERVISOR: read-only over the subtree). Superusers see every agency; anonymous and inactive
users see none.

`agencies_visible` returns a lazy queryset without running a query of its own, so other selectors can use
it as a subquery (`agency__in=agencies_visible(user=user)`) and stay one SQL statement.
"""

from __future__ import annotations

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, QuerySet

from gongkai.agencies.models import Agency, Membership, Role


def agencies_visible(*, user) -> QuerySet[Agency]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    member_of = Membership.objects.filter(user=user, agency=OuterRef("pk"))
    # The agency lies in the subtree of a supervised agency when its path starts with that agency's path
    # ("/1/4/9/" starts with "/1/4/"); the supervised agency itself is included.
    supervising = (
        Membership.objects.filter(user=user, role=Role.SUPERVISOR)
        .annotate(candidate_path=ExpressionWrapper(OuterRef("path"), output_field=CharField()))
        .filter(candidate_path__startswith=F("agency__path"))
    )
    return Agency.objects.filter(Exists(member_of) | Exists(supervising))


def agency_subtree(*, agency: Agency) -> QuerySet[Agency]:
    """The agency and every agency below it (no visibility check: pass an agency the user may see)."""
    return Agency.objects.filter(path__startswith=agency.path)


def agency_roles(*, user, agency: Agency) -> set[str]:
    """The roles the user holds directly in this agency (not inherited from a supervised parent)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


# --- public: no login, published facts only ---------------------------------------------------------------

# Roles that handle applications: an agency with one of them on the platform can take online applications.
_HANDLING_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.ADMIN)


def public_agencies_accepting_online() -> QuerySet[Agency]:
    """Agencies that accept online applications: those with staff on the platform to handle them."""
    staffed = Membership.objects.filter(agency=OuterRef("pk"), role__in=_HANDLING_ROLES)
    return Agency.objects.filter(Exists(staffed)).order_by("path")


def public_agency_accepting_online(*, pk) -> Agency | None:
    try:
        return public_agencies_accepting_online().get(pk=int(pk))
    except (Agency.DoesNotExist, TypeError, ValueError):
        return None
