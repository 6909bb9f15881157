"""The append-only audit log (gongkai.audit): the ORM refuses to change or delete events, the database refuses
it too (SQLite triggers; a PostgreSQL trigger function, also on TRUNCATE) outside the maintenance switch,
`flush` runs inside the switch and leaves the triggers in place, `migrate` re-installs them; and the roles of
staff change only through membership_grant / membership_revoke, audited, also from the Django admin.

Engine-specific tests are marked with the engine they need: the SQLite ones run in the default run, the
PostgreSQL ones with DATABASE_URL=postgresql://…
"""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from gongkai.agencies.models import Agency, Membership
from gongkai.agencies.services import membership_grant, membership_revoke
from gongkai.audit.maintenance import audit_maintenance
from gongkai.audit.models import AuditEvent, AuditImmutable
from gongkai.audit.services import audit_record
from gongkai.audit.triggers import TABLE, install_triggers
from tests.factories import PASSWORD

ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRESQL = connection.vendor == "postgresql"
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="SQLite triggers (the default run)")
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL trigger function (DATABASE_URL)")
REFUSED = "append-only"


@pytest.fixture
def events(tree, clerk) -> list[AuditEvent]:
    """A few events of the tree and its staff (agency.create, membership.grant), plus one of our own."""
    audit_record(
        actor=clerk, action="agency.update", obj=tree["a"], agency=tree["a"], before={"x": 1}, after={"x": 2}
    )
    return list(AuditEvent.objects.order_by("id"))


def rows() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "action", "before", "after", "actor_id"))


