"""The task queue: periodic jobs enqueued once when due (also with several workers at once), the daily
sweep and reminders, and a real `gongkai worker` process sending a notification queued by a step."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from gongkai.cases.tasks import FINISHED_TASKS_KEPT_DAYS, daily_sweep, remind_staff, reminder_text
from gongkai.tasks.models import PeriodicJob
from gongkai.tasks.schedule import PERIODIC, enqueue_due_jobs, next_run
from tests import factories
from tests.conftest import TZ

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_next_run_is_the_next_time_of_day():
    at = dt.time(2, 30)
    assert next_run(local(2026, 11, 27, 1, 0), at) == local(2026, 11, 27, 2, 30)
    assert next_run(local(2026, 11, 27, 2, 30), at) == local(2026, 11, 28, 2, 30)
    assert next_run(local(2026, 12, 31, 23, 0), at) == local(2027, 1, 1, 2, 30)


def test_a_job_is_enqueued_once_when_due_and_not_once_per_missed_day():
    assert enqueue_due_jobs(now=local(2026, 11, 27, 10, 0)) == []  # rows made, first runs tomorrow
    assert PeriodicJob.objects.count() == len(PERIODIC)
    assert enqueue_due_jobs(now=local(2026, 11, 28, 0, 30)) == []
    assert enqueue_due_jobs(now=local(2026, 11, 28, 1, 0)) == ["catalog_daily"]
    assert enqueue_due_jobs(now=local(2026, 11, 28, 9, 0)) == ["daily_sweep", "deadline_reminders"]
    assert enqueue_due_jobs(now=local(2026, 11, 28, 9, 0)) == []
    # a worker down for a week: each job once, then on the next day again
    everything = ["daily_sweep", "catalog_daily", "deadline_reminders"]
    assert enqueue_due_jobs(now=local(2026, 12, 5, 12, 0)) == everything
    assert PeriodicJob.objects.get(name="daily_sweep").next_run_at == local(2026, 12, 6, 2, 30)
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    tasks = [
        "gongkai.cases.tasks.daily_sweep",
        "gongkai.catalog.tasks.daily_check",
        "gongkai.cases.tasks.remind_staff",
    ]
    assert paths == sorted(tasks * 2)


@pytest.mark.django_db(transaction=True)
def test_several_workers_enqueue_a_due_job_once():
    enqueue_due_jobs(now=local(2026, 11, 27, 10, 0))
    now = local(2026, 11, 28, 9, 0)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait()
            enqueue_due_jobs(now=now)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DBTaskResult.objects.filter(task_path="gongkai.cases.tasks.daily_sweep").count() == 1
    assert DBTaskResult.objects.filter(task_path="gongkai.cases.tasks.remind_staff").count() == 1


def test_the_daily_sweep_removes_old_finished_task_records(run_tasks, today):
    daily_sweep.enqueue()
    run_tasks()
    assert DBTaskResult.objects.successful().count() == 1
    today.shift(dt.timedelta(days=FINISHED_TASKS_KEPT_DAYS + 1))
    daily_sweep.enqueue()
    run_tasks()
    sweeps = DBTaskResult.objects.successful()
    assert [r.return_value for r in sweeps] == [
        {"orphan_files": 0, "pruned_tasks": 1, "recomputed_estimates": 0}
    ]


def test_reminders_go_to_staff_with_an_address_and_name_numbers_only(mailbox, tree, clerk, run_tasks, today):
    clerk.email = "clerk@example.gov.cn"
    clerk.save()
    factories.make_user("nomail", tree["a"], "clerk")  # no address: nothing
    factories.make_user("other", tree["b"], "clerk", email="b@example.gov.cn")  # nothing due in b
    old = factories.register(tree["a"], clerk, 1, received_on=today.value - dt.timedelta(days=45))
    soon = factories.register(tree["a"], clerk, 2, received_on=today.value - dt.timedelta(days=25))
    remind_staff.enqueue()
    run_tasks()
    reminders = [m for m in mailbox if "已逾期" in m["Subject"]]
    assert [m["To"] for m in reminders] == ["clerk@example.gov.cn"]
    body = reminders[0].get_body(preferencelist=("plain",)).get_content()
    assert old.number in body and soon.number in body
    assert "已逾期 1 件" in body and "即将到期 1 件" in body
    assert old.applicant_name not in body and old.id_number not in body and old.phone not in body


def test_reminder_text_lists_only_what_there_is(application, clerk):
    subject, body = reminder_text(
        user=clerk, overdue=[], due_soon=[application], today=application.received_on
    )
    assert "即将到期 1 件" in body and "已逾期" not in body.replace("已逾期 0 件", "")
    assert subject == "【政府信息公开】已逾期 0 件，即将到期 1 件"


def test_no_reminders_without_a_mail_server(tree, clerk, run_tasks):
    remind_staff.enqueue()
    run_tasks()
    assert list(DBTaskResult.objects.successful().values_list("return_value", flat=True)) == [0]


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return f"postgresql://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_sends_what_a_step_queued(tree, clerk, mailbox, settings, tmp_path):
    application = factories.register(tree["a"], clerk, 1, email="wang@example.cn")
    assert DBTaskResult.objects.ready().count() == 1
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "GONGKAI_DATA_DIR": str(tmp_path / "data"),
        "GONGKAI_SMTP_HOST": settings.EMAIL_HOST,
        "GONGKAI_SMTP_PORT": str(settings.EMAIL_PORT),
        "GONGKAI_MAIL_FROM": settings.DEFAULT_FROM_EMAIL,
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "gongkai.cli", "worker", "--interval", "0.2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not mailbox and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert [m["Subject"] for m in mailbox if application.number in m["Subject"]], "no mail arrived"
        # the worker also put the periodic jobs on its schedule
        deadline = time.monotonic() + 30
        while PeriodicJob.objects.count() < len(PERIODIC) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert PeriodicJob.objects.count() == len(PERIODIC)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output
    assert "后台任务进程已启动" in output
    assert DBTaskResult.objects.successful().get().return_value == "sent"


def test_worker_refuses_a_bad_interval():
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "worker", "--interval", "-1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "应在 0 到 3600 秒之间" in done.stderr and "Traceback" not in done.stderr
