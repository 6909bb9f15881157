"""Imports of catalog items and new-media posts from the spreadsheets offices keep, and the exports that
import back."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.audit.models import AuditEvent
from gongkai.catalog import spreadsheets
from gongkai.catalog.enums import Disclosure, ItemStatus, Platform, StatutoryKind, Validity
from gongkai.catalog.exports import ITEM_HEADERS, POST_HEADERS, items_export, posts_export
from gongkai.catalog.imports import items_import, posts_import
from gongkai.catalog.models import IndexSequence, Item, Post, ReviewSheet
from gongkai.catalog.services import account_save, column_create, post_create
from gongkai.catalog.spreadsheets import parse_date
from tests.catalog import samples
from tests.catalog.sheets import csv_bytes, read_xlsx, xlsx

HEAD = ["序号", "索引号", "标题", "文号", "发布机构", "成文日期", "生成日期", "发布日期", "栏目", "主题分类",
        "体裁", "内容概述", "公开属性", "不予公开的理由和依据", "有效性", "失效/废止日期", "文件类别", "发布渠道"]  # fmt: skip
TITLE = "沙坡头区科学技术局关于印发2020年科技扶贫工作方案的通知"


def row(**values) -> list:
    base = dict.fromkeys(HEAD, "")
    base.update({"标题": TITLE, "成文日期": "2020-03-02", "发布日期": "2020-03-05", "栏目": "其他文件"})
    base.update({k.replace("_", "/"): v for k, v in values.items()})
    return [base[h] for h in HEAD]


def run(tree, user, data: bytes, name: str = "目录.xlsx", **kwargs):
    return items_import(agency=tree["a"], by=user, source=data, name=name, **kwargs)


# --- dates and headers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (dt.datetime(2020, 3, 2, 0, 0), dt.date(2020, 3, 2)),
        (dt.date(2020, 3, 2), dt.date(2020, 3, 2)),
        (43892, dt.date(2020, 3, 2)),
        (43892.5, dt.date(2020, 3, 2)),
        (20200302, dt.date(2020, 3, 2)),
        ("2020-03-02", dt.date(2020, 3, 2)),
        ("2020/3/2", dt.date(2020, 3, 2)),
        ("2020.3.2", dt.date(2020, 3, 2)),
        ("2020年3月2日", dt.date(2020, 3, 2)),
        ("２０２０年３月２日", dt.date(2020, 3, 2)),
        ("20200302", dt.date(2020, 3, 2)),
        ("2020-03-02 10:30", dt.date(2020, 3, 2)),
        ("2020/3/2 10:30:15", dt.date(2020, 3, 2)),
    ],
)
def test_dates_as_offices_write_them(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize(
    "value", ["2020-13-01", "2020-02-30", "3月2日", "昨天", "", None, 1800, "1900-01-01", True]
)
def test_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_header_keys_ignore_spaces_full_width_and_markers():
    assert spreadsheets.header_key(" ＊标 题（必填）：") == "标题"
    assert spreadsheets.header_key("URL") == "url"
    assert spreadsheets.header_key("失效/废止日期") == spreadsheets.header_key("失效／废止日期")


# --- items -----------------------------------------------------------------------------------------------------


def test_an_office_catalog_is_imported_as_published_history(tree, reviewer, columns):
    data = xlsx(
        [
            HEAD,
            row(
                索引号="640502001/2020-00007",
                文号="卫科发[2020]12号",
                成文日期=dt.datetime(2020, 3, 2),
                发布日期="2020/3/5",
                栏目="法定主动公开内容/政策文件/行政规范性文件",
                主题分类="科技",
                体裁="通知",
                内容概述="明确目标任务。",
                公开属性="主动公开",
                有效性="有效",
                文件类别="规范性文件",
                发布渠道="政府网站、公示栏",
            ),
            row(
                标题="沙坡头区科学技术局2020年部门预算",
                成文日期="",
                生成日期="2020年3月1日",
                发布日期=43900,
                栏目="财政预决算",
            ),
            row(
                标题="关于某企业申请公开事项的答复",
                成文日期="20200401",
                发布日期="",
                栏目="other_documents",
                公开属性="依申请公开",
                不予公开的理由和依据="涉及第三方合法权益",
            ),
            row(
                索引号="640502001/2020-00002",
                标题="关于废止若干文件的通知",
                成文日期="2020-01-02",
                发布日期="2020-06-30",
                有效性="废止",
                失效_废止日期="2021-01-01",
            ),
        ],  # fmt: skip
        above=[["沙坡头区科学技术局政府信息公开目录（2020年）"]],
    )
    report = run(tree, reviewer, data, name="C:\\目录\\2020年目录.xlsx")
    assert report.ok, report.problems
    assert report.created == 4 and report.rows == 4
    assert report.summary == (
        "已导入 4 条目录信息（文件共 4 行数据）：已发布 3 条；不主动公开 1 条；新生成索引号 2 个；"
        "其中 1 条超过公开期限发布（逾期公开）。"
    )
    items = {i.title: i for i in Item.objects.filter(agency=tree["a"])}
    first = items[TITLE]
    assert first.index_number == "640502001/2020-00007" and first.doc_number == "卫科发〔2020〕12号"
    assert first.status == ItemStatus.PUBLISHED and first.published_on == dt.date(2020, 3, 5)
    assert first.column == columns["normative_documents"] and first.statutory_kind == StatutoryKind.NORMATIVE
    assert first.channels == ["website", "notice_board"] and first.publisher == tree["a"].name
    assert first.late is False and first.created_by == reviewer
    budget = items["沙坡头区科学技术局2020年部门预算"]
    assert budget.formed_on == dt.date(2020, 3, 1) and budget.published_on == dt.date(2020, 3, 10)
    assert budget.index_number == "640502001/2020-00001"  # 00002 was given in the file
    answer = items["关于某企业申请公开事项的答复"]
    assert answer.status == ItemStatus.RECORDED and answer.published_on is None
    assert answer.disclosure == Disclosure.ON_REQUEST and answer.index_number == "640502001/2020-00003"
    repealed = items["关于废止若干文件的通知"]
    assert repealed.validity == Validity.REPEALED and repealed.late is True
    assert IndexSequence.objects.get(agency=tree["a"], year=2020).last == 3
    # the import is the approval: a review sheet per item, marked as imported, and one audit event
    sheet = ReviewSheet.objects.get(item=first)
    assert sheet.approved is True and sheet.imported_from == "2020年目录.xlsx" and sheet.approval is None
    assert "赵审核" in sheet.opinion and sheet.submitted_by == reviewer
    event = AuditEvent.objects.get(action="catalog.import")
    assert event.actor == reviewer and event.after["created"] == 4 and len(event.after["sha256"]) == 64
    assert sum(b - a + 1 for a, b in event.after["items"]) == 4
    assert any("只读取" in n for n in report.notes) is False


def test_only_reviewers_heads_and_administrators_import_items(tree, clerk, clerk_b, head, admin_a, columns):
    data = xlsx([HEAD, row()])
    for user in (clerk, clerk_b):
        with pytest.raises(PermissionDenied, match="审核人、负责人或管理员"):
            run(tree, user, data)
    assert run(tree, head, data, check_only=True).ok
    assert run(tree, admin_a, data).created == 1


def test_one_bad_row_writes_nothing_and_every_problem_is_listed_by_row(tree, reviewer, columns):
    data = xlsx(
        [
            HEAD,
            row(),
            row(发布日期="2020-13-01"),
            row(栏目="不存在的栏目"),
            row(标题=""),
            row(公开属性="公开", 发布渠道="政府网站、微信"),
            row(有效性="失效"),
            row(文号="12号文"),
            row(发布日期="2020-02-01"),
            row(发布日期=""),
            row(栏目="法定主动公开内容"),
            row(发布日期="2027-01-01"),
            row(索引号="ABC"),
        ]
    )
    report = run(tree, reviewer, data)
    assert not report.ok and report.created == 0
    assert report.problems == [
        "第 3 行：发布日期“2020-13-01”无效",
        "第 4 行：栏目“不存在的栏目”不存在",
        "第 5 行：请填写标题（名称应完整，不用简称）",
        "第 6 行：公开属性“公开”无法识别，应为主动公开、依申请公开、不予公开、不公开之一",
        "第 6 行：发布渠道“微信”无法识别，应为" + "、".join(
            ["政府网站", "政府公报", "公示栏", "新闻发布会", "报刊广播电视", "查阅场所", "网站", "门户网站", "政府门户网站",
             "公报", "公告栏", "公开栏", "发布会", "报刊", "报纸", "广播电视", "电视", "广播", "查阅点", "档案馆",
             "图书馆", "政务服务中心"]) + "之一",
        "第 7 行：失效/废止日期：请填写失效日期",
        "第 8 行：文号格式应为“机关代字〔年份〕序号号”，如“卫科发〔2020〕12号”",
        "第 9 行：发布日期不能早于形成日期（2020-03-02）",
        "第 10 行：请填写发布日期（导入的是已发布的信息）",
        "第 11 行：“法定主动公开内容”是栏目分组，请填写其下最具体的栏目",
        "第 12 行：发布日期不能晚于今天",
        "第 13 行：索引号“ABC”格式不正确，常见格式如“000014349/2017-00110”“11640502MB1234567X/2020-00001”“20191202-189769”",
    ]  # fmt: skip
    assert report.summary.startswith("“目录.xlsx”中有 12 处问题，没有导入任何内容")
    assert not Item.objects.exists() and not AuditEvent.objects.filter(action="catalog.import").exists()


def test_duplicate_index_numbers_in_the_file_and_in_the_database(tree, reviewer, publish):
    taken = publish().index_number
    data = xlsx(
        [
            HEAD,
            row(索引号="640502001/2020-00009"),
            row(索引号="６４０５０２００１/2020-00009"),
            row(索引号=taken),
        ]
    )
    report = run(tree, reviewer, data)
    assert report.problems == [
        "第 3 行：索引号“640502001/2020-00009”与第 2 行重复",
        f"第 4 行：索引号“{taken}”已被使用，索引号不能重复",
    ]
    assert Item.objects.count() == 1


def test_a_column_name_used_twice_needs_its_path(tree, reviewer, columns):
    column_create(agency=tree["a"], parent=columns["rules"], name="其他文件", by=reviewer)
    report = run(tree, reviewer, xlsx([HEAD, row()]))
    assert report.problems == [
        "第 2 行：有多个栏目名为“其他文件”，请写明完整路径：“政府信息公开制度/其他文件”、"
        "“法定主动公开内容/政策文件/其他文件”"
    ]
    assert run(tree, reviewer, xlsx([HEAD, row(栏目="政府信息公开制度 / 其他文件")])).ok


def test_headers_are_matched_tolerantly_and_unknown_ones_are_named(tree, reviewer, columns):
    data = xlsx(
        [["＊名 称（必填）", "产生日期", "公开时间", "备注"], [TITLE, "2020-03-02", "2020-03-05", "无"]]
    )
    report = run(tree, reviewer, data, column=columns["other_documents"])
    assert report.ok and report.created == 1
    assert report.notes == ["以下列未识别，未导入：备注"]
    missing = run(tree, reviewer, xlsx([["标题", "内容概述"], [TITLE, "概述"]]))
    assert missing.problems == [
        "缺少“发布日期”、“形成日期”或“成文日期”、“栏目”（或在导入时选择一个栏目）列（第 1 行为表头：标题、内容概述）"
    ]
    nothing = run(tree, reviewer, xlsx([["一", "二"], ["三", "四"]]))
    assert nothing.problems == ["没有找到表头：前 10 行中没有一行是列名（应有“标题”“发布日期”“栏目”等列）"]


def test_a_gbk_csv_from_excel_on_a_chinese_windows(tree, reviewer, columns):
    data = csv_bytes(
        [HEAD, row(), row(标题="关于开展科技活动周的通知", 发布日期="2020年5月20日")], encoding="gbk"
    )
    report = run(tree, reviewer, data, name="目录.csv")
    assert report.ok, report.problems
    assert set(Item.objects.values_list("title", flat=True)) == {TITLE, "关于开展科技活动周的通知"}


def test_a_utf16_tab_separated_file_and_an_empty_one(tree, reviewer, columns):
    data = "\ufeff".encode("utf-16-le") + "\r\n".join("\t".join(map(str, r)) for r in [HEAD, row()]).encode(
        "utf-16-le"
    )
    assert run(tree, reviewer, data, name="目录.txt").created == 1
    assert run(tree, reviewer, csv_bytes([HEAD])).problems == ["文件中没有数据行"]
    assert run(tree, reviewer, b"   \n").problems == ["文件是空的"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda: samples.docx_bytes(), "这是Word 文档，不是 Excel 表格"),
        (lambda: samples.plain_zip(), "这是压缩文件，不是 Excel 表格"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Excel（.xls）"),
        (lambda: b"%PDF-1.4 ...", "这是 PDF 文件"),
        (lambda: b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)), "不是 Excel（.xlsx）或 CSV 文件"),
        (lambda: xlsx([HEAD, row()])[:1500], "Excel 文件已损坏"),
        (lambda: b"PK\x03\x04" + b"\x00" * 100, "Excel 文件已损坏"),
        (lambda: csv_bytes([HEAD]) + b'1,"unclosed\n' * 1 + b"x" * 300_000, "CSV 格式有误"),
    ],
)
def test_files_that_are_not_spreadsheets_or_are_broken(tree, reviewer, columns, content, message):
    report = run(tree, reviewer, content())
    assert len(report.problems) == 1 and message in report.problems[0], report.problems
    assert not Item.objects.exists()


def test_a_sheet_broken_half_way_is_a_clear_error(tree, reviewer, columns):
    data = xlsx([HEAD, row(), row()])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: sheet.index(b'<row r="3"') + 20]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    report = run(tree, reviewer, out.getvalue())
    assert report.problems == [spreadsheets._BROKEN_XLSX] and not Item.objects.exists()


def test_size_and_row_limits(tree, reviewer, columns, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 2)
    report = run(tree, reviewer, xlsx([HEAD, row(), row(标题="二"), row(标题="三")]))
    assert report.problems == ["文件超过 2 行数据，请分成几个文件导入"]
    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 1000)
    report = run(tree, reviewer, xlsx([HEAD, row()]))
    assert report.problems[0].startswith("文件过大（") and "不能超过 1 KB" in report.problems[0]
    assert not Item.objects.exists()


def test_check_only_writes_nothing(tree, reviewer, columns):
    report = run(tree, reviewer, xlsx([HEAD, row()]), check_only=True)
    assert report.ok and report.summary.startswith("检查通过，可以导入 1 条目录信息")
    assert not Item.objects.exists() and not IndexSequence.objects.exists()


def test_numbers_cannot_be_allocated_without_an_agency_code(tree, reviewer, columns):
    tree["a"].index_code = ""
    tree["a"].credit_code = ""
    tree["a"].save()
    report = run(tree, reviewer, xlsx([HEAD, row(), row(索引号="640502001/2020-00009", 标题="二")]))
    assert len(report.problems) == 1 and report.problems[0].startswith("有 1 行没有索引号")


def test_status_column_only_takes_published_records(tree, reviewer, columns):
    head = [*HEAD, "状态"]
    report = run(
        tree, reviewer, xlsx([head, [*row(), "草稿"], [*row(), "已审查（不主动公开）"], [*row(), "发表"]])
    )
    assert report.problems == [
        "第 2 行：状态为“草稿”的信息不能导入：只导入已发布的信息（依申请公开、不予公开的，状态为“已审查（不主动公开）”）",
        "第 3 行：状态为“已审查（不主动公开）”，与公开属性“主动公开”不符",
        "第 4 行：状态“发表”无法识别，应为“已发布”或“已审查（不主动公开）”",
    ]


# --- exports and the round trip ----------------------------------------------------------------------------------


def test_the_export_imports_back_as_it_was(tree, reviewer, columns, publish):
    formula = '=HYPERLINK("http://evil")'
    data = xlsx(
        [
            HEAD,
            row(
                索引号="640502001/2020-00007",
                内容概述=formula,
                发布渠道="政府网站、政府公报",
                文件类别="规章",
            ),
            row(
                标题="关于某事项的答复", 公开属性="不予公开", 不予公开的理由和依据="属于国家秘密", 发布日期=""
            ),
            row(标题="已失效的通知", 有效性="失效", 失效_废止日期="2022-05-01", 栏目="统计信息"),
        ]
    )
    assert run(tree, reviewer, data).ok
    publish()  # a reviewed item of the platform, exported too
    fields = ["index_number", "title", "doc_number", "publisher", "written_on", "formed_on", "published_on",
              "column_id", "summary", "body", "disclosure", "withheld_reason", "validity", "validity_changed_on",
              "statutory_kind", "channels", "status", "late"]  # fmt: skip
    before = list(Item.objects.order_by("index_number").values(*fields))
    out = io.BytesIO()
    assert items_export(user=reviewer, agency=tree["a"], out=out) == 4
    rows = read_xlsx(out.getvalue())
    assert rows[0] == ITEM_HEADERS
    exported = {r[0]: r for r in rows[1:]}
    assert exported["640502001/2020-00007"][10] == formula  # as text, not a formula
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml")
    Item.objects.all().delete()
    report = run(tree, reviewer, out.getvalue(), name="导出.xlsx")
    assert report.ok, report.problems
    assert list(Item.objects.order_by("index_number").values(*fields)) == before


def test_exports_show_each_user_what_they_may_see(tree, clerk, clerk_b, supervisor, columns, publish):
    from gongkai.catalog.services import item_create
    from tests.catalog.conftest import draft_data

    publish()
    item_create(agency=tree["a"], column=columns["other_documents"], by=clerk, data=draft_data(title="草稿"))
    with pytest.raises(PermissionDenied):
        items_export(user=clerk_b, agency=tree["a"], out=io.BytesIO())
    for user, count in ((clerk, 2), (supervisor, 1)):
        out = io.BytesIO()
        assert items_export(user=user, agency=tree["a"], out=out) == count
    out = io.BytesIO()
    assert items_export(user=clerk, agency=tree["a"], out=out, public_only=True) == 1


# --- posts ----------------------------------------------------------------------------------------------------


@pytest.fixture
def accounts(tree, clerk):
    return {
        "weibo": account_save(agency=tree["a"], by=clerk, platform=Platform.WEIBO, name="沙坡头科技"),
        "wechat": account_save(agency=tree["a"], by=clerk, platform=Platform.WECHAT, name="沙坡头科技"),
        "news": account_save(agency=tree["a"], by=clerk, platform=Platform.WECHAT, name="沙坡头发布"),
    }


WECHAT = [
    ["发表时间", "标题", "原文链接", "是否原创", "阅读数"],
    ["2026-11-01 10:30:00", "科技活动周开幕", "https://mp.weixin.qq.com/s/abc", "是", 1200],
    ["2026-11-02 09:00:00", "转发：省科技厅通知", "mp.weixin.qq.com/s/def", "否", 300],
    ["2026-11-03 09:00:00", "无链接的消息", "", "是", 10],
]


def test_a_wechat_export_into_the_chosen_account_and_again_without_duplicates(tree, clerk, accounts):
    data = csv_bytes(WECHAT, encoding="gb18030")
    report = posts_import(
        agency=tree["a"], by=clerk, source=data, name="微信导出.csv", account=accounts["news"]
    )
    assert report.ok and report.created == 3, report.problems
    assert report.notes == ["以下列未识别，未导入：阅读数"]
    posts = {p.title: p for p in Post.objects.all()}
    assert posts["科技活动周开幕"].original is True and posts["科技活动周开幕"].posted_on == dt.date(
        2026, 11, 1
    )
    assert posts["转发：省科技厅通知"].original is False
    assert posts["转发：省科技厅通知"].url == "https://mp.weixin.qq.com/s/def"
    assert AuditEvent.objects.get(action="media.posts_import").after["created"] == 3
    # the next month's export holds the same posts again, and one new one
    more = csv_bytes(
        [*WECHAT, ["2026-11-20 09:00", "新的一条", "https://mp.weixin.qq.com/s/ghi", "是", 1]],
        encoding="gb18030",
    )
    again = posts_import(
        agency=tree["a"], by=clerk, source=more, name="微信导出.csv", account=accounts["news"]
    )
    assert again.created == 1 and again.details == ["已存在 3 条，跳过"]
    assert again.summary == "已导入 1 条政务新媒体发布（文件共 4 行数据）：已存在 3 条，跳过。"
    assert Post.objects.count() == 4
    same = posts_import(
        agency=tree["a"], by=clerk, source=more, name="微信导出.csv", account=accounts["news"]
    )
    assert same.created == 0 and AuditEvent.objects.filter(action="media.posts_import").count() == 2


WEIBO = [
    ["账号", "平台", "发布时间", "微博内容", "微博链接", "原创/转载"],
    [
        "沙坡头科技",
        "微博",
        dt.datetime(2026, 10, 1, 8, 0),
        "国庆\n快乐" + "！" * 400,
        "https://weibo.com/1/A",
        "原创",
    ],
    ["沙坡头科技", "微信公众号", "2026/10/2", "公众号文章", "https://mp.weixin.qq.com/s/x", "转载"],
    ["政务微博：沙坡头科技", "", "2026/10/3", "第三条", "https://weibo.com/1/B", "原创"],
    ["沙坡头科技", "微博", "2026/10/3", "第三条重复", "https://weibo.com/1/B", "原创"],
]


def test_an_account_column_names_the_accounts(tree, clerk, accounts):
    report = posts_import(agency=tree["a"], by=clerk, source=xlsx(WEIBO), name="微博.xlsx")
    assert report.ok, report.problems
    assert report.created == 3 and report.details == ["文件中重复 1 条，跳过"]
    first = Post.objects.get(url="https://weibo.com/1/A")
    assert (
        first.account == accounts["weibo"]
        and len(first.title) == 300
        and first.title.startswith("国庆 快乐！")
    )
    assert Post.objects.get(url="https://mp.weixin.qq.com/s/x").account == accounts["wechat"]


def test_unknown_accounts_and_types_are_row_problems(tree, clerk, accounts):
    rows = [
        WEIBO[0],
        ["沙坡头科技", "", "2026/10/1", "同名账号", "https://weibo.com/1/C", "原创"],
        ["不存在的账号", "微博", "2026/10/1", "一", "https://weibo.com/1/D", "原创"],
        ["沙坡头科技", "微博", "2026/10/1", "二", "https://weibo.com/1/E", "视频"],
        ["沙坡头科技", "博客", "2026/10/1", "三", "https://weibo.com/1/F", "原创"],
        ["沙坡头科技", "微博", "昨天", "四", "ftp://weibo.com/1/G", ""],
        ["沙坡头科技", "微博", "2026/10/1", "五", "https://weibo.com/1/H", "原创"],
    ]
    report = posts_import(agency=tree["a"], by=clerk, source=xlsx(rows), name="微博.xlsx")
    known = "微信公众号“沙坡头科技”、微信公众号“沙坡头发布”、政务微博“沙坡头科技”"
    assert report.problems == [
        "第 2 行：有多个名为“沙坡头科技”的账号，请在“平台”列写明平台（微信公众号“沙坡头科技”、政务微博“沙坡头科技”）",
        f"第 3 行：账号“不存在的账号”不是本机关登记的政务新媒体账号（已登记的账号：{known}）",
        "第 4 行：原创/转载“视频”无法识别，应为“原创”或“转载”",
        "第 5 行：平台“博客”无法识别，应为政务微博、微信公众号、抖音、今日头条、快手、其他政务新媒体之一",
        "第 6 行：发布时间“昨天”无效",
        "第 6 行：请填写原创/转载（原创或转载）",
    ]
    assert not Post.objects.exists()
    chosen = posts_import(
        agency=tree["a"], by=clerk, source=xlsx(WEIBO), name="微博.xlsx", account=accounts["news"]
    )
    assert chosen.problems[0] == "第 2 行：账号“沙坡头科技”与导入时选择的账号微信公众号“沙坡头发布”不符"
    bad_link = posts_import(
        agency=tree["a"], by=clerk, source=xlsx([WEIBO[0], ["沙坡头发布", "", "2026/10/1", "四", "ftp://x", "原创"]]),
        name="微博.xlsx",
    )  # fmt: skip
    assert bad_link.problems == ["第 2 行：微博链接：链接应以 http:// 或 https:// 开头"]


def test_posts_need_staff_of_the_agency_and_its_own_account(tree, clerk, clerk_b, accounts):
    with pytest.raises(PermissionDenied):
        posts_import(agency=tree["a"], by=clerk_b, source=xlsx(WEIBO), name="a.xlsx")
    other = account_save(agency=tree["b"], by=clerk_b, platform=Platform.WEIBO, name="教育")
    report = posts_import(agency=tree["a"], by=clerk, source=xlsx(WEIBO), name="a.xlsx", account=other)
    assert report.problems == ["所选账号不属于本机关"]
    missing = posts_import(
        agency=tree["a"], by=clerk, source=xlsx([["标题", "链接"], ["a", "b"]]), name="a.xlsx"
    )
    assert missing.problems[0].startswith("缺少“发布时间”、“原创/转载”、“账号”（或在导入时选择一个账号）列")


def test_posts_export_and_import_back_with_their_catalog_item(tree, clerk, accounts, publish):
    item = publish()
    post_create(account=accounts["weibo"], by=clerk, posted_on=dt.date(2026, 11, 1), title="发布了通知",
                url="https://weibo.com/1/N", original=True, item=item)  # fmt: skip
    post_create(
        account=accounts["news"], by=clerk, posted_on=dt.date(2026, 11, 2), title="转发", original=False
    )
    out = io.BytesIO()
    assert posts_export(user=clerk, agency=tree["a"], out=out) == 2
    rows = read_xlsx(out.getvalue())
    assert rows[0] == POST_HEADERS
    assert rows[1][:2] == ("沙坡头科技", "政务微博") and rows[1][6] == item.index_number
    before = list(
        Post.objects.order_by("id").values("account", "posted_on", "title", "url", "original", "item")
    )
    Post.objects.all().delete()
    report = posts_import(agency=tree["a"], by=clerk, source=out.getvalue(), name="导出.xlsx")
    assert report.ok and report.created == 2, report.problems
    assert (
        list(Post.objects.order_by("id").values("account", "posted_on", "title", "url", "original", "item"))
        == before
    )
    wrong = [
        list(POST_HEADERS),
        ["沙坡头发布", "微信公众号", "2026-11-03", "x", "", "原创", "640502001/2020-99999"],
    ]
    assert posts_import(agency=tree["a"], by=clerk, source=xlsx(wrong), name="a.xlsx").problems == [
        "第 2 行：对应目录信息索引号“640502001/2020-99999”不是本机关的目录信息"
    ]


# --- the xlsx reader on what Excel, WPS and other programs write -------------------------------------------------


def _package(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def handmade_xlsx(*, strict: bool = False) -> bytes:
    main = "http://purl.oclc.org/ooxml/spreadsheetml/main" if strict else (
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main")  # fmt: skip
    rel = "http://purl.oclc.org/ooxml/officeDocument/relationships" if strict else (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships")  # fmt: skip
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    return _package({
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="r1" Type="{kind}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="1"/><sheets>'
                           '<sheet name="说明" sheetId="1" r:id="rS1"/><sheet name="数据" sheetId="2" r:id="rS2"/>'
                           "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rS1" Type="{kind}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rS2" Type="{kind}/worksheet" Target="/xl/worksheets/../worksheets/sheet2.xml"/>'
            f'<Relationship Id="rT" Type="{kind}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rY" Type="{kind}/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}"><si><t>标题</t></si><si><r><t>发布</t></r><r><t>日期</t></r>'
                                "<rPh><t>ふりがな</t></rPh></si><si><t xml:space=\"preserve\"> 栏目 </t></si></sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="180" '
                         'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs>'
                         '<xf numFmtId="0"/><xf numFmtId="31"/><xf numFmtId="180"/><xf numFmtId="2"/></cellXfs>'
                         "</styleSheet>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                                    "<is><t>本表说明</t></is></c></row></sheetData></worksheet>",
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{main}"><dimension ref="A1:F4"/><sheetData>'
            '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c></row>'
            '<row r="3"><c r="A3" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c>'
            '<c r="B3" s="1"><v>42430</v></c><c r="C3" t="str"><f>A1</f><v>其他文件</v></c>'
            '<c r="D3" t="b"><v>1</v></c><c r="E3" t="e"><v>#N/A</v></c><c r="CW3"><v>9</v></c></row>'
            '<row><c t="inlineStr"><is><t>第四行</t></is></c><c s="2"><v>42430.5</v></c><c s="3"><v>1.5</v></c>'
            '<c t="d"><v>2020-03-02T00:00:00Z</v></c></row></sheetData></worksheet>',
    })  # fmt: skip


@pytest.mark.parametrize("strict", [False, True])
def test_the_xlsx_reader_on_shared_rich_inline_boolean_and_1904_date_cells(strict):
    table = spreadsheets.read_table(
        handmade_xlsx(strict=strict), looks_like_header=lambda cells: "标题" in cells, expected="“标题”"
    )
    assert (table.kind, table.sheet, table.header_row, table.headers) == (
        "xlsx",
        "数据",
        2,
        ["标题", "发布日期", "栏目"],
    )
    assert table.notes == ["只读取了工作表“数据”，其他工作表（说明）未导入"] and table.total == 2
    rows = list(table.rows)
    table.close()
    assert rows == [
        (3, ("富文本", dt.datetime(2020, 3, 2), "其他文件", True, "#N/A")),
        (4, ("第四行", dt.datetime(2020, 3, 2, 12), 1.5, dt.datetime(2020, 3, 2))),
    ]


def test_duplicate_and_empty_headers_and_the_problems_beyond_those_kept(tree, reviewer, columns, monkeypatch):
    from gongkai.catalog.imports import common

    data = xlsx(
        [
            ["名称", "", "标题", "成文日期", "发布日期", "栏目", "题名"],
            ["简称", "x", TITLE, "2020-03-02", "2020-03-05", "其他文件", "y"],
        ]
    )
    report = run(tree, reviewer, data)
    assert report.ok and Item.objects.get().title == TITLE
    assert report.notes == ["以下列与其他列重复，未导入：名称、题名"]
    monkeypatch.setattr(common, "PROBLEMS_KEPT", 1)
    report = run(tree, reviewer, xlsx([HEAD, row(发布日期="x"), row(发布日期="y"), row(发布日期="z")]))
    assert len(report.problems) == 1 and report.problems_more == 2 and report.problem_count == 3


def test_reading_the_source(tmp_path):
    from django.core.exceptions import ValidationError

    from gongkai.catalog.imports.common import ImportReport, read_source, validation_problems

    report = ImportReport("目录信息", "a")
    assert read_source(tmp_path, report) is None and report.problems[0].startswith("无法读取文件：")
    report = ImportReport("目录信息", "a")
    big = io.BytesIO(b"x")
    big.size = spreadsheets.MAX_BYTES + 1
    assert read_source(big, report) is None and report.problems[0].startswith("文件过大（")
    assert validation_problems(3, ValidationError("有误"), {}) == ["第 3 行：有误"]


def test_cells_as_text():
    assert [spreadsheets.cell_text(v) for v in (None, True, False, 2.0, 2.5, dt.datetime(2020, 3, 2, 9, 5), " a ")] == [
        "", "是", "否", "2", "2.5", "2020-03-02 09:05", "a"
    ]  # fmt: skip
    with pytest.raises(ValueError):
        parse_date(-5)


def _without(data: bytes, name: str, replacement: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
            elif replacement is not None:
                target.writestr(info, replacement)
    return out.getvalue()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _without(d, "_rels/.rels"), spreadsheets._BROKEN_XLSX),
        (lambda d: _without(d, "xl/workbook.xml", b"<other xmlns='urn:x'/>"), spreadsheets._BROKEN_XLSX),
        (lambda d: _without(d, "xl/workbook.xml", b"<workbook"), spreadsheets._BROKEN_XLSX),
        (lambda d: _without(d, "xl/worksheets/sheet1.xml", b"<worksheet xmlns='http://schemas.openxmlformats.org/"
                            b"spreadsheetml/2006/main'><sheetData/></worksheet>"), "没有找到表头"),
    ],
)  # fmt: skip
def test_broken_workbook_parts(change, message):
    with pytest.raises(spreadsheets.Unreadable, match=message):
        spreadsheets.read_table(
            change(xlsx([HEAD, row()])), looks_like_header=lambda c: "标题" in c, expected=""
        )


def test_an_xlsx_bomb_and_a_csv_without_header(monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_UNPACKED", 100)
    with pytest.raises(spreadsheets.Unreadable, match="解压后过大"):
        spreadsheets.read_table(xlsx([HEAD]), looks_like_header=lambda c: True, expected="")
    with pytest.raises(spreadsheets.Unreadable, match="没有找到表头"):
        spreadsheets.read_table(csv_bytes([["a"]] * 20), looks_like_header=lambda c: False, expected="")


def test_imported_items_are_found_by_search_and_withheld_ones_are_not(tree, reviewer, columns):
    from gongkai.catalog.search import catalog_search

    data = xlsx(
        [
            HEAD,
            row(标题="沙坡头区科技特派员服务工作方案", 文号="卫科发〔2020〕31号"),
            row(标题="沙坡头区科技特派员内部名单", 公开属性="不予公开", 不予公开的理由和依据="涉及个人隐私"),
        ]
    )
    report = run(tree, reviewer, data)
    assert report.ok, report.problems
    found = catalog_search(q="科技特派员")
    assert [i.title for i in found.items] == ["沙坡头区科技特派员服务工作方案"]
    assert catalog_search(q="卫科发〔2020〕31号").count == 1