def raw(sql: str, params=()) -> None:
    """Run one statement in its own savepoint (a refused statement aborts it, not the test's transaction)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if ON_SQLITE:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        return {name for (name,) in cursor.fetchall()}


EXPECTED_TRIGGERS = (
    {"audit_event_no_update", "audit_event_no_delete"}
    if ON_SQLITE
    else {"audit_event_no_change", "audit_event_no_truncate"}
)


# --- through the ORM ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete(events):
    before = rows()
    event = events[-1]
    event.action = "agency.create"
    attempts = [
        lambda: event.save(),
        lambda: event.save(update_fields=["action"]),
        lambda: AuditEvent(pk=None, action="agency.create", object_type="X", object_id="1").save(
            force_update=True
        ),
        lambda: event.delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="agency.create"),
        lambda: AuditEvent.objects.update(after=None),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.bulk_update([event], ["action"]),
        lambda: AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "agency.create"}),
        lambda: AuditEvent.objects.update_or_create(pk=10**9, defaults={"action": "agency.create"}),
    ]
    for attempt in attempts:
        with pytest.raises(AuditImmutable, match="审计事件只能追加"):
            attempt()
    assert rows() == before


@pytest.mark.django_db
def test_appending_still_works(events):
    count = len(events)
    AuditEvent.objects.bulk_create([AuditEvent(action="agency.update", object_type="Agency", object_id="1")])
    AuditEvent.objects.create(action="agency.update", object_type="Agency", object_id="2")
    assert AuditEvent.objects.count() == count + 2


@pytest.mark.django_db
def test_the_people_and_agencies_of_events_cannot_be_deleted(events, clerk, tree):
    before = rows()
    with pytest.raises(ProtectedError):
        clerk.delete()
    with pytest.raises(ProtectedError):
        tree["a"].delete()
    assert rows() == before


# --- in the database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete(events):
    before = rows()
    pk = events[-1].pk
    for sql, params in [
        (f"UPDATE {TABLE} SET action = 'agency.create' WHERE id = %s", [pk]),
        (f"UPDATE {TABLE} SET after = NULL", []),
        (f"DELETE FROM {TABLE} WHERE id = %s", [pk]),
        (f"DELETE FROM {TABLE}", []),
    ]:
        with pytest.raises(DatabaseError, match=REFUSED):
            raw(sql, params)
    assert rows() == before
    assert trigger_names() == EXPECTED_TRIGGERS


@sqlite_only
@pytest.mark.django_db
def test_sqlite_triggers_refuse_update_and_delete(events):
    assert connection.vendor == "sqlite"
    assert {"audit_event_no_update", "audit_event_no_delete"} <= trigger_names()
    with pytest.raises(DatabaseError, match="audit events are append-only"):
        raw(f"UPDATE {TABLE} SET object_id = 'x'")
    with pytest.raises(DatabaseError, match="audit events are append-only"):
        raw(f"DELETE FROM {TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gongkai_audit_maintenance()")
        assert cursor.fetchone() == (0,)
        with audit_maintenance():
            cursor.execute("SELECT gongkai_audit_maintenance()")
            assert cursor.fetchone() == (1,)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_a_connection_gongkai_did_not_open_cannot_delete(events):
    """The sqlite3 shell, say: it has no gongkai_audit_maintenance() function, so the trigger fails."""
    count = AuditEvent.objects.count()
    name = connection.settings_dict["NAME"]
    assert "memory" not in name  # a file (tests/conftest.py), which another connection can open
    outside = sqlite3.connect(name)
    try:
        for sql in (f"DELETE FROM {TABLE}", f"UPDATE {TABLE} SET action = 'x'"):
            with pytest.raises(sqlite3.OperationalError, match="gongkai_audit_maintenance"):
                outside.execute(sql)
            outside.rollback()
    finally:
        outside.close()
    assert AuditEvent.objects.count() == count


@postgresql_only
@pytest.mark.django_db
def test_postgresql_trigger_function_refuses_update_delete_and_truncate(events):
    assert connection.vendor == "postgresql"
    raw(
        "SET CONSTRAINTS ALL IMMEDIATE"
    )  # TRUNCATE waits for no deferred foreign-key checks of the test's rows
    before = rows()
    for sql, operation in [
        (f"UPDATE {TABLE} SET object_id = 'x'", "UPDATE"),
        (f"DELETE FROM {TABLE}", "DELETE"),
        (f"TRUNCATE {TABLE}", "TRUNCATE"),
        (f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE", "TRUNCATE"),
    ]:
        with pytest.raises(
            DatabaseError, match=rf"append-only \(gongkai\.audit\): {operation} refused"
        ) as caught:
            raw(sql)
        assert caught.value.__cause__.sqlstate == "42501"  # insufficient_privilege
    assert rows() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'gongkai_audit_refuse_change'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT current_setting('gongkai.audit_maintenance', true)")
        assert cursor.fetchone()[0] in (None, "")


@postgresql_only
@pytest.mark.django_db
def test_postgresql_truncate_passes_inside_the_switch(events):
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    with audit_maintenance():
        raw(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('gongkai.audit_maintenance', true)")
        assert cursor.fetchone()[0] in (None, "")  # RESET on the way out


@pytest.mark.django_db
def test_the_switch_lets_changes_through_and_closes_again(events):
    first, last = events[0].pk, events[-1].pk
    with audit_maintenance():
        raw(f"UPDATE {TABLE} SET object_id = 'changed' WHERE id = %s", [last])
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [first])
    assert AuditEvent.objects.get(pk=last).object_id == "changed"
    assert not AuditEvent.objects.filter(pk=first).exists()
    before = rows()
    with pytest.raises(DatabaseError, match=REFUSED):
        raw(f"UPDATE {TABLE} SET object_id = 'again' WHERE id = %s", [last])
    with pytest.raises(DatabaseError, match=REFUSED):
        raw(f"DELETE FROM {TABLE}")
    assert rows() == before


@pytest.mark.django_db
def test_the_switch_closes_after_an_error(events):
    with pytest.raises(ZeroDivisionError), audit_maintenance():
        raw(f"UPDATE {TABLE} SET object_id = 'in' WHERE id = %s", [events[-1].pk])
        1 / 0  # noqa: B018
    with pytest.raises(DatabaseError, match=REFUSED):
        raw(f"DELETE FROM {TABLE}")


@pytest.mark.django_db
def test_the_switch_does_not_open_the_orm(events):
    with audit_maintenance(), pytest.raises(AuditImmutable):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_the_switch_is_for_this_connection_only(events):
    """While one connection has the switch on, another (another thread: another connection) is refused."""
    count = AuditEvent.objects.count()
    errors: list[BaseException] = []

    def other_connection() -> None:
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute(f"DELETE FROM {TABLE}")
        except BaseException as error:  # noqa: BLE001 - inspected below
            errors.append(error)
        finally:
            connections.close_all()

    with audit_maintenance():
        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join(timeout=30)
    assert len(errors) == 1 and isinstance(errors[0], DatabaseError) and REFUSED in str(errors[0])
    assert AuditEvent.objects.count() == count


# --- flush and migrate ----------------------------------------------------------------------------------


def test_flush_is_gongkais():
    assert get_commands()["flush"] == "gongkai.audit"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_table_inside_the_switch_and_keeps_the_triggers(events):
    assert AuditEvent.objects.exists()
    # Django's own flush runs into the triggers and changes nothing
    with pytest.raises(CommandError):
        call_command(DjangoFlush(), interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == len(events)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not Agency.objects.exists()
    assert trigger_names() == EXPECTED_TRIGGERS
    # and the switch is off again afterwards
    audit_record(actor=None, action="agency.update", obj=Agency(pk=1))
    with pytest.raises(DatabaseError, match=REFUSED):
        raw(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_migrate_reinstalls_the_triggers(events):
    with connection.cursor() as cursor:
        for name in trigger_names():
            cursor.execute(f"DROP TRIGGER {name}" + ("" if ON_SQLITE else f" ON {TABLE}"))
    assert trigger_names() == set()
    raw(f"UPDATE {TABLE} SET object_id = 'unprotected' WHERE id = %s", [events[-1].pk])  # the hole
    call_command("migrate", verbosity=0, interactive=False)
    assert trigger_names() == EXPECTED_TRIGGERS
    with pytest.raises(DatabaseError, match=REFUSED):
        raw(f"UPDATE {TABLE} SET object_id = 'again'")
    install_triggers(connection)  # idempotent
    assert trigger_names() == EXPECTED_TRIGGERS


# --- memberships ------------------------------------------------------------------------------------------


def membership_events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="membership.", **filters).order_by("id"))


@pytest.mark.django_db
def test_grant_and_revoke_are_audited(tree, admin_a, make_user):
    user = make_user("new_clerk")
    count = len(membership_events())
    membership = membership_grant(user=user, agency=tree["a"], role="clerk", by=admin_a)
    again = membership_grant(user=user, agency=tree["a"], role="clerk", by=admin_a)
    assert again.pk == membership.pk and Membership.objects.filter(user=user).count() == 1
    (granted,) = membership_events()[count:]  # granting twice is a no-op
    assert (granted.action, granted.actor, granted.agency, granted.object_type, granted.object_id) == (
        "membership.grant", admin_a, tree["a"], "Membership", str(membership.pk),
    )  # fmt: skip
    assert (granted.before, granted.after) == (None, {"user": "new_clerk", "role": "clerk"})
    membership_revoke(membership=membership, by=admin_a)
    assert not Membership.objects.filter(user=user).exists()
    revoked = membership_events()[-1]
    assert (revoked.action, revoked.actor, revoked.object_id) == (
        "membership.revoke",
        admin_a,
        str(membership.pk),
    )
    assert (revoked.before, revoked.after) == ({"user": "new_clerk", "role": "clerk"}, None)


@pytest.mark.django_db
def test_a_role_that_does_not_exist_is_refused(tree, make_user):
    user = make_user("someone")
    with pytest.raises(ValidationError):
        membership_grant(user=user, agency=tree["a"], role="director")
    assert not Membership.objects.filter(user=user).exists() and not membership_events(object_type="X")


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def form_values(page: str) -> dict:
    """What a browser would post from the admin's change form, as the page shows it."""
    form = BeautifulSoup(page, "html.parser").find("form", id=lambda v: v and v.endswith("_form"))
    data: dict = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or "__prefix__" in name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = "on"
        elif field.name == "select":
            selected = field.find("option", selected=True)
            data[name] = selected["value"] if selected else ""
        elif field.name == "textarea":
            data[name] = field.text
        else:
            data[name] = field.get("value", "")
    return data


