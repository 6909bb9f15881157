"""The JSON API: the workbench's isolation and masking, errors as {"code", "detail"} in Chinese, never a 500."""

import pytest

from tests import factories


@pytest.fixture
def setup(tree, clerk, clerk_b):
    mine = factories.register(tree["a"], clerk, 1)
    theirs = factories.register(tree["b"], clerk_b, 2)
    return tree, clerk, mine, theirs


def error(response) -> tuple[str, str]:
    body = response.json()
    assert set(body) == {"code", "detail"}, body
    return body["code"], body["detail"]


def test_login_required(client, setup):
    response = client.get("/api/applications")
    assert response.status_code == 401
    assert error(response) == ("not_authenticated", "请先登录工作平台")


def test_other_agencys_case_is_404(client, setup):
    _, clerk_a, mine, theirs = setup
    client.force_login(clerk_a)
    assert client.get(f"/api/applications/{mine.pk}").status_code == 200
    response = client.get(f"/api/applications/{theirs.pk}")
    assert response.status_code == 404
    assert error(response) == ("not_found", "未找到该申请")
    assert [a["id"] for a in client.get("/api/applications").json()] == [mine.pk]


def test_list_and_detail_mask_id_and_phone(client, setup):
    _, clerk_a, mine, _ = setup
    client.force_login(clerk_a)
    (row,) = client.get("/api/applications").json()
    assert row["id_number"] != mine.id_number and row["id_number"].startswith(mine.id_number[:6])
    assert "*" in row["id_number"] and "****" in row["phone"]
    for url in ("/api/applications", f"/api/applications/{mine.pk}"):
        body = client.get(url).content.decode()
        assert mine.phone not in body and mine.id_number not in body


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("per_page=1000", "每页条数"),
        ("page=0", "页码"),
        ("page=99999999999999999999", "页码"),
        ("page=abc", "页码"),
        ("year=10000", "年度"),
        ("year=-1", "年度"),
        ("year=abc", "年度"),
    ],
)
def test_bad_parameters_are_400_with_a_code_and_a_chinese_reason(client, setup, query, words):
    _, clerk_a, _, _ = setup
    client.force_login(clerk_a)
    response = client.get(f"/api/applications?{query}")
    assert response.status_code == 400
    code, detail = error(response)
    assert code == "invalid_parameter" and words in detail


def test_annual_tables_for_own_agency_only(client, setup, today):
    tree, clerk_a, _, _ = setup
    client.force_login(clerk_a)
    year = today.value.year
    data = client.get(f"/api/agencies/{tree['a'].pk}/annual/{year}").json()
    assert data["schema"] == "gongkai.annual-report/1"
    assert data["table3"]["new"][0] == 1
    assert not [
        f for f in data["findings"] if f["severity"] == "error" and f["rule"] in ("R1", "R2", "R3", "R4")
    ]
    response = client.get(f"/api/agencies/{tree['b'].pk}/annual/{year}")
    assert response.status_code == 404 and error(response)[0] == "not_found"
    response = client.get(f"/api/agencies/{tree['a'].pk}/annual/{year + 1}")
    assert response.status_code == 400 and error(response)[0] == "invalid_parameter"
