"""`gongkai worker`: run the queued tasks (django-tasks-db's worker) and enqueue the periodic jobs.

The periodic jobs are looked at by a thread of the worker every SCHEDULE_SECONDS (its own database
connection); the tasks run in the main thread, one at a time. Run one worker per host or more: tasks are
claimed with a row lock (SKIP LOCKED on PostgreSQL, an exclusive transaction on SQLite), periodic jobs are
enqueued once (gongkai.tasks.schedule).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string

from gongkai.tasks.schedule import enqueue_due_jobs

log = logging.getLogger(__name__)
SCHEDULE_SECONDS = 30


def _schedule_loop(stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            enqueue_due_jobs()
        except Exception:  # a busy database now and then must not end the scheduler
            log.exception("periodic jobs could not be enqueued")
        finally:
            close_old_connections()
        stop.wait(every)
    connection.close()


def _worker(*, interval: float, batch: bool, max_tasks: int | None = None):
    """django-tasks-db's worker on the default backend and queue."""
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def run_worker(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None) -> int:
    """Run until stopped (SIGINT/SIGTERM finish the running task first), or with `batch` until the queue is
    empty. Periodic jobs are enqueued first, and then every SCHEDULE_SECONDS while it runs."""
    worker = _worker(interval=interval, batch=batch, max_tasks=max_tasks)
    if batch:
        enqueue_due_jobs()
        worker.run()
        return 0
    stop = threading.Event()
    scheduler = threading.Thread(
        target=_schedule_loop, args=(stop, SCHEDULE_SECONDS), name="gongkai-schedule", daemon=True
    )
    scheduler.start()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
    return 0


def run_queued_tasks() -> int:
    """Run every task that is ready now, in this process and on this connection, then return the number
    run: the worker's own claim-and-run steps without its loop, which also recycles database connections
    (for tests, inside their transaction, and for commands that want their work done before they exit)."""
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = _worker(interval=0, batch=True)
    done = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, queue_name=DEFAULT_TASK_QUEUE_NAME
        )
        with exclusive_transaction(ready.db):
            claimed = ready.get_locked()
            if claimed is not None:
                claimed.claim(worker.worker_id)
        if claimed is None:
            return done
        worker.run_task(claimed)
        done += 1
