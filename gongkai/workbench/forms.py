"""Forms of the staff workbench. They only parse input: the rules live in gongkai.cases (the applicant's in
gongkai.cases.applicant, the procedure's in gongkai.cases.procedure and the services), whose ValidationErrors
are put back on these forms next to the field they name (`service_errors`)."""

from __future__ import annotations

from django import forms

from gongkai.cases.enums import (
    ApplicantKind,
    CaseKind,
    CaseResult,
    Channel,
    ConsultationKind,
    Delivery,
    FeeScale,
    IdType,
    LetterKind,
    RequestedForm,
    Status,
)
from gongkai.cases.fees import MAX_PAGES
from gongkai.cases.services.extension import REASON_MAX
from gongkai.report.formats import OUTCOME_GROUPS, outcomes_in_group
from gongkai.web.forms import (
    ApplicantFieldsMixin,
    ChineseForm,
    DateInput,
    date_field,
    description_field,
    past_year_reason_field,
    service_errors,
    text_field,
    today,
)

__all__ = ["service_errors"]


def outcome_choices(*, for_reply: bool = False) -> list:
    """OUTCOMES grouped as the six rows of table 3 (optgroups), with their labels; for a reply, without the
    outcomes that have their own closing step."""
    groups = []
    for group in OUTCOME_GROUPS:
        options = [(o.code, o.label) for o in outcomes_in_group(group.code) if not (for_reply and o.own_step)]
        if options:
            groups.append((group.label, options))
    return groups


# --- list filters ----------------------------------------------------------------------------------------


class ApplicationFilterForm(ChineseForm):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Status.choices])
    outcome = forms.ChoiceField(label="答复结果", required=False)
    applicant_kind = forms.ChoiceField(
        label="申请人类型", required=False, choices=[("", "全部类型"), *ApplicantKind.choices]
    )
    year = forms.TypedChoiceField(label="收到年度", required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label="机关", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "申请编号、申请人、内容，或完整的证件号码、电话"
        self.fields["q"].widget.input_type = "search"
        groups = [(f"group:{g.code}", f"{g.label}（全部）") for g in OUTCOME_GROUPS]
        self.fields["outcome"].choices = [("", "全部结果"), ("汇总", groups), *outcome_choices()]
        this_year = today().year
        self.fields["year"].choices = [("", "全部年度")] + [(y, f"{y}年") for y in range(this_year, 2018, -1)]
        self.fields["agency"].choices = [("", "全部机关")] + [(a.pk, a.name) for a in agencies]
        if len(agencies) <= 1:
            self.fields["agency"].widget = forms.HiddenInput()


# --- registration --------------------------------------------------------------------------------------


class ApplicationRegisterForm(ApplicantFieldsMixin, ChineseForm):
    agency = forms.TypedChoiceField(label="受理机关", coerce=int)
    channel = forms.ChoiceField(
        label="申请方式",
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        initial=Channel.LETTER,
    )
    received_on = date_field(
        "收到申请日期",
        help_text="当面提交：提交之日；挂号信：签收之日；平信：与申请人确认之日；传真、电子邮件：双方确认之日",
    )
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices)
    applicant_name = text_field("applicant_name", "申请人姓名 / 名称")
    id_type = forms.ChoiceField(label="身份证明类型", choices=IdType.choices)
    id_number = text_field("id_number", "身份证明号码")
    contact_person = text_field(
        "contact_person", "联系人", required=False, help_text="法人或其他组织申请时必填"
    )
    phone = text_field("phone", "联系电话")
    email = forms.EmailField(label="电子邮箱", required=False, max_length=254)
    address = text_field("address", "通信地址", required=False)
    postcode = text_field("postcode", "邮政编码", required=False)
    description = description_field(rows=5)
    requested_form = forms.ChoiceField(label="信息的指定提供形式", choices=RequestedForm.choices)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Delivery.choices)
    past_year_reason = past_year_reason_field()

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk


# --- actions on an application ------------------------------------------------------------------------


