"""The JSON API: the workbench's isolation and masking, reasons in Chinese, never a 500."""

import pytest
from django.core.cache import cache

from gongkai.agencies.models import Role
from tests.workbench import factories


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    factories.confirm_years()


@pytest.fixture
def setup(db):
    tree = factories.make_tree()
    clerk_a = factories.make_user("api_a", tree["a"], Role.CLERK)
    clerk_b = factories.make_user("api_b", tree["b"], Role.CLERK)
    mine = factories.register(tree["a"], clerk_a, 1)
    theirs = factories.register(tree["b"], clerk_b, 2)
    return tree, clerk_a, mine, theirs


def test_login_required(client, setup):
    response = client.get("/api/applications")
    assert response.status_code == 401


def test_other_agencys_case_is_404(client, setup):
    _, clerk_a, mine, theirs = setup
    client.force_login(clerk_a)
    assert client.get(f"/api/applications/{mine.pk}").status_code == 200
    response = client.get(f"/api/applications/{theirs.pk}")
    assert response.status_code == 404
    assert [a["id"] for a in client.get("/api/applications").json()] == [mine.pk]


def test_list_masks_id_and_phone(client, setup):
    _, clerk_a, mine, _ = setup
    client.force_login(clerk_a)
    (row,) = client.get("/api/applications").json()
    assert row["id_number"] != mine.id_number and row["id_number"].startswith(mine.id_number[:6])
    assert "*" in row["id_number"] and "****" in row["phone"]
    assert mine.phone not in client.get("/api/applications").content.decode()


def test_bad_paging_is_400_with_reason(client, setup):
    _, clerk_a, _, _ = setup
    client.force_login(clerk_a)
    response = client.get("/api/applications?per_page=1000")
    assert response.status_code == 400
    assert "per_page" in response.json()["detail"]
    assert client.get("/api/applications?page=abc").status_code in (400, 422)


def test_annual_tables_for_own_agency_only(client, setup):
    tree, clerk_a, _, _ = setup
    client.force_login(clerk_a)
    year = factories.timezone.localdate().year
    data = client.get(f"/api/agencies/{tree['a'].pk}/annual/{year}").json()
    assert data["schema"] == "gongkai.annual-report/1"
    assert data["table3"]["new"][0] == 1
    assert not [
        f for f in data["findings"] if f["severity"] == "error" and f["rule"] in ("R1", "R2", "R3", "R4")
    ]
    assert client.get(f"/api/agencies/{tree['b'].pk}/annual/{year}").status_code == 404
