"""Catalog items: drafting with their metadata, the 保密审查 (先审查、后公开) through the approval mechanism,
publication now or at a set time, withdrawal, validity (失效/废止, marked on the published page).

No item reaches the portal without an approved review sheet: only the approval handler publishes or
schedules, and scheduled items are published by `item_publish_due` (a task on the queue).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.agencies.models import Agency, Role
from gongkai.agencies.permissions import roles_in
from gongkai.approvals.models import ApprovalRequest, Kind
from gongkai.approvals.services import Handler, approval_open, register_handler
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases.calendar import work_calendar
from gongkai.catalog import html, index_numbers
from gongkai.catalog.enums import Channel, Disclosure, ItemStatus, StatutoryKind, Validity
from gongkai.catalog.models import Column, IndexSequence, Item, ReviewSheet
from gongkai.catalog.scan import ScanWarning, scan_item
from gongkai.catalog.search import search_index, search_remove
from gongkai.catalog.services.common import d, require_catalog_write, today
from gongkai.errors import Code, clean_text, invalid

TITLE_MAX = 300
SUMMARY_MAX = 300
SUMMARY_MAX_LONG = 500  # for documents over LONG_BODY characters
LONG_BODY = 5000
BODY_MAX = 1_000_000
EDITABLE = (ItemStatus.DRAFT, ItemStatus.RETURNED)
PAST_YEAR_REASON_MAX = 200
_DOC_NUMBER = re.compile(r"^\S.{0,40}〔(\d{4})〕(第?)(\d{1,6})号$")
_BRACKETS = re.compile(r"[\[［(（【]\s*(\d{4})\s*[\]］)）】]")


# --- fields ------------------------------------------------------------------------------------------------


def normalise_doc_number(value: str) -> str:
    """文号 as GB/T 9704 prints it: the year in 〔〕 (typed as [], （）, 【】 too), no 第 before the serial."""
    value = _BRACKETS.sub(r"〔\1〕", clean_text("doc_number", value, max_length=60).replace(" ", ""))
    if not value:
        return ""
    match = _DOC_NUMBER.match(value)
    if not match:
        raise invalid(
            "doc_number", Code.INVALID, "文号格式应为“机关代字〔年份〕序号号”，如“卫科发〔2020〕12号”"
        )
    if match.group(2):
        value = value.replace(f"〕第{match.group(3)}号", f"〕{match.group(3)}号")
    return value


def _date(field: str, value, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(field, Code.INVALID, f"{label}应为日期，格式如 2020-09-28") from None


def clean_fields(data: Mapping, *, agency: Agency) -> dict:
    """The item fields a service keeps, from a form's or an import's values (ValidationError per field)."""
    title = clean_text("title", data.get("title"), max_length=TITLE_MAX)
    if not title:
        raise invalid("title", Code.REQUIRED, "请填写标题（名称应完整，不用简称）")
    publisher = clean_text("publisher", data.get("publisher") or agency.name, max_length=100)
    written_on = _date("written_on", data.get("written_on"), "成文日期")
    formed_on = _date("formed_on", data.get("formed_on"), "形成/变更日期") or written_on
    if formed_on is None:
        raise invalid("formed_on", Code.REQUIRED, "请填写形成或变更日期（公文为签发日期）")
    now = today()
    for field, day, label in (
        ("written_on", written_on, "成文日期"),
        ("formed_on", formed_on, "形成/变更日期"),
    ):
        if day and day > now:
            raise invalid(field, Code.DATE_IN_FUTURE, f"{label}不能晚于今天")
        if day and day.year < 1949:
            raise invalid(field, Code.DATE_TOO_EARLY, f"{label}有误")
    if written_on and formed_on < written_on:
        raise invalid("formed_on", Code.INVALID, "形成/变更日期不能早于成文日期")
    body = html.sanitise(str(data.get("body") or ""))
    if len(body) > BODY_MAX:
        raise invalid("body", Code.TOO_LONG, "正文过长，请将全文作为附件上传")
    body_text = html.plain_text(body)
    summary = clean_text("summary", data.get("summary"), multiline=True)
    limit = SUMMARY_MAX_LONG if len(body_text) > LONG_BODY else SUMMARY_MAX
    if len(summary) > limit:
        raise invalid("summary", Code.TOO_LONG, f"内容概述不能超过{limit}字（现有{len(summary)}字）")
    if summary and summary == title:
        raise invalid("summary", Code.INVALID, "内容概述不应照抄标题，请概括主要内容，或留空")
    disclosure = data.get("disclosure") or Disclosure.PROACTIVE
    if disclosure not in Disclosure.values:
        raise invalid("disclosure", Code.INVALID_CHOICE, "请选择公开属性")
    withheld_reason = clean_text(
        "withheld_reason", data.get("withheld_reason"), multiline=True, max_length=1000
    )
    if disclosure != Disclosure.PROACTIVE and not withheld_reason:
        raise invalid(
            "withheld_reason",
            Code.REQUIRED,
            f"公开属性为“{Disclosure(disclosure).label}”的，请写明理由和依据",
        )
    validity = data.get("validity") or Validity.VALID
    if validity not in Validity.values:
        raise invalid("validity", Code.INVALID_CHOICE, "请选择有效性")
    validity_changed_on = _date("validity_changed_on", data.get("validity_changed_on"), "失效/废止日期")
    if validity != Validity.VALID and validity_changed_on is None:
        raise invalid("validity_changed_on", Code.REQUIRED, f"请填写{Validity(validity).label}日期")
    if validity == Validity.VALID:
        validity_changed_on = None
    kind = data.get("statutory_kind") or StatutoryKind.OTHER
    if kind not in StatutoryKind.values:
        raise invalid("statutory_kind", Code.INVALID_CHOICE, "请选择文件类别")
    if kind != StatutoryKind.OTHER and written_on is None:
        raise invalid(
            "written_on",
            Code.REQUIRED,
            f"{StatutoryKind(kind).label}须填写成文日期（计入年度报告表二的制发、废止和现行有效件数）",
        )
    channels = list(dict.fromkeys(data.get("channels") or [Channel.WEBSITE]))
    if unknown := [c for c in channels if c not in Channel.values]:
        raise invalid("channels", Code.INVALID_CHOICE, f"未知的发布渠道：{'、'.join(map(str, unknown))}")
    return {
        "title": title,
        "doc_number": normalise_doc_number(data.get("doc_number") or ""),
        "publisher": publisher,
        "written_on": written_on,
        "formed_on": formed_on,
        "topic": clean_text("topic", data.get("topic"), max_length=40),
        "genre": clean_text("genre", data.get("genre"), max_length=40),
        "summary": summary,
        "body": body,
        "body_text": body_text,
        "disclosure": disclosure,
        "withheld_reason": withheld_reason if disclosure != Disclosure.PROACTIVE else "",
        "validity": validity,
        "validity_changed_on": validity_changed_on,
        "validity_note": clean_text("validity_note", data.get("validity_note"), max_length=300),
        "statutory_kind": kind,
        "channels": channels,
    }


def publish_limit(*, column: Column, formed_on: dt.date) -> tuple[dt.date, bool]:
    """The last day to publish information formed or changed on `formed_on` (Art. 26 or the column's law),
    and whether it is an estimate (a year whose holiday schedule is not confirmed)."""
    if not column.limit_working_days:
        return formed_on + dt.timedelta(days=column.limit_days), False
    due = work_calendar().add_estimated(formed_on, column.limit_days)
    return due.day, due.estimated


def _snapshot(item: Item) -> dict:
    return {
        "status": item.status,
        "column": item.column_id,
        "title": item.title,
        "doc_number": item.doc_number,
        "formed_on": item.formed_on and item.formed_on.isoformat(),
        "disclosure": item.disclosure,
        "validity": item.validity,
        "statutory_kind": item.statutory_kind,
        "channels": item.channels,
    }


# --- 索引号 ------------------------------------------------------------------------------------------------


def agency_index_code(agency: Agency) -> str:
    return (agency.index_code or index_numbers.organisation_code(agency.credit_code)).strip().upper()


def _allocate_index_number(agency: Agency, on: dt.date) -> str:
    fmt = settings.INDEX_NUMBER_FORMAT
    if problem := index_numbers.format_problem(fmt):
        raise invalid(None, Code.NOT_CONFIGURED, f"{problem}（GONGKAI_INDEX_NUMBER_FORMAT）")
    code = agency_index_code(agency)
    if "{code" in fmt and not code:
        raise invalid(
            None, Code.NOT_CONFIGURED,
            f"“{agency}”尚未设置统一社会信用代码或索引号机构代码，无法生成索引号。请本机关管理员在“本机关设置”中填写",
        )  # fmt: skip
    sequence, _ = IndexSequence.objects.select_for_update().get_or_create(agency=agency, year=on.year)
    while True:  # skip numbers an import brought in already: a number is never used twice
        sequence.last += 1
        number = index_numbers.index_number_format(
            fmt, code=code, year=on.year, month=on.month, serial=sequence.last
        )
        if not Item.objects.filter(index_number=number).exists():
            break
    sequence.save(update_fields=["last"])
    return number


def _given_index_number(value: str) -> str:
    number = index_numbers.normalise(value)
    if problem := index_numbers.index_number_problem(number):
        raise invalid("index_number", Code.INVALID, problem)
    if Item.objects.filter(index_number=number).exists():
        raise invalid("index_number", Code.DUPLICATE, f"索引号“{number}”已被使用，索引号不能重复")
    return number


# --- drafting ----------------------------------------------------------------------------------------------


def _check_column(column: Column, agency: Agency) -> None:
    if column.agency_id != agency.pk:
        raise invalid("column", Code.INVALID_CHOICE, "栏目不属于本机关")
    if column.code in ("statutory", "apply"):
        raise invalid("column", Code.INVALID_CHOICE, f"“{column.name}”是栏目分组，请选择其下最具体的栏目")


def item_create(
    *,
    agency: Agency,
    column: Column,
    by,
    data: Mapping,
    index_number: str = "",
    created_on: dt.date | None = None,
) -> Item:
    """A draft item with its 索引号 (allocated now, or given by an import and checked)."""
    require_catalog_write(by, agency)
    _check_column(column, agency)
    fields = clean_fields(data, agency=agency)
    limit_on, estimated = publish_limit(column=column, formed_on=fields["formed_on"])
    try:
        with transaction.atomic():
            number = (
                _given_index_number(index_number)
                if index_number
                else _allocate_index_number(agency, created_on or today())
            )
            item = Item.objects.create(
                agency=agency, column=column, index_number=number, publish_limit_on=limit_on,
                publish_limit_estimated=estimated,
                created_by=by if getattr(by, "is_authenticated", False) else None, **fields,
            )  # fmt: skip
            audit_record(
                actor=by, action=AuditAction.CATALOG_ITEM_CREATE, obj=item, agency=agency,
                after={"index_number": number, **_snapshot(item)},
            )  # fmt: skip
    except IntegrityError:
        raise invalid("index_number", Code.DUPLICATE, "索引号已被使用，请重试") from None
    return item


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("agency", "column").get(pk=item.pk)


def item_update(*, item: Item, by, data: Mapping, column: Column | None = None) -> Item:
    """Change a draft (or a returned item). A published item changes only its validity (`item_set_validity`)
    or is withdrawn; its 索引号 never changes."""
    require_catalog_write(by, item.agency)
    fields = clean_fields(data, agency=item.agency)
    with transaction.atomic(durable=True):
        locked = _locked(item)
        if locked.status not in EDITABLE:
            raise invalid(None, Code.STEP_NOT_ALLOWED, f"该信息{ItemStatus(locked.status).label}，不能修改")
        if column is not None:
            _check_column(column, locked.agency)
            locked.column = column
        before = _snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.publish_limit_on, locked.publish_limit_estimated = publish_limit(
            column=locked.column, formed_on=locked.formed_on
        )
        locked.save()
        audit_record(
            actor=by, action=AuditAction.CATALOG_ITEM_UPDATE, obj=locked, agency=locked.agency,
            before=before, after=_snapshot(locked),
        )  # fmt: skip
    return locked


# --- review and publication --------------------------------------------------------------------------------


def item_scan(item: Item) -> list[ScanWarning]:
    return scan_item(
        title=item.title,
        summary=item.summary,
        body_text=item.body_text,
        attachments=[(a.name, a.text) for a in item.attachments.all()],
    )


def item_submit(
    *,
    item: Item,
    by,
    method: str,
    scope: str,
    publish_at: dt.datetime | None = None,
    confirm_warnings: bool = False,
    withdraw_at: dt.datetime | None = None,
    published_at: dt.datetime | None = None,
    past_year_reason: str = "",
) -> ReviewSheet:
    """Write the 保密审查单 and submit the item to review. The scan's warnings stop the submission unless
    the clerk confirms them (`confirm_warnings`); they are kept on the sheet.

    补录: information an agency published in a past year, before it kept its catalog here, is entered with
    the time it was published (`published_at`, in a year before this one) and the reason. It goes through
    the same review; once approved it is recorded as published at that time, so that year's figures (the
    annual report's 主动公开 figures, gongkai.catalog.figures) come from it. The reason stays in the audit
    record of the submission and of the publication, like a case's 补录 (cases.services.past_year_reason)."""
    require_catalog_write(by, item.agency)
    method = clean_text("method", method, max_length=200) or "政府网站"
    scope = clean_text("scope", scope, max_length=100) or "社会公众"
    now = timezone.now()
    if publish_at is not None and timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at)
    if withdraw_at is not None and timezone.is_naive(withdraw_at):
        withdraw_at = timezone.make_aware(withdraw_at)
    if publish_at is not None and publish_at <= now:
        publish_at = None
    reason = ""
    if published_at is not None:
        published_at, reason = _past_publication(
            item, published_at, past_year_reason, publish_at, withdraw_at
        )
        publish_at = published_at
    if withdraw_at is not None and withdraw_at <= (publish_at or now):
        raise invalid("withdraw_at", Code.INVALID, "定时撤回时间应晚于发布时间")
    with transaction.atomic(durable=True):
        locked = _locked(item)
        if locked.status not in EDITABLE:
            raise invalid(
                None, Code.STEP_NOT_ALLOWED, f"该信息{ItemStatus(locked.status).label}，不能提交审查"
            )
        warnings = item_scan(locked)
        if warnings and not confirm_warnings:
            raise invalid(
                None, Code.CONFIRMATION_REQUIRED,
                "提交前检查发现以下问题，请核对处理；确认无误的，勾选“已核对，仍然提交”：\n"
                + "\n".join(w.message for w in warnings),
            )  # fmt: skip
        sheet = ReviewSheet.objects.create(
            item=locked,
            name=locked.title,
            summary=locked.summary or locked.body_text[:200] or locked.title,
            method=method,
            scope=scope,
            publish_at=publish_at,
            disclosure=locked.disclosure,
            withheld_reason=locked.withheld_reason,
            warnings=[w.as_dict() for w in warnings],
            submitted_by=by if getattr(by, "is_authenticated", False) else None,
        )
        before = _snapshot(locked)
        locked.status = ItemStatus.REVIEWING
        locked.withdraw_at = withdraw_at
        locked.save(update_fields=["status", "withdraw_at", "updated_at"])
        past = {"past_year_reason": reason} if reason else {}
        audit_record(
            actor=by, action=AuditAction.CATALOG_ITEM_SUBMIT, obj=locked, agency=locked.agency, before=before,
            after={**_snapshot(locked), "sheet": sheet.pk, "publish_at": publish_at and publish_at.isoformat(),
                   "warnings": len(warnings), **past},
        )  # fmt: skip
        request = approval_open(
            agency=locked.agency,
            kind=Kind.CATALOG_ITEM,
            subject=locked,
            title=f"保密审查（补录{published_at.year}年已发布信息）：{locked.title}"
            if published_at
            else f"保密审查：{locked.title}",
            by=by,
            on=today(),
            payload={"sheet": sheet.pk, **past},
        )
        ReviewSheet.objects.filter(pk=sheet.pk).update(approval=request)
        sheet.approval = request
    return sheet


