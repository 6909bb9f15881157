"""Public pages: the agencies that take online applications, the online application form (《条例》第二十九条)
with its printable receipt, and the progress query by query code (no personal data on that page): the fee
to pay, the online correction and the download of the issued reply (the last two also ask for the last
four characters of the applicant's ID number)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.cases import procedure
from gongkai.cases.enums import Status
from gongkai.cases.letters.document import letter_pdf
from gongkai.cases.services import application_submit_correction_online, application_submit_online
from gongkai.portal.forms import (
    IdentityCheckForm,
    OnlineApplicationForm,
    OnlineCorrectionForm,
    StatusQueryForm,
)
from gongkai.portal.selectors import (
    public_agencies_on_home,
    public_agency_accepting_online,
    public_application_by_query_code,
    public_correction_request,
    public_events,
    public_identity_matches,
    public_open_fee_notice,
    public_reply_letter,
)
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.web.attachments import size_label
from gongkai.web.client import client_ip
from gongkai.web.forms import service_errors
from gongkai.web.ratelimit import rate_give_back, rate_take
from gongkai.web.responses import attachment_header

log = logging.getLogger(__name__)

# Per client address (gongkai.web.client), counted atomically in the database (gongkai.web.ratelimit):
# accepted applications, all submissions, failed status queries.
RATE_WINDOW_SECONDS = 10 * 60
APPLY_LIMIT = 5
POST_LIMIT = 20
QUERY_MISS_LIMIT = 20
RECEIPT_SESSION_KEY = "portal_receipt"
NOT_AWAITING_CORRECTION = "该申请当前不需要补正，不能提交补正材料。"


def _rate_key(request, kind: str) -> str:
    return f"portal:{kind}:{client_ip(request) or 'unknown'}"


def _rate_take(request, kind: str, limit: int) -> bool:
    """Count this request against the client's limit of this kind; False when the limit is reached."""
    return rate_take(_rate_key(request, kind), limit=limit, window_seconds=RATE_WINDOW_SECONDS)


def _rate_give_back(request, kind: str) -> None:
    rate_give_back(_rate_key(request, kind))


@require_GET
def home(request):
    return render(
        request,
        "portal/home.html",
        {"agencies": public_agencies_on_home(), "query_form": StatusQueryForm(), "nav": "home"},
    )


@require_http_methods(["GET", "POST"])
def apply(request, agency_pk: int):
    agency = public_agency_accepting_online(pk=agency_pk)
    if agency is None:
        raise Http404("该机关暂不受理网上申请")
    form = OnlineApplicationForm()
    status = 200
    page_error = ""
    if request.method == "POST":
        # every submission counts, and a slot of the accepted ones is taken before the form is read, so that
        # parallel submissions cannot all pass the check; it is given back when none was accepted
        if not _rate_take(request, "post", POST_LIMIT) or not _rate_take(request, "apply", APPLY_LIMIT):
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
            _rate_give_back(request, "apply")
            page_error = (
                f"附件过大，不能超过 {size_label(settings.UPLOAD_MAX_BYTES)}。请压缩附件后重新填写提交。"
            )
            status = 413
        else:
            form = OnlineApplicationForm(request.POST, request.FILES)
            receipt = _submit(agency, form) if form.is_valid() else None
            if receipt is not None:
                request.session[RECEIPT_SESSION_KEY] = receipt
                return redirect("portal:receipt")
            _rate_give_back(request, "apply")
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


def _submit(agency, form) -> dict | None:
    data = form.cleaned_data
    try:
        application = application_submit_online(
            agency=agency, applicant=data["applicant"], attachment=data.get("attachment")
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
        "agency_address": agency.address,
        "received_on": application.received_on.isoformat(),
        "due_on": application.due_on.isoformat() if application.due_on else "",
        "due_on_estimated": application.due_on_estimated,
        "due_text": procedure.deadline_text(application.due_on, application.due_on_estimated, numeric=True),
        "attachment": bool(data.get("attachment")),
        "description": application.description[:300],
        "requested_form": application.get_requested_form_display(),
        "delivery": application.get_delivery_display(),
        "channel": application.get_channel_display(),
    }


@require_GET
def receipt(request):
    data = request.session.get(RECEIPT_SESSION_KEY)
    if not data:
        return redirect("portal:home")
    template = "portal/receipt_print.html" if request.GET.get("print") else "portal/receipt.html"
    return render(request, template, {"receipt": data, "nav": "apply"})


