from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gongkai.cases"
    verbose_name = "依申请公开与复议诉讼"

    def ready(self) -> None:
        # the approval handlers of letters and extensions register when their modules load
        from gongkai.cases import services  # noqa: F401
        from gongkai.cases.letters import services as letter_services  # noqa: F401
