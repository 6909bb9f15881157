"""Append-only audit events: who changed what, when, from which value to which.

Rows cannot be changed: through the ORM (`save()` of an existing row, `delete()`, and the queryset's
`update()`, `delete()`, `bulk_update()` raise `AuditImmutable`) nor in the database, whose triggers refuse
UPDATE, DELETE and, on PostgreSQL, TRUNCATE (migration 0002). The one exception is the documented maintenance
switch `gongkai.audit.maintenance.audit_maintenance()`, used when a whole database is emptied (`flush`: the test
suite's teardown and `gongkai demo --reset`).
"""

from django.conf import settings
from django.db import models

from gongkai.audit.actions import AuditAction


class AuditImmutable(Exception):
    """An attempt to change or delete an audit event."""

    def __init__(self, what: str = "修改或删除"):
        super().__init__(f"审计事件只能追加，不能{what}")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("修改")

    def delete(self):
        raise AuditImmutable("删除")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutable("修改")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditImmutable("修改")


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField("操作", max_length=64, db_index=True, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AuditImmutable("修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("删除")
