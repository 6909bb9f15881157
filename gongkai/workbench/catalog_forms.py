"""Forms of the workbench's 主动公开 pages. They only parse input: every rule on an item, a column, an account
or a figure lives in gongkai.catalog.services, whose ValidationErrors come back next to the field they
name (`service_errors`)."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from gongkai.catalog import html
from gongkai.catalog.enums import Channel, Disclosure, ItemStatus, Platform, StatutoryKind, Validity
from gongkai.catalog.services.items import BODY_MAX, TITLE_MAX
from gongkai.law import Ground, cite
from gongkai.web.forms import ChineseForm, DateInput, today
from gongkai.workbench.forms import ApprovalDecisionForm

# --- widgets ----------------------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PlannedDateTimeField(forms.DateTimeField):
    """A time to publish or withdraw at: this century (a typo's year 1 or 9999 is not a plan)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not 2000 <= value.year <= 2099:
            raise forms.ValidationError("时间有误，请检查年份", code="invalid")
        return value


def datetime_field(label: str, **kwargs) -> forms.DateTimeField:
    field = PlannedDateTimeField(
        label=label,
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        **kwargs,
    )
    field.error_messages["invalid"] = "时间格式不正确，应为 年-月-日 时:分，如 2026-12-01 09:00"
    return field


class ColumnSelect(forms.Select):
    """The agency's columns as an indented tree; the groups (法定主动公开内容, 依申请公开) are shown, not
    chosen."""

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = set(groups)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.groups:
            option["attrs"]["disabled"] = True
            option["value"] = ""
        return option


def column_choices(tree, *, blank: str | None = "请选择栏目") -> list[tuple]:
    """(id, indented name) of the columns of `tree` (gongkai.catalog.selectors.columns_tree)."""
    choices = [("", blank)] if blank is not None else []
    return choices + [(entry.column.pk, "　" * entry.depth + entry.column.name) for entry in tree]


# 主题分类 (the topics of gov.cn's policy library) and the 15 kinds of 公文 with a few others, offered as
# suggestions: the fields stay free text.
TOPICS = (
    "综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "国土资源、能源", "农业、林业、水利",
    "工业、交通", "商贸、海关、旅游", "市场监管、安全生产监管", "城乡建设、环境保护", "科技、教育",
    "文化、广电、新闻出版", "卫生、体育", "人口与计划生育、妇女儿童工作", "劳动、人事、监察",
    "公安、安全、司法", "民政、扶贫、救灾", "民族、宗教", "对外事务", "港澳台侨工作", "国防", "其他",
)  # fmt: skip
GENRES = (
    "决议", "决定", "命令（令）", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复",
    "议案", "函", "纪要", "规划", "计划", "方案", "办法", "规定", "细则", "名单", "公示", "其他",
)  # fmt: skip

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


# --- the list's filters -----------------------------------------------------------------------------------


class ItemFilterForm(ChineseForm):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ItemStatus.choices])
    column = forms.TypedChoiceField(label="栏目", required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label="发布年度", required=False, coerce=int, empty_value=None)
    late = forms.ChoiceField(
        label="公开时限",
        required=False,
        choices=[("", "全部"), ("1", f"逾期公开（{cite(Ground.PUBLISH_PERIOD)}）")],
    )
    agency = forms.TypedChoiceField(label="机关", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies=(), tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "标题或索引号"
        self.fields["q"].widget.input_type = "search"
        self.fields["column"].choices = column_choices(tree, blank="全部栏目")
        this_year = today().year
        self.fields["year"].choices = [("", "全部年度")] + [(y, f"{y}年") for y in range(this_year, 2007, -1)]
        self.fields["agency"].choices = [("", "全部机关")] + [(a.pk, a.name) for a in agencies]
        if len(agencies) <= 1:
            self.fields["agency"].widget = forms.HiddenInput()


# --- an item ----------------------------------------------------------------------------------------------


class ItemForm(ChineseForm):
    column = forms.TypedChoiceField(label="栏目", coerce=int)
    title = forms.CharField(
        label="标题",
        max_length=TITLE_MAX,
        help_text="信息的完整名称，不用简称；公文用文件标题",
        error_messages={"required": "请填写标题（名称应完整，不用简称）"},
    )
    doc_number = forms.CharField(
        label="文号", required=False, max_length=60, help_text="如“卫科发〔2020〕12号”；没有文号的不填"
    )
    publisher = forms.CharField(
        label="发布机构", required=False, max_length=100, help_text="不填时为本机关名称"
    )
    written_on = forms.DateField(
        label="成文日期", required=False, widget=DateInput(), help_text="公文落款日期；规章、规范性文件必填"
    )
    formed_on = forms.DateField(
        label="形成/变更日期",
        widget=DateInput(),
        help_text=f"公文一般为签发日期。{cite(Ground.PUBLISH_PERIOD)}：自形成或者变更之日起20个工作日内公开",
        error_messages={"required": "请填写形成或变更日期（公文为签发日期）"},
    )
    topic = forms.CharField(label="主题分类", required=False, max_length=40)
    genre = forms.CharField(label="体裁", required=False, max_length=40)
    summary = forms.CharField(
        label="内容概述",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="概括主要内容，不照抄标题；一般不超过300字",
    )
    body = forms.CharField(
        label="正文",
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="直接输入或粘贴文字，每段一行；也可粘贴网页格式（HTML），保存时自动清除脚本等不安全内容",
    )
    disclosure = forms.ChoiceField(
        label="公开属性", choices=Disclosure.choices, initial=Disclosure.PROACTIVE, widget=forms.RadioSelect
    )
    withheld_reason = forms.CharField(
        label="不予公开（依申请公开）的理由和依据",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"公开属性不是“主动公开”的必填，写明理由和依据，如“{cite(Ground.THIRD_PARTY_RIGHTS)} 涉及商业秘密”",
    )
    statutory_kind = forms.ChoiceField(
        label="文件类别",
        choices=StatutoryKind.choices,
        initial=StatutoryKind.OTHER,
        widget=forms.RadioSelect,
        help_text="规章、行政规范性文件计入年度报告表二的制发、废止和现行有效件数",
    )
    validity = forms.ChoiceField(label="有效性", choices=Validity.choices, initial=Validity.VALID)
    validity_changed_on = forms.DateField(
        label="失效/废止日期", required=False, widget=DateInput(), help_text="有效性为失效或废止时填写"
    )
    validity_note = forms.CharField(label="失效/废止说明", required=False, max_length=300)
    channels = forms.MultipleChoiceField(
        label="发布渠道",
        choices=Channel.choices,
        initial=[Channel.WEBSITE],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个发布渠道"},
        help_text="政务新媒体的发布在“政务新媒体”中登记",
    )

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups = {str(e.column.pk) for e in tree if e.is_group}
        self.fields["column"].choices = column_choices(tree)
        self.fields["column"].widget = ColumnSelect(groups=groups, choices=self.fields["column"].choices)
        self.fields["topic"].widget.attrs["list"] = "topics"
        self.fields["genre"].widget.attrs["list"] = "genres"

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        return body if _TAG.search(body) else html.from_plain_text(body)

    @staticmethod
    def initial_of(item) -> dict:
        text = html.editable_text(item.body)
        return {
            "column": item.column_id,
            "title": item.title,
            "doc_number": item.doc_number,
            "publisher": item.publisher,
            "written_on": item.written_on,
            "formed_on": item.formed_on,
            "topic": item.topic,
            "genre": item.genre,
            "summary": item.summary,
            "body": text if text is not None else item.body,
            "disclosure": item.disclosure,
            "withheld_reason": item.withheld_reason,
            "statutory_kind": item.statutory_kind,
            "validity": item.validity,
            "validity_changed_on": item.validity_changed_on,
            "validity_note": item.validity_note,
            "channels": item.channels,
        }


# --- the 保密审查单 ------------------------------------------------------------------------------------------

WHEN = [("now", "审查通过后立即发布"), ("at", "定时发布")]


class SubmitForm(ChineseForm):
    method = forms.CharField(
        label="拟公开方式", max_length=200, help_text="如“政府网站”“政府网站、政务新媒体”"
    )
    scope = forms.CharField(label="公开范围", max_length=100, initial="社会公众")
    when = forms.ChoiceField(label="公开时间", choices=WHEN, initial="now", widget=forms.RadioSelect)
    publish_at = datetime_field("定时发布时间", help_text="选择“定时发布”时填写；到时由系统自动发布")
    withdraw_at = datetime_field("定时撤回时间（可选）", help_text="如公示期满后自动撤回；不需要的不填")
    confirm = forms.BooleanField(label="已核对，仍然提交", required=False)

    def clean(self):
        data = super().clean()
        now = timezone.now()
        if data.get("when") == "at":
            at = data.get("publish_at")
            if at is None and "publish_at" not in self.errors:
                self.add_error("publish_at", "请填写定时发布时间")
            elif at is not None and at <= now:
                self.add_error("publish_at", "定时发布时间应晚于现在")
        else:
            data["publish_at"] = None
        return data


class ReviewDecisionForm(ApprovalDecisionForm):
    """The decision on a 保密审查 (posted to the approvals' decision view: the same fields)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].label = "审查结论"
        self.fields["comment"].label = "审查意见"
        self.fields[
            "comment"
        ].help_text = "如“经审查，不涉及国家秘密、商业秘密和个人隐私，同意公开”；不同意的，写明理由"


# --- on a published item -----------------------------------------------------------------------------------


class WithdrawForm(ChineseForm):
    reason = forms.CharField(
        label="撤回原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="将在信息页面上公开说明，如“该文件已被《……》替代”",
    )
    when = forms.ChoiceField(
        label="撤回时间",
        choices=[("now", "立即撤回"), ("at", "定时撤回")],
        initial="now",
        widget=forms.RadioSelect,
    )
    at = datetime_field("定时撤回时间", help_text="选择“定时撤回”时填写")
    confirm = forms.BooleanField(
        label="我已核对，确认撤回（公众页面将显示撤回时间和原因）",
        error_messages={"required": "请勾选确认后再撤回"},
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "at":
            at = data.get("at")
            if at is None and "at" not in self.errors:
                self.add_error("at", "请填写定时撤回时间")
            elif at is not None and at <= timezone.now():
                self.add_error("at", "定时撤回时间应晚于现在")
        else:
            data["at"] = None
        return data


class ValidityForm(ChineseForm):
    validity = forms.ChoiceField(label="有效性", choices=Validity.choices)
    on = forms.DateField(label="失效/废止日期", required=False, widget=DateInput())
    note = forms.CharField(
        label="说明", required=False, max_length=300, help_text="如“已被《……》（……〔2026〕3号）废止”"
    )


# --- columns ------------------------------------------------------------------------------------------------

CYCLES = [
    ("14", "2周（14天）：动态、要闻类"),
    ("182", "6个月（182天）：通知公告、政策文件类"),
    ("365", "1年（365天）：人事、规划计划等"),
    ("custom", "其他天数"),
    ("none", "不设更新周期"),
]


class CycleFieldsMixin:
    def clean(self):
        data = super().clean()
        cycle = data.get("cycle")
        if cycle == "custom":
            if data.get("cycle_days") is None and "cycle_days" not in self.errors:
                self.add_error("cycle_days", "请填写更新周期的天数")
        elif cycle == "none":
            data["cycle_days"] = None
        elif cycle:
            data["cycle_days"] = int(cycle)
        return data

    @staticmethod
    def cycle_initial(days: int | None) -> dict:
        if days is None:
            return {"cycle": "none"}
        if str(days) in {c for c, _ in CYCLES}:
            return {"cycle": str(days)}
        return {"cycle": "custom", "cycle_days": days}


def _cycle_fields() -> tuple[forms.Field, forms.Field]:
    return (
        forms.ChoiceField(label="更新周期", choices=CYCLES, initial="182", widget=forms.RadioSelect),
        forms.IntegerField(
            label="天数", required=False, min_value=1, max_value=3650, help_text="选择“其他天数”时填写"
        ),
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        label="备注",
        required=False,
        max_length=300,
        help_text="栏目暂无信息时说明原因，如“本机关无此类信息”；空白栏目没有说明的，检查时视为不合格",
    )


class ColumnCreateForm(CycleFieldsMixin, ChineseForm):
    name = forms.CharField(label="栏目名称", max_length=60)
    parent = forms.TypedChoiceField(label="上级栏目", required=False, coerce=int, empty_value=None)
    cycle, cycle_days = _cycle_fields()
    note = _note_field()

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = column_choices(tree, blank="（作为一级栏目）")


class ColumnEditForm(CycleFieldsMixin, ChineseForm):
    name = forms.CharField(label="栏目名称", max_length=60)
    cycle, cycle_days = _cycle_fields()
    note = _note_field()
    limit_days = forms.IntegerField(label="公开时限", min_value=1, max_value=365)
    limit_working_days = forms.TypedChoiceField(
        label="时限计算",
        choices=[("1", "工作日"), ("0", "自然日")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    limit_basis = forms.CharField(
        label="时限依据",
        required=False,
        max_length=100,
        help_text="默认为《政府信息公开条例》第二十六条（20个工作日）；法律另有规定的，写明依据",
    )

    def __init__(self, *args, standard: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if standard:  # a standard column keeps its name
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "标准栏目不能改名"


# --- new media ------------------------------------------------------------------------------------------------


class AccountForm(ChineseForm):
    platform = forms.ChoiceField(label="平台", choices=Platform.choices)
    name = forms.CharField(label="账号名称", max_length=100)
    url = forms.CharField(label="主页地址", required=False, max_length=200, help_text="以 https:// 开头")
    active = forms.BooleanField(
        label="在用", required=False, initial=True, help_text="停用的账号不再检查更新情况"
    )


class PostForm(ChineseForm):
    posted_on = forms.DateField(label="发布日期", widget=DateInput(), initial=today)
    title = forms.CharField(label="标题", max_length=300)
    url = forms.CharField(label="链接", required=False, max_length=500)
    original = forms.TypedChoiceField(
        label="来源",
        choices=[("1", "原创"), ("0", "转载")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


# --- Art. 20 figures ------------------------------------------------------------------------------------------


def cell_name(row: str, column: str) -> str:
    return f"{row}__{column}"


class Art20Form(ChineseForm):
    """The figures of one year's layout: a text field per cell (the service reads the number, its unit
    and decimals), made by `art20_form`."""

    cells: tuple = ()
    source = forms.CharField(
        label="数据来源",
        required=False,
        max_length=200,
        help_text="如“政务服务中心审批系统导出”“财务科提供”，便于年报核对",
    )

    def values(self) -> dict[str, str]:
        """The entered values keyed "row.column", as the service takes them."""
        return {f"{row}.{col}": self.cleaned_data.get(name) or "" for row, _, col, _, name in self.cells}


def art20_form(cells) -> type[Art20Form]:
    """The form class of a year's cells (gongkai.catalog.services.art20.entered_cells)."""
    fields: dict = {"cells": tuple((r, rl, c, col, cell_name(r, c)) for r, rl, c, col in cells)}
    for row, row_label, column_code, column in cells:
        fields[cell_name(row, column_code)] = forms.CharField(
            label=f"{row_label}：{column.label}",
            required=False,
            max_length=30,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    return type("Art20Form", (Art20Form,), fields)


class YearForm(ChineseForm):
    year = forms.TypedChoiceField(label="年度", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = today().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this_year, 2018, -1)]
