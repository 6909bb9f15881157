"""Tokens of the staff API: a script acts as the user the token was issued to (gongkai.api.staff).

Only a hash of a token is stored; the token itself is shown once, when it is issued
(gongkai.api.services.token_create). A revoked token stays on record.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", related_name="api_tokens", on_delete=models.PROTECT
    )
    name = models.CharField("用途说明", max_length=100)
    # the first characters of the token, to tell tokens apart in lists (not enough to use one)
    prefix = models.CharField("令牌开头", max_length=12)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)  # SHA-256, hex
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
