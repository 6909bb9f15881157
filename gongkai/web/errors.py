"""The error pages of the whole site (handler400/403/404/500 in gongkai.urls, CSRF_FAILURE_VIEW in the
settings): Chinese pages in the site's look, and under /api/ the API's JSON shape `{"code", "detail"}`
(gongkai.api), never an HTML page.

A 500 page is rendered without the request's context processors and without touching the database: it is
shown when something already failed, perhaps the database itself.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from gongkai.errors import Code

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(code: Code | str, detail: str, status: int) -> HttpResponse:
    """The API's error shape, as gongkai.api.views answers it."""
    body = json.dumps({"code": str(code), "detail": detail}, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _page(request, template: str, status: int, context: dict | None = None) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api(request):
        return api_error(Code.INVALID_PARAMETER, "请求无法处理：格式不正确或内容过大", 400)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    message = str(exception or "")
    if is_api(request):
        return api_error(Code.PERMISSION_DENIED, message or "您没有权限", 403)
    return _page(request, "403.html", 403, {"exception": message})


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(Code.NOT_FOUND, "没有这个接口或对象", 404)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    if is_api(request):
        return api_error(Code.SERVER_ERROR, "系统暂时无法处理该请求，已记录在系统日志中，请稍后重试", 500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request, reason: str = ""):
    """A form posted without its valid token: the page was open too long, or the session ended meanwhile."""
    if is_api(request):
        return api_error(Code.PERMISSION_DENIED, "页面已过期，请刷新页面后重新提交", 403)
    return _page(request, "403_csrf.html", 403)


# What an error under /api/ that did not come from the API itself says (django-ninja's own 405, a request
# refused by Django before the API saw it).
_API_ERRORS = {
    400: (Code.INVALID_PARAMETER, "请求无法处理：格式不正确或内容过大"),
    401: (Code.NOT_AUTHENTICATED, "请先登录工作平台"),
    403: (Code.PERMISSION_DENIED, "您没有权限"),
    404: (Code.NOT_FOUND, "没有这个接口或对象"),
    405: (Code.METHOD_NOT_ALLOWED, "该接口不支持这种请求方法"),
    413: (Code.INVALID_PARAMETER, "请求内容过大"),
    429: (Code.RATE_LIMITED, "请求过于频繁，请稍后再试"),
}


class ApiJsonErrors:
    """Middleware: under /api/, every error answer is JSON in the API's shape, whoever produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, detail = _API_ERRORS.get(
                response.status_code, (Code.SERVER_ERROR, "系统暂时无法处理该请求，请稍后重试")
            )
            json_response = api_error(code, detail, response.status_code)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response
