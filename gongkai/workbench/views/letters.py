"""Letters of an application: draft, edit, send to 审核/签发, decide, issue with a 文号, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.agencies.permissions import can_write
from gongkai.approvals.models import Kind as ApprovalKind
from gongkai.approvals.models import RequestStatus
from gongkai.approvals.selectors import approvals_of
from gongkai.approvals.services import policy_steps
from gongkai.cases import letters as letter_services
from gongkai.cases.enums import EventKind, LetterKind, LetterStatus
from gongkai.cases.letters.document import letter_pdf
from gongkai.cases.selectors import application_get
from gongkai.workbench.forms import (
    ApprovalDecisionForm,
    LetterDraftForm,
    LetterEditForm,
    LetterIssueForm,
    service_errors,
)
from gongkai.workbench.views.approvals import can_decide
from gongkai.workbench.views.shared import attachment_header, today


def _letter(request, pk: int, letter_pk: int):
    application = application_get(user=request.user, pk=pk)
    letter = application.letters.filter(pk=letter_pk).first()
    if letter is None:
        raise Http404("没有这份文书")
    letter.application = application
    return application, letter


def _require_write(user, application) -> None:
    if not can_write(user, application.agency):
        raise PermissionDenied("您对该机关的申请只有查看权限，不能办理文书")


@login_required
@require_POST
def letter_draft(request, pk: int):
    application = application_get(user=request.user, pk=pk)
    _require_write(request.user, application)
    form = LetterDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要生成的文书")
        return redirect("workbench:application_detail", pk=pk)
    kind = form.cleaned_data["kind"]
    context = {}
    if kind == LetterKind.CORRECTION:
        requested = (
            application.events.filter(kind=EventKind.CORRECTION_REQUESTED).order_by("-on", "-id").first()
        )
        if requested is not None:
            items = str(requested.data.get("items") or requested.note)
            context["items"] = [line for line in items.splitlines() if line.strip()]
    if kind == LetterKind.EXTENSION:
        extended = application.events.filter(kind=EventKind.EXTENDED).order_by("-id").first()
        if extended is not None:
            context["extension_reason"] = extended.data.get("reason")
    try:
        letter = letter_services.letter_draft(application=application, by=request.user, kind=kind, **context)
    except ValidationError as error:
        messages.error(request, f"无法生成{LetterKind(kind).label}：{'；'.join(error.messages)}")
        return redirect("workbench:application_detail", pk=pk)
    messages.success(request, f"已生成{letter.get_kind_display()}草稿，请核对并填写【】中的内容。")
    return redirect("workbench:letter_edit", pk=pk, letter_pk=letter.pk)


def _page(request, application, letter, *, form=None, issue_form=None, decision_form=None, status=200):
    writable = can_write(request.user, application.agency)
    requests = approvals_of(subject=letter)
    pending = next((r for r in requests if r.status == RequestStatus.PENDING), None)
    return render(
        request,
        "workbench/letter_edit.html",
        {
            "nav": "applications",
            "application": application,
            "letter": letter,
            "form": form or LetterEditForm(initial={"title": letter.title, "body": letter.body}),
            "editable": writable and letter.status == LetterStatus.DRAFT,
            "writable": writable,
            "placeholders": letter_services.letter_placeholders(letter.title + "\n" + letter.body),
            "limit": letter_services.letter_limit(letter) if letter.status != LetterStatus.ISSUED else None,
            "requests": requests,
            "pending": pending,
            "can_decide": pending is not None and can_decide(request.user, pending),
            "direct": not policy_steps(agency=application.agency, kind=ApprovalKind.LETTER),
            "decision_form": decision_form or ApprovalDecisionForm(),
            "issue_form": issue_form or LetterIssueForm(),
            "today": today(),
            "paragraphs": [line for line in letter.body.splitlines() if line.strip()],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_edit(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    if request.method == "GET":
        return _page(request, application, letter)
    _require_write(request.user, application)
    form = LetterEditForm(request.POST)
    if form.is_valid():
        try:
            letter = letter_services.letter_update(letter=letter, by=request.user, **form.cleaned_data)
            if request.POST.get("then") == "submit":
                letter_services.letter_submit(letter=letter, by=request.user, on=today())
        except ValidationError as error:
            service_errors(form, error)
        else:
            letter.refresh_from_db()
            messages.success(request, _after_save(letter, request.POST.get("then") == "submit"))
            return redirect("workbench:letter_edit", pk=pk, letter_pk=letter.pk)
    letter.refresh_from_db()
    return _page(request, application, letter, form=form, status=400)


def _after_save(letter, submitted: bool) -> str:
    if not submitted:
        return "文书已保存。"
    if letter.status == LetterStatus.APPROVED:
        return "文书已保存。本机关文书无需审核、签发，可以出具。"
    return "文书已保存并送审，审核、签发后可以出具。"


@login_required
@require_POST
def letter_withdraw(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    _require_write(request.user, application)
    try:
        letter_services.letter_withdraw(letter=letter, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已撤回审批，文书可以修改。")
    return redirect("workbench:letter_edit", pk=pk, letter_pk=letter_pk)


@login_required
@require_POST
def letter_discard(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    _require_write(request.user, application)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请确认作废该草稿。")
        return redirect("workbench:letter_edit", pk=pk, letter_pk=letter_pk)
    try:
        letter_services.letter_discard(letter=letter, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("workbench:letter_edit", pk=pk, letter_pk=letter_pk)
    messages.success(request, f"{letter.title}已作废。")
    return redirect("workbench:application_detail", pk=pk)


@login_required
@require_POST
def letter_issue(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    _require_write(request.user, application)
    form = LetterIssueForm(request.POST)
    if form.is_valid():
        try:
            letter = letter_services.letter_issue(
                letter=letter, by=request.user, on=form.cleaned_data["on"],
                past_year_reason=form.cleaned_data["past_year_reason"],
            )  # fmt: skip
        except ValidationError as error:
            service_errors(form, error)
        else:
            done = "，申请已办结" if letter.kind == LetterKind.REPLY else ""
            messages.success(
                request, f"{letter.title}已出具，文号 {letter.number}{done}。可下载 Word 或 PDF 文件。"
            )
            return redirect("workbench:application_detail", pk=pk)
    letter.refresh_from_db()
    return _page(request, application, letter, issue_form=form, status=400)


@login_required
@require_GET
def letter_download(request, pk: int, letter_pk: int, to: str = "docx"):
    application, letter = _letter(request, pk, letter_pk)
    issued = letter.status == LetterStatus.ISSUED
    suffix = "" if issued else "（草稿）"
    if to == "pdf":
        data = letter_pdf(
            agency=application.agency, title=letter.title, body=letter.body, issued_on=letter.issued_on,
            number=letter.number or None,
        )  # fmt: skip
        content_type = "application/pdf"
    elif issued and letter.docx:
        data, content_type = bytes(letter.docx), None
    else:  # a draft: the same layout, undated and unnumbered, marked as a draft in the file name
        data = letter_services.letter_docx(agency=application.agency, title=letter.title, body=letter.body)
        content_type = None
    response = HttpResponse(
        data,
        content_type=content_type
        or "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"{letter.title}{suffix}-{letter.number or application.number}.{to}"
    response["Content-Disposition"] = attachment_header(filename, f"letter-{letter.pk}.{to}")
    return response
