"""Writes of agencies: each one transaction with its audit event (DESIGN.md)."""

from __future__ import annotations

from django.db import transaction

from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record

_AUDITED_FIELDS = (
    "name",
    "credit_code",
    "is_supervisor",
    "office_name",
    "address",
    "postcode",
    "hours",
    "phone",
    "fax",
    "email",
)


@transaction.atomic
def agency_create(*, name: str, parent: Agency | None = None, by=None, **fields) -> Agency:
    """Create an agency under `parent` (or a root) and keep its materialized path "/<ids of the ancestors>/<id>/".

    `fields` are other Agency fields (credit_code, office_name, address, …); they are validated like a form
    would (ValidationError with Chinese messages). `by` is the acting user, recorded in the audit event.
    """
    if parent is not None and not parent.path:
        raise ValueError(f"上级机关“{parent}”没有层级路径，请通过 agency_create 建立")
    agency = Agency(name=name, parent=parent, **fields)
    # path needs the new id: validate everything else first, write it once the row exists
    agency.full_clean(exclude=["path"])
    agency.save()
    agency.path = f"{parent.path if parent else '/'}{agency.pk}/"
    Agency.objects.filter(pk=agency.pk).update(path=agency.path)
    audit_record(
        actor=by,
        action="agency.create",
        obj=agency,
        agency=agency,
        after={"parent": parent.pk if parent else None, "path": agency.path}
        | {f: getattr(agency, f) for f in _AUDITED_FIELDS},
    )
    return agency
