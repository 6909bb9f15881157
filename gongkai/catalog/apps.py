from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "gongkai.catalog"
    verbose_name = "主动公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the approval handler of the 保密审查 registers when the services load
        from gongkai.catalog import services  # noqa: F401
