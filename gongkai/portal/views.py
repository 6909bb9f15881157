"""Public pages: the agencies that take online applications, the online application form (《条例》第二十九条)
with its receipt, and the progress query by query code (no personal data on that page)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.agencies.auth import client_ip
from gongkai.cases.enums import Channel, Status
from gongkai.cases.services import application_register
from gongkai.portal.attachments import attachment_store
from gongkai.portal.forms import OnlineApplicationForm, StatusQueryForm, service_errors, size_label
from gongkai.portal.selectors import (
    agencies_accepting_online,
    agency_accepting_online,
    application_by_query_code,
    public_events,
)
from gongkai.report.formats import OUTCOMES_BY_CODE

log = logging.getLogger(__name__)

# Per client address, in the Django cache: accepted applications, all submissions, failed status queries.
RATE_WINDOW_SECONDS = 10 * 60
APPLY_LIMIT = 5
POST_LIMIT = 20
QUERY_MISS_LIMIT = 20
RECEIPT_SESSION_KEY = "portal_receipt"

_FORM_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "requested_form",
    "delivery",
)


def _rate_key(request, kind: str) -> str:
    return f"gongkai:portal:{kind}:{client_ip(request) or 'unknown'}"


def _rate_count(request, kind: str) -> int:
    return cache.get(_rate_key(request, kind), 0)


def _rate_hit(request, kind: str) -> None:
    key = _rate_key(request, kind)
    # the window runs from the first hit: add() sets the expiry only when the key is new
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)


@require_GET
def home(request):
    return render(
        request,
        "portal/home.html",
        {"agencies": agencies_accepting_online(), "query_form": StatusQueryForm(), "nav": "home"},
    )


@require_http_methods(["GET", "POST"])
def apply(request, agency_pk: int):
    agency = agency_accepting_online(pk=agency_pk)
    if agency is None:
        raise Http404("该机关暂不受理网上申请")
    form = OnlineApplicationForm()
    status = 200
    page_error = ""
    if request.method == "POST":
        if _rate_count(request, "apply") >= APPLY_LIMIT or _rate_count(request, "post") >= POST_LIMIT:
            form = OnlineApplicationForm(request.POST)
            form.is_valid()
            form.add_error(
                None,
                f"提交过于频繁：同一网络地址 {RATE_WINDOW_SECONDS // 60} 分钟内最多提交 {APPLY_LIMIT} 件申请。"
                "请稍后再试，或通过信函、当面等方式提交。",
            )
            status = 429
        elif int(request.META.get("CONTENT_LENGTH") or 0) > settings.UPLOAD_MAX_BYTES + 1024 * 1024:
            # refused before Django reads the body: the attachment alone is over the limit
            _rate_hit(request, "post")
            page_error = (
                f"附件过大，不能超过 {size_label(settings.UPLOAD_MAX_BYTES)}。请压缩附件后重新填写提交。"
            )
            status = 413
        else:
            _rate_hit(request, "post")
            form = OnlineApplicationForm(request.POST, request.FILES)
            if form.is_valid():
                receipt = _register(request, agency, form)
                if receipt is not None:
                    _rate_hit(request, "apply")
                    request.session[RECEIPT_SESSION_KEY] = receipt
                    return redirect("portal:receipt")
            status = 400
    return render(
        request,
        "portal/apply.html",
        {
            "agency": agency,
            "form": form,
            "page_error": page_error,
            "nav": "apply",
            "max_size": size_label(settings.UPLOAD_MAX_BYTES),
        },
        status=status,
    )


def _register(request, agency, form) -> dict | None:
    data = form.cleaned_data
    today = timezone.localdate()
    try:
        with transaction.atomic():
            application = application_register(
                agency=agency,
                by=None,
                channel=Channel.ONLINE,
                received_on=today,
                **{name: data[name] for name in _FORM_FIELDS},
            )
            if data.get("attachment") and form.attachment_type:
                attachment_store(
                    application=application,
                    upload=data["attachment"],
                    extension=form.attachment_type.extension,
                )
    except ValidationError as error:
        service_errors(form, error)
        return None
    except PermissionDenied:
        form.add_error(None, "该机关暂不受理网上申请，请通过信函或当面提交。")
        return None
    except OSError:
        log.exception("attachment of an online application could not be stored")
        form.add_error("attachment", "附件保存失败，请稍后重试，或不附附件提交。")
        return None
    return {
        "number": application.number,
        "query_code": application.query_code,
        "agency": agency.name,
        "agency_phone": agency.phone,
        "received_on": application.received_on.isoformat(),
        "due_on": application.due_on.isoformat() if application.due_on else "",
        "attachment": bool(data.get("attachment")),
    }


@require_GET
def receipt(request):
    data = request.session.get(RECEIPT_SESSION_KEY)
    if not data:
        return redirect("portal:home")
    return render(request, "portal/receipt.html", {"receipt": data, "nav": "apply"})


@require_GET
def status(request):
    form = StatusQueryForm(request.GET or None)
    application = events = outcome = None
    code = 200
    if form.is_bound:
        if _rate_count(request, "query_miss") >= QUERY_MISS_LIMIT:
            form.add_error(None, "查询次数过多，请10分钟后再试。")
            code = 429
        elif form.is_valid():
            application = application_by_query_code(code=form.cleaned_data["code"])
            if application is None:
                _rate_hit(request, "query_miss")
                form.add_error("code", "未找到与该查询码对应的申请，请核对回执上的查询码。")
                code = 404
            else:
                events = public_events(application=application)
                outcome = OUTCOMES_BY_CODE.get(application.outcome)
    return render(
        request,
        "portal/status.html",
        {
            "form": form,
            "application": application,
            "events": events,
            "outcome": outcome,
            "concluded": application is not None and application.status == Status.CONCLUDED,
            "nav": "status",
        },
        status=code,
    )
