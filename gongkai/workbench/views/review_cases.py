"""行政复议、行政诉讼 cases about the agency's disclosure work (table 4): the list, registration, conclusion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.agencies.permissions import can_write
from gongkai.cases import services
from gongkai.cases.enums import CaseResult
from gongkai.cases.selectors import application_list, review_cases_for
from gongkai.workbench.forms import ReviewCaseForm, ReviewConcludeForm, service_errors
from gongkai.workbench.views.shared import PAGE_SIZE, several_agencies, writable_agencies

# --- 行政复议、行政诉讼 -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_case_list(request):
    agencies = writable_agencies(request.user)
    form = ReviewCaseForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if not agencies:
            raise PermissionDenied("您没有登记复议诉讼案件的权限（上级督查账号为只读）")
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            agency = next(a for a in agencies if a.pk == data.pop("agency"))
            number = data.pop("application").strip()
            application = None
            if number:
                application = (
                    application_list(user=request.user, agency_id=agency.pk).filter(number=number).first()
                )
                if application is None:
                    form.add_error("application", "本机关没有这个编号的申请")
            if not form.errors:
                try:
                    case = services.review_case_register(
                        agency=agency, by=request.user, application=application, **data
                    )
                except ValidationError as error:
                    service_errors(form, error)
                else:
                    messages.success(request, f"已登记{case.get_kind_display()}案件 {case.case_number}。")
                    return redirect("workbench:review_case_list")
    cases = review_cases_for(user=request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    writable_ids = {a.pk for a in agencies}
    for case in page:
        case.writable = case.agency_id in writable_ids and case.result == CaseResult.PENDING
    return render(
        request,
        "workbench/review_case_list.html",
        {
            "nav": "review",
            "form": form,
            "page": page,
            "can_register": bool(agencies),
            "conclude_form": ReviewConcludeForm(),
            "bound_conclude": None,
            "several_agencies": several_agencies(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def review_case_conclude(request, pk: int):
    case = review_cases_for(user=request.user).filter(pk=pk).first()
    if case is None:
        raise Http404("没有这个案件")
    if not can_write(request.user, case.agency):
        raise PermissionDenied("您对该机关的案件只有查看权限")
    form = ReviewConcludeForm(request.POST)
    if form.is_valid():
        try:
            services.review_case_conclude(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, f"案件 {case.case_number} 已登记审结。")
            return redirect("workbench:review_case_list")
    errors = "；".join(f"{m}" for field in form.errors.values() for m in field)
    messages.error(request, f"案件 {case.case_number} 未能登记审结：{errors}")
    return redirect("workbench:review_case_list")
