"""Exports of an agency's catalog and new-media posts as Excel files (gongkai.catalog.spreadsheets.write_xlsx:
write-only mode, rows streamed from the database in chunks, so a big catalog costs little memory).

The headers are the import's (gongkai.catalog.imports), so an export imports back as it is: dates as Excel
dates, 栏目 as its full path, labels in Chinese. Two columns are for people only (逾期公开, 附件) and an
import passes over them. A 正文 longer than an Excel cell holds (32,767 characters) is written as plain text,
cut to fit.

Who sees what: the agency must be one the user sees (agencies_visible); drafts and items under review only
for staff who write there, others get the public items (已发布, 已撤回).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from gongkai.agencies.models import Agency
from gongkai.agencies.permissions import can_write
from gongkai.agencies.selectors import agencies_visible
from gongkai.catalog.enums import Disclosure, ItemStatus, Platform, StatutoryKind, Validity
from gongkai.catalog.imports.common import Progress, no_progress
from gongkai.catalog.imports.items import ITEM_FIELDS, ColumnLookup
from gongkai.catalog.imports.posts import POST_FIELDS
from gongkai.catalog.models import Item, ItemAttachment, Post
from gongkai.catalog.spreadsheets import CELL_MAX, write_xlsx

CHUNK = 2000
ITEM_HEADERS = (*(f.header for f in ITEM_FIELDS), "逾期公开", "附件")
ITEM_WIDTHS = (24, 48, 20, 24, 12, 12, 12, 36, 12, 12, 40, 40, 12, 24, 8, 14, 24, 14, 18, 12, 8, 30)
POST_HEADERS = tuple(f.header for f in POST_FIELDS if f.key != "reposted")
POST_WIDTHS = (24, 14, 12, 60, 48, 8, 24)
PUBLIC = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)


def _check_visible(user, agency: Agency) -> None:
    if not agencies_visible(user=user).filter(pk=agency.pk).exists():
        raise PermissionDenied(f"您不能查看“{agency}”的目录")


def _body(item: Item) -> str:
    if len(item.body) <= CELL_MAX:
        return item.body
    text = item.body_text
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 12] + "……（正文过长，已截断）"


def items_export(
    *, user, agency: Agency, out, public_only: bool = False, progress: Progress = no_progress
) -> int:
    """Write the agency's catalog items to `out` (a binary file) as XLSX; returns the rows written."""
    _check_visible(user, agency)
    items = Item.objects.filter(agency=agency)
    if public_only or not can_write(user, agency):
        items = items.filter(status__in=PUBLIC)
    items = items.order_by("id").prefetch_related(
        Prefetch("attachments", queryset=ItemAttachment.objects.only("item_id", "name").order_by("id"))
    )
    paths = ColumnLookup(agency).path_of

    def rows():
        for item in items.iterator(chunk_size=CHUNK):
            yield (
                item.index_number, item.title, item.doc_number, item.publisher, item.written_on,
                item.formed_on, item.published_on, paths.get(item.column_id, ""), item.topic, item.genre,
                item.summary, _body(item), Disclosure(item.disclosure).label, item.withheld_reason,
                Validity(item.validity).label, item.validity_changed_on, item.validity_note,
                StatutoryKind(item.statutory_kind).label, "、".join(item.channel_labels),
                ItemStatus(item.status).label, "是" if item.late else "",
                "、".join(a.name for a in item.attachments.all()),
            )  # fmt: skip

    advance = progress("正在导出", items.count())
    return write_xlsx(
        out, title="公开目录", headers=ITEM_HEADERS, rows=rows(), widths=ITEM_WIDTHS, advance=advance
    )


def posts_export(*, user, agency: Agency, out, progress: Progress = no_progress) -> int:
    """Write the posts of the agency's new-media accounts to `out` as XLSX; returns the rows written."""
    _check_visible(user, agency)
    posts = (
        Post.objects.filter(account__agency=agency)
        .select_related("account", "item")
        .order_by("account_id", "posted_on", "id")
    )

    def rows():
        for post in posts.iterator(chunk_size=CHUNK):
            yield (
                post.account.name, Platform(post.account.platform).label, post.posted_on, post.title,
                post.url, "原创" if post.original else "转载", post.item.index_number if post.item else "",
            )  # fmt: skip

    advance = progress("正在导出", posts.count())
    return write_xlsx(
        out, title="政务新媒体发布", headers=POST_HEADERS, rows=rows(), widths=POST_WIDTHS, advance=advance
    )


def export_file_name(agency: Agency, what: str, on) -> str:
    return f"{agency.name}-{what}-{on:%Y%m%d}.xlsx"