class CorrectionRequestForm(ChineseForm):
    on = date_field("告知日期")
    items = forms.CharField(
        label="需要补正的事项",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="一次性告知全部需要补正的事项，每行一项",
    )
    correction_due_on = forms.DateField(label="补正期限", widget=DateInput())


class DateOnlyForm(ChineseForm):
    on = date_field("日期")


class CorrectionReceivedForm(DateOnlyForm):
    on = date_field("收到补正材料日期")


class CloseUncorrectedForm(DateOnlyForm):
    on = date_field("办结日期")
    past_year_reason = past_year_reason_field()


class CloseUnpaidForm(DateOnlyForm):
    on = date_field("办结日期")
    past_year_reason = past_year_reason_field()


class ConsultationStartForm(ChineseForm):
    kind = forms.ChoiceField(label="类型", choices=ConsultationKind.choices)
    party = forms.CharField(label="被征求意见方", max_length=100)
    on = date_field("发出日期")


class ConsultationEndForm(ChineseForm):
    consultation = forms.TypedChoiceField(label="征求意见", coerce=int)
    on = date_field("收到意见日期")
    answer = forms.CharField(
        label="意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="逾期未提出意见的可不填",
    )

    def __init__(self, *args, consultations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].choices = [
            (c.pk, f"{c.party}（{c.sent_on:%Y-%m-%d} 发出）") for c in consultations
        ]


class FeeNoticeForm(ChineseForm):
    scale = forms.ChoiceField(label="计收方式", choices=FeeScale.choices, initial=FeeScale.BY_VOLUME)
    quantity = forms.IntegerField(
        label="页数 / 件数",
        min_value=1,
        max_value=MAX_PAGES,
        required=False,
        help_text="按量计收填写页数；按件计收可不填，由系统按本月申请件数计算",
    )
    on = date_field("通知日期")


class PaymentForm(ChineseForm):
    fee_notice = forms.TypedChoiceField(label="收费通知", coerce=int)
    on = date_field("缴费日期")

    def __init__(self, *args, fee_notices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_notice"].choices = [
            (f.pk, f"{f.amount}元（{f.issued_on:%Y-%m-%d} 通知）") for f in fee_notices
        ]


class ExtensionRequestForm(ChineseForm):
    days = forms.IntegerField(label="延长工作日数", min_value=1, max_value=20, initial=20)
    reason = forms.CharField(
        label="延期理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="将填入延期答复告知书，如“所需信息涉及多个年度档案，需调档核查”",
    )
    on = date_field("申请日期")


class PrepareReplyForm(ChineseForm):
    outcome = forms.ChoiceField(label="答复结果")
    note = forms.CharField(label="办理说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "请选择答复结果"), *outcome_choices(for_reply=True)]
        self.fields["outcome"].help_text = "将生成对应的答复告知书；告知书经审核、签发并出具后，申请办结"


# --- letters ---------------------------------------------------------------------------------------------


class LetterDraftForm(ChineseForm):
    kind = forms.ChoiceField(label="文书", choices=LetterKind.choices)


class LetterEditForm(ChineseForm):
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 22, "class": "letter-body"}),
        help_text="每段一行。【】中的内容需要填写后才能出具。落款（机关名称、日期）在出具时自动生成。",
    )


class LetterIssueForm(ChineseForm):
    on = date_field("出具日期")
    past_year_reason = past_year_reason_field()
    confirm = forms.BooleanField(
        label="我已核对文书内容，确认出具（出具后不能再修改）",
        error_messages={"required": "请勾选确认后再出具"},
    )