def _past_publication(
    item: Item, published_at: dt.datetime, reason: str, publish_at, withdraw_at
) -> tuple[dt.datetime, str]:
    """The checked time and reason of a 补录 (an item published in a past year)."""
    if timezone.is_naive(published_at):
        published_at = timezone.make_aware(published_at)
    year = timezone.localdate(published_at).year
    if publish_at is not None:
        raise invalid("publish_at", Code.INVALID, "补录往年已发布的信息时不能再设定公开时间")
    if year >= today().year:
        raise invalid(
            "published_at", Code.INVALID, "只有往年已发布的信息可以补录发布时间；今年的信息请按审查结果发布"
        )
    if timezone.localdate(published_at) < item.formed_on:
        raise invalid("published_at", Code.DATE_TOO_EARLY, f"发布时间不能早于形成日期（{d(item.formed_on)}）")
    if withdraw_at is not None:
        raise invalid("withdraw_at", Code.NOT_APPLICABLE, "补录的往年信息不能设定定时撤回，发布后可直接撤回")
    reason = clean_text("past_year_reason", reason, max_length=PAST_YEAR_REASON_MAX)
    if not reason:
        raise invalid(
            "past_year_reason",
            Code.PAST_YEAR_REASON_REQUIRED,
            f"发布时间在{year}年：审查通过后{year}年度的主动公开统计数据（年度报告）将随之改变，"
            "请填写补录的理由",
        )
    return published_at, reason


