"""Write audit events. Call inside the transaction of the change they record."""

from __future__ import annotations

from gongkai.audit.actions import AuditAction
from gongkai.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: AuditAction,
    obj,
    agency=None,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    action = AuditAction(action)  # ValueError for a name that is not in the one list
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=agency,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        before=before,
        after=after,
        ip=ip,
    )
