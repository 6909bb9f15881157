"""Reads of the catalog for the staff pages. Every selector takes the acting user and keeps to the agencies
the user may see (gongkai.agencies.selectors.agencies_visible): another agency's item, column, account or
post is not found, exactly like one that does not exist. Writes go through gongkai.catalog.services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agencies_visible
from gongkai.approvals.models import ApprovalDecision
from gongkai.audit.models import AuditEvent
from gongkai.catalog.enums import ItemStatus
from gongkai.catalog.figures import ProactiveFigures, proactive_figures
from gongkai.catalog.freshness import Finding, freshness_check
from gongkai.catalog.models import Account, Art20Figure, Column, Item, Post, ReviewSheet
from gongkai.catalog.scan import ScanWarning
from gongkai.catalog.services.items import item_scan

# Columns an item cannot be filed in: groups of other columns (gongkai.catalog.services.items).
GROUP_CODES = frozenset({"statutory", "apply"})


ID_MAX = 2**31 - 1  # what every database's integer key holds (SQLite overflows beyond 2**63)


def _int(value) -> int | None:
    """An id from a URL or a form, or None for anything that cannot be one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= ID_MAX else None


def agency_get(*, user, pk) -> Agency:
    """An agency the user may see (Http404 otherwise)."""
    pk = _int(pk)
    agency = agencies_visible(user=user).filter(pk=pk).first() if pk else None
    if agency is None:
        raise Http404("未找到该机关")
    return agency


# --- items ----------------------------------------------------------------------------------------------------


def items_for(*, user) -> QuerySet[Item]:
    return Item.objects.filter(agency__in=agencies_visible(user=user))


def item_list(
    *,
    user,
    agency_id: int | None = None,
    status: str | None = None,
    column_id: int | None = None,
    year: int | None = None,
    q: str | None = None,
    late: bool = False,
) -> QuerySet[Item]:
    """The items the filters select, newest first; a column filter takes the columns below it too. One
    query for the rows (agency and column joined in), one for the count when paginated."""
    items = items_for(user=user).select_related("agency", "column")
    if agency_id:
        items = items.filter(agency_id=agency_id)
    if status:
        items = items.filter(status=status)
    if column_id:
        items = items.filter(column_id__in=column_subtree_ids(user=user, column_id=column_id))
    if year:
        items = items.filter(published_on__year=year)
    if q:
        items = items.filter(Q(title__icontains=q) | Q(index_number__icontains=q.strip()))
    if late:
        items = items.filter(late=True)
    return items.order_by("-updated_at", "-id")


def item_get(*, user, pk) -> Item:
    """The item with this id if the user may see it; Http404 otherwise."""
    pk = _int(pk)
    visible = items_for(user=user).select_related("agency", "column", "created_by")
    found = visible.filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404("未找到该信息")
    return found


def item_sheets(*, user, item: Item) -> list[ReviewSheet]:
    """The item's 保密审查单, newest first, each with the decisions taken on it (three queries)."""
    decisions = ApprovalDecision.objects.select_related("by").order_by("step", "id")
    return list(
        ReviewSheet.objects.filter(item__in=items_for(user=user).filter(pk=item.pk))
        .select_related("approval", "submitted_by")
        .prefetch_related(Prefetch("approval__decisions", queryset=decisions))
    )


