"""主动公开 › 目录信息: the list, drafting and editing an item, the item page with its 保密审查单 and audit
trail, submitting to review (with the scan's warnings), withdrawing and the validity of a published item;
and the catalog panel of the dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.approvals.models import Kind, RequestStatus
from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_withdraw
from gongkai.catalog import freshness
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.selectors import (
    catalog_counts,
    catalog_has_columns,
    columns_tree,
    freshness_for,
    item_get,
    item_history,
    item_list,
    item_sheets,
    item_warnings,
)
from gongkai.catalog.services import (
    item_create,
    item_set_validity,
    item_submit,
    item_update,
    item_withdraw,
)
from gongkai.errors import Code
from gongkai.workbench.catalog_forms import (
    GENRES,
    TOPICS,
    ItemFilterForm,
    ItemForm,
    ReviewDecisionForm,
    SubmitForm,
    ValidityForm,
    WithdrawForm,
)
from gongkai.workbench.forms import service_errors
from gongkai.workbench.views.approvals import can_decide
from gongkai.workbench.views.catalog_common import (
    WRITING,
    Rights,
    chosen_agency,
    roles_by_agency,
    visible_agencies,
)
from gongkai.workbench.views.shared import PAGE_SIZE, today, writable_agencies

EDITABLE = (ItemStatus.DRAFT, ItemStatus.RETURNED)


# --- the list -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def catalog_items(request):
    roles = roles_by_agency(request.user)
    agencies = visible_agencies(request.user, roles)
    chosen = request.GET.get("agency") or ""
    scope = next((a for a in agencies if str(a.pk) == chosen), None) or (
        agencies[0] if len(agencies) == 1 else None
    )
    tree = columns_tree(user=request.user, agency_id=scope.pk) if scope else []
    form = ItemFilterForm(request.GET or None, agencies=agencies, tree=tree)
    filters: dict = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "agency_id": data.get("agency"),
            "status": data.get("status") or None,
            "column_id": data.get("column"),
            "year": data.get("year"),
            "q": data.get("q") or None,
            "late": data.get("late") == "1",
        }
    items = item_list(user=request.user, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "workbench/catalog/item_list.html"
    if request.headers.get("HX-Request") == "true":
        template = "workbench/catalog/_item_table.html"
    response = render(
        request,
        template,
        {
            "nav": "catalog",
            "tab": "items",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "several_agencies": len(agencies) > 1,
            "can_draft": any(r & WRITING for r in roles.values()),
            "today": today(),
            "show_column_filter": bool(tree),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- drafting -------------------------------------------------------------------------------------------------


def _item_form_page(request, *, form, agency, tree, item=None, status=200):
    return render(
        request,
        "workbench/catalog/item_form.html",
        {
            "nav": "catalog",
            "tab": "items",
            "form": form,
            "agency": agency,
            "item": item,
            "has_columns": bool(tree),
            "agencies": writable_agencies(request.user) if item is None else [],
            "topics": TOPICS,
            "genres": GENRES,
        },
        status=status,
    )


def _column_of(tree, pk):
    return next((entry.column for entry in tree if entry.column.pk == pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def catalog_item_new(request):
    agency = chosen_agency(
        request, writable_agencies(request.user), refused="您没有新建主动公开信息的权限（上级督查账号为只读）"
    )
    tree = columns_tree(user=request.user, agency_id=agency.pk)
    form = ItemForm(request.POST or None, tree=tree, initial={"publisher": agency.name})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            column = _column_of(tree, data.pop("column"))
            try:
                item = item_create(agency=agency, column=column, by=request.user, data=data)
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(
                    request, f"已保存草稿，索引号 {item.index_number}。核对无误后请提交保密审查。"
                )
                return redirect("workbench:catalog_item", item.pk)
    return _item_form_page(request, form=form, agency=agency, tree=tree, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def catalog_item_edit(request, item_pk: int):
    item = item_get(user=request.user, pk=item_pk)
    Rights(request.user, item.agency).require_write("修改信息")
    if item.status not in EDITABLE:
        messages.error(request, f"该信息{item.get_status_display()}，不能修改。")
        return redirect("workbench:catalog_item", item.pk)
    tree = columns_tree(user=request.user, agency_id=item.agency_id)
    form = ItemForm(request.POST or None, tree=tree, initial=ItemForm.initial_of(item))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            column = _column_of(tree, data.pop("column"))
            try:
                item_update(item=item, by=request.user, data=data, column=column)
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, "修改已保存。")
                return redirect("workbench:catalog_item", item.pk)
    return _item_form_page(request, form=form, agency=item.agency, tree=tree, item=item, status=status)


# --- the item page --------------------------------------------------------------------------------------------


def _local(iso: str) -> str:
    """A time the audit trail stored (ISO, with its offset) as the clock on the wall shows it."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def _event_detail(event) -> str:
    after = event.after or {}
    parts = []
    if after.get("index_number"):
        parts.append(f"索引号 {after['index_number']}")
    if after.get("reason"):
        parts.append(f"原因：{after['reason']}")
    if after.get("publish_at"):
        parts.append(f"公开时间：{_local(after['publish_at'])}")
    if after.get("withdraw_at"):
        parts.append(f"定时撤回：{_local(after['withdraw_at'])}")
    if after.get("warnings"):
        parts.append(f"提交时确认了 {after['warnings']} 项检查提示")
    if after.get("late"):
        parts.append("逾期公开")
    if after.get("note"):
        parts.append(f"说明：{after['note']}")
    return "；".join(parts)


