"""Reads of approvals: the queue of what waits for a user, the history of a subject."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from gongkai.agencies.models import Membership
from gongkai.approvals.models import ApprovalDecision, ApprovalRequest, RequestStatus


@dataclass(frozen=True)
class QueueItem:
    request: ApprovalRequest
    url: str
    late: bool  # deciding today would miss the statutory limit (on the estimate when it is one)
    blocked: bool  # ... and an approval would be refused for it


def approvals_awaiting(*, user, today: dt.date, limit: int | None = None) -> list[QueueItem]:
    """Pending requests whose current step the user may take (by role, in that agency), the most urgent
    (earliest limit) first. Two queries: the user's memberships, the pending requests of those agencies."""
    from gongkai.approvals.services import handler_of, limit_blocks

    if user is None or not user.is_authenticated or not user.is_active:
        return []
    roles: dict[int, set[str]] = defaultdict(set)
    for agency_id, role in Membership.objects.filter(user=user).values_list("agency_id", "role"):
        roles[agency_id].add(role)
    if not roles:
        return []
    pending = ApprovalRequest.objects.filter(
        status=RequestStatus.PENDING, agency_id__in=list(roles)
    ).select_related("agency", "requested_by")
    items = []
    for request in pending:
        step = request.current
        if step is None or step["role"] not in roles[request.agency_id]:
            continue
        if step["name"] == "review" and request.requested_by_id == user.pk:
            continue  # someone else reviews
        late = bool(request.limit_on and today > request.limit_on)
        items.append(
            QueueItem(request, handler_of(request.kind).url(request), late, limit_blocks(request, today))
        )
    items.sort(key=lambda i: (i.request.limit_on or dt.date.max, i.request.requested_at))
    return items[:limit] if limit else items


def approvals_of(*, subject) -> list[ApprovalRequest]:
    """Every request about `subject`, the newest first, with its decisions (two queries)."""
    return list(
        ApprovalRequest.objects.filter(subject_type=type(subject).__name__, subject_id=subject.pk)
        .select_related("requested_by")
        .prefetch_related(Prefetch("decisions", queryset=ApprovalDecision.objects.select_related("by")))
    )


def pending_request(*, subject, kind: str | None = None) -> ApprovalRequest | None:
    qs = ApprovalRequest.objects.filter(
        subject_type=type(subject).__name__, subject_id=subject.pk, status=RequestStatus.PENDING
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.first()
