"""Template filters of the public 政府信息公开 pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import timezone

from gongkai.web.attachments import size_label

register = template.Library()

# first-level columns that have a page of their own rather than a list
_OWN_PAGES = {"guide": "portal:catalog_guide", "annual": "portal:catalog_annual"}


@register.filter
def column_url(node) -> str:
    """Where a column of the tree links to: the 指南 and the 年报 have pages of their own, 依申请公开 is
    explained on the 指南's page (which links the online form); every other column is a list."""
    column = getattr(node, "column", node)
    if column.code in _OWN_PAGES:
        return reverse(_OWN_PAGES[column.code], args=[column.agency_id])
    if column.code == "apply":
        return reverse("portal:catalog_guide", args=[column.agency_id]) + "#apply"
    return reverse("portal:catalog_column", args=[column.agency_id, column.pk])


@register.filter
def counted(node) -> bool:
    """Does the tree show a count of items beside this column (not for the 指南 and 依申请公开 entries)?"""
    return getattr(node, "code", "") not in ("guide", "apply")


@register.filter
def cn_date(day) -> str:
    """2026年11月27日."""
    if isinstance(day, dt.datetime):
        day = (timezone.localtime(day) if timezone.is_aware(day) else day).date()
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@register.filter
def file_size(size) -> str:
    return size_label(int(size or 0)) if size and int(size) >= 1024 else f"{int(size or 0)} B"