def _item_page(request, item, *, bound: dict | None = None, status: int = 200):
    rights = Rights(request.user, item.agency)
    pending = pending_request(subject=item, kind=Kind.CATALOG_ITEM)
    history = item_history(user=request.user, item=item)
    for event in history:
        event.detail = _event_detail(event)
    bound = bound or {}
    sheets = item_sheets(user=request.user, item=item)
    return render(
        request,
        "workbench/catalog/item_detail.html",
        {
            "nav": "catalog",
            "tab": "items",
            "item": item,
            "agency": item.agency,
            "rights": rights,
            "editable": rights.write and item.status in EDITABLE,
            "sheets": sheets,
            "returned_sheet": next((s for s in sheets if s.approved is False), None)
            if item.status == ItemStatus.RETURNED
            else None,
            "history": history,
            "pending": pending,
            "can_decide": pending is not None and can_decide(request.user, pending),
            "can_recall": pending is not None and rights.write and pending.requested_by_id == request.user.pk,
            "decision_form": ReviewDecisionForm(),
            "withdraw_form": bound.get("withdraw") or WithdrawForm(),
            "validity_form": bound.get("validity")
            or ValidityForm(
                initial={
                    "validity": item.validity,
                    "on": item.validity_changed_on,
                    "note": item.validity_note,
                }
            ),  # fmt: skip
            "can_withdraw": rights.withdraw and item.status in (ItemStatus.PUBLISHED, ItemStatus.SCHEDULED),
            "can_change_validity": rights.write and item.status == ItemStatus.PUBLISHED,
            "overdue": item.publish_limit_on
            and not item.is_public
            and item.status != ItemStatus.RECORDED
            and item.publish_limit_on < today(),
            "today": today(),
        },
        status=status,
    )


@login_required
@require_GET
def catalog_item(request, item_pk: int):
    return _item_page(request, item_get(user=request.user, pk=item_pk))