@pytest.mark.django_db
def test_membership_admin_add_and_delete_are_audited(admin_client, root, tree, make_user):
    user = make_user("new_head")
    response = admin_client.post(
        "/admin/agencies/membership/add/", {"user": user.pk, "agency": tree["a"].pk, "role": "head"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    (granted,) = membership_events(actor=root)
    assert (granted.action, granted.object_id, granted.after) == (
        "membership.grant", str(membership.pk), {"user": "new_head", "role": "head"},
    )  # fmt: skip
    response = admin_client.post(f"/admin/agencies/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    revoked = membership_events(actor=root)[-1]
    assert (revoked.action, revoked.object_id, revoked.before) == (
        "membership.revoke", str(membership.pk), {"user": "new_head", "role": "head"},
    )  # fmt: skip


@pytest.mark.django_db
def test_membership_admin_bulk_delete_is_audited(admin_client, root, tree, clerk, head):
    memberships = list(Membership.objects.filter(user__in=[clerk, head]))
    response = admin_client.post(
        "/admin/agencies/membership/",
        {"action": "delete_selected", "_selected_action": [m.pk for m in memberships], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user__in=[clerk, head]).exists()
    revoked = membership_events(actor=root, action="membership.revoke")
    assert sorted(e.before["user"] for e in revoked) == ["clerk_a", "head_a"]


@pytest.mark.django_db
def test_membership_admin_has_no_change_permission(admin_client, root, clerk):
    membership = Membership.objects.get(user=clerk)
    model_admin = admin.site._registry[Membership]
    request = RequestFactory().get("/")
    request.user = root
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, membership) is False
    response = admin_client.post(
        f"/admin/agencies/membership/{membership.pk}/change/",
        {"user": clerk.pk, "agency": membership.agency_id, "role": "head"},
    )
    assert response.status_code == 403
    assert Membership.objects.get(pk=membership.pk).role == "clerk"
    page = admin_client.get(f"/admin/agencies/membership/{membership.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # read-only
    assert not membership_events(actor=root)


def inline_rows(data: dict) -> dict[str, dict]:
    """The inline rows of the posted data: {"memberships-0": {"id": …, "user": …, "role": …}, …}."""
    out: dict[str, dict] = {}
    for name, value in data.items():
        if name.startswith("memberships-") and name.count("-") == 2:
            prefix, _, field = name.rpartition("-")
            out.setdefault(prefix, {})[field] = value
    return out


@pytest.mark.django_db
def test_the_agency_inline_grants_revokes_and_changes_through_the_services(
    admin_client, root, tree, clerk, head, make_user
):
    agency = tree["a"]
    change_url = f"/admin/agencies/agency/{agency.pk}/change/"
    data = form_values(admin_client.get(change_url).content.decode())
    rows_ = inline_rows(data)
    by_user = {row["user"]: prefix for prefix, row in rows_.items()}
    clerk_row, head_row = by_user[str(clerk.pk)], by_user[str(head.pk)]
    new_user = make_user("inline_user")
    total = int(data["memberships-TOTAL_FORMS"])
    new_row = f"memberships-{total}"
    data |= {
        f"{new_row}-user": str(new_user.pk),  # a new row
        f"{new_row}-role": "reviewer",
        f"{new_row}-agency": str(agency.pk),
        f"{new_row}-id": "",
        "memberships-TOTAL_FORMS": str(total + 1),
        f"{clerk_row}-DELETE": "on",  # a deleted row
        f"{head_row}-role": "admin",  # a changed row
        "_save": "保存",
    }
    old_head = Membership.objects.get(user=head, agency=agency)
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Membership.objects.filter(agency=agency).values_list("user__username", "role")) == {
        ("inline_user", "reviewer"),
        ("head_a", "admin"),
    }
    events = [
        (e.action, (e.after or e.before)["user"], (e.after or e.before)["role"])
        for e in membership_events(actor=root)
    ]
    assert sorted(events) == sorted(
        [
            ("membership.revoke", "clerk_a", "clerk"),
            ("membership.revoke", "head_a", "head"),  # a changed row: the old role taken away …
            ("membership.grant", "head_a", "admin"),  # … and the new one given
            ("membership.grant", "inline_user", "reviewer"),
        ]
    )
    assert not Membership.objects.filter(pk=old_head.pk).exists()
    # the admin's history of the agency says what happened to its roles
    entry = LogEntry.objects.filter(object_id=str(agency.pk)).latest("id")
    parts = {kind: part[kind] for part in json.loads(entry.change_message) for kind in part}
    assert parts["added"]["name"] == parts["changed"]["name"] == parts["deleted"]["name"] == "人员角色"
    assert parts["changed"]["fields"] == ["角色"]
    assert all(e.agency == agency for e in membership_events(actor=root))


@pytest.mark.django_db
def test_saving_the_agency_page_unchanged_grants_nothing(admin_client, root, tree):
    change_url = f"/admin/agencies/agency/{tree['a'].pk}/change/"
    data = form_values(admin_client.get(change_url).content.decode()) | {"_save": "保存"}
    memberships = set(Membership.objects.values_list("pk", "user_id", "role"))
    assert admin_client.post(change_url, data).status_code == 302
    assert set(Membership.objects.values_list("pk", "user_id", "role")) == memberships
    assert not membership_events(actor=root)