def _sheet_of(request: ApprovalRequest) -> ReviewSheet:
    return ReviewSheet.objects.select_related("item__agency", "item__column").get(pk=request.payload["sheet"])


def _publish(item: Item, by, now: dt.datetime, past_year_reason: str = "") -> None:
    before = _snapshot(item)
    item.status = ItemStatus.PUBLISHED
    item.published_at = now
    item.published_on = timezone.localdate(now)
    item.late = bool(item.publish_limit_on and item.published_on > item.publish_limit_on)
    item.save(update_fields=["status", "published_at", "published_on", "late", "updated_at"])
    past = {"past_year_reason": past_year_reason} if past_year_reason else {}
    search_index(item)
    audit_record(
        actor=by, action=AuditAction.CATALOG_ITEM_PUBLISH, obj=item, agency=item.agency, before=before,
        after={**_snapshot(item), "published_on": item.published_on.isoformat(), "late": item.late, **past},
    )  # fmt: skip
    if item.withdraw_at is not None:
        _enqueue_withdrawal(item)


def _enqueue_publication(item: Item, at: dt.datetime) -> None:
    from gongkai.catalog.tasks import publish_due

    publish_due.using(run_after=at).enqueue()  # committed with the approval, or not at all


def _enqueue_withdrawal(item: Item) -> None:
    from gongkai.catalog.tasks import withdraw_due

    withdraw_due.using(run_after=item.withdraw_at).enqueue()


