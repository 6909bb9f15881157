"""Importing an agency's catalog as offices already keep it in a spreadsheet: items that were published
before the platform (or on another one).

Such an item is a record of what was already published, so it is stored as 已发布 with the 发布日期 of the
file (or as 已审查（不主动公开） for 依申请公开/不予公开 rows), not sent through the 保密审查 again. That is
not a silent bypass of the review rule: the import itself is the approval. Only a reviewer (审核人), head
(负责人) or administrator of the agency may import; each item gets a 保密审查单 marked as imported, naming the
file and the person, approved; the import is one audit event (CATALOG_IMPORT) with the file's SHA-256 and
the items it created. Art. 26 lateness is computed from the dates as for any item.

All or nothing: every row is checked first (against the same rules as a form, gongkai.catalog.services.items
clean_fields), and nothing is written when any row has a problem; the report lists them by row number.
Given 索引号 are checked and must be unique (in the file and in the database); missing ones are allocated
from the agency's sequence for the year of publication.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.agencies.models import Agency, Role
from gongkai.agencies.permissions import roles_in
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases.calendar import calendar_pinned
from gongkai.catalog import html, index_numbers
from gongkai.catalog.enums import Channel, Disclosure, ItemStatus, StatutoryKind, Validity
from gongkai.catalog.imports.common import (
    Columns,
    Field,
    ImportReport,
    Progress,
    columns_missing,
    file_label,
    import_table,
    no_progress,
    row_problem,
    text_of,
    validation_problems,
)
from gongkai.catalog.models import Column, IndexSequence, Item, ReviewSheet
from gongkai.catalog.search import search_index_many
from gongkai.catalog.services.common import today
from gongkai.catalog.services.items import agency_index_code, clean_fields, publish_limit
from gongkai.catalog.spreadsheets import Unreadable, header_key, parse_date

IMPORT_ROLES = (Role.REVIEWER, Role.HEAD, Role.ADMIN)
BATCH = 500

ITEM_FIELDS = (
    Field("index_number", "索引号", ("索引编号", "索引码")),
    Field("title", "标题", ("名称", "信息名称", "文件名称", "标题名称", "题名", "文件标题", "信息标题")),
    Field("doc_number", "文号", ("发文字号", "发文文号", "文件字号", "文件文号")),
    Field("publisher", "发布机构", ("发布机关", "发文机关", "发文机构", "发布单位", "发文单位", "信息来源")),
    Field("written_on", "成文日期", ("成文时间", "签发日期", "印发日期")),
    Field(
        "formed_on",
        "形成日期",
        ("生成日期", "产生日期", "形成/变更日期", "形成或变更日期", "形成时间", "生成时间", "产生时间"),
    ),
    Field("published_on", "发布日期", ("公开日期", "发布时间", "公开时间", "上网日期")),
    Field("column", "栏目", ("所属栏目", "栏目名称", "目录栏目", "公开目录")),
    Field("topic", "主题分类", ("主题", "主题类别", "分类")),
    Field("genre", "体裁", ("体裁分类", "体裁类别", "文种")),
    Field("summary", "内容概述", ("内容摘要", "摘要", "概述", "内容简介", "简介")),
    Field("body", "正文", ("全文", "内容", "正文内容")),
    Field("disclosure", "公开属性", ("公开方式", "公开类型", "公开形式")),
    Field(
        "withheld_reason", "不予公开的理由和依据", ("不予公开理由", "不公开理由", "不公开依据", "理由和依据")
    ),
    Field("validity", "有效性", ("效力状态", "时效性", "是否有效", "效力")),
    Field("validity_changed_on", "失效/废止日期", ("失效日期", "废止日期", "失效或废止日期")),
    Field("validity_note", "失效/废止说明", ("有效性说明", "失效说明", "废止说明")),
    Field("statutory_kind", "文件类别", ("文件类型", "文件性质")),
    Field("channels", "发布渠道", ("公开渠道", "公开途径", "发布途径", "公开载体")),
    Field("status", "状态", ("信息状态", "发布状态")),
)
# columns an export writes for people and an import does not need: left out without a note
SILENT = ("序号", "编号", "逾期公开", "附件", "公开期限")
EXPECTED = "“标题”“发布日期”“栏目”"
DATE_FIELDS = ("written_on", "formed_on", "published_on", "validity_changed_on")

DISCLOSURES = {"主动公开": Disclosure.PROACTIVE, "依申请公开": Disclosure.ON_REQUEST, "不予公开": Disclosure.WITHHELD,
               "不公开": Disclosure.WITHHELD}  # fmt: skip
VALIDITIES = {"有效": Validity.VALID, "现行有效": Validity.VALID, "失效": Validity.LAPSED, "已失效": Validity.LAPSED,
              "废止": Validity.REPEALED, "已废止": Validity.REPEALED}  # fmt: skip
KINDS = {"规章": StatutoryKind.REGULATION, "行政规范性文件": StatutoryKind.NORMATIVE,
         "规范性文件": StatutoryKind.NORMATIVE, "其他": StatutoryKind.OTHER, "其他文件": StatutoryKind.OTHER}  # fmt: skip
CHANNELS = {
    **{c.label: c.value for c in Channel},
    "网站": Channel.WEBSITE, "门户网站": Channel.WEBSITE, "政府门户网站": Channel.WEBSITE,
    "公报": Channel.GAZETTE, "公告栏": Channel.NOTICE_BOARD, "公开栏": Channel.NOTICE_BOARD,
    "发布会": Channel.PRESS, "报刊": Channel.MEDIA, "报纸": Channel.MEDIA, "广播电视": Channel.MEDIA,
    "电视": Channel.MEDIA, "广播": Channel.MEDIA, "查阅点": Channel.READING_ROOM, "档案馆": Channel.READING_ROOM,
    "图书馆": Channel.READING_ROOM, "政务服务中心": Channel.READING_ROOM,
}  # fmt: skip
STATUSES = {"已发布": ItemStatus.PUBLISHED, "发布": ItemStatus.PUBLISHED, "已公开": ItemStatus.PUBLISHED,
            ItemStatus.RECORDED.label: ItemStatus.RECORDED, "已审查": ItemStatus.RECORDED}  # fmt: skip
CHANNEL_LABELS = {c.value: c.label for c in Channel}
_CHANNEL_SPLIT = ("、", ",", "，", ";", "；", "/", "|", " ")


@dataclass(slots=True)
class Prepared:
    row: int
    column: Column
    fields: dict
    status: str
    published_on: dt.date | None
    index_number: str  # "" until allocated
    limit_on: dt.date
    limit_estimated: bool


def may_import_items(user, agency: Agency) -> bool:
    return bool(roles_in(user, agency) & set(IMPORT_ROLES))


_KEYS: dict[int, dict[str, str]] = {}


def _choice(value: str, choices: dict, label: str, row: int, problems: list[str]):
    keys = _KEYS.get(id(choices))
    if keys is None:
        keys = _KEYS[id(choices)] = {header_key(name): choice for name, choice in reversed(choices.items())}
    choice = keys.get(header_key(value))
    if choice is None:
        allowed = "、".join(dict.fromkeys(str(n) for n in choices))
        problems.append(f"第 {row} 行：{label}“{value}”无法识别，应为{allowed}之一")
    return choice


class ColumnLookup:
    """栏目 by path ("法定主动公开内容/政策文件/行政规范性文件"), by a name unique in the agency, or by the
    standard code."""

    SEPARATORS = ("/", "／", ">", "＞", "›", "»", "\\")

    def __init__(self, agency: Agency):
        columns = list(Column.objects.filter(agency=agency))
        by_id = {c.pk: c for c in columns}
        self.paths: dict[str, Column] = {}
        self.names: dict[str, list[Column]] = defaultdict(list)
        self.codes = {c.code: c for c in columns if c.code}
        self.path_of: dict[int, str] = {}
        for column in columns:
            names, current = [], column
            while current is not None:
                names.insert(0, current.name)
                current = by_id.get(current.parent_id)
            self.paths["/".join(header_key(n) for n in names)] = column
            self.path_of[column.pk] = "/".join(names)
            self.names[header_key(column.name)].append(column)

    def find(self, value: str) -> tuple[Column | None, str]:
        text = value.strip()
        for separator in self.SEPARATORS:
            text = text.replace(separator, "/")
        parts = [header_key(p) for p in text.split("/") if p.strip()]
        if not parts:
            return None, "请填写栏目"
        if len(parts) > 1:
            column = self.paths.get("/".join(parts))
            return (column, "") if column else (None, f"栏目“{value}”不存在（应写栏目的完整路径，以“/”分隔）")
        if value.strip() in self.codes:
            return self.codes[value.strip()], ""
        found = self.names.get(parts[0], [])
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, f"栏目“{value}”不存在"
        paths = "、".join(f"“{self.path_of[c.pk]}”" for c in found)
        return None, f"有多个栏目名为“{value}”，请写明完整路径：{paths}"


def _dates(values: dict, columns: Columns, row: int, problems: list[str]) -> dict:
    parsed = {}
    for key in DATE_FIELDS:
        raw = values.get(key)
        if raw is None or text_of(raw) == "":
            parsed[key] = None
            continue
        try:
            parsed[key] = parse_date(raw)
        except ValueError:
            problems.append(f"第 {row} 行：{columns.label(key)}“{text_of(raw)}”无效")
            parsed[key] = None
    return parsed


def _status(value: str, label: str, row: int, problems: list[str]) -> str | None:
    key = header_key(value)
    for name, status in STATUSES.items():
        if header_key(name) == key:
            return status
    if any(header_key(s.label) == key for s in ItemStatus):
        problems.append(
            f"第 {row} 行：{label}为“{value}”的信息不能导入：只导入已发布的信息"
            f"（依申请公开、不予公开的，{label}为“{ItemStatus.RECORDED.label}”）"
        )
    else:
        problems.append(f"第 {row} 行：{label}“{value}”无法识别，应为“已发布”或“{ItemStatus.RECORDED.label}”")
    return None


def _body(raw: str) -> str:
    """A cell's 正文: HTML as exported (sanitised by clean_fields), or plain text, one paragraph per line."""
    text = raw.strip()
    return text if text.startswith("<") and text.endswith(">") else html.from_plain_text(text)


