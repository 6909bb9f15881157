"""主动公开 › 第二十条数据: the table 2 figures no catalog item gives (licences, penalties, coercion, fees,
procurement), entered per year in that year's layout and units, beside the figures the records give (table
2 as the annual report will print it, the channels and the columns)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gongkai.catalog.selectors import art20_entered, figures_for
from gongkai.catalog.services import art20_figures_save
from gongkai.catalog.services.art20 import entered_cells
from gongkai.report.formats import format_for_year
from gongkai.report.model import AnnualReport, Cell
from gongkai.report.render.layout import table2_grid
from gongkai.workbench.catalog_forms import YearForm, art20_form, cell_name
from gongkai.workbench.views.catalog_common import Rights, chosen_agency, visible_agencies
from gongkai.workbench.views.shared import today


def shown(value) -> str:
    """A figure as a person writes it: 12.5, not 12.5000."""
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text if text != "-0" else "0"
    return str(value)


def _year(request) -> tuple[YearForm, int]:
    now = today()
    default = now.year - 1 if now.month <= 3 else now.year
    form = YearForm({"year": request.GET.get("year") or str(default)})
    return form, form.cleaned_data["year"] if form.is_valid() else default


def _errors_on_cells(form, error: ValidationError) -> None:
    """The service names a cell "row.column"; the form's field is "row__column"."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, problems in error.message_dict.items():
        name = cell_name(*key.split(".", 1)) if key and "." in key else key
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


def _blocks(form, year: int) -> list[dict]:
    """The form's cells in the layout's blocks, each with its caption and columns (for the page)."""
    fmt = format_for_year(year)
    rows = {block.code: block for block in fmt.table2}
    blocks = []
    for block in rows.values():
        cells = [c for c in form.cells if any(r.code == c[0] for r in block.rows)]
        if not cells:
            continue
        entries = [
            {"row": row.label, "fields": [form[c[4]] for c in cells if c[0] == row.code]}
            for row in block.rows
        ]
        blocks.append({"caption": block.caption, "columns": block.columns, "rows": entries})
    return blocks


@login_required
@require_http_methods(["GET", "POST"])
def catalog_art20(request):
    agencies = visible_agencies(request.user)
    agency = chosen_agency(request, agencies)
    rights = Rights(request.user, agency)
    year_form, year = _year(request)
    cells = entered_cells(year)
    entered = art20_entered(user=request.user, agency_id=agency.pk, year=year)
    initial = {
        cell_name(r, c): shown(entered[f"{r}.{c}"].value) for r, _, c, _ in cells if f"{r}.{c}" in entered
    }
    sources = sorted({f.source for f in entered.values() if f.source})
    initial["source"] = sources[0] if len(sources) == 1 else ""
    form_class = art20_form(cells)
    form = form_class(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        rights.require_write("填报数据")
        status = 400
        if form.is_valid():
            try:
                changed = art20_figures_save(
                    agency=agency, year=year, by=request.user, values=form.values(),
                    source=form.cleaned_data["source"],
                )  # fmt: skip
            except ValidationError as error:
                _errors_on_cells(form, error)
            else:
                messages.success(request, f"{year}年度数据已保存（{changed}项有变动）。")
                return redirect(f"{reverse('workbench:catalog_art20')}?agency={agency.pk}&year={year}")
    figures = figures_for(user=request.user, agency_id=agency.pk, year=year)
    fmt = format_for_year(year)
    report = AnnualReport(
        format=fmt.code,
        year=year,
        table2={
            row: {col: Cell.of(shown(v)) for col, v in cols.items()} for row, cols in figures.table2.items()
        },
    )
    return render(
        request,
        "workbench/catalog/art20.html",
        {
            "nav": "catalog",
            "tab": "art20",
            "agency": agency,
            "agencies": agencies,
            "rights": rights,
            "year": year,
            "year_form": year_form,
            "form": form,
            "blocks": _blocks(form, year),
            "figures": figures,
            "table2": table2_grid(report, fmt),
            "format": fmt,
            "sources": sources,
        },
        status=status,
    )
