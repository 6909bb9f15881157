"""Public reads of the catalog, for the portal's 政府信息公开 pages, the feeds and the sitemap: nothing here
needs a login, so nothing here ever returns an item that is not public.

Only PUBLISHED items are listed (lists, feeds, the sitemap, counts); a WITHDRAWN item is found by its own
page only, which says that it was withdrawn, when and why. Drafts, items under review, scheduled items and
items recorded as not proactively disclosed are never returned.

Every list is one query for its page and one for its count, whatever the size of the catalog: the column
tree is read once and walked in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet
from django.db.models.functions import ExtractYear

from gongkai.agencies.models import Agency
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.models import Column, Item, ItemAttachment

LISTED = ItemStatus.PUBLISHED
PUBLIC = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)
# the fields a list row shows
LIST_FIELDS = (
    "id", "agency_id", "column_id", "index_number", "title", "doc_number", "written_on", "published_on",
    "published_at", "validity", "topic", "genre", "summary",
)  # fmt: skip
# one child sitemap holds the items whose ids fall into one bucket of this many ids (≤ 50,000 URLs each)
SITEMAP_BUCKET = 50_000


# --- agencies ------------------------------------------------------------------------------------------------


def public_agencies_with_catalog() -> QuerySet[Agency]:
    """Agencies that have a 政府信息公开 section (a column tree), in the tree's order."""
    return Agency.objects.filter(Exists(Column.objects.filter(agency=OuterRef("pk")))).order_by("path")


def public_agency(*, pk) -> Agency | None:
    """The agency with this id when it has a 政府信息公开 section."""
    try:
        return public_agencies_with_catalog().get(pk=int(pk))
    except (Agency.DoesNotExist, TypeError, ValueError):
        return None


# --- the column tree ---------------------------------------------------------------------------------------


@dataclass
class ColumnNode:
    column: Column
    depth: int
    parent: ColumnNode | None = None
    children: list[ColumnNode] = field(default_factory=list)
    count: int = 0  # published items in this column alone
    total: int = 0  # … and in the columns below it

    @property
    def pk(self) -> int:
        return self.column.pk

    @property
    def code(self) -> str:
        return self.column.code

    @property
    def name(self) -> str:
        return self.column.name

    def walk(self) -> Iterator[ColumnNode]:
        yield self
        for child in self.children:
            yield from child.walk()

    def ids(self) -> list[int]:
        """This column's id and the ids of every column below it."""
        return [node.pk for node in self.walk()]

    def path(self) -> list[ColumnNode]:
        """The columns from the first level down to this one."""
        nodes: list[ColumnNode] = []
        node: ColumnNode | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]


@dataclass
class ColumnTree:
    roots: list[ColumnNode]
    by_id: dict[int, ColumnNode]
    by_code: dict[str, ColumnNode]

    def get(self, pk) -> ColumnNode | None:
        try:
            return self.by_id.get(int(pk))
        except (TypeError, ValueError):
            return None

    def nodes(self) -> Iterator[ColumnNode]:
        for root in self.roots:
            yield from root.walk()


def public_column_tree(*, agency: Agency, counts: dict[int, int] | None = None) -> ColumnTree:
    """The agency's columns as a tree (one query); with `counts` (public_column_counts) each column knows how
    many published items it and the columns below it hold."""
    columns = list(
        Column.objects.filter(agency=agency)
        .only("id", "agency_id", "parent_id", "code", "name", "position", "note")
        .order_by("position", "id")
    )
    by_id: dict[int, ColumnNode] = {}
    for column in columns:
        by_id[column.pk] = ColumnNode(column=column, depth=0, count=(counts or {}).get(column.pk, 0))
    roots: list[ColumnNode] = []
    for column in columns:
        node = by_id[column.pk]
        parent = by_id.get(column.parent_id) if column.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.parent = parent
            parent.children.append(node)
    tree = ColumnTree(roots=roots, by_id=by_id, by_code={c.code: by_id[c.pk] for c in columns if c.code})
    for node in tree.nodes():
        node.depth = 0 if node.parent is None else node.parent.depth + 1
    for root in roots:
        _total(root)
    return tree


