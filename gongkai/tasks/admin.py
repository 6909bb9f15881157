"""The task queue in the admin, for superusers and in Chinese, read-only: what ran, when, and why a task
failed. (django-tasks-db's own admin is in English; it is replaced here.)"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.utils.html import format_html
from django_tasks_db.models import DBTaskResult

from gongkai.tasks.models import PeriodicJob
from gongkai.web.admin import ReadOnlyAdmin

STATUS_LABELS = {"READY": "等待运行", "RUNNING": "正在运行", "SUCCESSFUL": "已完成", "FAILED": "失败"}
TASK_LABELS = {
    "send_notification": "向申请人发送邮件通知",
    "remind_staff": "到期提醒邮件",
    "daily_sweep": "每日清理",
    "recompute_estimated_deadlines": "节假日安排确认后重新计算期限",
}

apps.get_app_config("django_tasks_database").verbose_name = "后台任务队列"
DBTaskResult._meta.verbose_name = DBTaskResult._meta.verbose_name_plural = "后台任务"
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class StatusFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(status=value) if value in STATUS_LABELS else queryset


@admin.register(DBTaskResult)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["task", "state", "enqueued", "started", "finished"]
    list_filter = [StatusFilter]
    ordering = ["-enqueued_at"]
    fields = readonly_fields = ["task", "state", "enqueued", "started", "finished", "error"]

    @admin.display(description="任务")
    def task(self, obj):
        name = obj.task_path.rsplit(".", 1)[-1]
        return TASK_LABELS.get(name, name)

    @admin.display(description="状态", ordering="status")
    def state(self, obj):
        return STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description="加入队列", ordering="enqueued_at")
    def enqueued(self, obj):
        return obj.enqueued_at

    @admin.display(description="开始", ordering="started_at")
    def started(self, obj):
        return obj.started_at

    @admin.display(description="结束", ordering="finished_at")
    def finished(self, obj):
        return obj.finished_at

    @admin.display(description="错误信息")
    def error(self, obj):
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "—"


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    list_display = ["title", "next_run_at", "last_enqueued_at"]
    fields = readonly_fields = ["title", "next_run_at", "last_enqueued_at"]

    @admin.display(description="任务")
    def title(self, obj):
        from gongkai.tasks.schedule import PERIODIC

        return next((job.title for job in PERIODIC if job.name == obj.name), obj.name)
