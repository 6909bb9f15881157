"""The public 政府信息公开 pages of each agency (国办公开办函〔2019〕61号: one platform, one format): the section
with its four first-level entries (指南 · 制度 · 法定主动公开内容 · 年报, and 依申请公开 from the 指南), the
目录 by column, 主题分类 and year, the item page with its 47号 meta tags and its files, the 年报 list, an Atom
feed per column and the sitemap.

Thin: every read goes through gongkai.catalog.public (only published items are listed; a withdrawn one has a
page that says so); every list page runs a constant number of queries whatever the catalog's size.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterator
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from feedgen.feed import FeedGenerator

from gongkai.agencies.models import Agency
from gongkai.catalog.attachments import attachment_path
from gongkai.catalog.enums import ItemStatus, Validity
from gongkai.catalog.guide import guide_current
from gongkai.catalog.public import (
    ColumnNode,
    ColumnTree,
    public_agencies_with_catalog,
    public_agency,
    public_attachment,
    public_attachments,
    public_column_counts,
    public_column_tree,
    public_item,
    public_items,
    public_sitemap_buckets,
    public_sitemap_columns,
    public_sitemap_items,
    public_topics,
    public_years,
)
from gongkai.law import Ground, cite
from gongkai.portal.selectors import public_agency_accepting_online
from gongkai.portal.templatetags.portal_catalog import column_url
from gongkai.web.attachments import CONTENT_TYPES
from gongkai.web.responses import attachment_header

PAGE_SIZE = 20
LATEST = 10
FEED_SIZE = 20
SITEMAP_MAX_URLS = 50_000
NO_ITEMS = "本栏目暂无信息"
# the national guideline that asks for a lapsed or repealed document to be marked on its own page
GUIDELINE_47 = "国办发〔2017〕47号"
CONTENT_TYPES_MORE = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "wps": "application/vnd.ms-works",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "txt": "text/plain; charset=utf-8",
    "jpeg": "image/jpeg",
}


# The counts in the column tree and the choices of the filters may be a minute old (per process): each is a
# pass over all of an agency's published items, too much for every page view of a large catalog. The lists
# themselves are always read afresh.
FACETS_SECONDS = 60


def _tree(agency: Agency) -> ColumnTree:
    counts = caches["pages"].get_or_set(
        f"catalog:counts:{agency.pk}", lambda: public_column_counts(agency=agency), FACETS_SECONDS
    )
    return public_column_tree(agency=agency, counts=counts)


def _facets(agency: Agency) -> tuple[list[str], list[int]]:
    """The 主题分类 and the years the filters offer."""
    return caches["pages"].get_or_set(
        f"catalog:facets:{agency.pk}",
        lambda: (public_topics(agency=agency), public_years(agency=agency)),
        FACETS_SECONDS,
    )


def _agency(agency_pk) -> Agency:
    agency = public_agency(pk=agency_pk)
    if agency is None:
        raise Http404("该机关没有政府信息公开栏目")
    return agency


def _section_context(agency: Agency, tree: ColumnTree, **extra) -> dict:
    statutory = tree.by_code.get("statutory")
    return {
        "agency": agency,
        "tree": tree,
        "statutory": statutory,
        "rules": tree.by_code.get("rules"),
        "nav": "gongkai",
        "site_name": settings.SITE_NAME,
        "site_id_code": settings.SITE_ID_CODE,
        "cite_proactive": cite(Ground.PROACTIVE_CONTENT),
        "cite_annual_report": cite(Ground.ANNUAL_REPORT, intro=True),
    } | extra


def _filters(request, topics: list[str], years: list[int]) -> tuple[str, int | None]:
    """The chosen 主题分类 and year, when they are among those offered (anything else is ignored)."""
    topic = request.GET.get("topic", "")
    topic = topic if topic in topics else ""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    return topic, year if year in years else None


def _page(request, items) -> tuple:
    """The page asked for (the last one when past the end) and the page numbers to link, None for a gap:
    never one link per page, which a catalog of a million items would make 50,000."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    links = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return page, [n if n != Paginator.ELLIPSIS else None for n in links]


# --- the section ---------------------------------------------------------------------------------------------


@require_safe
def section(request, agency_pk: int):
    agency = _agency(agency_pk)
    tree = _tree(agency)
    latest = list(public_items(agency=agency)[:LATEST])
    _attach_columns(latest, tree)
    return render(
        request,
        "portal/catalog/section.html",
        _section_context(
            agency, tree, latest=latest, accepting=public_agency_accepting_online(pk=agency.pk) is not None
        ),
    )