class ApprovalDecisionForm(ChineseForm):
    decision = forms.ChoiceField(
        label="审批意见",
        choices=[("approve", "同意"), ("refuse", "不同意，退回修改")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不同意的，请写明理由",
    )  # fmt: skip


# --- 行政复议、行政诉讼 ----------------------------------------------------------------------------------


class ReviewCaseForm(ChineseForm):
    agency = forms.TypedChoiceField(label="被申请 / 被诉机关", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=CaseKind.choices)
    case_number = forms.CharField(label="案号", max_length=60)
    filed_on = date_field("收到申请 / 起诉日期")
    body = forms.CharField(label="复议机关 / 审理法院", max_length=100, required=False)
    application = forms.CharField(
        label="相关申请编号",
        max_length=40,
        required=False,
        help_text="如与某件政府信息公开申请有关，填写申请编号",
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    past_year_reason = past_year_reason_field()

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]


class ReviewConcludeForm(ChineseForm):
    result = forms.ChoiceField(
        label="审结结果", choices=[c for c in CaseResult.choices if c[0] != CaseResult.PENDING]
    )
    concluded_on = date_field("审结日期")
    past_year_reason = past_year_reason_field()


# --- annual tables ----------------------------------------------------------------------------------------


class AnnualTablesForm(ChineseForm):
    agency = forms.TypedChoiceField(label="机关", coerce=int)
    year = forms.TypedChoiceField(label="年度", coerce=int)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        this_year = today().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this_year, 2018, -1)]


# --- 本机关设置 ---------------------------------------------------------------------------------------------

LETTER_LEVELS = {
    "0": [],
    "1": [{"name": "sign", "role": "head"}],
    "2": [{"name": "review", "role": "reviewer"}, {"name": "sign", "role": "head"}],
}


def letter_levels_of(steps: list[dict]) -> str:
    return next((code for code, value in LETTER_LEVELS.items() if value == steps), "2")


# 先审查、后公开: one to three levels, the head's approval always last (a leader approves what goes online)
CATALOG_LEVELS = {
    "1": [{"name": "approve", "role": "head"}],
    "2": [{"name": "review", "role": "reviewer"}, {"name": "approve", "role": "head"}],
    "3": [
        {"name": "review", "role": "reviewer"},
        {"name": "review", "role": "admin"},
        {"name": "approve", "role": "head"},
    ],
}


def catalog_levels_of(steps: list[dict]) -> str:
    return next((code for code, value in CATALOG_LEVELS.items() if value == steps), "2")


class AgencySettingsForm(ChineseForm):
    letter_code = forms.CharField(
        label="机关代字",
        max_length=20,
        required=False,
        help_text="用于文号“机关代字〔年份〕序号号”，如“沙科信公开”。出具文书前必须填写",
    )
    letter_levels = forms.ChoiceField(
        label="文书审批层级",
        choices=[
            ("2", "审核（审核人）→ 签发（负责人）后出具"),
            ("1", "签发（负责人）后出具"),
            ("0", "无需审批，经办人直接出具（仍记录审计日志）"),
        ],
        widget=forms.RadioSelect,
    )
    catalog_levels = forms.ChoiceField(
        label="主动公开保密审查层级",
        choices=[
            ("2", "审核（审核人）→ 审批（负责人）后发布"),
            ("3", "审核（审核人）→ 复审（管理员）→ 审批（负责人）后发布"),
            ("1", "审批（负责人）后发布"),
        ],
        widget=forms.RadioSelect,
    )
    index_code = forms.CharField(
        label="索引号机构代码",
        max_length=20,
        required=False,
        help_text="新生成的索引号以此开头；不填时使用统一社会信用代码中的组织机构代码。已有的索引号不会改变",
    )
    review_body = forms.CharField(
        label="行政复议机关",
        max_length=100,
        required=False,
        help_text="填入答复告知书的救济途径，如“中卫市沙坡头区人民政府”",
    )
    court = forms.CharField(
        label="管辖人民法院", max_length=100, required=False, help_text="如“中卫市沙坡头区人民法院”"
    )
    payment_instructions = forms.CharField(
        label="信息处理费缴费方式",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="填入收费通知书，并在公众查询页面显示，如收款账户、缴费地点和时间",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in LetterKind.choices:
            self.fields[f"letter_code_{kind}"] = forms.CharField(
                label=f"{label}的机关代字", max_length=20, required=False,
                help_text="可不填：不填时使用上面的机关代字，与其他文书统一编号",
            )  # fmt: skip
