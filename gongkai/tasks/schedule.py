"""The periodic jobs, and how a worker enqueues them when they are due.

Each job runs once a day at a local time. A worker calls `enqueue_due_jobs()` every few seconds: for a job
whose `next_run_at` has come it moves `next_run_at` to the next day with a conditional UPDATE (`WHERE
next_run_at <= now`) and, in the same transaction, enqueues the job's task. The UPDATE is atomic on both
engines, so with several workers a job is enqueued once. A worker that was down for days enqueues a job
once, not once per missed day.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongkai.tasks.models import PeriodicJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str  # a django-tasks Task, by import path (imported only when enqueued)
    at: dt.time  # local time of day
    title: str


PERIODIC: tuple[Periodic, ...] = (
    Periodic(
        "daily_sweep", "gongkai.cases.tasks.daily_sweep", dt.time(2, 30), "每日清理（孤立附件、过期任务记录）"
    ),
    Periodic(
        "catalog_daily", "gongkai.catalog.tasks.daily_check", dt.time(7, 30), "目录定时发布补漏与栏目更新检查"
    ),
    Periodic("deadline_reminders", "gongkai.cases.tasks.remind_staff", dt.time(8, 0), "到期提醒邮件"),
)


def next_run(after: dt.datetime, at: dt.time) -> dt.datetime:
    """The first moment strictly after `after` whose local time of day is `at`."""
    local = timezone.localtime(after)
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


def _ensure_rows(now: dt.datetime) -> None:
    known = set(PeriodicJob.objects.values_list("name", flat=True))
    for job in PERIODIC:
        if job.name not in known:
            try:
                with transaction.atomic():
                    PeriodicJob.objects.create(name=job.name, next_run_at=next_run(now, job.at))
            except IntegrityError:  # another worker created it first
                pass


def enqueue_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due; returns the names enqueued by this call."""
    now = now or timezone.now()
    _ensure_rows(now)
    enqueued = []
    for job in PERIODIC:
        with transaction.atomic():
            won = PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
                next_run_at=next_run(now, job.at), last_enqueued_at=now
            )
            if won:
                import_string(job.task_path).enqueue()
                enqueued.append(job.name)
    if enqueued:
        log.info("periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