def _on_approved(request: ApprovalRequest, by, on: dt.date) -> None:
    sheet = _sheet_of(request)
    item = _locked(sheet.item)
    decision = request.decisions.order_by("-step", "-id").first()
    sheet.approved = True
    sheet.opinion = (decision.comment if decision else "") or "同意"
    sheet.save(update_fields=["approved", "opinion"])
    before = _snapshot(item)
    now = timezone.now()
    if item.disclosure != Disclosure.PROACTIVE:
        item.status = ItemStatus.RECORDED
        item.save(update_fields=["status", "updated_at"])
        audit_record(actor=by, action=AuditAction.CATALOG_ITEM_RECORD, obj=item, agency=item.agency,
                     before=before, after=_snapshot(item))  # fmt: skip
    elif reason := request.payload.get("past_year_reason"):
        _publish(item, by, sheet.publish_at, reason)  # 补录: published then, reviewed now
    elif sheet.publish_at is not None and sheet.publish_at > now:
        item.status = ItemStatus.SCHEDULED
        item.save(update_fields=["status", "updated_at"])
        audit_record(actor=by, action=AuditAction.CATALOG_ITEM_SCHEDULE, obj=item, agency=item.agency,
                     before=before, after={**_snapshot(item), "publish_at": sheet.publish_at.isoformat()})  # fmt: skip
        _enqueue_publication(item, sheet.publish_at)
    else:
        _publish(item, by, now)


