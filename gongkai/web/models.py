"""Counters for the limits per client (gongkai.web.ratelimit), in the database so that every worker on every
host counts together."""

from django.db import models


class RateCounter(models.Model):
    """Hits of one key (a kind of request and a client address) in a window that ends at `expires_at`."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "访问频率计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
