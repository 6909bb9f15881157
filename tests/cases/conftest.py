"""Small fixtures for the case system: an agency tree, staff with memberships, a frozen "today"."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.agencies.services import agency_create
from gongkai.cases import services
from gongkai.cases.calendar import work_calendar_invalidate

VALID_ID = "11010519491231002X"  # the GB 11643-1999 example number
VALID_CREDIT_CODE = "91350100M000100Y43"
TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The per-process calendar cache is versioned by the tables, but rolled-back test rows can reuse ids
    # on SQLite: start every test from the tables as they are.
    work_calendar_invalidate()
    yield
    work_calendar_invalidate()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Services see this as today; call `today.set(date)` to move it."""

    class Today:
        value = TODAY

        def set(self, value: date) -> None:
            self.value = value

    frozen = Today()
    monkeypatch.setattr(services.common, "_today", lambda: frozen.value)
    return frozen


@pytest.fixture
def tree(db) -> dict[str, Agency]:
    """区政府 › 科学技术局 (a), 区政府 › 教育局 (b)."""
    region = agency_create(name="中卫市沙坡头区人民政府", is_supervisor=True)
    return {
        "region": region,
        "a": agency_create(name="中卫市沙坡头区科学技术局", parent=region),
        "b": agency_create(name="中卫市沙坡头区教育局", parent=region),
    }


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, agency: Agency | None = None, *roles: str, **extra):
        user = django_user_model.objects.create_user(username=username, password="x" * 12, **extra)
        for role in roles:
            Membership.objects.create(user=user, agency=agency, role=role)
        return user

    return make


@pytest.fixture
def clerk(tree, make_user):
    return make_user("clerk_a", tree["a"], Role.CLERK)


@pytest.fixture
def head(tree, make_user):
    return make_user("head_a", tree["a"], Role.HEAD)


@pytest.fixture
def clerk_b(tree, make_user):
    return make_user("clerk_b", tree["b"], Role.CLERK)


@pytest.fixture
def supervisor(tree, make_user):
    """上级督查 of the region: reads the subtree, writes nothing."""
    return make_user("supervisor", tree["region"], Role.SUPERVISOR)


@pytest.fixture
def register(tree, clerk):
    """Register an application in agency a with valid defaults; keyword arguments override them."""

    def make(**overrides):
        fields = {
            "agency": tree["a"],
            "by": clerk,
            "applicant_kind": "natural_person",
            "applicant_name": "张三",
            "id_type": "resident_id",
            "id_number": VALID_ID,
            "phone": "13800138000",
            "description": "2020年度科技项目资金分配结果",
            "requested_form": "paper",
            "delivery": "post",
            "channel": "letter",
            "received_on": date(2020, 9, 28),
            "address": "宁夏中卫市沙坡头区文萃路1号",
        }
        fields.update(overrides)
        return services.application_register(**fields)

    return make
