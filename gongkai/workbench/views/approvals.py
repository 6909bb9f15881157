"""The approvals queue (待我审批) and the decision on one request (审核、签发 of a letter, an extension)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from gongkai.agencies.permissions import has_role
from gongkai.agencies.selectors import agencies_visible
from gongkai.approvals.models import ApprovalRequest, StepName
from gongkai.approvals.selectors import approvals_awaiting
from gongkai.approvals.services import approval_decide, handler_of
from gongkai.text import single_line_problem
from gongkai.workbench.forms import ApprovalDecisionForm
from gongkai.workbench.views.shared import several_agencies, today


def can_decide(user, request: ApprovalRequest) -> bool:
    """May the user take the current step of this request (the service checks the same)?"""
    step = request.current
    if step is None or not has_role(user, request.agency, step["role"]):
        return False
    return not (step["name"] == StepName.REVIEW and request.requested_by_id == user.pk)


def _local_path(url: str, request) -> bool:
    """Is `url` a path on this site to go back to (the page the decision was taken on)? Anything else, a
    name or a text, would be taken for a URL pattern's name by redirect()."""
    return (
        url.startswith("/")
        and single_line_problem(url) is None
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    )


@login_required
@require_GET
def approval_queue(request):
    return render(
        request,
        "workbench/approval_queue.html",
        {
            "nav": "approvals",
            "items": approvals_awaiting(user=request.user, today=today()),
            "several_agencies": several_agencies(request.user),
            "decision_form": ApprovalDecisionForm(),
        },
    )


@login_required
@require_POST
def approval_decide_view(request, approval_pk: int):
    approval = (
        ApprovalRequest.objects.filter(pk=approval_pk, agency__in=agencies_visible(user=request.user))
        .select_related("agency")
        .first()
    )
    if approval is None:
        raise Http404("没有这项审批")
    back = request.POST.get("next") or ""
    if not _local_path(back, request):
        back = handler_of(approval.kind).url(approval)
    form = ApprovalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择同意或不同意。")
        return redirect(back)
    approved = form.cleaned_data["decision"] == "approve"
    try:
        approval_decide(
            request=approval,
            by=request.user,
            approved=approved,
            comment=form.cleaned_data["comment"],
            on=today(),
        )
    except ValidationError as error:
        messages.error(request, f"{approval.title}：{'；'.join(error.messages)}")
        return redirect(back)
    messages.success(request, f"{approval.title}：已{'同意' if approved else '退回'}。")
    return redirect(back)