def item_history(*, user, item: Item) -> list[AuditEvent]:
    """The item's audit trail, oldest first."""
    if not items_for(user=user).filter(pk=item.pk).exists():
        return []
    return list(
        AuditEvent.objects.filter(object_type="Item", object_id=str(item.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def item_warnings(*, user, item: Item) -> list[ScanWarning]:
    """What the pre-submission scan finds in the item now (ID numbers, mobile numbers, sensitive words)."""
    if not items_for(user=user).filter(pk=item.pk).exists():
        return []
    return item_scan(item)


@dataclass(frozen=True)
class CatalogCounts:
    reviewing: int  # waiting for the 保密审查
    late: int  # published this year after the Art. 26 limit
    published: int  # published this year


def catalog_counts(*, user, year: int) -> CatalogCounts:
    """Counts for the dashboard, in one query."""
    row = items_for(user=user).aggregate(
        reviewing=Count("id", filter=Q(status=ItemStatus.REVIEWING)),
        late=Count("id", filter=Q(late=True, published_on__year=year)),
        published=Count(
            "id",
            filter=Q(status__in=(ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN), published_on__year=year),
        ),
    )
    return CatalogCounts(row["reviewing"], row["late"], row["published"])


# --- columns --------------------------------------------------------------------------------------------------


@dataclass
class TreeColumn:
    column: Column
    depth: int
    has_children: bool
    items: int = 0
    last_on: dt.date | None = None

    @property
    def is_group(self) -> bool:
        return self.column.code in GROUP_CODES


def _as_tree(columns: list[Column]) -> list[TreeColumn]:
    children: dict[int | None, list[Column]] = {}
    for column in sorted(columns, key=lambda c: (c.position, c.pk)):
        children.setdefault(column.parent_id, []).append(column)
    ordered: list[TreeColumn] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for column in children.get(parent_id, []):
            ordered.append(TreeColumn(column, depth, column.pk in children))
            visit(column.pk, depth + 1)

    visit(None, 0)
    return ordered


def columns_tree(*, user, agency_id: int, with_counts: bool = False) -> list[TreeColumn]:
    """The agency's columns as a tree, parents first, in their order; with `with_counts`, the items
    published in each column (not counting those below it) and the last 发布日期. One or two queries."""
    columns = list(Column.objects.filter(agency_id=agency_id, agency__in=agencies_visible(user=user)))
    tree = _as_tree(columns)
    if with_counts and tree:
        rows = (
            Item.objects.filter(
                column__in=[c.column for c in tree],
                status__in=(ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN),
            )
            .values("column_id")
            .annotate(n=Count("id"), last=Max("published_on"))
        )
        figures = {r["column_id"]: r for r in rows}
        for entry in tree:
            figure = figures.get(entry.column.pk)
            if figure:
                entry.items, entry.last_on = figure["n"], figure["last"]
    return tree


def catalog_has_columns(*, user) -> bool:
    """Has any agency the user sees set up its catalog's columns?"""
    return Column.objects.filter(agency__in=agencies_visible(user=user)).exists()


def column_get(*, user, pk) -> Column:
    pk = _int(pk)
    visible = Column.objects.filter(agency__in=agencies_visible(user=user))
    column = visible.select_related("agency", "parent").filter(pk=pk).first() if pk else None
    if column is None:
        raise Http404("未找到该栏目")
    return column


def column_subtree_ids(*, user, column_id: int) -> list[int]:
    """The column and every column below it (one query: the agency's columns)."""
    column = Column.objects.filter(agency__in=agencies_visible(user=user), pk=column_id).first()
    if column is None:
        return []
    below: dict[int | None, list[int]] = {}
    for pk, parent_id in Column.objects.filter(agency_id=column.agency_id).values_list("pk", "parent_id"):
        below.setdefault(parent_id, []).append(pk)
    found, todo = [], [column.pk]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += below.get(current, [])
    return found


# --- new media ------------------------------------------------------------------------------------------------


def accounts_of(*, user, agency_id: int) -> list[Account]:
    """The agency's accounts with their number of posts and the date of the last (one query)."""
    return list(
        Account.objects.filter(agency_id=agency_id, agency__in=agencies_visible(user=user))
        .annotate(post_count=Count("posts"), last_on=Max("posts__posted_on"))
        .order_by("-active", "platform", "pk")
    )


def account_get(*, user, pk) -> Account:
    pk = _int(pk)
    visible = Account.objects.filter(agency__in=agencies_visible(user=user))
    account = visible.select_related("agency").filter(pk=pk).first() if pk else None
    if account is None:
        raise Http404("未找到该账号")
    return account


def posts_of(*, user, account: Account) -> QuerySet[Post]:
    return Post.objects.filter(
        account=account, account__agency__in=agencies_visible(user=user)
    ).select_related("item")


# --- Art. 20 figures ----------------------------------------------------------------------------------------


def art20_entered(*, user, agency_id: int, year: int) -> dict[str, Art20Figure]:
    """The figures entered for the year, keyed "row.column"."""
    figures = Art20Figure.objects.filter(
        agency_id=agency_id, agency__in=agencies_visible(user=user), year=year
    )
    return {f"{f.row}.{f.column}": f for f in figures}


def figures_for(*, user, agency_id: int, year: int) -> ProactiveFigures | None:
    """The proactive-disclosure figures of the year from the records (gongkai.catalog.figures), or None
    for an agency the user does not see."""
    if not agencies_visible(user=user).filter(pk=agency_id).exists():
        return None
    return proactive_figures(agency_id=agency_id, year=year)


# --- the freshness guard ---------------------------------------------------------------------------------------


def freshness_for(*, user, today: dt.date, agency_id: int | None = None) -> dict[int, list[Finding]]:
    """The freshness guard's findings of the agencies the user may see (or of one of them)."""
    agencies = agencies_visible(user=user)
    if agency_id is not None:
        agencies = agencies.filter(pk=agency_id)
    return freshness_check(agency_ids=agencies.values_list("pk", flat=True), today=today)
