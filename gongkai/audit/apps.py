from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from gongkai.audit.triggers import install_triggers

    install_triggers(connections[using])


class AuditConfig(AppConfig):
    name = "gongkai.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from gongkai.audit import maintenance  # noqa: F401 (registers the SQLite function on new connections)

        post_migrate.connect(_ensure_triggers, sender=self)
