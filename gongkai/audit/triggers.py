"""The database side of the append-only audit log: triggers that refuse UPDATE, DELETE and (PostgreSQL)
TRUNCATE of audit rows unless the maintenance switch is on (gongkai.audit.maintenance).

`install_triggers` is idempotent. It runs in migration 0002 and again after every `migrate` (post_migrate):
SQLite rebuilds a table, and drops its triggers, when a later migration alters it.
"""

from __future__ import annotations

TABLE = "audit_auditevent"
_MESSAGE = "audit events are append-only (gongkai.audit)"

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
        WHEN gongkai_audit_maintenance() = 0
        BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE}
        WHEN gongkai_audit_maintenance() = 0
        BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END""",
]

_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION gongkai_audit_refuse_change() RETURNS trigger AS $$
        BEGIN
            IF coalesce(current_setting('gongkai.audit_maintenance', true), '') = 'on' THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{_MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS audit_event_no_change ON {TABLE}",
    f"""CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION gongkai_audit_refuse_change()""",
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION gongkai_audit_refuse_change()""",
]


def install_triggers(connection) -> None:
    statements = {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(connection.vendor)
    if statements is None:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"no audit triggers for the {connection.vendor} database")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