def _on_refused(request: ApprovalRequest, by, on: dt.date, comment: str) -> None:
    sheet = _sheet_of(request)
    item = _locked(sheet.item)
    sheet.approved = False
    sheet.opinion = comment
    sheet.save(update_fields=["approved", "opinion"])
    before = _snapshot(item)
    item.status = ItemStatus.RETURNED
    item.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action=AuditAction.CATALOG_ITEM_RETURN, obj=item, agency=item.agency,
                 before=before, after={**_snapshot(item), "reason": comment})  # fmt: skip


def _on_withdrawn(request: ApprovalRequest, by) -> None:
    sheet = _sheet_of(request)
    item = _locked(sheet.item)
    before = _snapshot(item)
    item.status = ItemStatus.DRAFT
    item.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action=AuditAction.CATALOG_ITEM_UPDATE, obj=item, agency=item.agency,
                 before=before, after={**_snapshot(item), "review_withdrawn": request.pk})  # fmt: skip


def _url(request: ApprovalRequest) -> str:
    from django.urls import reverse

    return reverse("workbench:catalog_item", args=[request.subject_id])


register_handler(
    Kind.CATALOG_ITEM,
    Handler(on_approved=_on_approved, on_refused=_on_refused, on_withdrawn=_on_withdrawn, url=_url),
)


