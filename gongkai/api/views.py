"""The JSON API (django-ninja, OpenAPI at /api/docs): the same selectors as the workbench, so the same
agency isolation; personal data masked; Chinese reasons with every 4xx."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.renderers import BaseRenderer
from ninja.security import SessionAuth

from gongkai.agencies.selectors import agencies_visible
from gongkai.agencies.validators import mask_id_number, mask_phone
from gongkai.cases.models import Application
from gongkai.cases.selectors import annual_tables, application_get, application_list
from gongkai.report.rules import check


class ChineseJSON(BaseRenderer):
    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return json.dumps(data, ensure_ascii=False, default=str)


api = NinjaAPI(
    title="gongkai 接口", version="1", renderer=ChineseJSON(), auth=SessionAuth(), urls_namespace="api"
)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


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
    outcome: str
    concluded_on: dt.date | None


def _out(application: Application) -> ApplicationOut:
    return ApplicationOut(
        id=application.pk,
        number=application.number,
        agency=application.agency.name,
        applicant_kind=application.applicant_kind,
        applicant_name=application.applicant_name,
        id_number=mask_id_number(application.id_number),
        phone=mask_phone(application.phone),
        received_on=application.received_on,
        status=application.status,
        due_on=application.due_on,
        outcome=application.outcome,
        concluded_on=application.concluded_on,
    )


@api.get("/applications", response=list[ApplicationOut], summary="申请列表（身份证号、电话已遮蔽）")
def applications(
    request,
    year: int | None = None,
    status: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
):
    if page < 1 or not 1 <= per_page <= 200:
        raise HttpError(400, "page 须为正整数，per_page 须在 1 到 200 之间")
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
    agency = agencies_visible(user=request.user).filter(pk=agency_id).first()
    if agency is None:
        raise HttpError(404, "未找到该机关，或您无权查看")
    if not 2008 <= year <= dt.date.today().year:
        raise HttpError(400, "年度超出范围")
    report = annual_tables(agency=agency, year=year)
    return report.as_dict(findings=check(report))
