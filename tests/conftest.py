"""The fixtures of the whole suite, defined once: the shared documents, a frozen "today", an agency tree
with staff, applications registered through the services, and a clean cache, media folder and calendar."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, settings

# The data-encryption key of the test run (and of the gongkai processes the tests start): never a key file
# in the checkout's data dir.
TEST_DATA_KEY = "dGVzdC1vbmx5LWtleS1nb25na2FpLXRlc3Qtc3VpdGU="  # 32 bytes, Base64
os.environ.setdefault("GONGKAI_DATA_KEY", TEST_DATA_KEY)

from tests import factories  # noqa: E402 - after the key: it imports the models

SHARED = Path(__file__).resolve().parents[2] / "shared"
# Every test runs on this day (a Friday, in a year the calendar package covers), never on the real one.
TODAY = dt.date(2026, 11, 27)
TZ = ZoneInfo("Asia/Shanghai")

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


# --- the test database ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory) -> None:
    """On SQLite, the test database is a file (in this session's temporary folder), not Django's default
    shared-cache in-memory database: with shared cache, SQLite locks whole tables and a second connection
    gets "database table is locked" (SQLITE_LOCKED) at once, which busy_timeout does not wait for. A file
    takes the same WAL, busy_timeout and BEGIN IMMEDIATE locking as production, so tests where threads write
    at once (tests/cases/test_letter_numbers.py) wait for each other as the application's workers do."""
    from django.conf import settings as django_settings

    db = django_settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test-gongkai.sqlite3")
        # Tests with 30 threads in this one process (tests/agencies/test_login_guard.py) queue 30 short write
        # transactions behind each other, each slowed by the threads' competition for Python's GIL (and by a
        # busy shared machine) far more than the application's workers, which are separate processes: let
        # the last of them wait longer for the write lock than production's 5 seconds.
        options = db.setdefault("OPTIONS", {})
        options["init_command"] = re.sub(
            r"busy_timeout=\d+", "busy_timeout=60000", options.get("init_command", "")
        )


@pytest.fixture(scope="session", autouse=True)
def _test_data_key():
    from django.conf import settings as django_settings

    from gongkai.privacy.keys import keyring_reset

    django_settings.DATA_KEY = os.environ["GONGKAI_DATA_KEY"]
    keyring_reset()


# --- documents ---------------------------------------------------------------------------------------------


@pytest.fixture
def seed_path() -> Path:
    path = SHARED / "seeds" / "2020-shapotou-kejiju-annual-report.md"
    if not path.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    return path


@pytest.fixture
def samples_dir() -> Path:
    path = SHARED / "samples"
    if not (path / "expected.json").exists():
        pytest.skip("../shared/samples is not beside this checkout")
    return path


@pytest.fixture
def expected_samples(samples_dir) -> dict:
    return json.loads((samples_dir / "expected.json").read_text(encoding="utf-8"))


# --- the date ------------------------------------------------------------------------------------------------


class Today:
    """The frozen date; `set(day)` moves it. Time keeps ticking from there (live servers need it)."""

    def __init__(self, traveller):
        self._traveller = traveller
        self.value = TODAY

    def set(self, day: dt.date) -> None:
        self.value = day
        self._traveller.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ))

    def shift(self, delta: dt.timedelta) -> None:
        """Move the clock on by `delta` (within the day or across days)."""
        self._traveller.shift(delta)
        self.value = dt.datetime.now(TZ).date()

    def advance(self, seconds: float) -> None:
        """Move the clock on by this many seconds (waiting periods, lockouts)."""
        self._traveller.shift(dt.timedelta(seconds=seconds))

    def to_real_time(self) -> dt.datetime:
        """Move the clock to the real time, for a test that shares a clock with a process of its own (a
        `gongkai worker` started by the test does not see the travel). Returns the time now."""
        now = dt.datetime.fromtimestamp(time_machine.escape_hatch.time.time(), TZ)
        self._traveller.move_to(now)
        self.value = now.date()
        return now


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(
        dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=TZ), tick=True
    ) as traveller:
        yield Today(traveller)


