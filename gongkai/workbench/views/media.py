"""主动公开 › 政务新媒体: the agency's accounts (政务微博, 微信公众号, …) with when each last posted, an
account's page with its posts, and one post registered by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.catalog.freshness import ACCOUNT_IDLE_DAYS
from gongkai.catalog.selectors import account_get, accounts_of, posts_of
from gongkai.catalog.services import account_save, post_create
from gongkai.workbench.catalog_forms import AccountForm, PostForm
from gongkai.workbench.forms import service_errors
from gongkai.workbench.views.catalog_common import Rights, chosen_agency, visible_agencies
from gongkai.workbench.views.shared import PAGE_SIZE, today


@login_required
@require_http_methods(["GET", "POST"])
def media_accounts(request):
    agencies = visible_agencies(request.user)
    agency = chosen_agency(request, agencies)
    rights = Rights(request.user, agency)
    form = AccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        rights.require_write("登记账号")
        status = 400
        if form.is_valid():
            try:
                account = account_save(agency=agency, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, f"已登记{account}。")
                return redirect("workbench:media_account", account.pk)
    accounts = accounts_of(user=request.user, agency_id=agency.pk)
    now = today()
    for account in accounts:
        account.idle_days = (now - account.last_on).days if account.last_on else None
        account.idle = account.active and (account.last_on is None or account.idle_days > ACCOUNT_IDLE_DAYS)
    return render(
        request,
        "workbench/catalog/media_accounts.html",
        {
            "nav": "catalog",
            "tab": "media",
            "agency": agency,
            "agencies": agencies,
            "accounts": accounts,
            "form": form,
            "rights": rights,
            "idle_limit": ACCOUNT_IDLE_DAYS,
        },
        status=status,
    )


def _account_page(request, account, *, form=None, post_form=None, status=200):
    rights = Rights(request.user, account.agency)
    posts = posts_of(user=request.user, account=account)
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    initial = {
        "platform": account.platform,
        "name": account.name,
        "url": account.url,
        "active": account.active,
    }
    return render(
        request,
        "workbench/catalog/media_account.html",
        {
            "nav": "catalog",
            "tab": "media",
            "account": account,
            "agency": account.agency,
            "rights": rights,
            "form": form or AccountForm(initial=initial),
            "post_form": post_form or PostForm(),
            "page": page,
            "query": "",
            "back": f"{reverse('workbench:media_accounts')}?agency={account.agency_id}",
        },
        status=status,
    )


@login_required
@require_GET
def media_account(request, account_pk: int):
    return _account_page(request, account_get(user=request.user, pk=account_pk))


@login_required
@require_POST
def media_account_edit(request, account_pk: int):
    account = account_get(user=request.user, pk=account_pk)
    Rights(request.user, account.agency).require_write("修改账号")
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            account_save(agency=account.agency, by=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, "账号信息已保存。")
            return redirect("workbench:media_account", account.pk)
    account = account_get(user=request.user, pk=account_pk)  # as stored, not as typed
    return _account_page(request, account, form=form, status=400)


@login_required
@require_POST
def media_post_new(request, account_pk: int):
    account = account_get(user=request.user, pk=account_pk)
    Rights(request.user, account.agency).require_write("登记发布")
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            post = post_create(account=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors(form, error)
        else:
            messages.success(request, f"已登记发布“{post.title}”。")
            return redirect("workbench:media_account", account.pk)
    return _account_page(request, account, post_form=form, status=400)
