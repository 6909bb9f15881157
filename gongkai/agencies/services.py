"""Writes of agencies: each one transaction with its audit event (DESIGN.md)."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.agencies.permissions import has_role
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.errors import Code, clean_text, invalid

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
        action=AuditAction.AGENCY_CREATE,
        obj=agency,
        agency=agency,
        after={"parent": parent.pk if parent else None, "path": agency.path}
        | {f: getattr(agency, f) for f in _AUDITED_FIELDS},
    )
    return agency


# --- memberships: the only way roles are given and taken (admin, demo and tests use these) ----------------


def _membership_record(membership: Membership, by, action: AuditAction, **extra) -> None:
    values = {"user": membership.user.get_username(), "role": membership.role, **extra}
    audit_record(
        actor=by,
        action=action,
        obj=membership,
        agency=membership.agency,
        before=values if action == AuditAction.MEMBERSHIP_REVOKE else None,
        after=values if action == AuditAction.MEMBERSHIP_GRANT else None,
    )


def membership_grant(*, user, agency: Agency, role: str, by=None) -> Membership:
    """Give `user` a role in `agency` (nothing happens if they hold it already); audited."""
    if role not in Role.values:
        raise invalid("role", Code.INVALID_CHOICE, "请选择角色")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
        if created:
            _membership_record(membership, by, AuditAction.MEMBERSHIP_GRANT)
    return membership


def membership_revoke(*, membership: Membership, by=None) -> None:
    """Take a role away; audited."""
    with transaction.atomic():
        _membership_record(membership, by, AuditAction.MEMBERSHIP_REVOKE)
        Membership.objects.filter(pk=membership.pk).delete()


# --- an agency's own settings (its 管理员) -----------------------------------------------------------------

_CODE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{1,20}$")
SETTINGS_FIELDS = (
    "letter_code",
    "letter_codes",
    "review_body",
    "court",
    "payment_instructions",
    "index_code",
)
PAYMENT_INSTRUCTIONS_MAX = 500


def _check_index_code(code: str) -> str:
    """The 索引号 prefix: letters and digits (a hyphen allowed, as in 0142768-8), or blank (then the organisation
    code inside the credit code). Changing it changes new numbers only: numbers given are never changed."""
    code = clean_text("index_code", code, max_length=20).upper()
    if code and not re.fullmatch(r"[0-9A-Z][0-9A-Z-]{3,19}", code):
        raise invalid(
            "index_code", Code.INVALID, "索引号机构代码只能由数字、大写字母和连字符组成，如“010536271”"
        )
    return code


def _check_code(field: str, code: str, agency: Agency) -> str:
    code = code.strip()
    if code and not _CODE.fullmatch(code):
        raise invalid(field, Code.INVALID, "机关代字应为1至20个汉字、字母或数字，不含〔〕、空格和标点")
    if code and (
        Agency.objects.exclude(pk=agency.pk).filter(letter_code=code).exists()
        or any(
            code in (a or {}).values()
            for a in Agency.objects.exclude(pk=agency.pk).values_list("letter_codes", flat=True)
        )
    ):
        raise invalid(field, Code.DUPLICATE, f"机关代字“{code}”已被其他机关使用，文号会重复")
    return code


def _check_codes_apart(letter_code: str, letter_codes: dict[str, str]) -> None:
    """A kind with its own code is numbered in its own sequence: the same code on two sequences of the agency
    (its code and a kind's, or two kinds') would give the same 文号 twice."""
    used = {letter_code.strip()} if letter_code.strip() else set()
    for kind, code in letter_codes.items():
        code = code.strip()
        if not code:
            continue
        if code in used:
            raise invalid(
                f"letter_code_{kind}",
                Code.DUPLICATE,
                f"机关代字“{code}”已用于本机关其他文书：单独编号的文书须使用不同的机关代字，否则文号会重复",
            )
        used.add(code)


def agency_settings_update(
    *, agency: Agency, by, letter_steps: list[dict], catalog_steps: list[dict] | None = None, **fields
) -> Agency:
    """The agency's 机关代字 (one, and optionally one per letter kind), 复议机关, court, how to pay a fee, the
    approval levels of its letters and (when given) of the catalog's 保密审查, and its 索引号 code. Only its
    管理员."""
    from gongkai.approvals.models import ApprovalPolicy, Kind
    from gongkai.approvals.services import policy_set, policy_steps

    if not has_role(by, agency, Role.ADMIN):
        raise PermissionDenied(f"只有“{agency}”的管理员可以修改本机关设置")
    changes = {name: fields[name] for name in SETTINGS_FIELDS if name in fields}
    if "letter_code" in changes:
        changes["letter_code"] = _check_code("letter_code", changes["letter_code"], agency)
    if "letter_codes" in changes:
        changes["letter_codes"] = {
            kind: _check_code(f"letter_code_{kind}", code, agency)
            for kind, code in changes["letter_codes"].items()
            if code.strip()
        }
    _check_codes_apart(
        changes.get("letter_code", agency.letter_code or ""),
        changes.get("letter_codes", agency.letter_codes or {}),
    )
    if "index_code" in changes:
        changes["index_code"] = _check_index_code(changes["index_code"])
    for name in ("review_body", "court"):
        if name in changes:
            limit = Agency._meta.get_field(name).max_length
            changes[name] = " ".join(clean_text(name, changes[name], max_length=limit).split())
    if "payment_instructions" in changes:
        changes["payment_instructions"] = clean_text(
            "payment_instructions", changes["payment_instructions"], multiline=True,
            max_length=PAYMENT_INSTRUCTIONS_MAX,
        )  # fmt: skip
    with transaction.atomic(durable=True):
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = {name: getattr(locked, name) for name in changes}
        before["letter_steps"] = policy_steps(agency=locked, kind=Kind.LETTER)
        before["catalog_steps"] = policy_steps(agency=locked, kind=Kind.CATALOG_ITEM)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["path", "parent"])
        locked.save(update_fields=list(changes))
        policy_set(agency=locked, kind=Kind.LETTER, steps=letter_steps, by=by)
        if catalog_steps is not None:
            policy_set(agency=locked, kind=Kind.CATALOG_ITEM, steps=catalog_steps, by=by)
        after = {name: getattr(locked, name) for name in changes}
        after["letter_steps"] = list(ApprovalPolicy.objects.get(agency=locked, kind=Kind.LETTER).steps)
        after["catalog_steps"] = policy_steps(agency=locked, kind=Kind.CATALOG_ITEM)
        audit_record(
            actor=by,
            action=AuditAction.AGENCY_SETTINGS,
            obj=locked,
            agency=locked,
            before=before,
            after=after,
        )
    for name, value in changes.items():
        setattr(agency, name, value)
    return agency
