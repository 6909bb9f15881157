"""The error pages in Chinese (400, 403, 404, 500, an expired form), in the site's look; under /api/ every
error is JSON in the API's shape, an unexpected one logged; the admin's searches and actions refuse what the
database cannot take."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template import loader
from django.test import Client

from gongkai.api import views as api_views
from gongkai.portal import views as portal_views
from gongkai.web import errors


def chinese_page(response, status: int, *words: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'lang="zh-CN"' in page and "site.css" in page  # the site's frame
    for word in words:
        assert word in page, word
    for english in ("Bad Request", "Forbidden", "Not Found", "Server Error", "CSRF verification failed"):
        assert english not in page
    return page


def test_the_500_page_renders_without_a_request_or_the_database():
    # no database fixture: a query here would fail the test
    page = loader.get_template("500.html").render()
    assert "系统暂时无法处理您的请求" in page and "错误代码 500" in page and "site.css" in page


@pytest.mark.django_db
def test_404_page(client):
    chinese_page(client.get("/no-such-page/"), 404, "页面不存在", "返回首页")


@pytest.mark.django_db
def test_400_page_for_a_request_django_refuses(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/status/correction/", {f"f{i}": "x" for i in range(10)})
    chinese_page(response, 400, "请求无法处理")
    chinese_page(client.get("/", HTTP_HOST="evil.example.com"), 400, "请求无法处理")


def test_403_page_says_why(client, clerk, supervisor, application):
    client.force_login(supervisor)
    response = client.post(f"/workbench/applications/{application.pk}/act/request_extension/", {})
    chinese_page(response, 403, "无权访问", "只有查看权限")


def test_an_expired_form_says_to_reload(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post("/workbench/applications/new/", {"applicant_name": "张三"})
    chinese_page(response, 403, "页面已过期", "刷新页面")
    response = Client(enforce_csrf_checks=True).post("/status/correction/", {"code": "X"})
    chinese_page(response, 403, "页面已过期")


@pytest.mark.django_db
def test_a_fault_shows_the_chinese_500_page_and_is_logged(monkeypatch, caplog):
    def broken():
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(portal_views, "public_agencies_on_home", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/")
    chinese_page(response, 500, "系统暂时无法处理您的请求")
    assert any("a fault of ours" in str(r.exc_info) for r in caplog.records)


# --- the API: JSON whatever happens -----------------------------------------------------------------------


def api_error(response, status: int, code: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"code", "detail"} and body["code"] == code, body
    assert any("\u4e00" <= c <= "\u9fff" for c in body["detail"]), body
    return body["detail"]


def test_api_errors_outside_the_api_are_json(clerk_client):
    api_error(clerk_client.get("/api/no-such-thing"), 404, "not_found")
    api_error(clerk_client.post("/api/applications", data="{}", content_type="application/json"), 405,
              "method_not_allowed")  # fmt: skip
    assert clerk_client.post("/api/applications").headers["Allow"] == "GET"


def test_an_unexpected_api_fault_is_json_and_logged(clerk, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(api_views, "application_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    with caplog.at_level(logging.ERROR, logger="gongkai.api.views"):
        response = client.get("/api/applications")
    api_error(response, 500, "server_error")
    assert any("a fault of ours" in str(r.exc_info) for r in caplog.records)


def test_django_s_own_errors_under_api_are_json(rf):
    request = rf.post("/api/applications")
    api_error(errors.server_error(request), 500, "server_error")
    api_error(errors.bad_request(request), 400, "invalid_parameter")
    api_error(errors.permission_denied(request, PermissionDenied("")), 403, "permission_denied")
    api_error(errors.csrf_failure(request), 403, "permission_denied")
    api_error(errors.page_not_found(request), 404, "not_found")


@pytest.mark.parametrize(
    ("status", "code"), [(413, "invalid_parameter"), (429, "rate_limited"), (502, "server_error")]
)
def test_any_error_answer_under_api_becomes_json(rf, status, code):
    middleware = errors.ApiJsonErrors(lambda request: HttpResponse("<h1>Error</h1>", status=status))
    response = middleware(rf.get("/api/applications"))
    api_error(response, status, code)
    assert "Allow" not in response
    page = errors.ApiJsonErrors(lambda request: HttpResponse("<h1>Error</h1>", status=status))(rf.get("/"))
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("q=%E5%BC%A0%0B%E4%B8%89", "控制字符"),  # 张\x0b三
        ("q=%00", "控制字符"),
        (f"q={'x' * 101}", "100"),
        ("status=%3Cscript%3E", "状态"),
        ("status=%00", "状态"),
    ],
)
def test_api_query_text_is_checked(clerk_client, application, query, words):
    assert words in api_error(clerk_client.get(f"/api/applications?{query}"), 400, "invalid_parameter")


def test_ninja_validation_errors_are_chinese(clerk_client):
    detail = api_error(
        clerk_client.get("/api/applications?per_page=abc&page=1e309"), 400, "invalid_parameter"
    )
    assert "每页条数" in detail and "页码" in detail


# --- the admin's searches and actions ---------------------------------------------------------------------


@pytest.mark.parametrize("term", ["长" * 100_000, "张\x00三", "张\x0b三"])
def test_an_admin_search_the_database_cannot_run_is_refused_with_a_message(admin_client, tree, term):
    for url in ("/admin/agencies/agency/", "/admin/cases/application/", "/admin/auth/user/"):
        response = admin_client.get(url, {"q": term})
        assert response.status_code == 200
        # refused with a message (a NUL already by Django's own search form, in its Chinese wording)
        assert '<li class="error">' in response.content.decode()
    response = admin_client.get(
        "/admin/autocomplete/", {"term": term, "app_label": "agencies", "model_name": "membership",
                                 "field_name": "user"},
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.parametrize("selected", ["", "<script>", "99999999999999999999", "1\x00"])
def test_an_admin_action_on_rows_that_are_not_ids_is_refused(admin_client, tree, selected):
    response = admin_client.post(
        "/admin/agencies/membership/",
        {"action": "delete_selected", "_selected_action": selected, "index": "0"},
        follow=True,
    )
    assert response.status_code == 200 and "所选的记录有误" in response.content.decode()


@pytest.mark.parametrize("user", ["<script>", "99999999999999999999", "1\x00"])
def test_an_admin_choice_that_is_not_an_id_is_refused(admin_client, tree, user):
    response = admin_client.post(
        "/admin/agencies/membership/add/", {"user": user, "agency": str(tree["a"].pk), "role": "clerk"}
    )
    assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    response = admin_client.post(
        f"/admin/auth/user/{admin_client.session['_auth_user_id']}/change/",
        {"username": "admin", "groups": "99999999999999999999"},
    )
    assert response.status_code == 200
