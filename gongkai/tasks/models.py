from django.db import models


class PeriodicJob(models.Model):
    """When a periodic job (gongkai.tasks.schedule.PERIODIC) is next due. A worker enqueues the job by
    moving `next_run_at` forward with a conditional UPDATE: of several workers, exactly one wins."""

    name = models.CharField("任务", max_length=60, unique=True)
    next_run_at = models.DateTimeField("下次运行时间")
    last_enqueued_at = models.DateTimeField("上次加入队列时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定期任务"

    def __str__(self) -> str:
        return self.name