def _attach_columns(items, tree: ColumnTree) -> None:
    """Give each listed item its column from the tree already read (no query per row)."""
    for item in items:
        node = tree.by_id.get(item.column_id)
        item.column_node = node


@require_safe
def guide(request, agency_pk: int):
    agency = _agency(agency_pk)
    tree = _tree(agency)
    current = guide_current(agency)
    return render(
        request,
        "portal/catalog/guide.html",
        _section_context(
            agency, tree, guide=current, current=tree.by_code.get("guide"),
            accepting=public_agency_accepting_online(pk=agency.pk) is not None,
        ),
    )  # fmt: skip


@require_safe
def catalog(request, agency_pk: int):
    """The whole 目录 of the agency: every published item, by 主题分类 and year."""
    agency = _agency(agency_pk)
    return _browse(request, agency, _tree(agency), None)


@require_safe
def column(request, agency_pk: int, column_pk: int):
    agency = _agency(agency_pk)
    tree = _tree(agency)
    node = tree.get(column_pk)
    if node is None:  # not a column of this agency
        raise Http404("该栏目不存在")
    if node.code in ("guide", "annual", "apply"):
        return redirect(column_url(node))
    return _browse(request, agency, tree, node)


def _browse(request, agency: Agency, tree: ColumnTree, node: ColumnNode | None):
    topics, years = _facets(agency)
    topic, year = _filters(request, topics, years)
    items = public_items(agency=agency, column_ids=node.ids() if node else None, topic=topic, year=year)
    page, links = _page(request, items)
    _attach_columns(page.object_list, tree)
    query = urlencode({key: value for key, value in (("topic", topic), ("year", year or "")) if value})
    return render(
        request,
        "portal/catalog/column.html",
        _section_context(
            agency, tree, current=node, page=page, page_links=links, topics=topics, years=years, topic=topic, year=year,
            query=query, filtered=bool(topic or year), no_items=NO_ITEMS, all_items=node is None,
        ),
    )  # fmt: skip


@require_safe
def annual(request, agency_pk: int):
    agency = _agency(agency_pk)
    tree = _tree(agency)
    node = tree.by_code.get("annual")
    items = public_items(agency=agency, column_ids=node.ids()) if node else public_items(agency=agency).none()
    page, links = _page(request, items)
    return render(
        request,
        "portal/catalog/annual.html",
        _section_context(
            agency, tree, current=node, page=page, page_links=links, query="", no_items=NO_ITEMS
        ),
    )


# --- an item and its files -----------------------------------------------------------------------------------


@require_safe
def item(request, pk: int):
    found = public_item(pk=pk)
    if found is None:
        raise Http404("该信息不存在或未公开")
    tree = public_column_tree(agency=found.agency)
    node = tree.by_id.get(found.column_id)
    withdrawn = found.status == ItemStatus.WITHDRAWN
    return render(
        request,
        "portal/catalog/item.html",
        _section_context(
            found.agency, tree, item=found, current=node, withdrawn=withdrawn,
            attachments=public_attachments(item=found),
            invalid=found.validity != Validity.VALID, guideline=GUIDELINE_47,
            pub_date=timezone.localtime(found.published_at).strftime("%Y-%m-%d %H:%M")
            if found.published_at else (found.published_on.isoformat() if found.published_on else ""),
        ),
    )  # fmt: skip


def content_type(extension: str) -> str:
    extension = (extension or "").lower().lstrip(".")
    known = CONTENT_TYPES.get(extension) or CONTENT_TYPES_MORE.get(extension)
    if known:
        return known
    guessed, _ = mimetypes.guess_type(f"file.{extension}")
    # never a type a browser would run as a page of this site
    if not guessed or guessed.startswith(("text/html", "application/xhtml", "image/svg", "text/xml")):
        return "application/octet-stream"
    return guessed


