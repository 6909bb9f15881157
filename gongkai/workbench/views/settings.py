"""本机关设置: what an agency's 管理员 configures for its letters (机关代字, approval levels, remedy bodies,
how to pay a fee) and its catalog (the 保密审查's levels, the 索引号 code)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gongkai.agencies.models import Agency, Role
from gongkai.agencies.services import agency_settings_update
from gongkai.approvals.models import Kind
from gongkai.approvals.services import policy_steps
from gongkai.cases.enums import LetterKind
from gongkai.workbench.forms import (
    CATALOG_LEVELS,
    LETTER_LEVELS,
    AgencySettingsForm,
    catalog_levels_of,
    letter_levels_of,
    service_errors,
)


def _administered(user) -> list[Agency]:
    return list(Agency.objects.filter(memberships__user=user, memberships__role=Role.ADMIN).distinct())


def _initial(agency: Agency) -> dict:
    initial = {
        "letter_code": agency.letter_code,
        "letter_levels": letter_levels_of(policy_steps(agency=agency, kind=Kind.LETTER)),
        "catalog_levels": catalog_levels_of(policy_steps(agency=agency, kind=Kind.CATALOG_ITEM)),
        "index_code": agency.index_code,
        "review_body": agency.review_body,
        "court": agency.court,
        "payment_instructions": agency.payment_instructions,
    }
    for kind in LetterKind.values:
        initial[f"letter_code_{kind}"] = (agency.letter_codes or {}).get(kind, "")
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def agency_settings(request):
    agencies = _administered(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以修改本机关设置")
    chosen = request.GET.get("agency") or request.POST.get("agency")
    agency = next((a for a in agencies if str(a.pk) == chosen), None) if chosen else agencies[0]
    if agency is None:  # never the settings of another agency than the one the form names
        raise PermissionDenied("只有该机关的管理员可以修改其设置")
    form = AgencySettingsForm(request.POST or None, initial=_initial(agency))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                agency_settings_update(
                    agency=agency,
                    by=request.user,
                    letter_steps=LETTER_LEVELS[data["letter_levels"]],
                    catalog_steps=CATALOG_LEVELS[data["catalog_levels"]],
                    index_code=data["index_code"],
                    letter_code=data["letter_code"],
                    letter_codes={kind: data[f"letter_code_{kind}"] for kind in LetterKind.values},
                    review_body=data["review_body"],
                    court=data["court"],
                    payment_instructions=data["payment_instructions"],
                )
            except ValidationError as error:
                service_errors(form, error)
            else:
                messages.success(request, f"{agency.name}的设置已保存。")
                return redirect(f"{request.path}?agency={agency.pk}")
    kind_fields = [form[f"letter_code_{kind}"] for kind in LetterKind.values]
    return render(
        request,
        "workbench/agency_settings.html",
        {"nav": "settings", "form": form, "agency": agency, "agencies": agencies, "kind_fields": kind_fields},
        status=status,
    )