# --- a clean platform -----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_platform(request, settings, tmp_path):
    """For tests that use the database: uploads in a temporary folder, an empty cache, a calendar read
    afresh from the tables (rolled-back rows can reuse ids on SQLite)."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        yield
        return
    from django.core.cache import caches

    from gongkai.cases.calendar import work_calendar_invalidate

    settings.MEDIA_ROOT = tmp_path / "media"
    work_calendar_invalidate()
    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
    work_calendar_invalidate()
    if transactional:
        # the search index is not a model table: the flush after a transactional test leaves its rows
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_search")


# --- agencies and staff -----------------------------------------------------------------------------------


@pytest.fixture
def tree(db) -> dict:
    """区政府 › 科学技术局 (a), 区政府 › 教育局 (b): see factories.make_tree."""
    return factories.make_tree()


@pytest.fixture
def make_user(db):
    return factories.make_user


@pytest.fixture
def clerk(tree):
    return factories.make_user("clerk_a", tree["a"], "clerk", first_name="李文")


@pytest.fixture
def head(tree):
    return factories.make_user("head_a", tree["a"], "head", first_name="王主任")


@pytest.fixture
def reviewer(tree):
    return factories.make_user("reviewer_a", tree["a"], "reviewer", first_name="赵审核")


@pytest.fixture
def admin_a(tree):
    return factories.make_user("admin_a", tree["a"], "admin", first_name="孙管理")


@pytest.fixture
def clerk_b(tree):
    return factories.make_user("clerk_b", tree["b"], "clerk")


@pytest.fixture
def supervisor(tree):
    """上级督查 of the region: reads the subtree, writes nothing."""
    return factories.make_user("supervisor", tree["region"], "supervisor")


# --- applications -------------------------------------------------------------------------------------------


@pytest.fixture
def register(tree, clerk):
    """Register an application in agency a, received 2020-09-28 (the dates of tests/test_workdays.py); keyword
    arguments override the applicant's fields, `agency`, `by`, `received_on`, `channel`."""

    def make(*, agency=None, by=None, received_on=dt.date(2020, 9, 28), channel="letter", serial=1, **fields):
        defaults = {
            "applicant_name": "张三",
            "id_number": factories.VALID_ID,
            "phone": "13800138000",
            "description": "2020年度科技项目资金分配结果",
            "requested_form": "paper",
            "delivery": "post",
            "address": "宁夏中卫市沙坡头区文萃路1号",
            "email": "",
        }
        return factories.register(
            agency or tree["a"],
            by or clerk,
            serial,
            received_on=received_on,
            channel=channel,
            **(defaults | fields),
        )

    return make


@pytest.fixture
def unconfirmed_year(db, today) -> int:
    """The first year neither the calendar package nor a ConfirmedYear row covers (2027 until the package
    learns it); today moves to 28 December of the year before, so that deadlines reach into it."""
    year = factories.unconfirmed_year()
    today.set(dt.date(year - 1, 12, 28))
    return year


@pytest.fixture
def application(tree, clerk):
    """An application of agency a received today."""
    return factories.register(tree["a"], clerk, 1)


@pytest.fixture
def application_b(tree, clerk_b):
    return factories.register(tree["b"], clerk_b, 2)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


# --- a real SMTP server for the notifications ------------------------------------------------------------------


@pytest.fixture
def run_tasks():
    """Run the queued background tasks now, in this process (the worker's own claim-and-run steps); fails
    the test with the task's traceback when one failed. Returns how many ran."""
    from django_tasks_db.models import DBTaskResult

    from gongkai.tasks.worker import run_queued_tasks

    def run() -> int:
        done = run_queued_tasks()
        failed = list(DBTaskResult.objects.failed().values_list("task_path", "traceback"))
        if failed:
            pytest.fail("background task failed: " + "\n".join(f"{path}\n{tb}" for path, tb in failed))
        return done

    return run


@pytest.fixture
def mailbox(settings):
    """A local SMTP server (aiosmtpd) that Django's SMTP backend delivers to; yields the received messages."""
    import email
    import socket
    from email import policy

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.MAIL_ENABLED = True
    settings.DEFAULT_FROM_EMAIL = "gongkai@example.gov.cn"
    try:
        yield handler.messages
    finally:
        controller.stop()
