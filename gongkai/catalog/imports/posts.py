"""Importing new-media posts from the platforms' backend exports (微博, 微信公众号 …: CSV or XLSX with columns
such as 发布时间, 标题/内容/正文摘要, 链接, 原创/转载), into one account chosen at import, or into the
accounts an 账号 column names (with a 平台 column when two accounts share a name).

The same post imported twice is one post (Post.fingerprint: its link, else its date and title): posts
already registered are skipped and counted ("已存在 N 条，跳过"), so a monthly export can be imported again
with the next month's. All or nothing, as for items: nothing is written when any row has a problem.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from gongkai.agencies.models import Agency
from gongkai.catalog import index_numbers
from gongkai.catalog.enums import Platform
from gongkai.catalog.imports.common import (
    Columns,
    Field,
    ImportReport,
    Progress,
    columns_missing,
    file_label,
    import_table,
    no_progress,
    text_of,
    validation_problems,
)
from gongkai.catalog.models import Account, Item, Post
from gongkai.catalog.services.common import require_catalog_write
from gongkai.catalog.services.media import clean_post, post_fingerprint, posts_registered, posts_write
from gongkai.catalog.spreadsheets import Unreadable, header_key, parse_date
from gongkai.text import clean_multiline

BATCH = 500
TITLE_MAX = 300

POST_FIELDS = (
    Field("account", "账号", ("帐号", "账号名称", "账户", "公众号", "公众号名称", "微博账号", "发布账号")),
    Field("platform", "平台", ("发布平台", "平台类型", "媒体类型")),
    Field(
        "posted_on",
        "发布日期",
        ("发布时间", "日期", "时间", "发表时间", "发文时间", "群发时间", "推送时间", "发送时间", "创建时间"),
    ),
    Field(
        "title", "标题", ("文章标题", "图文标题", "内容", "微博内容", "微博正文", "正文", "正文摘要", "摘要")
    ),
    Field("url", "链接", ("url", "网址", "文章链接", "微博链接", "原文链接", "链接地址", "地址")),
    Field("original", "类型", ("原创/转载", "原创或转载", "是否原创", "原创", "发布类型", "内容类型")),
    Field("reposted", "是否转载", ("转载", "是否转发", "转发")),
    Field("item", "对应目录信息索引号", ("目录信息索引号", "索引号")),
)
EXPECTED = "“发布时间”“标题”“链接”"
SILENT = ("序号", "编号")

ORIGINAL = {"原创", "是", "y", "yes", "true", "1", "√", "✓", "原创内容", "首发"}
REPOSTED = {"转载", "转发", "分享", "否", "n", "no", "false", "0", "×", "非原创", "转帖"}
PLATFORMS = {
    **{p.label: p.value for p in Platform}, **{p.value: p.value for p in Platform},
    "微博": Platform.WEIBO, "新浪微博": Platform.WEIBO, "微信": Platform.WECHAT, "公众号": Platform.WECHAT,
    "微信公众平台": Platform.WECHAT, "头条": Platform.TOUTIAO, "头条号": Platform.TOUTIAO,
}  # fmt: skip
_BARE_LINK = re.compile(r"^(www\.|m\.|mp\.|weibo\.|[\w-]+\.(com|cn|net|gov\.cn)/)", re.IGNORECASE)


def _original(value: str, *, inverted: bool) -> bool | None:
    key = header_key(value)
    if key in ORIGINAL or key in REPOSTED:
        if key in ("原创", "转载", "转发", "分享", "原创内容", "首发", "非原创", "转帖"):
            return key in ORIGINAL
        return (key in ORIGINAL) != inverted
    return None


class AccountLookup:
    def __init__(self, agency: Agency, chosen: Account | None):
        self.accounts = list(Account.objects.filter(agency=agency))
        self.by_name: dict[str, list[Account]] = defaultdict(list)
        for account in self.accounts:
            self.by_name[header_key(account.name)].append(account)
        self.chosen = chosen

    def known(self) -> str:
        return "、".join(str(a) for a in self.accounts) or "无（请先在“政务新媒体账号”中登记）"

    def find(self, name: str, platform: str) -> tuple[Account | None, str]:
        wanted_platform = ""
        if platform:
            wanted_platform = PLATFORMS.get(platform.strip(), "") or PLATFORMS.get(header_key(platform), "")
            if not wanted_platform:
                return None, f"平台“{platform}”无法识别，应为{'、'.join(p.label for p in Platform)}之一"
        for separator in ("：", ":", "/", "／"):
            head, sep, rest = name.partition(separator)
            if sep and (PLATFORMS.get(head.strip()) or PLATFORMS.get(header_key(head))):
                wanted_platform = PLATFORMS.get(head.strip()) or PLATFORMS[header_key(head)]
                name = rest
                break
        if self.chosen is not None:
            if name.strip() and header_key(name) != header_key(self.chosen.name):
                return None, f"账号“{name}”与导入时选择的账号{self.chosen}不符"
            if wanted_platform and wanted_platform != self.chosen.platform:
                return None, f"平台与导入时选择的账号{self.chosen}不符"
            return self.chosen, ""
        if not name.strip():
            return None, "请填写账号（或在导入时选择一个账号）"
        found = [
            a
            for a in self.by_name.get(header_key(name), [])
            if not wanted_platform or a.platform == wanted_platform
        ]
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, f"账号“{name}”不是本机关登记的政务新媒体账号（已登记的账号：{self.known()}）"
        return None, f"有多个名为“{name}”的账号，请在“平台”列写明平台（{'、'.join(str(a) for a in found)}）"


def _title(raw: str) -> str:
    title = " ".join(clean_multiline(raw).split())
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def posts_import(
    *,
    agency: Agency,
    by,
    source,
    name: str,
    account: Account | None = None,
    check_only: bool = False,
    progress: Progress = no_progress,
    max_rows: int | None = None,
) -> ImportReport:
    """Import the posts of a platform export into `account`, or into the accounts its 账号 column names.
    PermissionDenied unless `by` may write in the agency; every other problem is in the report."""
    require_catalog_write(by, agency)
    file_name = file_label(name)
    report = ImportReport("政务新媒体发布", file_name, check_only=check_only)
    if account is not None and account.agency_id != agency.pk:
        report.problem("所选账号不属于本机关")
        return report
    return import_table(
        source, report, fields=POST_FIELDS, expected=EXPECTED, max_rows=max_rows, check_only=check_only,
        read=lambda table: _read_rows(table, report, agency=agency, account=account, progress=progress),
        write=lambda rows: _write(rows, report, agency=agency, by=by),
    )  # fmt: skip


def _read_rows(table, report: ImportReport, *, agency: Agency, account, progress) -> list[Post]:
    columns = Columns(POST_FIELDS, table.headers, silent=SILENT)
    report.notes += table.notes + columns.notes()
    missing = [
        f"“{label}”" for key, label in (("posted_on", "发布时间"), ("title", "标题")) if key not in columns
    ]
    if "original" not in columns and "reposted" not in columns:
        missing.append("“原创/转载”")
    if "account" not in columns and account is None:
        missing.append("“账号”（或在导入时选择一个账号）")
    if columns_missing(report, table, missing):
        return []
    lookup = AccountLookup(agency, account)
    labels = {k: columns.label(k) for k in columns.fields}
    wanted_items: dict[str, list[int]] = defaultdict(list)
    posts: list[Post] = []
    rows_of: dict[tuple[int, str], int] = {}
    duplicates = 0
    advance = progress("正在检查", table.total)
    try:
        for number, cells in table.rows:
            report.rows += 1
            advance(1)
            values = {k: text_of(v) for k, v in columns.values(cells).items()}
            raw = columns.values(cells)
            found: list[str] = []
            target, why = lookup.find(values.get("account", ""), values.get("platform", ""))
            if target is None:
                found.append(f"第 {number} 行：{why}")
            posted_on = None
            try:
                posted_on = parse_date(raw.get("posted_on"))
            except ValueError:
                shown = values.get("posted_on", "")
                found.append(
                    f"第 {number} 行：{labels['posted_on']}“{shown}”无效"
                    if shown
                    else f"第 {number} 行：请填写{labels['posted_on']}"
                )
            key = "original" if "original" in columns else "reposted"
            original = _original(values.get(key, ""), inverted=key == "reposted")
            if original is None:
                found.append(
                    f"第 {number} 行：{labels[key]}“{values.get(key, '')}”无法识别，应为“原创”或“转载”"
                    if values.get(key)
                    else f"第 {number} 行：请填写{labels[key]}（原创或转载）"
                )
            url = values.get("url", "")
            if url and _BARE_LINK.match(url):
                url = "https://" + url
            if found:
                for problem in found:
                    report.problem(problem)
                continue
            try:
                fields = clean_post(
                    posted_on=posted_on, title=_title(values.get("title", "")), url=url, original=original
                )
            except ValidationError as error:
                for problem in validation_problems(number, error, labels):
                    report.problem(problem)
                continue
            fingerprint = post_fingerprint(
                url=fields["url"], posted_on=fields["posted_on"], title=fields["title"]
            )
            if (target.pk, fingerprint) in rows_of:
                duplicates += 1
                continue
            rows_of[(target.pk, fingerprint)] = number
            if values.get("item"):
                wanted_items[index_numbers.normalise(values["item"])].append(len(posts))
            if report.ok:
                posts.append(Post(account=target, fingerprint=fingerprint, **fields))
    except Unreadable as error:
        report.problem(str(error))
        return []
    if report.rows == 0:
        report.problem("文件中没有数据行")
    if wanted_items and report.ok:
        _link_items(agency, posts, wanted_items, rows_of, labels["item"], report)
    if not report.ok:
        return []
    existing = posts_registered(posts)
    new = [p for p in posts if (p.account_id, p.fingerprint) not in existing]
    report.created = len(new)
    if existing:
        report.details.append(f"已存在 {len(posts) - len(new)} 条，跳过")
    if duplicates:
        report.details.append(f"文件中重复 {duplicates} 条，跳过")
    return new


def _link_items(agency, posts, wanted, rows_of, label, report) -> None:
    found = {}
    numbers = list(wanted)
    for start in range(0, len(numbers), BATCH):
        found |= {
            i.index_number: i
            for i in Item.objects.filter(agency=agency, index_number__in=numbers[start : start + BATCH])
        }
    for number, positions in wanted.items():
        for position in positions:
            post = posts[position]
            if number in found:
                post.item = found[number]
            else:
                row = rows_of[(post.account_id, post.fingerprint)]
                report.problem(f"第 {row} 行：{label}“{number}”不是本机关的目录信息")


def _write(posts: list[Post], report: ImportReport, *, agency: Agency, by) -> None:
    if not posts:  # everything was there already
        return
    try:
        written = posts_write(posts=posts, agency=agency, by=by, obj=agency, audit=lambda new: {
            "file": report.file_name, "sha256": report.sha256, "rows": report.rows, "created": len(new),
            "details": report.details, "accounts": sorted({p.account_id for p in posts}),
        })  # fmt: skip
        report.created = len(written)
    except IntegrityError:
        report.created = 0
        report.problem("保存时发现重复的发布（可能有人同时导入），没有导入任何内容，请重新导入")
