"""The public catalog API (/api/public/, no login): its exact shapes, readable Chinese, only what the portal
shows, errors as {"code", "detail"} in Chinese."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.db import connection

from gongkai.catalog.figures import proactive_figures
from gongkai.catalog.search import public_item_url
from gongkai.catalog.services import item_create, item_withdraw
from tests.catalog.conftest import columns, draft_data, publish

FIXTURES = (
    columns,
    publish,
)  # the catalog's fixtures, used here too


@pytest.fixture(autouse=True)
def _empty_index(db):
    """Rows a transactional test left behind (the index is not a model table, so flush keeps it)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search")


ROW = {"index_number", "title", "agency", "column", "published_on", "url"}


def error(response, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail"}, body
    return body["code"], body["detail"]


@pytest.fixture
def items(publish, today, tree, clerk, columns):
    today.set(dt.date(2025, 4, 1))
    older = publish(
        "other_documents", title="关于2025年科技特派员选派工作的通知", doc_number="卫科发〔2025〕3号"
    )
    today.set(dt.date(2026, 6, 1))
    newer = publish("statistics", title="2026年上半年科技统计信息", doc_number="",
                    written_on=dt.date(2026, 5, 1), formed_on=dt.date(2026, 5, 1))  # fmt: skip
    draft = item_create(agency=tree["a"], column=columns["other_documents"], by=clerk,
                        data=draft_data(title="关于科技工作的草稿"))  # fmt: skip
    return older, newer, draft


def test_agencies(client, tree):
    response = client.get("/api/public/agencies")
    assert response.status_code == 200
    rows = response.json()
    assert {tuple(sorted(r)) for r in rows} == {("credit_code", "id", "name", "parent_id")}
    by_name = {r["name"]: r for r in rows}
    assert by_name["中卫市沙坡头区科学技术局"]["parent_id"] == tree["region"].pk
    assert "中卫市沙坡头区科学技术局" in response.content.decode()  # not \\u escapes


def test_search_shape_order_and_filters(client, items, tree):
    older, newer, _ = items
    body = client.get("/api/public/catalog/search", {"q": "科技"}).json()
    assert set(body) == {"count", "items"} and body["count"] == 2
    assert [set(r) for r in body["items"]] == [ROW, ROW]
    assert [r["title"] for r in body["items"]] == [newer.title, older.title]
    first = body["items"][0]
    assert first == {
        "index_number": newer.index_number,
        "title": newer.title,
        "agency": "中卫市沙坡头区科学技术局",
        "column": "统计信息",
        "published_on": "2026-06-01",
        "url": public_item_url(newer.pk),
    }
    assert client.get("/api/public/catalog/search", {"q": "科技", "year": 2025}).json()["count"] == 1
    assert client.get("/api/public/catalog/search", {"q": "科技", "agency": tree["b"].pk}).json() == {
        "count": 0,
        "items": [],
    }
    by_number = client.get("/api/public/catalog/search", {"q": "卫科发[2025]3号"}).json()
    assert [r["title"] for r in by_number["items"]] == [older.title]
    assert client.get("/api/public/catalog/search", {"q": "科技", "page": 2}).json() == {
        "count": 2,
        "items": [],
    }
    assert client.get("/api/public/catalog/search", {"q": "草稿"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "status", "code", "words"),
    [
        ({"q": "科技", "page": 0}, 400, "invalid_parameter", "页码"),
        ({"q": "科技", "page": 501}, 400, "invalid_parameter", "页码"),
        ({"q": "科技", "page": "x"}, 400, "invalid_parameter", "页码"),
        ({"q": "科技", "year": 1900}, 400, "invalid_parameter", "年度"),
        ({"q": "科技", "year": "二〇二〇"}, 400, "invalid_parameter", "年度"),
        ({"q": "公" * 101}, 400, "invalid_parameter", "100"),
        ({"q": "科技", "agency": 999_999}, 404, "not_found", "机关"),
    ],
)
def test_search_errors_in_chinese(client, items, query, status, code, words):
    got_code, detail = error(client.get("/api/public/catalog/search", query), status)
    assert got_code == code and words in detail


@pytest.mark.parametrize("q", ['"', "NEAR(公开)", "*", "〔〕", "😀", "'; DROP TABLE catalog_item; --"])
def test_hostile_search_is_never_a_500(client, items, q):
    response = client.get("/api/public/catalog/search", {"q": q})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_agency_catalog(client, items, tree, columns):
    older, newer, _ = items
    url = f"/api/public/agencies/{tree['a'].pk}/catalog"
    body = client.get(url).json()
    assert body["count"] == 2 and [r["title"] for r in body["items"]] == [newer.title, older.title]
    assert [set(r) for r in body["items"]] == [ROW, ROW]
    policy = client.get(url, {"column": columns["policy"].pk}).json()  # its child 其他文件
    assert [r["title"] for r in policy["items"]] == [older.title]
    assert client.get(url, {"year": 2026}).json()["count"] == 1
    assert client.get(url, {"page": 2}).json() == {"count": 2, "items": []}
    other_column = columns["policy"].pk
    assert error(
        client.get(f"/api/public/agencies/{tree['b'].pk}/catalog", {"column": other_column}), 404
    ) == (
        "not_found",
        "该机关没有这个栏目",
    )
    assert error(client.get("/api/public/agencies/999999/catalog"), 404) == ("not_found", "未找到该机关")


def test_item_detail_by_index_number_or_id(client, items, reviewer):
    older, _, draft = items
    by_number = client.get(f"/api/public/catalog/items/{older.index_number}")
    assert by_number.status_code == 200, by_number.content
    body = by_number.json()
    assert body == client.get(f"/api/public/catalog/items/{older.pk}").json()
    assert body["title"] == older.title and body["doc_number"] == "卫科发〔2025〕3号"
    assert body["validity"] == {"value": "valid", "label": "有效", "changed_on": None, "note": ""}
    assert body["withdrawn"] is None and "<p>" in body["body"]
    assert body["agency"] == "中卫市沙坡头区科学技术局" and body["column"] == "其他文件"
    assert error(client.get(f"/api/public/catalog/items/{draft.index_number}"), 404) == (
        "not_found",
        "未找到该信息",
    )
    assert error(client.get(f"/api/public/catalog/items/{draft.pk}"), 404)[0] == "not_found"
    assert error(client.get("/api/public/catalog/items/99999999999999999999999"), 404)[0] == "not_found"
    item_withdraw(item=older, by=reviewer, reason="内容已过时")
    gone = client.get(f"/api/public/catalog/items/{older.pk}").json()
    assert gone["withdrawn"]["reason"] == "内容已过时" and gone["body"] == "" and gone["summary"] == ""


def test_proactive_figures(client, items, tree):
    response = client.get(f"/api/public/agencies/{tree['a'].pk}/proactive/2026")
    assert response.status_code == 200
    body = response.json()
    assert body == proactive_figures(agency_id=tree["a"].pk, year=2026).as_json()
    assert set(body) == {"total", "channels", "columns", "table2"}
    assert body["total"] == 1
    assert body["channels"] == [{"name": "政府网站", "total": 1, "original": None, "reposted": None}]
    assert (
        error(client.get(f"/api/public/agencies/{tree['a'].pk}/proactive/2007"), 400)[0]
        == "invalid_parameter"
    )
    assert error(client.get("/api/public/agencies/999999/proactive/2026"), 404) == (
        "not_found",
        "未找到该机关",
    )


def test_no_login_needed_and_nothing_else_opened(client, items):
    assert client.get("/api/public/agencies").status_code == 200
    assert client.get("/api/applications").status_code == 401


@pytest.mark.parametrize("key", ["640502001/2026-00001\x00", "不是索引号", "%00", "x" * 200])
def test_an_item_key_that_cannot_be_an_index_number_is_not_found(client, key):
    response = client.get("/api/public/catalog/items/" + quote(key))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