def _prepare(
    number: int, cells: tuple, *, columns: Columns, agency: Agency, lookup: ColumnLookup, default_column,
    problems: list[str],
) -> tuple[Prepared | None, str]:  # fmt: skip
    """One row checked; (None, "") when it has problems (added to `problems`)."""
    values = columns.values(cells)
    found: list[str] = []
    dates = _dates(values, columns, number, found)
    text = {k: text_of(v) for k, v in values.items() if k not in DATE_FIELDS}
    column = default_column
    if text.get("column"):
        column, why = lookup.find(text["column"])
        if column is None:
            found.append(row_problem(number, columns.label("column"), why))
        elif column.code in ("statutory", "apply"):
            found.append(f"第 {number} 行：“{column.name}”是栏目分组，请填写其下最具体的栏目")
            column = None
    elif column is None:
        found.append(f"第 {number} 行：请填写{columns.label('column')}")
    data = {
        k: text.get(k, "")
        for k in (
            "title",
            "doc_number",
            "publisher",
            "topic",
            "genre",
            "summary",
            "withheld_reason",
            "validity_note",
        )
    }
    data["body"] = _body(text.get("body", ""))
    data.update({k: dates[k] for k in ("written_on", "formed_on", "validity_changed_on")})
    for key, choices in (("disclosure", DISCLOSURES), ("validity", VALIDITIES), ("statutory_kind", KINDS)):
        if text.get(key):
            data[key] = _choice(text[key], choices, columns.label(key), number, found)
    if text.get("channels"):
        raw = text["channels"]
        for separator in _CHANNEL_SPLIT[1:]:
            raw = raw.replace(separator, _CHANNEL_SPLIT[0])
        data["channels"] = [
            _choice(part, CHANNELS, columns.label("channels"), number, found)
            for part in raw.split(_CHANNEL_SPLIT[0])
            if part.strip()
        ]
    index_number = ""
    if text.get("index_number"):
        index_number = index_numbers.normalise(text["index_number"])
        if problem := index_numbers.index_number_problem(index_number):
            quoted = f"索引号“{text['index_number']}”"
            found.append(f"第 {number} 行：{problem.replace('索引号', quoted, 1)}")
    if found:
        problems.extend(found)
        return None, ""
    try:
        fields = clean_fields(data, agency=agency)
    except ValidationError as error:
        problems.extend(validation_problems(number, error, {k: columns.label(k) for k in columns.fields}))
        return None, ""
    proactive = fields["disclosure"] == Disclosure.PROACTIVE
    status = ItemStatus.PUBLISHED if proactive else ItemStatus.RECORDED
    if text.get("status"):
        given = _status(text["status"], columns.label("status"), number, found)
        if given is not None and given != status:
            found.append(
                f"第 {number} 行：{columns.label('status')}为“{text['status']}”，与公开属性“"
                f"{Disclosure(fields['disclosure']).label}”不符"
            )
    published_on = dates["published_on"] if proactive else None
    label = columns.label("published_on")
    if proactive and published_on is None:
        found.append(f"第 {number} 行：请填写{label}（导入的是已发布的信息）")
    if published_on and published_on > today():
        found.append(f"第 {number} 行：{label}不能晚于今天")
    if published_on and published_on < fields["formed_on"]:
        found.append(f"第 {number} 行：{label}不能早于形成日期（{fields['formed_on'].isoformat()}）")
    if found:
        problems.extend(found)
        return None, ""
    limit_on, estimated = publish_limit(column=column, formed_on=fields["formed_on"])
    prepared = Prepared(number, column, fields, status, published_on, index_number, limit_on, estimated)
    return prepared, index_number


