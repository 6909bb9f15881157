from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "gongkai.approvals"
    verbose_name = "审核审批"