def public_column_counts(*, agency: Agency) -> dict[int, int]:
    """The number of published items in each of the agency's columns (one grouped query)."""
    rows = (
        Item.objects.filter(agency=agency, status=LISTED)
        .values("column_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["column_id"]: row["n"] for row in rows}


def _total(node: ColumnNode) -> int:
    node.total = node.count + sum(_total(child) for child in node.children)
    return node.total


# --- items -------------------------------------------------------------------------------------------------


def public_items(
    *,
    agency: Agency,
    column_ids: Iterable[int] | None = None,
    topic: str = "",
    year: int | None = None,
) -> QuerySet[Item]:
    """Published items of the agency, newest first: in these columns (None: all), of this 主题分类 and this
    year of publication when given. Lazy: the caller slices it (a page) and counts it."""
    items = Item.objects.filter(agency=agency, status=LISTED)
    if column_ids is not None:
        ids = list(column_ids)
        items = items.filter(column_id=ids[0]) if len(ids) == 1 else items.filter(column_id__in=ids)
    if topic:
        items = items.filter(topic=topic)
    if year:
        start = dt.date(year, 1, 1)
        items = items.filter(published_on__gte=start, published_on__lt=start.replace(year=year + 1))
    return items.only(*LIST_FIELDS).order_by("-published_on", "-id")


def public_topics(*, agency: Agency) -> list[str]:
    """The 主题分类 used by the agency's published items (for the filter)."""
    rows = (
        Item.objects.filter(agency=agency, status=LISTED)
        .exclude(topic="")
        .values_list("topic", flat=True)
        .distinct()
        .order_by("topic")
    )
    return list(rows)


def public_years(*, agency: Agency) -> list[int]:
    """The years in which the agency published items, newest first (for the filter)."""
    rows = (
        Item.objects.filter(agency=agency, status=LISTED, published_on__isnull=False)
        .annotate(year=ExtractYear("published_on"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return list(rows)


def public_item(*, pk) -> Item | None:
    """A published or withdrawn item (the page of a withdrawn one says so and shows nothing else)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Item.objects.select_related("agency", "column")
        .filter(pk=pk, status__in=PUBLIC)
        .defer("body_text", "withheld_reason", "channels")
        .first()
    )


def public_attachments(*, item: Item) -> list[ItemAttachment]:
    """The files of a published item (none for a withdrawn one)."""
    if item.status != LISTED:
        return []
    return list(item.attachments.only("id", "item_id", "key", "name", "extension", "size").order_by("id"))


def public_attachment(*, item_pk, key: str) -> ItemAttachment | None:
    """A file of a published item, for download; None when the item is not published or the file is not
    the item's."""
    try:
        item_pk = int(item_pk)
    except (TypeError, ValueError):
        return None
    return (
        ItemAttachment.objects.select_related("item")
        .only("id", "key", "name", "extension", "size", "item__id", "item__status")
        .filter(item_id=item_pk, item__status=LISTED, key=key)
        .first()
    )


# --- the sitemap -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapBucket:
    number: int
    lastmod: dt.date | None


def public_sitemap_buckets() -> list[SitemapBucket]:
    """The child sitemaps of the items: one per block of SITEMAP_BUCKET ids that holds published items, with
    the last publication date in it. One grouped query over the published items."""
    rows = (
        Item.objects.filter(status=LISTED)
        .annotate(bucket=F("id") / SITEMAP_BUCKET)
        .values("bucket")
        .annotate(lastmod=Max("published_on"))
        .order_by("bucket")
    )
    return [SitemapBucket(number=row["bucket"], lastmod=row["lastmod"]) for row in rows]


def public_sitemap_items(*, bucket: int) -> Iterator[tuple[int, dt.date | None]]:
    """(id, publication date) of the published items of one child sitemap, streamed in id order."""
    start = bucket * SITEMAP_BUCKET
    rows = (
        Item.objects.filter(status=LISTED, id__gte=start, id__lt=start + SITEMAP_BUCKET)
        .order_by("id")
        .values_list("id", "published_on")
    )
    return rows.iterator(chunk_size=5000)


def public_sitemap_columns() -> QuerySet[Column]:
    """Every column of every agency, for the sections' sitemap (a few dozen per agency)."""
    return Column.objects.only("id", "agency_id", "code").order_by("agency_id", "position", "id")
