"""Login, dashboard, the list of applications, registration and the case page with its actions."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.agencies.auth import LoginForm, logged_out
from gongkai.agencies.permissions import can_write
from gongkai.agencies.selectors import agencies_visible
from gongkai.approvals.selectors import approvals_awaiting
from gongkai.cases import procedure, services
from gongkai.cases.applicant import Surface, shown_identity
from gongkai.cases.attachments import attachment_content, attachment_content_type, attachment_get
from gongkai.cases.calendar import work_calendar
from gongkai.cases.procedure import Step
from gongkai.cases.selectors import (
    application_get,
    application_list,
    applications_due_soon,
    applications_overdue,
    dashboard_counts,
)
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.web.responses import attachment_header, csv_response
from gongkai.workbench import casepage
from gongkai.workbench.forms import (
    ApplicationFilterForm,
    ApplicationRegisterForm,
    service_errors,
)
from gongkai.workbench.views.catalog import dashboard_catalog
from gongkai.workbench.views.holidays import dashboard_holiday_notice
from gongkai.workbench.views.shared import PAGE_SIZE, several_agencies, today, writable_agencies

log = logging.getLogger(__name__)


DASHBOARD_ROWS = 10


# --- login --------------------------------------------------------------------------------------------------


class Login(LoginView):
    template_name = "workbench/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            max_failures=settings.LOGIN_MAX_FAILURES, lock_minutes=settings.LOGIN_LOCK_MINUTES, **kwargs
        )


@require_POST
def logout(request):
    logged_out(request=request, user=request.user)
    auth_logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("workbench:login")


# --- dashboard ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    now = today()
    try:
        year = int(request.GET.get("year") or now.year)
    except ValueError:
        year = now.year
    if not 2000 <= year <= now.year + 1:
        year = now.year
    calendar = work_calendar()
    counts = dashboard_counts(user=request.user, year=year, today=now, calendar=calendar)
    due_soon = list(applications_due_soon(user=request.user, today=now, calendar=calendar)[:DASHBOARD_ROWS])
    overdue = list(applications_overdue(user=request.user, today=now)[:DASHBOARD_ROWS])
    for application in due_soon + overdue:
        application.left = procedure.workdays_left(application.due_on, today=now, cal=calendar)
    chart = {
        "labels": [o["label"] for o in counts["outcomes"]],
        "values": [o["count"] for o in counts["outcomes"]],
        "codes": [o["code"] for o in counts["outcomes"]],
        "link": reverse("workbench:application_list") + f"?year={year}&outcome=group:",
    }
    return render(
        request,
        "workbench/dashboard.html",
        {
            "nav": "dashboard",
            "today": now,
            "year": year,
            "years": range(now.year, 2018, -1),
            "counts": counts,
            "due_soon": due_soon,
            "overdue": overdue,
            "chart": chart,
            "outcome_total": sum(chart["values"]),
            "approvals": approvals_awaiting(user=request.user, today=now, limit=DASHBOARD_ROWS),
            "several_agencies": several_agencies(request.user),
            "holiday_notice": dashboard_holiday_notice(user=request.user, today=now, calendar=calendar),
            "catalog": dashboard_catalog(user=request.user, year=year),
        },
    )


# --- list ------------------------------------------------------------------------------------------------------


def _filtered(request):
    """The applications the list's filters select, and the bound filter form."""
    agencies = list(agencies_visible(user=request.user).only("pk", "name"))
    form = ApplicationFilterForm(request.GET or None, agencies=agencies)
    filters: dict = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        outcome = data.get("outcome") or ""
        filters = {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "outcome": None if outcome.startswith("group:") else outcome or None,
            "outcome_group": outcome.removeprefix("group:") if outcome.startswith("group:") else None,
            "applicant_kind": data.get("applicant_kind") or None,
            "year": data.get("year"),
            "agency_id": data.get("agency"),
        }
    return form, application_list(user=request.user, **filters), len(agencies) > 1


def _masked(application) -> tuple[str, str]:
    shown = shown_identity(
        id_type=application.id_type, id_number=application.id_number, phone=application.phone,
        surface=Surface.EXPORT, staff=False,
    )  # fmt: skip
    return shown.id_number, shown.phone


