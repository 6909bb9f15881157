"""Helpers shared by the workbench views."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.utils import timezone

from gongkai.agencies.permissions import can_write
from gongkai.agencies.selectors import agencies_visible

PAGE_SIZE = 25


def today() -> datetime.date:
    return timezone.localdate()


def writable_agencies(user) -> list:
    """The agencies the user may write in (clerk, reviewer, head or admin there), among those they see."""
    return [agency for agency in agencies_visible(user=user) if can_write(user, agency)]


def attachment_header(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII fallback and the real (Chinese) name per RFC 6266."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
