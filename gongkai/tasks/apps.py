from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "gongkai.tasks"
    label = "gongkai_tasks"
    verbose_name = "后台任务"