@login_required
@require_GET
def application_list_view(request):
    form, applications, several_agencies = _filtered(request)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "workbench/application_list.html"
    if request.headers.get("HX-Request") == "true":  # htmx: the filtered table only
        template = "workbench/_application_table.html"
    response = render(
        request,
        template,
        {
            "nav": "applications",
            "form": form,
            "page": page,
            "today": today(),
            "query": query.urlencode(),
            "several_agencies": several_agencies,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def application_export(request):
    """The filtered list as CSV (gongkai.web.responses.csv_response); ID numbers and phone numbers masked."""
    _form, applications, _several = _filtered(request)
    head = [
        "申请编号", "受理机关", "收到日期", "申请方式", "申请人类型", "申请人", "身份证明号码", "联系电话",
        "状态", "答复期限", "办结日期", "答复结果",
    ]  # fmt: skip

    def rows():
        for a in applications.iterator(chunk_size=500):
            outcome = OUTCOMES_BY_CODE.get(a.outcome)
            id_number, phone = _masked(a)
            yield [
                a.number,
                a.agency.name,
                a.received_on.isoformat(),
                a.get_channel_display(),
                a.get_applicant_kind_display(),
                a.applicant_name,
                id_number,
                phone,
                a.get_status_display(),
                a.due_on.isoformat() if a.due_on else "",
                a.concluded_on.isoformat() if a.concluded_on else "",
                outcome.label if outcome else "",
            ]

    return csv_response(head, rows(), filename=f"applications-{today():%Y%m%d}.csv")


# --- register -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_register(request):
    agencies = writable_agencies(request.user)
    if not agencies:
        raise PermissionDenied("您没有登记申请的权限（上级督查账号为只读）")
    form = ApplicationRegisterForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            agency = next(a for a in agencies if a.pk == data["agency"])
            try:
                application = services.application_register(
                    agency=agency,
                    by=request.user,
                    applicant=data["applicant"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    past_year_reason=data["past_year_reason"],
                )
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(
                    request, f"已登记申请 {application.number}，查询码 {application.query_code}。"
                )
                return redirect("workbench:application_detail", pk=application.pk)
    return render(
        request, "workbench/application_register.html", {"nav": "register", "form": form}, status=status
    )


# --- the case page ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def application_detail(request, pk: int):
    application = application_get(user=request.user, pk=pk)
    return render(request, "workbench/application_detail.html", casepage.context(request, application))


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    application = application_get(user=request.user, pk=pk)
    step = Step(action) if action in Step.__members__.values() else None
    spec = casepage.ACTIONS.get(step)
    if spec is None:
        raise Http404("没有这项操作")
    if not can_write(request.user, application.agency):
        raise PermissionDenied("您对该机关的申请只有查看权限，不能办理")
    form = spec.form(request.POST, prefix=step, **spec.form_kwargs(application))
    if form.is_valid():
        try:
            result = spec.run(application, request.user, form.cleaned_data)
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, spec.done)
            if step == Step.PREPARE_REPLY:  # straight to the 答复告知书 to fill in
                return redirect("workbench:letter_edit", pk=application.pk, letter_pk=result.pk)
            return redirect("workbench:application_detail", pk=application.pk)
    application = application_get(user=request.user, pk=pk)  # the state the page shows
    context = casepage.context(request, application, bound={step: form})
    return render(request, "workbench/application_detail.html", context, status=400)


@login_required
@require_GET
def attachment_download(request, pk: int, key: str):
    application = application_get(user=request.user, pk=pk)
    attachment = attachment_get(application=application, key=key)
    if attachment is None:
        raise Http404("没有这个附件")
    response = HttpResponse(attachment_content(attachment), content_type=attachment_content_type(attachment))
    response["Content-Disposition"] = attachment_header(
        f"{application.number}-{attachment.get_source_display()}.{attachment.extension}",
        f"attachment.{attachment.extension}",
    )
    response["Cache-Control"] = "no-store"
    return response
