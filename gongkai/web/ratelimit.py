"""Limits per client, counted atomically in the database.

`rate_take` checks and counts in one statement (UPDATE … SET count = count + 1 WHERE count < limit), so
parallel requests cannot all read the same count and all get through, on SQLite and PostgreSQL alike. A
window starts with its first hit and lasts `window_seconds`; then the count starts again. A request that
takes a slot before its outcome is known gives it back with `rate_give_back` when it turns out not to count
(an application that was not accepted, a query code that was found).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongkai.web.models import RateCounter


def rate_take(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit unless `limit` hits were counted in the current window; False (nothing counted) then."""
    if limit <= 0:
        return False
    for _ in range(5):  # each round decides, or lost a race against another request and looks again
        now = timezone.now()
        if RateCounter.objects.filter(key=key, expires_at__gt=now, count__lt=limit).update(
            count=F("count") + 1
        ):
            return True
        expires_at = now + datetime.timedelta(seconds=window_seconds)
        if RateCounter.objects.filter(key=key, expires_at__lte=now).update(count=1, expires_at=expires_at):
            return True  # the window had ended: this hit starts the next one
        row = RateCounter.objects.filter(key=key).values_list("count", "expires_at").first()
        if row is not None:
            if row[1] > now and row[0] >= limit:
                return False
            continue
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, count=1, expires_at=expires_at)
        except IntegrityError:  # another request created it first: count against that row
            continue
        # the first hit of a new key: forget keys whose window ended long ago
        RateCounter.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
        return True
    return False  # pragma: no cover - lost five races in a row: refuse rather than count twice


def rate_give_back(key: str) -> None:
    """Undo one `rate_take` of this key (never below zero)."""
    RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def rate_count(key: str) -> int:
    """The hits of the current window (0 when it has ended)."""
    row = RateCounter.objects.filter(key=key, expires_at__gt=timezone.now()).values_list("count", flat=True)
    return next(iter(row), 0)
