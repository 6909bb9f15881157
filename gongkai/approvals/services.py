"""Open, decide and withdraw approvals. The object being approved (a letter, an extension) acts through the
handler its app registers for the kind (`register_handler`): approvals know nothing of cases or letters.

- Opening snapshots the agency's steps (`policy_steps`). A step the requester may take themselves is taken at
  once, except a 审核 (review: someone else reviews); with no steps left the request is approved on the spot
  and the handler acts: the clerk issues directly, still audited.
- Deciding: only someone holding the role of the current step in the agency; a refusal needs a reason.
  Approvals run against the statutory limit of the request: after it, an approval is recorded as late, and
  refused when the limit is hard (an extension must be approved before the original due date, Art. 33 (2)).
  A limit counted on an unconfirmed year's weekdays (`limit_estimated`) is never a reason to refuse: whether
  it has passed is not known; the decision is recorded as late on the estimate and the limit is computed
  again once the schedule is confirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import Role
from gongkai.agencies.permissions import can_write, has_role, roles_in
from gongkai.approvals.models import (
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalRequest,
    Kind,
    RequestStatus,
    StepName,
)
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.errors import Code, clean_text, invalid

DEFAULT_STEPS: dict[str, tuple[dict, ...]] = {
    Kind.LETTER: (
        {"name": StepName.REVIEW, "role": Role.REVIEWER},
        {"name": StepName.SIGN, "role": Role.HEAD},
    ),
    # Art. 33 (2): an extension needs the consent of the head of the disclosure office
    Kind.EXTENSION: ({"name": StepName.APPROVE, "role": Role.HEAD},),
    # 先审查、后公开: a reviewer's 保密审查, then a leader of the unit approves the publication
    Kind.CATALOG_ITEM: (
        {"name": StepName.REVIEW, "role": Role.REVIEWER},
        {"name": StepName.APPROVE, "role": Role.HEAD},
    ),
}
# Steps a policy may not go without, whatever the agency configures.
REQUIRED_LAST_ROLE = {Kind.EXTENSION: Role.HEAD}
MAX_STEPS = 3
COMMENT_MAX = 500


@dataclass(frozen=True)
class Handler:
    """What happens to the subject of a request of one kind."""

    on_approved: Callable[[ApprovalRequest, object, dt.date], None]
    on_refused: Callable[[ApprovalRequest, object, dt.date, str], None]
    on_withdrawn: Callable[[ApprovalRequest, object], None]
    url: Callable[[ApprovalRequest], str]  # where the queue links to


_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    _HANDLERS[Kind(kind)] = handler


def handler_of(kind: str) -> Handler:
    return _HANDLERS[Kind(kind)]


def policy_steps(*, agency, kind: str) -> list[dict]:
    """The steps of `kind` in `agency`: its policy, or the default (审核 + 签发 for letters)."""
    policy = ApprovalPolicy.objects.filter(agency=agency, kind=kind).only("steps").first()
    steps = policy.steps if policy is not None else DEFAULT_STEPS[Kind(kind)]
    return [{"name": str(s["name"]), "role": str(s["role"])} for s in steps]


def check_steps(kind: str, steps: list[dict]) -> list[dict]:
    """Valid steps for a policy (ValidationError otherwise)."""
    if len(steps) > MAX_STEPS:
        raise invalid("steps", Code.INVALID, f"审批环节最多{MAX_STEPS}个")
    for step in steps:
        if step.get("name") not in StepName.values or step.get("role") not in Role.values:
            raise invalid("steps", Code.INVALID_CHOICE, "审批环节设置有误")
        if step["role"] == Role.SUPERVISOR:
            raise invalid("steps", Code.INVALID_CHOICE, "上级督查账号只读，不能担任审批环节")
    required = REQUIRED_LAST_ROLE.get(Kind(kind))
    if required and (not steps or steps[-1]["role"] != required):
        raise invalid("steps", Code.INVALID, f"该事项最后须经{Role(required).label}同意")
    return [{"name": s["name"], "role": s["role"]} for s in steps]


def _snapshot(request: ApprovalRequest) -> dict:
    return {"status": request.status, "step": request.step}


def approval_open(
    *,
    agency,
    kind: str,
    subject,
    title: str,
    by,
    on: dt.date,
    reason: str = "",
    payload: dict | None = None,
    limit_on: dt.date | None = None,
    limit_text: str = "",
    limit_hard: bool = False,
    limit_estimated: bool = False,
) -> ApprovalRequest:
    """Open a request within the caller's transaction (the caller is the service of the subject)."""
    request = ApprovalRequest.objects.create(
        agency=agency,
        kind=Kind(kind),
        subject_type=type(subject).__name__,
        subject_id=subject.pk,
        title=title[:200],
        reason=reason,
        payload=payload or {},
        steps=policy_steps(agency=agency, kind=kind),
        limit_on=limit_on,
        limit_text=limit_text[:200],
        limit_hard=limit_hard,
        limit_estimated=bool(limit_on) and limit_estimated,
        requested_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(
        actor=by,
        action=AuditAction.APPROVAL_REQUEST,
        obj=request,
        agency=agency,
        after={
            "kind": request.kind,
            "subject": f"{request.subject_type}:{request.subject_id}",
            "steps": request.steps,
            "limit_on": limit_on and limit_on.isoformat(),
            "limit_estimated": request.limit_estimated,
            "reason": reason,
        },
    )
    roles = roles_in(by, agency)
    while (step := request.current) is not None and step["name"] != StepName.REVIEW and step["role"] in roles:
        _decide(request, by=by, approved=True, comment="", on=on)
    if not request.steps:
        _finish(request, by, on, _snapshot(request))
    return request


def _audit(request: ApprovalRequest, by, action: AuditAction, before: dict, **extra) -> None:
    audit_record(
        actor=by, action=action, obj=request, agency=request.agency, before=before,
        after={**_snapshot(request), **extra},
    )  # fmt: skip


def _close(request: ApprovalRequest, status: str) -> None:
    request.status = status
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "step"])