def item_publish_due(*, now: dt.datetime | None = None) -> list[int]:
    """Publish every scheduled item whose time has come (each in its own transaction; safe to run in
    several workers at once: the status is checked under the row lock). Returns the items published."""
    now = now or timezone.now()
    due = list(
        ReviewSheet.objects.filter(
            item__status=ItemStatus.SCHEDULED, approved=True, publish_at__lte=now
        ).values_list("item_id", flat=True)
    )
    published = []
    for item_id in dict.fromkeys(due):
        with transaction.atomic():
            item = Item.objects.select_for_update().select_related("agency").filter(pk=item_id).first()
            if item is None or item.status != ItemStatus.SCHEDULED:
                continue
            _publish(item, None, now)
            published.append(item_id)
    return published


def _withdraw(item: Item, by, reason: str, now: dt.datetime) -> None:
    before = _snapshot(item)
    item.status = ItemStatus.WITHDRAWN
    item.withdrawn_at = now
    item.withdrawn_reason = reason
    item.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
    search_remove(item)
    audit_record(actor=by, action=AuditAction.CATALOG_ITEM_WITHDRAW, obj=item, agency=item.agency,
                 before=before, after={**_snapshot(item), "reason": reason})  # fmt: skip


WITHDRAWABLE = (ItemStatus.PUBLISHED, ItemStatus.SCHEDULED)
WITHDRAW_ROLES = (Role.REVIEWER, Role.HEAD, Role.ADMIN)


