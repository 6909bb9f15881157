"""目录导入导出: upload a spreadsheet of catalog items (the office's historic catalog) or of new-media posts
(a platform's export), see each problem by row or what was imported; download the catalog and the posts
as Excel files, and empty templates with the headers the import reads.

Thin: the imports and exports are gongkai.catalog.imports / exports (which check the rights and every
row). A big file is checked and written within one request, so the page takes at most WEB_MAX_ROWS rows;
bigger files go through `gongkai catalog import-items` on the server.
"""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from gongkai.agencies.selectors import agencies_visible
from gongkai.catalog import spreadsheets
from gongkai.catalog.exports import (
    ITEM_HEADERS,
    ITEM_WIDTHS,
    POST_HEADERS,
    POST_WIDTHS,
    export_file_name,
    items_export,
    posts_export,
)
from gongkai.catalog.imports import items_import, may_import_items, posts_import
from gongkai.catalog.imports.items import ColumnLookup
from gongkai.catalog.models import Account, Column
from gongkai.catalog.spreadsheets import size_text, write_xlsx
from gongkai.web.forms import ChineseForm
from gongkai.workbench.views.shared import attachment_header, today, writable_agencies

WEB_MAX_ROWS = 10_000
PROBLEMS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_HELP = (
    f".xlsx 或 CSV 文件（UTF-8 或 GBK 编码），不超过 {size_text(spreadsheets.MAX_BYTES)}、{WEB_MAX_ROWS} 行"
)


class ItemsImportForm(ChineseForm):
    file = forms.FileField(
        label="目录文件", widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,.txt"}), help_text=FILE_HELP
    )
    column = forms.TypedChoiceField(
        label="栏目", required=False, coerce=int, empty_value=None,
        help_text="文件中没有“栏目”列，或某行栏目为空时，导入到这个栏目",
    )  # fmt: skip
    check_only = forms.BooleanField(label="只检查，不导入", required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        paths = ColumnLookup(agency).path_of
        columns = Column.objects.filter(agency=agency).exclude(code__in=("statutory", "apply"))
        self.fields["column"].choices = [("", "按文件中的“栏目”列")] + sorted(
            ((c.pk, paths[c.pk]) for c in columns), key=lambda choice: choice[1]
        )
        self.agency = agency


class PostsImportForm(ChineseForm):
    file = forms.FileField(
        label="发布记录文件", widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,.txt"}), help_text=FILE_HELP
    )
    account = forms.TypedChoiceField(
        label="导入到账号", required=False, coerce=int, empty_value=None,
        help_text="微博、微信公众号后台导出的文件一般没有“账号”列，请选择账号",
    )  # fmt: skip
    check_only = forms.BooleanField(label="只检查，不导入", required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "按文件中的“账号”列")] + [
            (a.pk, str(a)) for a in Account.objects.filter(agency=agency)
        ]


def _agencies(request) -> list:
    agencies = writable_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关的工作人员可以导入、导出公开目录")
    return agencies


def _chosen(request, agencies: list):
    chosen = request.POST.get("agency") or request.GET.get("agency")
    agency = next((a for a in agencies if str(a.pk) == chosen), None) if chosen else agencies[0]
    if agency is None:
        raise PermissionDenied("您不能在该机关导入、导出公开目录")
    return agency


def _page(request, agencies, agency, *, items_form=None, posts_form=None, report=None, status=200):
    context = {
        "nav": "catalog_io",
        "agencies": agencies,
        "agency": agency,
        "may_import_items": may_import_items(request.user, agency),
        "items_form": items_form or ItemsImportForm(agency=agency),
        "posts_form": posts_form or PostsImportForm(agency=agency),
        "report": report,
        "problems": report.problems[:PROBLEMS_SHOWN] if report else [],
        "problems_hidden": (report.problem_count - PROBLEMS_SHOWN) if report else 0,
        "item_headers": ITEM_HEADERS[:-2],
        "post_headers": POST_HEADERS,
        "web_max_rows": WEB_MAX_ROWS,
    }
    return render(request, "workbench/catalog_io/page.html", context, status=status)


@login_required
@require_GET
def catalog_io(request):
    agencies = _agencies(request)
    return _page(request, agencies, _chosen(request, agencies))


# what -> (its form, the form's name on the page, the field naming where rows go, that model, the import)
IMPORTS = {
    "items": (ItemsImportForm, "items_form", "column", Column, items_import),
    "posts": (PostsImportForm, "posts_form", "account", Account, posts_import),
}


def _import(request, what: str):
    form_class, form_name, target, model, run = IMPORTS[what]
    agencies = _agencies(request)
    agency = _chosen(request, agencies)
    form = form_class(request.POST, request.FILES, agency=agency)
    if not form.is_valid():
        return _page(request, agencies, agency, status=400, **{form_name: form})
    chosen = form.cleaned_data[target]
    upload = form.cleaned_data["file"]
    report = run(
        agency=agency, by=request.user, source=upload, name=upload.name,
        check_only=form.cleaned_data["check_only"], max_rows=WEB_MAX_ROWS,
        **{target: model.objects.filter(agency=agency, pk=chosen).first() if chosen else None},
    )  # fmt: skip
    return _page(
        request, agencies, agency, report=report, status=200 if report.ok else 400, **{form_name: form}
    )


@login_required
@require_POST
def catalog_import_items(request):
    return _import(request, "items")


@login_required
@require_POST
def catalog_import_posts(request):
    return _import(request, "posts")


def _xlsx_response(file, name: str, fallback: str) -> FileResponse:
    file.seek(0)
    response = FileResponse(file, content_type=XLSX)
    response["Content-Disposition"] = attachment_header(name, fallback)
    return response


@login_required
@require_GET
def catalog_export(request, what: str):
    if what not in ("items", "items-public", "posts"):
        raise Http404
    chosen = request.GET.get("agency", "")
    known = chosen.isascii() and chosen.isdigit() and len(chosen) <= 9
    agency = agencies_visible(user=request.user).filter(pk=int(chosen)).first() if known else None
    if agency is None:
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    if what == "posts":
        posts_export(user=request.user, agency=agency, out=out)
        return _xlsx_response(out, export_file_name(agency, "政务新媒体发布", today()), "posts.xlsx")
    items_export(user=request.user, agency=agency, out=out, public_only=what == "items-public")
    return _xlsx_response(out, export_file_name(agency, "公开目录", today()), "catalog.xlsx")


@login_required
@require_GET
def catalog_template(request, what: str):
    """An empty spreadsheet with the headers the import reads."""
    if what not in ("items", "posts"):
        raise Http404
    _agencies(request)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    if what == "items":
        write_xlsx(out, title="公开目录", headers=ITEM_HEADERS[:-2], rows=[], widths=ITEM_WIDTHS)
        return _xlsx_response(out, "公开目录导入模板.xlsx", "catalog-template.xlsx")
    write_xlsx(out, title="政务新媒体发布", headers=POST_HEADERS, rows=[], widths=POST_WIDTHS)
    return _xlsx_response(out, "政务新媒体发布导入模板.xlsx", "posts-template.xlsx")
