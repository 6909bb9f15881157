"""What the 主动公开 pages share: which agency a page is about, who may do what there."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.agencies.permissions import roles_in
from gongkai.agencies.selectors import agencies_visible

WRITING = frozenset({Role.CLERK, Role.REVIEWER, Role.HEAD, Role.ADMIN})
COLUMN_ROLES = frozenset({Role.CLERK, Role.ADMIN})  # who manages the column tree
WITHDRAW_ROLES = frozenset({Role.REVIEWER, Role.HEAD, Role.ADMIN})  # as gongkai.catalog.services.items


def roles_by_agency(user) -> dict[int, set[str]]:
    """The user's roles in each agency they belong to (one query)."""
    roles: dict[int, set[str]] = {}
    for agency_id, role in Membership.objects.filter(user=user).values_list("agency_id", "role"):
        roles.setdefault(agency_id, set()).add(role)
    return roles


def visible_agencies(user, roles: dict[int, set[str]] | None = None) -> list[Agency]:
    """The agencies the user sees, those they belong to first (two queries; one with `roles`)."""
    member_of = roles if roles is not None else roles_by_agency(user)
    agencies = list(agencies_visible(user=user).only("pk", "name", "path").order_by("path"))
    return sorted(agencies, key=lambda a: a.pk not in member_of)


def chosen_agency(request, agencies: list[Agency], *, refused: str = "您没有可查看的机关") -> Agency:
    """The agency a page is about: `?agency=` (or the posted field) among `agencies`, else the first;
    PermissionDenied(`refused`) when there is none."""
    if not agencies:
        raise PermissionDenied(refused)
    chosen = (request.POST.get("agency") or request.GET.get("agency") or "").strip()
    if not chosen:
        return agencies[0]
    agency = next((a for a in agencies if str(a.pk) == chosen), None)
    if agency is None:
        raise Http404("未找到该机关")
    return agency


class Rights:
    """What the user may do in one agency's catalog (one query for the roles)."""

    def __init__(self, user, agency):
        self.roles = roles_in(user, agency)

    @property
    def write(self) -> bool:
        return bool(self.roles & WRITING)

    @property
    def columns(self) -> bool:
        return bool(self.roles & COLUMN_ROLES)

    @property
    def withdraw(self) -> bool:
        return bool(self.roles & WITHDRAW_ROLES)

    def require_write(self, what: str = "办理") -> None:
        if not self.write:
            raise PermissionDenied(f"您对该机关的主动公开只有查看权限，不能{what}")
