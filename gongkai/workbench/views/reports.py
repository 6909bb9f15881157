"""行政复议、行政诉讼 cases and the annual tables (表三、表四) with their downloads."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.agencies.permissions import can_write
from gongkai.agencies.selectors import agencies_visible
from gongkai.cases import services
from gongkai.cases.enums import CaseResult
from gongkai.cases.selectors import (
    annual_tables,
    application_list,
    review_cases_for,
)
from gongkai.report.render import render as render_report
from gongkai.report.render.layout import layout_of, table3_grid, table4_grid
from gongkai.workbench.forms import (
    AnnualTablesForm,
    ReviewCaseForm,
    ReviewConcludeForm,
    service_errors,
)
from gongkai.workbench.views.shared import PAGE_SIZE, attachment_header, today, writable_agencies

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


# --- 年度报表 -------------------------------------------------------------------------------------------------

DOWNLOADS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "pdf": ("application/pdf", "PDF"),
    "json": ("application/json; charset=utf-8", "JSON"),
}


def _annual_choice(request):
    agencies = list(agencies_visible(user=request.user).only("pk", "name"))
    if not agencies:
        raise PermissionDenied("您没有可查看的机关")
    now = today()
    data = request.GET.copy()
    data.setdefault("agency", str(agencies[0].pk))
    data.setdefault("year", str(now.year - 1 if now.month < 4 else now.year))
    form = AnnualTablesForm(data, agencies=agencies)
    if not form.is_valid():
        return form, None, None
    agency = next(a for a in agencies if a.pk == form.cleaned_data["agency"])
    return form, agency, form.cleaned_data["year"]


@login_required
@require_GET
def annual_tables_view(request):
    form, agency, year = _annual_choice(request)
    context = {"nav": "annual", "form": form, "agency": agency, "year": year}
    if agency is not None:
        report = annual_tables(agency=agency, year=year)
        fmt = layout_of(report)
        context.update(
            report=report,
            table3=table3_grid(report, fmt),
            table4=table4_grid(report),
            query=urlencode({"agency": agency.pk, "year": year}),
            downloads=[(code, label) for code, (_type, label) in DOWNLOADS.items()],
        )
    return render(request, "workbench/annual_tables.html", context, status=200 if agency else 400)


@login_required
@require_GET
def annual_tables_download(request, to: str):
    if to not in DOWNLOADS:
        raise Http404("不支持的格式")
    _form, agency, year = _annual_choice(request)
    if agency is None:
        raise Http404("请选择机关和年度")
    report = annual_tables(agency=agency, year=year)
    data = render_report(report, to, findings=report.findings or None)
    response = FileResponse(io.BytesIO(data), content_type=DOWNLOADS[to][0])
    response["Content-Disposition"] = attachment_header(
        f"{agency.name}{year}年政府信息公开工作年度报告（表三、表四）.{to}", f"annual-{year}.{to}"
    )
    return response