@require_safe
def attachment(request, pk: int, key: str):
    """A file of a published item, as a download under its own name."""
    found = public_attachment(item_pk=pk, key=key)
    if found is None:
        raise Http404("该附件不存在或未公开")
    path = attachment_path(found)
    try:
        handle = path.open("rb")
    except OSError:
        raise Http404("该附件文件已不存在") from None
    extension = (found.extension or "").lower().lstrip(".")
    response = FileResponse(handle, content_type=content_type(extension))
    response["Content-Disposition"] = attachment_header(found.name, f"attachment.{extension or 'bin'}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(path.stat().st_size)
    return response


# --- the feed and the sitemap --------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@require_safe
def feed(request, agency_pk: int, column_pk: int):
    """Atom feed of a column (and the columns below it): its latest published items."""
    agency = _agency(agency_pk)
    node = public_column_tree(agency=agency).get(column_pk)
    if node is None:
        raise Http404("该栏目不存在")
    items = list(public_items(agency=agency, column_ids=node.ids())[:FEED_SIZE])
    page_url = _absolute(reverse("portal:catalog_column", args=[agency.pk, node.pk]))
    generator = FeedGenerator()
    generator.id(page_url)
    generator.title(f"{agency.name} · {node.name}")
    generator.subtitle(f"{agency.name}政府信息公开 · {node.name}栏目的最新信息")
    generator.author({"name": agency.name})
    generator.link(href=page_url, rel="alternate", type="text/html")
    generator.link(href=_absolute(request.path), rel="self", type="application/atom+xml")
    generator.language("zh-CN")
    generator.rights(agency.name)
    updated = [i.published_at for i in items if i.published_at]
    generator.updated(max(updated) if updated else timezone.now())
    for found in items:
        entry = generator.add_entry(order="append")
        url = _absolute(reverse("portal:catalog_item", args=[found.pk]))
        entry.id(url)
        entry.title(found.title)
        entry.link(href=url, rel="alternate", type="text/html")
        at = found.published_at or timezone.make_aware(
            dt.datetime.combine(found.published_on, dt.time()), timezone.get_current_timezone()
        )
        entry.published(at)
        entry.updated(at)
        summary = " ".join(part for part in (found.index_number, found.doc_number, found.summary) if part)
        entry.summary(summary or found.title)
    response = HttpResponse(
        generator.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=600"
    return response


def _urlset(urls) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for loc, lastmod in urls:
        line = f"<url><loc>{escape(loc)}</loc>"
        if lastmod:
            line += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        yield line + "</url>\n"
    yield "</urlset>\n"


@require_safe
@cache_control(public=True, max_age=3600)
def sitemap_index(request):
    """The sitemap index: one child sitemap of the sections and columns, and one per block of item ids
    (each at most 50,000 URLs, as the sitemap protocol allows)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
             f"<sitemap><loc>{escape(_absolute(reverse('portal:sitemap_sections')))}</loc></sitemap>\n"]  # fmt: skip
    for bucket in public_sitemap_buckets():
        loc = escape(_absolute(reverse("portal:sitemap_items", args=[bucket.number])))
        lastmod = f"<lastmod>{bucket.lastmod.isoformat()}</lastmod>" if bucket.lastmod else ""
        parts.append(f"<sitemap><loc>{loc}</loc>{lastmod}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return HttpResponse("".join(parts), content_type="application/xml; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=3600)
def sitemap_sections(request):
    """The home page, every agency's section, 指南, 目录 and 年报 pages, and every column."""

    def urls():
        yield _absolute(reverse("portal:home")), None
        for agency in public_agencies_with_catalog().only("id"):
            for name in ("catalog_section", "catalog_guide", "catalog", "catalog_annual"):
                yield _absolute(reverse(f"portal:{name}", args=[agency.pk])), None
        template = _absolute(reverse("portal:catalog_column", args=[1234567890, 9876543210]))
        for column in public_sitemap_columns().exclude(code__in=("guide", "annual", "apply")).iterator(2000):
            yield (
                template.replace("1234567890", str(column.agency_id)).replace("9876543210", str(column.pk)),
                None,
            )

    def capped():
        for n, url in enumerate(urls()):
            if n >= SITEMAP_MAX_URLS:
                return
            yield url

    return StreamingHttpResponse(_urlset(capped()), content_type="application/xml; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=3600)
def sitemap_items(request, bucket: int):
    """The published items whose ids fall in one block (at most 50,000)."""
    template = _absolute(reverse("portal:catalog_item", args=[9876543210]))
    rows = public_sitemap_items(bucket=bucket)
    urls = ((template.replace("9876543210", str(pk)), day) for pk, day in rows)
    return StreamingHttpResponse(_urlset(urls), content_type="application/xml; charset=utf-8")