def _check_given_numbers(numbers: dict[str, int], report: ImportReport) -> None:
    given = list(numbers)
    for start in range(0, len(given), BATCH):
        for number in Item.objects.filter(index_number__in=given[start : start + BATCH]).values_list(
            "index_number", flat=True
        ):
            report.problem(f"第 {numbers[number]} 行：索引号“{number}”已被使用，索引号不能重复")


def _allocate(agency: Agency, pending: list[Prepared], reserved: set[str]) -> None:
    """索引号 for the rows without one, from the agency's sequence of the year each was published (formed,
    for items not published), skipping numbers in use or given elsewhere in the file."""
    fmt = settings.INDEX_NUMBER_FORMAT
    code = agency_index_code(agency)
    by_year: dict[int, list[Prepared]] = defaultdict(list)
    for p in pending:
        by_year[(p.published_on or p.fields["formed_on"]).year].append(p)
    for year, rows in sorted(by_year.items()):
        sequence, _ = IndexSequence.objects.select_for_update().get_or_create(agency=agency, year=year)
        waiting = rows
        while waiting:
            proposed = []
            for p in waiting:
                day = p.published_on or p.fields["formed_on"]
                while True:
                    sequence.last += 1
                    number = index_numbers.index_number_format(
                        fmt, code=code, year=year, month=day.month, serial=sequence.last
                    )
                    if number not in reserved:
                        break
                proposed.append((p, number))
            taken: set[str] = set()
            numbers = [n for _, n in proposed]
            for start in range(0, len(numbers), BATCH):
                taken |= set(
                    Item.objects.filter(index_number__in=numbers[start : start + BATCH]).values_list(
                        "index_number", flat=True
                    )
                )
            waiting = [p for p, n in proposed if n in taken]
            for p, number in proposed:
                if number not in taken:
                    p.index_number = number
                    reserved.add(number)
        sequence.save(update_fields=["last"])


