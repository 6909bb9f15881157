"""Helpers shared by the workbench views."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gongkai.agencies.permissions import can_write
from gongkai.agencies.selectors import agencies_visible
from gongkai.web.responses import attachment_header

__all__ = ["PAGE_SIZE", "attachment_header", "several_agencies", "today", "writable_agencies"]

PAGE_SIZE = 25


def today() -> datetime.date:
    return timezone.localdate()


def writable_agencies(user) -> list:
    """The agencies the user may write in (clerk, reviewer, head or admin there), among those they see."""
    return [agency for agency in agencies_visible(user=user) if can_write(user, agency)]


def several_agencies(user) -> bool:
    """Does the user see more than one agency (a supervisor, a superuser)? Then every list says which
    agency each row belongs to. One small query, once per request."""
    return agencies_visible(user=user)[:2].count() > 1
