"""The annual tables (表三、表四) from the records, with their downloads."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongkai.agencies.selectors import agencies_visible
from gongkai.report.render import render as render_report
from gongkai.report.render.layout import layout_of, table3_grid, table4_grid
from gongkai.reports.selectors import annual_tables
from gongkai.workbench.forms import AnnualTablesForm
from gongkai.workbench.views.shared import attachment_header, today

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
        report = annual_tables(user=request.user, agency_id=agency.pk, year=year)
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
    report = annual_tables(user=request.user, agency_id=agency.pk, year=year)
    data = render_report(report, to, findings=report.findings or None)
    response = FileResponse(io.BytesIO(data), content_type=DOWNLOADS[to][0])
    response["Content-Disposition"] = attachment_header(
        f"{agency.name}{year}年政府信息公开工作年度报告（表三、表四）.{to}", f"annual-{year}.{to}"
    )
    return response
