"""Letters of a case: draft from the case, edit, issue after a confirmation, download the Word file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.agencies.permissions import can_write
from gongkai.cases import letters as letter_services
from gongkai.cases.enums import EventKind, LetterKind
from gongkai.cases.selectors import (
    application_get,
)
from gongkai.workbench.forms import (
    LetterDraftForm,
    LetterEditForm,
    LetterIssueForm,
    service_errors,
)
from gongkai.workbench.views.shared import attachment_header

# --- letters ------------------------------------------------------------------------------------------------


def _letter(request, pk: int, letter_pk: int):
    application = application_get(user=request.user, pk=pk)
    letter = application.letters.filter(pk=letter_pk).first()
    if letter is None:
        raise Http404("没有这份文书")
    letter.application = application
    return application, letter


def _require_write(user, application) -> None:
    if not can_write(user, application.agency):
        raise PermissionDenied("您对该机关的申请只有查看权限，不能出具文书")


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
    try:
        letter = letter_services.letter_draft(application=application, by=request.user, kind=kind, **context)
    except (ValidationError, ValueError) as error:
        text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"无法生成{LetterKind(kind).label}：{text}")
        return redirect("workbench:application_detail", pk=pk)
    messages.success(request, f"已生成{letter.get_kind_display()}草稿，请核对并填写【】中的内容。")
    return redirect("workbench:letter_edit", pk=pk, letter_pk=letter.pk)


@login_required
@require_http_methods(["GET", "POST"])
def letter_edit(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    writable = can_write(request.user, application.agency)
    form = LetterEditForm(request.POST or None, initial={"title": letter.title, "body": letter.body})
    status = 200
    if request.method == "POST":
        _require_write(request.user, application)
        status = 400
        if form.is_valid():
            try:
                letter_services.letter_update(letter=letter, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                service_errors(form, error)
            else:
                if request.POST.get("then") == "issue":
                    return redirect("workbench:letter_issue", pk=pk, letter_pk=letter.pk)
                messages.success(request, "文书已保存。")
                return redirect("workbench:letter_edit", pk=pk, letter_pk=letter.pk)
    return render(
        request,
        "workbench/letter_edit.html",
        {
            "nav": "applications",
            "application": application,
            "letter": letter,
            "form": form,
            "writable": writable and letter.issued_on is None,
            "placeholders": letter_services.letter_placeholders(letter.title + "\n" + letter.body),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_issue(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    _require_write(request.user, application)
    if letter.issued_on is not None:
        messages.info(request, "该文书已出具。")
        return redirect("workbench:letter_edit", pk=pk, letter_pk=letter.pk)
    form = LetterIssueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                letter_services.letter_issue(letter=letter, by=request.user, on=form.cleaned_data["on"])
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, f"{letter.title}已出具，可下载 Word 文件。")
                return redirect("workbench:application_detail", pk=pk)
    return render(
        request,
        "workbench/letter_issue.html",
        {
            "nav": "applications",
            "application": application,
            "letter": letter,
            "form": form,
            "paragraphs": [line for line in letter.body.splitlines() if line.strip()],
            "placeholders": letter_services.letter_placeholders(letter.title + "\n" + letter.body),
        },
        status=status,
    )


@login_required
@require_GET
def letter_download(request, pk: int, letter_pk: int):
    application, letter = _letter(request, pk, letter_pk)
    if letter.issued_on is not None and letter.docx:
        data, suffix = bytes(letter.docx), ""
    else:  # a draft: the same layout, undated, marked as a draft in the file name
        data = letter_services.letter_docx(agency=application.agency, title=letter.title, body=letter.body)
        suffix = "（草稿）"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    filename = f"{letter.title}{suffix}-{application.number}.docx"
    response["Content-Disposition"] = attachment_header(filename, f"letter-{letter.pk}.docx")
    return response