def _lookup(request, form) -> tuple[object | None, int]:
    """The application of a valid query form, counting misses per client (HTTP status 404/429 on failure)."""
    # counted as a miss before the lookup (so that parallel requests cannot all pass the check), given back
    # when the code is found or missing
    if not _rate_take(request, "query_miss", QUERY_MISS_LIMIT):
        form.add_error(None, "查询次数过多，请10分钟后再试。")
        return None, 429
    form.is_valid()
    code = form.cleaned_data.get("code")
    application = public_application_by_query_code(code=code) if code else None
    if application is None and code:
        form.add_error("code", "未找到与该查询码对应的申请，请核对回执上的查询码。")
        return None, 404
    _rate_give_back(request, "query_miss")
    return application, 200 if code else 400


def _status_context(application, **extra) -> dict:
    awaiting = application.status == Status.AWAITING_CORRECTION
    reply = public_reply_letter(application=application) if application.status == Status.CONCLUDED else None
    context = {
        "application": application,
        "events": public_events(application=application),
        "outcome": OUTCOMES_BY_CODE.get(application.outcome),
        "concluded": application.status == Status.CONCLUDED,
        "fee_notice": public_open_fee_notice(application=application)
        if application.status == Status.AWAITING_FEE
        else None,
        "correction_items": public_correction_request(application=application) if awaiting else [],
        "correction_form": OnlineCorrectionForm(initial={"code": application.query_code})
        if awaiting
        else None,
        "reply": reply,
        "download_form": IdentityCheckForm(initial={"code": application.query_code}) if reply else None,
        "nav": "status",
    }
    return context | extra


@require_GET
def status(request):
    form = StatusQueryForm(request.GET or None)
    context: dict = {"form": form, "application": None, "nav": "status"}
    code = 200
    if form.is_bound:
        application, code = _lookup(request, form)
        if application is not None:
            context.update(_status_context(application))
    return render(request, "portal/status.html", context, status=code)


def _checked(request, form_class):
    """The form and its application when the query code and the ID suffix match; else an error response."""
    form = form_class(request.POST, request.FILES)
    application, code = _lookup(request, form)
    if application is None:
        errors = [*form.non_field_errors(), *form.errors.get("code", [])] or ["查询码不正确，请重新查询。"]
        context = {"form": StatusQueryForm(), "application": None, "nav": "status", "page_error": errors[0]}
        return form, None, render(request, "portal/status.html", context, status=code)
    last4 = form.cleaned_data.get("id_last4")
    if last4 and not public_identity_matches(application=application, last4=last4):
        _rate_take(request, "query_miss", QUERY_MISS_LIMIT)
        form.add_error("id_last4", "证件号码后四位与申请时填写的不一致")
    return form, application, None


@require_POST
def status_correction(request):
    """The applicant submits the correction online: text and/or an attachment, checked as on the form."""
    form, application, failed = _checked(request, OnlineCorrectionForm)
    if failed is not None:
        return failed
    if not form.errors and application.status == Status.AWAITING_CORRECTION:
        try:
            application_submit_correction_online(
                application=application, text=form.cleaned_data.get("text") or "",
                attachment=form.cleaned_data.get("attachment"),
            )  # fmt: skip
        except ValidationError as error:
            service_errors(form, error)
        except OSError:
            log.exception("attachment of an online correction could not be stored")
            form.add_error("attachment", "附件保存失败，请稍后重试，或只填写补正内容提交。")
        else:
            application = public_application_by_query_code(code=application.query_code)
            return render(
                request,
                "portal/status.html",
                _status_context(application, form=StatusQueryForm(initial={"code": application.query_code}),
                                submitted="补正材料已提交，答复期限自今日起重新计算。"),
            )  # fmt: skip
    context = _status_context(application, form=StatusQueryForm(initial={"code": application.query_code}))
    if context["correction_form"] is not None:  # still awaiting the correction: the form with its errors
        context["correction_form"] = form
    else:  # nothing to correct (any more): say so, and offer no form
        context["page_error"] = NOT_AWAITING_CORRECTION
    return render(request, "portal/status.html", context, status=400)


@require_POST
def status_reply_download(request):
    """The issued 答复告知书 as PDF, for someone who knows the query code and the applicant's ID suffix."""
    form, application, failed = _checked(request, IdentityCheckForm)
    if failed is not None:
        return failed
    letter = public_reply_letter(application=application) if not form.errors else None
    if letter is None:
        context = _status_context(application, form=StatusQueryForm(initial={"code": application.query_code}))
        if form.errors:
            context["download_form"] = form
        return render(request, "portal/status.html", context, status=400 if form.errors else 404)
    data = letter_pdf(
        agency=application.agency, title=letter.title, body=letter.body, issued_on=letter.issued_on,
        number=letter.number,
    )  # fmt: skip
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(
        f"{letter.title}-{application.number}.pdf", "reply.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response