def item_withdraw(*, item: Item, by, reason: str, at: dt.datetime | None = None) -> Item:
    """Take a published (or scheduled) item off the portal now, or at `at`. The public page keeps saying
    that it was withdrawn, when and why. A reviewer, head or administrator decides it."""
    if not roles_in(by, item.agency) & set(WITHDRAW_ROLES):
        raise PermissionDenied("撤回已发布的信息须由审核人、负责人或管理员办理")
    reason = clean_text("reason", reason, max_length=300)
    if not reason:
        raise invalid("reason", Code.REQUIRED, "请写明撤回原因（将在信息页面上公开说明）")
    now = timezone.now()
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    with transaction.atomic(durable=True):
        locked = _locked(item)
        if locked.status not in WITHDRAWABLE:
            raise invalid(None, Code.STEP_NOT_ALLOWED, f"该信息{ItemStatus(locked.status).label}，不能撤回")
        if at is not None and at > now and locked.status == ItemStatus.PUBLISHED:
            before = _snapshot(locked)
            locked.withdraw_at, locked.withdrawn_reason = at, reason
            locked.save(update_fields=["withdraw_at", "withdrawn_reason", "updated_at"])
            audit_record(actor=by, action=AuditAction.CATALOG_ITEM_WITHDRAW, obj=locked, agency=locked.agency,
                         before=before, after={**_snapshot(locked), "withdraw_at": at.isoformat(), "reason": reason})  # fmt: skip
            _enqueue_withdrawal(locked)
        else:
            _withdraw(locked, by, reason, now)
    return locked


def item_withdraw_due(*, now: dt.datetime | None = None) -> list[int]:
    """Withdraw every published item whose set withdrawal time has come."""
    now = now or timezone.now()
    due = list(
        Item.objects.filter(status=ItemStatus.PUBLISHED, withdraw_at__lte=now).values_list("pk", flat=True)
    )
    done = []
    for item_id in due:
        with transaction.atomic():
            item = Item.objects.select_for_update().select_related("agency").filter(pk=item_id).first()
            if (
                item is None
                or item.status != ItemStatus.PUBLISHED
                or not item.withdraw_at
                or item.withdraw_at > now
            ):
                continue
            _withdraw(item, None, item.withdrawn_reason or "定时撤回", now)
            done.append(item_id)
    return done


def item_set_validity(*, item: Item, by, validity: str, on: dt.date | None, note: str = "") -> Item:
    """Mark a document as 失效 or 废止 (or 有效 again); its published page says so (国办发〔2017〕47号)."""
    require_catalog_write(by, item.agency)
    if validity not in Validity.values:
        raise invalid("validity", Code.INVALID_CHOICE, "请选择有效性")
    on = _date("validity_changed_on", on, "失效/废止日期")
    if validity != Validity.VALID and on is None:
        raise invalid("validity_changed_on", Code.REQUIRED, f"请填写{Validity(validity).label}日期")
    if on and on > today():
        raise invalid("validity_changed_on", Code.DATE_IN_FUTURE, "失效/废止日期不能晚于今天")
    note = clean_text("validity_note", note, max_length=300)
    with transaction.atomic(durable=True):
        locked = _locked(item)
        if locked.written_on and on and on < locked.written_on:
            raise invalid(
                "validity_changed_on",
                Code.INVALID,
                f"失效/废止日期不能早于成文日期（{d(locked.written_on)}）",
            )
        before = _snapshot(locked)
        locked.validity = validity
        locked.validity_changed_on = on if validity != Validity.VALID else None
        locked.validity_note = note if validity != Validity.VALID else ""
        locked.save(update_fields=["validity", "validity_changed_on", "validity_note", "updated_at"])
        audit_record(actor=by, action=AuditAction.CATALOG_ITEM_VALIDITY, obj=locked, agency=locked.agency,
                     before=before, after={**_snapshot(locked), "on": on and on.isoformat(), "note": note})  # fmt: skip
    return locked
