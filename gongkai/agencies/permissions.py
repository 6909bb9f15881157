"""Who may do what in an agency. Memberships are per agency: a role in a parent agency gives no rights in
its children, and a 上级督查 (supervisor) membership only reads. Django superusers get no implicit rights
here: an administrator acts in an agency through a membership like everyone else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongkai.agencies.models import Membership, Role

WRITING_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.HEAD, Role.ADMIN})


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def roles_in(user, agency) -> set[str]:
    if not _active(user) or agency is None:
        return set()
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def can_write(user, agency) -> bool:
    """May `user` change records of `agency` (clerk, reviewer, head or admin there)?"""
    if not _active(user) or agency is None:
        return False
    return Membership.objects.filter(user=user, agency=agency, role__in=WRITING_ROLES).exists()


def has_role(user, agency, role: str) -> bool:
    if not _active(user) or agency is None:
        return False
    return Membership.objects.filter(user=user, agency=agency, role=role).exists()


def require_write(user, agency) -> None:
    if not can_write(user, agency):
        raise PermissionDenied(f"您没有在“{agency}”办理此事项的权限")


def require_role(user, agency, role: str, message: str) -> None:
    if not has_role(user, agency, role):
        raise PermissionDenied(message)