# --- the 保密审查 ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catalog_item_submit(request, item_pk: int):
    item = item_get(user=request.user, pk=item_pk)
    Rights(request.user, item.agency).require_write("提交保密审查")
    if item.status not in EDITABLE:
        messages.error(request, f"该信息{item.get_status_display()}，不能提交保密审查。")
        return redirect("workbench:catalog_item", item.pk)
    initial = {"method": "、".join(item.channel_labels) or "政府网站", "scope": "社会公众"}
    form = SubmitForm(request.POST or None, initial=initial)
    warnings = item_warnings(user=request.user, item=item)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                item_submit(
                    item=item, by=request.user, method=data["method"], scope=data["scope"],
                    publish_at=data["publish_at"], withdraw_at=data["withdraw_at"],
                    confirm_warnings=data["confirm"],
                )  # fmt: skip
            except ValidationError as error:
                if getattr(error, "code", None) == Code.CONFIRMATION_REQUIRED:
                    form.add_error("confirm", "请逐项核对以上提示；确认无误的，勾选“已核对，仍然提交”")
                else:
                    service_errors(form, error)
            else:
                messages.success(request, "已提交保密审查，审核人审核、负责人审批后发布。")
                return redirect("workbench:catalog_item", item.pk)
    return render(
        request,
        "workbench/catalog/item_submit.html",
        {
            "nav": "catalog",
            "tab": "items",
            "item": item,
            "agency": item.agency,
            "form": form,
            "warnings": warnings,
            "only_confirm": set(form.errors) == {"confirm"},
        },
        status=status,
    )


@login_required
@require_POST
def catalog_item_recall(request, item_pk: int):
    """The clerk takes an item back from review (it becomes a draft again)."""
    item = item_get(user=request.user, pk=item_pk)
    pending = pending_request(subject=item, kind=Kind.CATALOG_ITEM)
    if pending is None or pending.status != RequestStatus.PENDING:
        messages.error(request, "该信息不在审查中，无需撤回。")
        return redirect("workbench:catalog_item", item.pk)
    try:
        approval_withdraw(request=pending, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已撤回保密审查，信息退回草稿，可以修改后重新提交。")
    return redirect("workbench:catalog_item", item.pk)


# --- withdrawal and validity ---------------------------------------------------------------------------------


@login_required
@require_POST
def catalog_item_withdraw(request, item_pk: int):
    item = item_get(user=request.user, pk=item_pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = item_withdraw(item=item, by=request.user, reason=data["reason"], at=data["at"])
        except ValidationError as error:
            service_errors(form, error)
        else:
            if done.status == ItemStatus.WITHDRAWN:
                messages.success(request, "信息已撤回，公众页面显示撤回时间和原因。")
            else:
                messages.success(request, f"已设定撤回时间：{data['at']:%Y-%m-%d %H:%M}，到时自动撤回。")
            return redirect("workbench:catalog_item", item.pk)
    return _item_page(request, item_get(user=request.user, pk=item_pk), bound={"withdraw": form}, status=400)


@login_required
@require_POST
def catalog_item_validity(request, item_pk: int):
    item = item_get(user=request.user, pk=item_pk)
    form = ValidityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = item_set_validity(
                item=item, by=request.user, validity=data["validity"], on=data["on"], note=data["note"]
            )
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, f"有效性已改为“{done.get_validity_display()}”。")
            return redirect("workbench:catalog_item", item.pk)
    return _item_page(request, item_get(user=request.user, pk=item_pk), bound={"validity": form}, status=400)


# --- the dashboard's panel ----------------------------------------------------------------------------------


def dashboard_catalog(*, user, year: int) -> dict:
    """The dashboard's 主动公开 figures: the freshness guard's findings, items waiting for review, items
    published late (Art. 26) this year. Four queries, whatever the number of columns and items."""
    now = today()
    findings = freshness_for(user=user, today=now)
    every = [f for found in findings.values() for f in found]
    return {
        "has_columns": catalog_has_columns(user=user),
        "counts": catalog_counts(user=user, year=year),
        "findings": freshness.counts(every),
        "findings_total": len(every),
        "year": year,
        "columns_url": reverse("workbench:catalog_columns"),
        "media_url": reverse("workbench:media_accounts"),
        "list_url": reverse("workbench:catalog_items"),
    }
