"""Shared by the catalog services: permissions, today, dates in Chinese."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongkai.agencies.permissions import require_write


def today() -> dt.date:
    return timezone.localdate()


def d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def require_catalog_write(by, agency) -> None:
    require_write(by, agency)
