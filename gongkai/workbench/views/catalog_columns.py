"""主动公开 › 栏目管理: the agency's column tree with the freshness guard's findings, the standard columns set
up in one step, local columns added, a column's update cycle, 备注 and Art. 26 limit changed. The agency's
管理员 and 经办人 manage it; everyone who sees the agency reads it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.catalog.freshness import KIND_LABELS, Kind
from gongkai.catalog.selectors import column_get, columns_tree, freshness_for
from gongkai.catalog.services import catalog_bootstrap, column_create, column_update
from gongkai.catalog.standard import walk
from gongkai.workbench.catalog_forms import ColumnCreateForm, ColumnEditForm
from gongkai.workbench.forms import service_errors
from gongkai.workbench.views.catalog_common import Rights, chosen_agency, visible_agencies
from gongkai.workbench.views.shared import today

NO_RIGHTS = "栏目由本机关的管理员或经办人维护"


def _url(agency) -> str:
    return f"{reverse('workbench:catalog_columns')}?agency={agency.pk}"


def _groups(findings) -> list[tuple[str, list[str]]]:
    """The column findings by kind, each column named once (with its idle days)."""
    groups: dict[str, list[str]] = {}
    for f in findings:
        if f.kind == Kind.ACCOUNT_IDLE:
            continue
        name = f"{f.name}（{f.idle_days}天）" if f.idle_days else f.name
        groups.setdefault(KIND_LABELS[f.kind], []).append(name)
    return list(groups.items())


@login_required
@require_http_methods(["GET", "POST"])
def catalog_columns(request):
    agencies = visible_agencies(request.user)
    agency = chosen_agency(request, agencies)
    rights = Rights(request.user, agency)
    tree = columns_tree(user=request.user, agency_id=agency.pk, with_counts=True)
    form = ColumnCreateForm(request.POST or None, tree=tree)
    status = 200
    if request.method == "POST":
        if not rights.columns:
            raise PermissionDenied(NO_RIGHTS)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            parent = next((e.column for e in tree if e.column.pk == data["parent"]), None)
            try:
                column = column_create(
                    agency=agency, parent=parent, name=data["name"], by=request.user,
                    cycle_days=data["cycle_days"], note=data["note"],
                )  # fmt: skip
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, f"已添加栏目“{column.name}”。")
                return redirect(_url(agency))
    findings = freshness_for(user=request.user, today=today(), agency_id=agency.pk).get(agency.pk, [])
    by_column: dict[int, list] = {}
    for finding in findings:
        if finding.kind != "account_idle":
            by_column.setdefault(finding.subject_id, []).append(finding)
    for entry in tree:
        entry.findings = by_column.get(entry.column.pk, [])
    codes = {entry.column.code for entry in tree}
    missing = [std.name for _parent, std in walk() if std.code not in codes]
    return render(
        request,
        "workbench/catalog/columns.html",
        {
            "nav": "catalog",
            "tab": "columns",
            "agency": agency,
            "agencies": agencies,
            "tree": tree,
            "form": form,
            "rights": rights,
            "missing": missing,
            "column_findings": [f for f in findings if f.kind != Kind.ACCOUNT_IDLE],
            "finding_groups": _groups(findings),
        },
        status=status,
    )


@login_required
@require_POST
def catalog_columns_bootstrap(request):
    agency = chosen_agency(request, visible_agencies(request.user))
    if not Rights(request.user, agency).columns:
        raise PermissionDenied(NO_RIGHTS)
    created = catalog_bootstrap(agency=agency, by=request.user)
    if created:
        messages.success(request, f"已建立{len(created)}个标准栏目。可以添加本机关的其他栏目。")
    else:
        messages.info(request, "标准栏目都已建立。")
    return redirect(_url(agency))


@login_required
@require_http_methods(["GET", "POST"])
def catalog_column_edit(request, column_pk: int):
    column = column_get(user=request.user, pk=column_pk)
    rights = Rights(request.user, column.agency)
    if not rights.columns:
        raise PermissionDenied(NO_RIGHTS)
    initial = {
        "name": column.name,
        "note": column.note,
        "limit_days": column.limit_days,
        "limit_working_days": "1" if column.limit_working_days else "0",
        "limit_basis": column.limit_basis,
        **ColumnEditForm.cycle_initial(column.cycle_days),
    }
    form = ColumnEditForm(request.POST or None, initial=initial, standard=bool(column.code))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                column_update(
                    column=column, by=request.user, name=data["name"], cycle_days=data["cycle_days"],
                    note=data["note"], limit_days=data["limit_days"],
                    limit_working_days=data["limit_working_days"], limit_basis=data["limit_basis"],
                )  # fmt: skip
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, f"栏目“{column.name}”已保存。")
                return redirect(_url(column.agency))
    return render(
        request,
        "workbench/catalog/column_edit.html",
        {"nav": "catalog", "tab": "columns", "column": column, "agency": column.agency, "form": form},
        status=status,
    )