def _finish(request: ApprovalRequest, by, on: dt.date, before: dict, decision: dict | None = None) -> None:
    """Approve the request and let the handler act; `decision` is the comment and lateness of the last
    step's decision (none when there were no steps), recorded in the same audit event."""
    _close(request, RequestStatus.APPROVED)
    _audit(request, by, AuditAction.APPROVAL_APPROVE, before, direct=not request.steps, **(decision or {}))
    handler_of(request.kind).on_approved(request, by, on)


def _decide(request: ApprovalRequest, *, by, approved: bool, comment: str, on: dt.date) -> None:
    step = request.current
    late = bool(request.limit_on and on > request.limit_on)
    ApprovalDecision.objects.create(
        request=request,
        step=request.step,
        name=step["name"],
        role=step["role"],
        approved=approved,
        by=by,
        on=on,
        comment=comment,
        late=late,
    )
    before = _snapshot(request)
    if not approved:
        _close(request, RequestStatus.REFUSED)
        _audit(request, by, AuditAction.APPROVAL_REFUSE, before, comment=comment, late=late)
        handler_of(request.kind).on_refused(request, by, on, comment)
        return
    request.step += 1
    if request.step < len(request.steps):
        request.save(update_fields=["step"])
        _audit(request, by, AuditAction.APPROVAL_APPROVE, before, comment=comment, late=late)
        return
    _finish(request, by, on, before, {"comment": comment, "late": late})


def approval_decide(
    *, request: ApprovalRequest, by, approved: bool, comment: str = "", on: dt.date
) -> ApprovalRequest:
    """The decision of the current step. Refused unless `by` holds its role in the agency."""
    comment = clean_text("comment", comment, multiline=True, max_length=COMMENT_MAX)
    with transaction.atomic(durable=True):
        locked = _locked(request)
        step = locked.current
        if step is None:
            raise invalid(
                None, Code.ALREADY_DONE, f"该事项已{RequestStatus(locked.status).label}，无需再审批"
            )
        if not has_role(by, locked.agency, step["role"]):
            raise PermissionDenied(
                f"{StepName(step['name']).label}须由{Role(step['role']).label}办理，您在“{locked.agency}”没有该角色"
            )
        if step["name"] == StepName.REVIEW and locked.requested_by_id == getattr(by, "pk", None):
            raise PermissionDenied("审核应由提请人以外的审核人办理")
        if not approved and not comment:
            raise invalid("comment", Code.REQUIRED, "不同意的，请写明理由")
        if approved and limit_blocks(locked, on):
            raise invalid(
                None,
                Code.APPROVAL_LIMIT_PASSED,
                f"已超过法定期限（{_d(locked.limit_on)}，{locked.limit_text}），不能再批准",
            )
        _decide(locked, by=by, approved=approved, comment=comment, on=on)
    request.refresh_from_db()
    return request


def approval_withdraw(*, request: ApprovalRequest, by) -> ApprovalRequest:
    """The requester (or a colleague who may write in the agency) takes a pending request back."""
    with transaction.atomic(durable=True):
        locked = _locked(request)
        if not can_write(by, locked.agency):
            raise PermissionDenied(f"您没有在“{locked.agency}”办理此事项的权限")
        if locked.status != RequestStatus.PENDING:
            raise invalid(None, Code.ALREADY_DONE, f"该事项已{RequestStatus(locked.status).label}，不能撤回")
        before = _snapshot(locked)
        _close(locked, RequestStatus.WITHDRAWN)
        _audit(locked, by, AuditAction.APPROVAL_WITHDRAW, before)
        handler_of(locked.kind).on_withdrawn(locked, by)
    request.refresh_from_db()
    return request


def limit_blocks(request: ApprovalRequest, on: dt.date) -> bool:
    """Would approving on `on` be refused for the statutory limit? Only a hard limit known for certain."""
    return bool(
        request.limit_hard and request.limit_on and not request.limit_estimated and on > request.limit_on
    )


def _locked(request: ApprovalRequest) -> ApprovalRequest:
    return ApprovalRequest.objects.select_for_update(of=("self",)).select_related("agency").get(pk=request.pk)


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def policy_set(*, agency, kind: str, steps: list[dict], by) -> None:
    """Set an agency's approval steps for a kind (within the caller's transaction, which audits it)."""
    steps = check_steps(kind, steps)
    ApprovalPolicy.objects.update_or_create(agency=agency, kind=kind, defaults={"steps": steps})
