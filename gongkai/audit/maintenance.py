"""The maintenance switch of the audit triggers (documented in README "Audit log").

Outside it, the database refuses to UPDATE or DELETE audit rows (and, on PostgreSQL, to TRUNCATE the table).
Inside `audit_maintenance()` it lets them through, for this connection only:

- PostgreSQL: the session setting `gongkai.audit_maintenance = 'on'`, read by the trigger function;
- SQLite: the SQL function `gongkai_audit_maintenance()`, registered on every connection gongkai opens,
  returns 1. A connection opened by anything else (the sqlite3 shell) has no such function, so the trigger
  fails and the row stays.

The switch exists for emptying a whole database: Django's `flush` (the test suite's teardown between
transactional tests, `gongkai demo --reset`) runs inside it (gongkai/audit/management/commands/flush.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_state = threading.local()


def _on() -> int:
    return 1 if getattr(_state, "on", False) else 0


@receiver(connection_created)
def _register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":  # sqlite-only
        connection.connection.create_function("gongkai_audit_maintenance", 0, _on)


@contextmanager
def audit_maintenance(using: str = "default") -> Iterator[None]:
    """Let this connection change or remove audit rows within the block (whole-database maintenance only)."""
    connection = connections[using]
    _state.on = True
    if connection.vendor == "postgresql":  # postgresql-only
        with connection.cursor() as cursor:
            cursor.execute("SET gongkai.audit_maintenance = 'on'")
    try:
        yield
    finally:
        _state.on = False
        if connection.vendor == "postgresql" and connection.connection is not None:  # postgresql-only
            with connection.cursor() as cursor:
                cursor.execute("RESET gongkai.audit_maintenance")
