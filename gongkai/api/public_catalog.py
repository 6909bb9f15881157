"""The public catalog API under /api/public/ (no login): agencies, site-wide search, an agency's catalog, one
item, and an agency's proactive-disclosure figures for a year. Only what the portal shows: published items
(a withdrawn one says when and why, without its body), no drafts, no personal data.

Errors answer `{"code", "detail"}` in Chinese through the API's handlers (gongkai.api.views).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from gongkai.agencies.models import Agency
from gongkai.catalog import index_numbers
from gongkai.catalog.enums import ItemStatus, Validity
from gongkai.catalog.figures import proactive_figures
from gongkai.catalog.models import Column, Item
from gongkai.catalog.search import (
    COUNT_CAP,
    QUERY_MAX,
    catalog_search,
    column_and_descendants,
    public_item_url,
)

router = Router(auth=None, tags=["公开目录（无需登录）"])

PER_PAGE = 20
MAX_PAGE = COUNT_CAP // PER_PAGE
FIRST_YEAR = 2008  # the Regulations' first version took effect on 2008-05-01
PUBLIC = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)
LIST_FIELDS = ("index_number", "title", "published_on", "status", "agency__name", "column__name")


class AgencyOut(Schema):
    id: int
    name: str
    parent_id: int | None
    credit_code: str


class ItemRow(Schema):
    index_number: str
    title: str
    agency: str
    column: str
    published_on: dt.date | None
    url: str


class ItemPage(Schema):
    count: int
    items: list[ItemRow]


class ProactiveOut(Schema):
    total: int
    channels: list[dict]
    columns: list[dict]
    table2: dict


class ValidityOut(Schema):
    value: str
    label: str
    changed_on: dt.date | None
    note: str


class WithdrawnOut(Schema):
    at: dt.datetime | None
    reason: str


class ItemDetail(Schema):
    id: int
    index_number: str
    title: str
    doc_number: str
    agency_id: int
    agency: str
    publisher: str
    column: str
    topic: str
    genre: str
    written_on: dt.date | None
    formed_on: dt.date | None
    published_on: dt.date | None
    summary: str
    body: str  # sanitised HTML; empty once withdrawn
    validity: ValidityOut
    withdrawn: WithdrawnOut | None
    url: str


def _row(item: Item) -> ItemRow:
    return ItemRow(
        index_number=item.index_number,
        title=item.title,
        agency=item.agency.name,
        column=item.column.name,
        published_on=item.published_on,
        url=public_item_url(item.pk),
    )


def _check_page(page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise HttpError(
            400, f"页码须在 1 到 {MAX_PAGE} 之间（每页 {PER_PAGE} 条，最多显示前 {COUNT_CAP:,} 条）"
        )


def _check_year(year: int | None) -> None:
    if year is not None and not FIRST_YEAR <= year <= timezone.localdate().year:
        raise HttpError(400, f"年度应在 {FIRST_YEAR} 年至今年之间")


def _agency(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).only("pk", "name").first()
    if agency is None:
        raise Http404("未找到该机关")
    return agency


@router.get("/agencies", response=list[AgencyOut], summary="机关列表")
def agencies(request):
    return list(Agency.objects.order_by("path", "pk").values("id", "name", "parent_id", "credit_code"))


@router.get(
    "/catalog/search",
    response=ItemPage,
    summary=f"全站检索已发布的目录信息（按发布日期从新到旧，每页 {PER_PAGE} 条；count 最多计到 {COUNT_CAP:,}）",
)
def search(request, q: str = "", agency: int | None = None, year: int | None = None, page: int = 1):
    _check_page(page)
    _check_year(year)
    if len(q) > QUERY_MAX:
        raise HttpError(400, f"搜索词不能超过{QUERY_MAX}个字")
    if agency is not None:
        _agency(agency)
    result = catalog_search(q=q, agency_id=agency, year=year, page=page, per_page=PER_PAGE)
    items = result.items if result.page == page else []  # past the last page: nothing, not the last page
    return ItemPage(count=result.count, items=[_row(i) for i in items])


@router.get(
    "/agencies/{agency_id}/catalog",
    response=ItemPage,
    summary=f"机关的公开目录（可按栏目、年度筛选，栏目含其下级栏目；每页 {PER_PAGE} 条）",
)
def agency_catalog(
    request, agency_id: int, column: int | None = None, year: int | None = None, page: int = 1
):
    _check_page(page)
    _check_year(year)
    agency = _agency(agency_id)
    items = Item.objects.filter(agency=agency, status=ItemStatus.PUBLISHED)
    if column is not None:
        if not Column.objects.filter(pk=column, agency=agency).exists():
            raise Http404("该机关没有这个栏目")
        items = items.filter(column_id__in=column_and_descendants(column))
    if year is not None:
        items = items.filter(published_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    start = (page - 1) * PER_PAGE
    rows = items.select_related("agency", "column").only(*LIST_FIELDS).order_by("-published_on", "-id")
    return ItemPage(count=items.count(), items=[_row(i) for i in rows[start : start + PER_PAGE]])


@router.get(
    "/catalog/items/{path:key}",
    response=ItemDetail,
    summary="一条目录信息（按索引号或编号）；已撤回的只说明撤回时间和原因",
)
def item_detail(request, key: str):
    items = Item.objects.filter(status__in=PUBLIC).select_related("agency", "column")
    number = index_numbers.normalise(key)
    # only a key that can be a 索引号 reaches the database (PostgreSQL refuses a NUL in a query, for one)
    item = (
        items.filter(index_number=number).first() if not index_numbers.index_number_problem(number) else None
    )
    if item is None and key.isdigit() and len(key) < 19:
        item = items.filter(pk=int(key)).first()
    if item is None:
        raise Http404("未找到该信息")
    withdrawn = item.status == ItemStatus.WITHDRAWN
    return ItemDetail(
        id=item.pk,
        index_number=item.index_number,
        title=item.title,
        doc_number=item.doc_number,
        agency_id=item.agency_id,
        agency=item.agency.name,
        publisher=item.publisher,
        column=item.column.name,
        topic=item.topic,
        genre=item.genre,
        written_on=item.written_on,
        formed_on=item.formed_on,
        published_on=item.published_on,
        summary="" if withdrawn else item.summary,
        body="" if withdrawn else item.body,
        validity=ValidityOut(
            value=item.validity,
            label=Validity(item.validity).label,
            changed_on=item.validity_changed_on,
            note=item.validity_note,
        ),
        withdrawn=WithdrawnOut(at=item.withdrawn_at, reason=item.withdrawn_reason) if withdrawn else None,
        url=public_item_url(item.pk),
    )


@router.get(
    "/agencies/{agency_id}/proactive/{year}",
    response=ProactiveOut,
    summary="机关某年度主动公开情况与年报表二（由目录记录统计）",
)
def proactive(request, agency_id: int, year: int):
    _check_year(year)
    _agency(agency_id)
    return proactive_figures(agency_id=agency_id, year=year).as_json()
