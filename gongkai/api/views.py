"""The JSON API (django-ninja, OpenAPI at /api/docs): the same selectors as the workbench, so the same
agency isolation; personal data masked (gongkai.cases.applicant.shown_identity, Surface.API).

Every error answers `{"code": "…", "detail": "中文说明"}` with a code from gongkai.errors.Code.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.security import SessionAuth

from gongkai.api.staff import ApiError, field_label
from gongkai.api.staff import router as staff_router
from gongkai.cases import procedure
from gongkai.cases.applicant import Surface, shown_identity
from gongkai.cases.enums import Status
from gongkai.cases.models import Application
from gongkai.cases.selectors import application_get, application_list
from gongkai.errors import Code, first_code
from gongkai.report.rules import check
from gongkai.reports.selectors import annual_tables
from gongkai.text import single_line_problem

log = logging.getLogger(__name__)

FIRST_REPORT_YEAR = 2008  # the Regulations' first version took effect on 2008-05-01
MAX_PAGE = 100_000
QUERY_MAX = 100


def _json_default(value):
    """Dates and times as ISO 8601; times in the site's time zone (北京时间), as people read them."""
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ChineseJSON(BaseRenderer):
    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return json.dumps(data, ensure_ascii=False, default=_json_default)


api = NinjaAPI(
    title="gongkai 接口", version="1", renderer=ChineseJSON(), auth=SessionAuth(), urls_namespace="api"
)


def error_response(request: HttpRequest, code: Code | str, detail: str, status: int) -> HttpResponse:
    return api.create_response(request, {"code": str(code), "detail": detail}, status=status)


_STATUS_CODES = {400: Code.INVALID_PARAMETER, 401: Code.NOT_AUTHENTICATED, 403: Code.PERMISSION_DENIED,
                 404: Code.NOT_FOUND, 429: Code.RATE_LIMITED}  # fmt: skip


# What django-ninja itself answers in English, for the people who read the details.
_NINJA_MESSAGES = {
    "Cannot parse request body": "请求内容无法解析：应为 JSON（Content-Type: application/json）"
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    detail = str(exc)
    for english, chinese in _NINJA_MESSAGES.items():
        if detail.startswith(english):
            detail = chinese
    response = error_response(
        request, _STATUS_CODES.get(exc.status_code, Code.INVALID), detail, exc.status_code
    )
    if exc.status_code == 401:  # only the token endpoints answer 401 this way: say how to authenticate
        response["WWW-Authenticate"] = 'Bearer realm="gongkai"'
    return response


@api.exception_handler(AuthenticationError)
def _not_authenticated(request, exc):
    return error_response(request, Code.NOT_AUTHENTICATED, "请先登录工作平台", 401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, Code.NOT_FOUND, str(exc) or "未找到", 404)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return error_response(request, Code.PERMISSION_DENIED, str(exc) or "您没有权限", 403)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    """A service refused a value: 422, each message after the field it is about."""
    if hasattr(exc, "error_dict"):
        detail = "；".join(
            f"{field_label(field)}：{message}" if field != NON_FIELD_ERRORS else message
            for field, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        )
    else:
        detail = "；".join(exc.messages)
    return error_response(request, first_code(exc), detail, 422)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(request, exc.code, exc.detail, exc.status)


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    """A fault of ours, not of the request: logged with its traceback, answered in the API's shape."""
    log.exception("API request failed: %s %s", request.method, request.path)
    return error_response(
        request, Code.SERVER_ERROR, "系统暂时无法处理该请求，已记录在系统日志中，请稍后重试", 500
    )


_PARAMETERS = {
    "year": "年度",
    "page": "页码",
    "per_page": "每页条数",
    "pk": "编号",
    "agency_id": "机关编号",
    "status": "状态",
    "q": "搜索词",
    "item_id": "信息编号",
}


@api.exception_handler(NinjaValidationError)
def _bad_parameter(request, exc: NinjaValidationError):
    """A parameter of the wrong type: 400; a field of a request body: 422, naming the field."""
    names, in_body = [], False
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        in_body = in_body or "body" in loc
        location = [part for part in loc if part not in ("query", "path", "body", "data")]
        if not location:
            names.append("参数")
        elif in_body:
            names.append(field_label(location[0]))
        else:
            names.append(_PARAMETERS.get(location[-1], location[-1]))
    names = list(dict.fromkeys(names))
    if in_body:
        return error_response(request, Code.INVALID, f"请求内容有误：{'、'.join(names)}格式不正确", 422)
    return error_response(request, Code.INVALID_PARAMETER, f"参数有误：{'、'.join(names)}格式不正确", 400)


class ApplicationOut(Schema):
    id: int
    number: str
    agency: str
    applicant_kind: str
    applicant_name: str
    id_number: str
    phone: str
    received_on: dt.date
    status: str
    due_on: dt.date | None
    # due_on counted Monday to Friday in a year whose holiday schedule is not entered yet: an estimate,
    # "预计 …（待节假日安排确认）", computed again when the schedule is entered
    due_on_estimated: bool
    due_on_text: str
    outcome: str
    concluded_on: dt.date | None


def _out(application: Application) -> ApplicationOut:
    shown = shown_identity(
        id_type=application.id_type, id_number=application.id_number, phone=application.phone,
        surface=Surface.API, staff=False,
    )  # fmt: skip
    return ApplicationOut(
        id=application.pk,
        number=application.number,
        agency=application.agency.name,
        applicant_kind=application.applicant_kind,
        applicant_name=application.applicant_name,
        id_number=shown.id_number,
        phone=shown.phone,
        received_on=application.received_on,
        status=application.status,
        due_on=application.due_on,
        due_on_estimated=bool(application.due_on) and application.due_on_estimated,
        due_on_text=procedure.deadline_text(application.due_on, application.due_on_estimated),
        outcome=application.outcome,
        concluded_on=application.concluded_on,
    )


def _check_year(year: int) -> None:
    if not FIRST_REPORT_YEAR <= year <= timezone.localdate().year:
        raise HttpError(400, f"年度应在 {FIRST_REPORT_YEAR} 年至今年之间")


def _check_query(q: str) -> None:
    if problem := single_line_problem(q):
        raise HttpError(400, f"搜索词{problem}")
    if len(q) > QUERY_MAX:
        raise HttpError(400, f"搜索词不能超过{QUERY_MAX}个字")


@api.get("/applications", response=list[ApplicationOut], summary="申请列表（身份证号、电话已遮蔽）")
def applications(
    request,
    year: int | None = None,
    status: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
):
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= 200:
        raise HttpError(400, f"页码须在 1 到 {MAX_PAGE} 之间，每页条数须在 1 到 200 之间")
    if year is not None:
        _check_year(year)
    if status and status not in Status.values:
        raise HttpError(400, f"状态应为以下之一：{'、'.join(Status.values)}")
    if q:
        _check_query(q)
    qs = application_list(user=request.user, year=year, status=status or None, q=q or None)
    start = (page - 1) * per_page
    return [_out(a) for a in qs.select_related("agency")[start : start + per_page]]


@api.get("/applications/{pk}", response=ApplicationOut, summary="一件申请（他机关的申请答复 404）")
def application_detail(request, pk: int):
    return _out(application_get(user=request.user, pk=pk))


@api.get(
    "/agencies/{agency_id}/annual/{year}", summary="由办件记录生成的表三、表四（gongkai.annual-report/1）"
)
def annual(request, agency_id: int, year: int):
    _check_year(year)
    report = annual_tables(user=request.user, agency_id=agency_id, year=year)
    return report.as_dict(findings=check(report))


api.add_router("/staff/", staff_router)
