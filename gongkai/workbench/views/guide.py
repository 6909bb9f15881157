"""政府信息公开指南: the agency's staff edit the guide the portal shows (《条例》第十二条). The text is HTML (or
plain text, one paragraph a line), previewed as the public will see it, and every save is a new version;
any earlier version, or the guide generated from the agency's data, can be loaded as the starting point."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gongkai.catalog import html
from gongkai.catalog.guide import (
    BODY_MAX,
    NOTE_MAX,
    guide_current,
    guide_default_html,
    guide_save,
    guide_versions,
)
from gongkai.law import Ground, cite
from gongkai.web.forms import ChineseForm, service_errors
from gongkai.workbench.views.shared import writable_agencies

HTML, TEXT = "html", "text"


class GuideForm(ChineseForm):
    body = forms.CharField(
        label="指南正文",
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "guide-source", "spellcheck": "false"}),
        help_text="可使用段落、二级和三级标题、列表、表格和链接；脚本、样式和其他标签保存时会被去除。",
    )
    mode = forms.ChoiceField(
        label="正文格式",
        choices=[(HTML, "HTML"), (TEXT, "纯文本（每行一段）")],
        widget=forms.RadioSelect,
        initial=HTML,
    )
    note = forms.CharField(label="修订说明", max_length=NOTE_MAX, required=False,
                           help_text="如：更新办公地址和联系电话")  # fmt: skip

    def body_html(self) -> str:
        body = self.cleaned_data["body"]
        return html.from_plain_text(body) if self.cleaned_data["mode"] == TEXT else body


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request):
    agencies = writable_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关的工作人员可以修改政府信息公开指南")
    chosen = request.GET.get("agency") or request.POST.get("agency")
    agency = next((a for a in agencies if str(a.pk) == chosen), None) if chosen else agencies[0]
    if agency is None:  # never the guide of an agency the user does not work in
        raise PermissionDenied("只有该机关的工作人员可以修改其政府信息公开指南")
    versions = list(guide_versions(agency=agency))
    current = guide_current(agency)
    source, loaded = current.body, ""
    if request.GET.get("version"):
        shown = next((v for v in versions if str(v.version) == request.GET["version"]), None)
        if shown is not None:
            source, loaded = shown.body, f"已载入第{shown.version}版作为底稿，保存后成为新的版本。"
    elif request.GET.get("default"):
        source, loaded = (
            guide_default_html(agency),
            "已载入根据本机关登记信息生成的指南作为底稿，保存后成为新的版本。",
        )
    form = GuideForm(request.POST or None, initial={"body": source, "mode": HTML})
    preview = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if "preview" in request.POST:
                preview, status = html.sanitise(form.body_html()), 200
            else:
                try:
                    version = guide_save(
                        agency=agency, by=request.user, body=form.body_html(), note=form.cleaned_data["note"]
                    )
                except ValidationError as error:
                    service_errors(form, error)
                else:
                    messages.success(request, f"已保存为第{version.version}版，公开页面即时更新。")
                    return redirect(f"{request.path}?agency={agency.pk}")
    return render(
        request,
        "workbench/guide_edit.html",
        {
            "nav": "guide", "form": form, "agency": agency, "agencies": agencies, "versions": versions,
            "current": current, "preview": preview, "loaded": loaded,
            "cite_guide": cite(Ground.GUIDE, intro=True),
        },
        status=status,
    )  # fmt: skip
