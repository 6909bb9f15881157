"""The public search of the 政府信息公开目录 (Art. 24: 检索、查阅、下载): every agency's published items,
by words, 文号 or 索引号, filtered by agency, column and year, newest first (gongkai.catalog.search)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gongkai.agencies.models import Agency
from gongkai.catalog.enums import Validity
from gongkai.catalog.models import Column
from gongkai.catalog.search import (
    COUNT_CAP,
    QUERY_MAX,
    catalog_search,
    highlight,
    public_item_url,
    snippet,
)

FIRST_YEAR = 2008  # the Regulations' first version took effect on 2008-05-01
PER_PAGE = 20


def _number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _pages(page: int, pages: int) -> list[int | None]:
    """Page numbers to link, None where some are left out: 1 … 4 5 [6] 7 8 … 20."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def _column_choices(agency_id: int) -> list[tuple[int, str]]:
    """The agency's columns in tree order, indented by level."""
    columns = list(
        Column.objects.filter(agency_id=agency_id).exclude(code="apply").only("pk", "name", "parent_id")
    )
    children: dict[int | None, list[Column]] = {}
    for column in columns:
        children.setdefault(column.parent_id, []).append(column)
    out: list[tuple[int, str]] = []

    def walk(parent, depth):
        for column in children.get(parent, ()):
            out.append((column.pk, "\u3000" * depth + column.name))
            walk(column.pk, depth + 1)

    walk(None, 0)
    return out


@require_GET
def catalog_search_page(request):
    q = (request.GET.get("q") or "").strip()[: QUERY_MAX * 2]
    agencies = list(Agency.objects.order_by("path", "pk").only("pk", "name", "path"))
    agency_id = _number(request.GET.get("agency"))
    if agency_id not in {a.pk for a in agencies}:
        agency_id = None
    columns = _column_choices(agency_id) if agency_id else []
    column_id = _number(request.GET.get("column"))
    if column_id not in {pk for pk, _ in columns}:
        column_id = None
    this_year = timezone.localdate().year
    years = list(range(this_year, FIRST_YEAR - 1, -1))
    year = _number(request.GET.get("year"))
    if year not in years:
        year = None
    page = _number(request.GET.get("page")) or 1
    context = {
        "nav": "search",
        "q": q,
        "query_max": QUERY_MAX,
        "agencies": [(a.pk, "\u3000" * max(0, a.path.count("/") - 2) + a.name) for a in agencies],
        "agency_id": agency_id,
        "columns": columns,
        "column_id": column_id,
        "years": years,
        "year": year,
        "cap": COUNT_CAP,
    }
    if q or agency_id or year:
        try:
            result = catalog_search(
                q=q, agency_id=agency_id, column_id=column_id, year=year, page=page, per_page=PER_PAGE
            )
        except ValidationError as error:
            context["error"] = "；".join(error.messages)
        else:
            terms = result.terms
            context["result"] = result
            context["rows"] = [
                {
                    "item": item,
                    "url": public_item_url(item.pk),
                    "title": highlight(item.title, terms),
                    "snippet": snippet(item.summary or item.body_text, terms),
                    "gone": item.validity != Validity.VALID,
                }
                for item in result.items
            ]
            context["first"] = (result.page - 1) * result.per_page + 1
            kept = {"q": q, "agency": agency_id, "column": column_id, "year": year}
            context["query"] = urlencode({k: v for k, v in kept.items() if v})
            context["page_links"] = _pages(result.page, result.pages) if result.pages > 1 else []
    return render(request, "portal/search.html", context)