def _ranges(ids: list[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def items_import(
    *,
    agency: Agency,
    by,
    source,
    name: str,
    column: Column | None = None,
    check_only: bool = False,
    progress: Progress = no_progress,
    max_rows: int | None = None,
) -> ImportReport:
    """Import the catalog items of a spreadsheet (.xlsx or CSV; `source` a path, file or bytes; `name` the
    file's name, kept on the review sheets). `column`: the 栏目 of rows that name none. With `check_only`
    every row is checked and nothing written. PermissionDenied unless `by` is a reviewer, head or
    administrator of the agency; every other problem is in the report (nothing written then)."""
    if not may_import_items(by, agency):
        raise PermissionDenied("导入已发布的目录信息视同审查通过，须由本机关的审核人、负责人或管理员办理")
    file_name = file_label(name)
    report = ImportReport("目录信息", file_name, check_only=check_only)
    if column is not None and (column.agency_id != agency.pk or column.code in ("statutory", "apply")):
        report.problem(f"栏目“{column.name}”不能用于本机关的导入")
        return report
    return import_table(
        source, report, fields=ITEM_FIELDS, expected=EXPECTED, max_rows=max_rows, check_only=check_only,
        read=lambda table: _read_rows(table, report, agency=agency, column=column, progress=progress),
        write=lambda rows: _write(rows, report, agency=agency, by=by),
    )  # fmt: skip


def _read_rows(table, report: ImportReport, *, agency, column, progress) -> list[Prepared]:
    columns = Columns(ITEM_FIELDS, table.headers, silent=SILENT)
    report.notes += table.notes + columns.notes()
    missing = [
        f"“{label}”" for key, label in (("title", "标题"), ("published_on", "发布日期")) if key not in columns
    ]
    if "formed_on" not in columns and "written_on" not in columns:
        missing.append("“形成日期”或“成文日期”")
    if "column" not in columns and column is None:
        missing.append("“栏目”（或在导入时选择一个栏目）")
    if columns_missing(report, table, missing):
        return []
    lookup = ColumnLookup(agency)
    prepared: list[Prepared] = []
    given: dict[str, int] = {}
    advance = progress("正在检查", table.total)
    try:
        with calendar_pinned():
            for number, cells in table.rows:
                report.rows += 1
                problems: list[str] = []
                row, index_number = _prepare(
                    number, cells, columns=columns, agency=agency, lookup=lookup, default_column=column,
                    problems=problems,
                )  # fmt: skip
                if index_number:
                    if index_number in given:
                        problems.append(
                            f"第 {number} 行：索引号“{index_number}”与第 {given[index_number]} 行重复"
                        )
                        row = None
                    else:
                        given[index_number] = number
                for problem in problems:
                    report.problem(problem)
                if row is not None and report.ok:
                    prepared.append(row)
                advance(1)
    except Unreadable as error:
        report.problem(str(error))
        return []
    if report.rows == 0:
        report.problem("文件中没有数据行")
    _check_given_numbers(given, report)
    if report.ok and any(not p.index_number for p in prepared):
        fmt = settings.INDEX_NUMBER_FORMAT
        if problem := index_numbers.format_problem(fmt):
            report.problem(f"{problem}（GONGKAI_INDEX_NUMBER_FORMAT）")
        elif "{code" in fmt and not agency_index_code(agency):
            report.problem(
                f"有 {sum(not p.index_number for p in prepared)} 行没有索引号，而“{agency}”尚未设置统一社会信用代码"
                "或索引号机构代码，无法生成索引号。请在文件中填写索引号，或请本机关管理员在“本机关设置”中填写"
            )
    if not report.ok:
        return []
    published = sum(p.status == ItemStatus.PUBLISHED for p in prepared)
    report.created = len(prepared)
    report.details = [f"已发布 {published} 条"]
    if len(prepared) > published:
        report.details.append(f"不主动公开 {len(prepared) - published} 条")
    if allocated := sum(not p.index_number for p in prepared):
        report.details.append(f"新生成索引号 {allocated} 个")
    if late := sum(bool(p.published_on and p.published_on > p.limit_on) for p in prepared):
        report.details.append(f"其中 {late} 条超过公开期限发布（逾期公开）")
    return prepared


def _write(prepared: list[Prepared], report: ImportReport, *, agency: Agency, by) -> None:
    user = by if getattr(by, "is_authenticated", False) else None
    opinion = (
        f"导入已公开的目录信息，由{_person(by)}于{today().isoformat()}审核确认（文件：{report.file_name}）"
    )
    try:
        with transaction.atomic():
            Agency.objects.select_for_update().filter(pk=agency.pk).exists()  # one import per agency at once
            given = {p.index_number: p.row for p in prepared if p.index_number}
            _check_given_numbers(given, report)  # again, under the lock: another import may have taken one
            if not report.ok:
                report.created = 0
                return
            _allocate(agency, [p for p in prepared if not p.index_number], set(given))
            ids: list[int] = []
            for begin in range(0, len(prepared), BATCH):  # in batches: a big file's objects never all at once
                items = [_item(p, agency, user) for p in prepared[begin : begin + BATCH]]
                Item.objects.bulk_create(items)
                ReviewSheet.objects.bulk_create(
                    [
                        ReviewSheet(
                            item=item,
                            name=item.title,
                            summary=item.summary or item.body_text[:200] or item.title,
                            method="、".join(CHANNEL_LABELS[c] for c in item.channels) or "政府网站",
                            scope="社会公众",
                            disclosure=item.disclosure,
                            withheld_reason=item.withheld_reason,
                            opinion=opinion,
                            submitted_by=user,
                            approved=True,
                            imported_from=report.file_name,
                        )  # fmt: skip
                        for item in items
                    ]
                )
                search_index_many(items)  # imported as published: searchable with the rest
                ids += [item.pk for item in items]
                prepared[begin : begin + BATCH] = [None] * len(items)
            audit_record(
                actor=by, action=AuditAction.CATALOG_IMPORT, obj=agency, agency=agency,
                after={"file": report.file_name, "sha256": report.sha256, "rows": report.rows,
                       "created": len(ids), "details": report.details, "items": _ranges(ids)},
            )  # fmt: skip
    except IntegrityError:
        report.created = 0
        report.problem("保存时发现索引号重复（可能有人同时导入），没有导入任何内容，请重新导入")


def _item(p: Prepared, agency: Agency, user) -> Item:
    published_at = None
    if p.published_on is not None:
        published_at = timezone.make_aware(dt.datetime.combine(p.published_on, dt.time()))
    return Item(
        agency=agency, column=p.column, index_number=p.index_number, status=p.status,
        published_on=p.published_on, published_at=published_at,
        publish_limit_on=p.limit_on, publish_limit_estimated=p.limit_estimated,
        late=bool(p.published_on and p.published_on > p.limit_on), created_by=user, **p.fields,
    )  # fmt: skip


def _person(user) -> str:
    name = (getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "") or "").strip()
    return name or "导入人"
