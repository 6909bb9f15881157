"""The staff API (/api/staff/…): scripts of an agency draft catalog items and submit them to the 保密审查,
authenticated by a token (`Authorization: Bearer gk_…`, issued with `gongkai token new`), acting as the
token's user with that user's roles. The same services as the workbench, so the same checks and audit.

Errors are {"code", "detail"} in Chinese: 401 no token, an unknown or revoked one (a client address that
sends many bad tokens is refused for a while: 429); 403 an agency the user may not write in; 404 an item
the user cannot see; 409 the pre-submission scan found something to confirm (`confirm_warnings`); 422 a
field that is wrong, named in the detail; 429 more requests than a token may make per minute.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security.http import HttpBearer

from gongkai.agencies.models import Agency
from gongkai.agencies.permissions import WRITING_ROLES
from gongkai.agencies.selectors import agencies_visible
from gongkai.api.selectors import token_lookup
from gongkai.api.services import token_touch
from gongkai.catalog.figures import catalog_order
from gongkai.catalog.models import Column, Item
from gongkai.catalog.services import item_create, item_submit
from gongkai.catalog.services.items import item_scan
from gongkai.errors import Code, first_code, invalid
from gongkai.web.client import client_ip
from gongkai.web.ratelimit import rate_count, rate_take

MAX_ID = 2**31 - 1
# per client address: presented tokens that are unknown or revoked (tokens cannot be guessed; this keeps
# a broken or hostile script from hammering the table)
BAD_TOKEN_LIMIT, BAD_TOKEN_WINDOW = 20, 10 * 60
# per token: requests per minute
TOKEN_RATE_LIMIT, TOKEN_RATE_WINDOW = 120, 60

# The API's names of the fields, in Chinese, for the error details (field errors name both).
FIELD_LABELS = {
    "agency_id": "机关编号",
    "column_id": "栏目编号",
    "column": "栏目编号",
    "title": "标题",
    "doc_number": "文号",
    "publisher": "发布机构",
    "written_on": "成文日期",
    "formed_on": "形成/变更日期",
    "topic": "主题分类",
    "genre": "体裁",
    "summary": "内容概述",
    "body": "正文",
    "disclosure": "公开属性",
    "withheld_reason": "不予公开的理由和依据",
    "validity": "有效性",
    "validity_changed_on": "失效/废止日期",
    "statutory_kind": "文件类别",
    "channels": "发布渠道",
    "method": "拟公开方式",
    "scope": "公开范围",
    "publish_at": "公开时间",
    "withdraw_at": "定时撤回时间",
    "confirm_warnings": "确认提示",
    "index_number": "索引号",
}
# a service's field name → the API's
API_FIELD = {"column": "column_id"}


def field_label(name: str) -> str:
    name = API_FIELD.get(name, name)
    label = FIELD_LABELS.get(name)
    return f"{label}（{name}）" if label else name


class ApiError(Exception):
    """An answer other than the usual ones for an exception (gongkai.api.views answers it)."""

    def __init__(self, status: int, code: Code, detail: str):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class StaffToken(HttpBearer):
    """`Authorization: Bearer <token>`: the request acts as the token's user."""

    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header, "")
        scheme, _, token = value.strip().partition(" ")
        if not value or scheme.lower() != self.openapi_scheme or not token.strip():
            raise HttpError(
                401, "请在请求头中提供接口令牌：Authorization: Bearer <令牌>（令牌用 gongkai token new 签发）"
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        address = f"api:bad_token:{client_ip(request) or 'unknown'}"
        if rate_count(address) >= BAD_TOKEN_LIMIT:
            raise HttpError(
                429, f"无效令牌过多，本网络地址暂停使用接口{BAD_TOKEN_WINDOW // 60}分钟，请稍后再试"
            )
        row = token_lookup(token)
        if row is None or row.revoked_at is not None or not row.user.is_active:
            rate_take(address, limit=BAD_TOKEN_LIMIT, window_seconds=BAD_TOKEN_WINDOW)
            if row is None:
                raise HttpError(401, "接口令牌无效，请核对令牌")
            if row.revoked_at is not None:
                raise HttpError(401, "接口令牌已吊销，请使用新签发的令牌")
            raise HttpError(401, "令牌所属的账号已停用")
        if not rate_take(f"api:token:{row.pk}", limit=TOKEN_RATE_LIMIT, window_seconds=TOKEN_RATE_WINDOW):
            raise HttpError(429, f"请求过于频繁：每个令牌每分钟最多{TOKEN_RATE_LIMIT}次请求，请稍后再试")
        token_touch(token=row)
        request.user = row.user
        return row


router = Router(auth=StaffToken(), tags=["工作人员接口（令牌）"])


# --- schemas -----------------------------------------------------------------------------------------------

_ID = {"ge": 1, "le": MAX_ID}


class ItemIn(Schema):
    agency_id: int | None = Field(None, **_ID, description="机关编号；令牌用户只在一个机关办理事务时可省略")
    column_id: int = Field(..., **_ID, description="栏目编号（GET /api/staff/catalog/columns）")
    title: str = Field(..., description="标题（名称应完整，不用简称）")
    doc_number: str = Field("", description="文号，如“卫沙科发〔2020〕12号”")
    publisher: str = Field("", description="发布机构；省略为本机关名称")
    written_on: str | None = Field(None, description="成文日期，如 2020-03-02")
    formed_on: str | None = Field(None, description="形成/变更日期；省略为成文日期")
    topic: str = ""
    genre: str = ""
    summary: str = Field("", description="内容概述，不超过300字")
    body: str = Field("", description="正文（HTML，保存前按白名单清理）")
    disclosure: str = Field("proactive", description="公开属性：proactive、on_request、withheld")
    withheld_reason: str = ""
    validity: str = Field("valid", description="有效性：valid、lapsed、repealed")
    validity_changed_on: str | None = None
    statutory_kind: str = Field("other", description="文件类别：regulation、normative、other")
    channels: list[str] | None = Field(None, description='发布渠道，省略为 ["website"]')


class SubmitIn(Schema):
    method: str = Field("政府网站", description="拟公开方式")
    scope: str = Field("社会公众", description="公开范围")
    publish_at: str | None = Field(
        None, description="定时公开时间，如 2026-12-01T09:00（北京时间）；省略为审批通过即发布"
    )
    withdraw_at: str | None = Field(None, description="定时撤回时间")
    confirm_warnings: bool = Field(False, description="提交前检查的提示已核对，仍然提交")


class NamedRef(Schema):
    id: int
    name: str


class ReviewOut(Schema):
    submitted_at: dt.datetime
    publish_at: dt.datetime | None
    approved: bool | None
    opinion: str
    warnings: list[dict]


class ItemOut(Schema):
    id: int
    index_number: str
    agency: NamedRef
    column: NamedRef
    title: str
    doc_number: str
    publisher: str
    written_on: dt.date | None
    formed_on: dt.date
    publish_limit_on: dt.date | None
    status: str
    status_label: str
    published_on: dt.date | None
    late: bool
    disclosure: str
    validity: str
    statutory_kind: str
    channels: list[str]
    summary: str
    body: str
    review: ReviewOut | None


class ColumnOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    accepts_items: bool


def _out(item: Item) -> dict:
    sheet = item.review_sheets.order_by("-submitted_at", "-id").first()
    return {
        "id": item.pk,
        "index_number": item.index_number,
        "agency": {"id": item.agency_id, "name": item.agency.name},
        "column": {"id": item.column_id, "name": item.column.name},
        "title": item.title,
        "doc_number": item.doc_number,
        "publisher": item.publisher,
        "written_on": item.written_on,
        "formed_on": item.formed_on,
        "publish_limit_on": item.publish_limit_on,
        "status": item.status,
        "status_label": item.get_status_display(),
        "published_on": item.published_on,
        "late": item.late,
        "disclosure": item.disclosure,
        "validity": item.validity,
        "statutory_kind": item.statutory_kind,
        "channels": item.channels,
        "summary": item.summary,
        "body": item.body,
        "review": None
        if sheet is None
        else {
            "submitted_at": sheet.submitted_at,
            "publish_at": sheet.publish_at,
            "approved": sheet.approved,
            "opinion": sheet.opinion,
            "warnings": sheet.warnings,
        },
    }


# --- lookups -----------------------------------------------------------------------------------------------


def _item(user, item_id: int) -> Item:
    """An item the user can see (their agencies, a supervisor's subtree); 404 as for an id that does not
    exist otherwise, so that other agencies' items cannot be probed."""
    item = (
        Item.objects.select_related("agency", "column")
        .filter(pk=item_id, agency__in=agencies_visible(user=user))
        .first()
        if 1 <= item_id <= MAX_ID
        else None
    )
    if item is None:
        raise Http404("未找到该信息")
    return item


def _agency(user, agency_id: int | None) -> Agency:
    if agency_id is None:
        writable = list(
            Agency.objects.filter(memberships__user=user, memberships__role__in=WRITING_ROLES).distinct()[:2]
        )
        if len(writable) != 1:
            raise invalid(
                "agency_id",
                Code.REQUIRED,
                "请指定机关编号：令牌用户在多个机关办理事务，或没有可办理事务的机关",
            )
        return writable[0]
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404("未找到该机关")
    return agency  # the service refuses an agency the user may not write in (403)


def _when(field: str, value: str | None) -> dt.datetime | None:
    if value is None or not value.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(
            field, Code.INVALID, f"{FIELD_LABELS[field]}应为日期时间，格式如 2026-12-01T09:00"
        ) from None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


# --- endpoints ---------------------------------------------------------------------------------------------


@router.get("/catalog/columns", response=list[ColumnOut], summary="本机关的目录栏目（按目录顺序，上级在前）")
def columns(request, agency_id: int | None = None):
    agency = _agency(request.user, agency_id)
    if not agencies_visible(user=request.user).filter(pk=agency.pk).exists():
        raise PermissionDenied(f"您没有查看“{agency}”的权限")
    tree = list(Column.objects.filter(agency=agency))
    order = catalog_order(tree)  # parents before their children, as the catalog reads
    return [
        {"id": c.pk, "parent_id": c.parent_id, "code": c.code, "name": c.name,
         "accepts_items": c.code not in ("statutory", "apply")}
        for c in sorted(tree, key=lambda c: order[c.pk])
    ]  # fmt: skip


@router.post("/catalog/items", response={201: ItemOut}, summary="起草一条目录信息（草稿）")
def create_item(request, data: ItemIn):
    agency = _agency(request.user, data.agency_id)
    column = Column.objects.filter(pk=data.column_id).first()
    if column is None:
        raise invalid("column", Code.INVALID_CHOICE, "栏目不存在")
    fields = data.dict(exclude={"agency_id", "column_id"})
    if fields["channels"] is None:
        del fields["channels"]
    # the service refuses an agency the user may not write in (403) and another agency's column (422)
    item = item_create(agency=agency, column=column, by=request.user, data=fields)
    return _out(_item(request.user, item.pk))  # 201: the one status of the response


@router.get("/catalog/items/{item_id}", response=ItemOut, summary="一条目录信息及其保密审查单")
def get_item(request, item_id: int):
    return _out(_item(request.user, item_id))


@router.post(
    "/catalog/items/{item_id}/submit",
    response=ItemOut,
    summary="填写保密审查单并提交审查（提交前检查有提示时答复 409，核对后加 confirm_warnings: true 重新提交）",
)
def submit_item(request, item_id: int, data: SubmitIn):
    item = _item(request.user, item_id)
    publish_at, withdraw_at = _when("publish_at", data.publish_at), _when("withdraw_at", data.withdraw_at)
    try:
        item_submit(
            item=item, by=request.user, method=data.method, scope=data.scope, publish_at=publish_at,
            withdraw_at=withdraw_at, confirm_warnings=data.confirm_warnings,
        )  # fmt: skip
    except ValidationError as error:
        if first_code(error) != Code.CONFIRMATION_REQUIRED:
            raise
        warnings = "；".join(w.message for w in item_scan(item))
        raise ApiError(
            409,
            Code.CONFIRMATION_REQUIRED,
            f'提交前检查发现以下问题，请核对处理：{warnings}。确认无误的，请在请求中加上 "confirm_warnings": true 重新提交',
        ) from None
    return _out(_item(request.user, item_id))
