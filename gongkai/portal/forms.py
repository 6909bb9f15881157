"""The public online application form (《条例》第二十九条), the progress query, the online correction and the
reply download. The applicant's rules are gongkai.cases.applicant's (through ApplicantFieldsMixin)."""

from __future__ import annotations

import re

from django import forms

from gongkai.cases.applicant import MAX_LENGTHS, PERSON_ID_TYPES
from gongkai.cases.enums import ApplicantKind, Delivery, IdType, RequestedForm
from gongkai.cases.services.correction import CORRECTION_TEXT_MAX
from gongkai.web.forms import ApplicantFieldsMixin, ChineseForm, UploadField, description_field, text_field


class OnlineApplicationForm(ApplicantFieldsMixin, ChineseForm):
    applicant_kind = forms.ChoiceField(
        label="申请人类型",
        choices=ApplicantKind.choices,
        initial=ApplicantKind.NATURAL_PERSON.value,
        widget=forms.RadioSelect,
    )
    applicant_name = text_field(
        "applicant_name", "姓名 / 单位名称", help_text="自然人填写姓名；法人或其他组织填写全称"
    )
    id_type = forms.ChoiceField(
        label="身份证明类型",
        choices=[
            *((t.value, t.label) for t in PERSON_ID_TYPES),
            (IdType.CREDIT_CODE.value, IdType.CREDIT_CODE.label),
        ],
        initial=IdType.RESIDENT_ID.value,
        help_text="法人或其他组织请选择“统一社会信用代码”",
    )
    id_number = text_field("id_number", "证件号码")
    contact_person = text_field(
        "contact_person", "联系人", required=False, help_text="法人或其他组织申请时必填"
    )
    phone = text_field("phone", "联系电话", help_text="手机号码或固定电话（区号-号码）")
    email = forms.EmailField(
        max_length=MAX_LENGTHS["email"],
        label="电子邮箱",
        required=False,
        help_text="填写后，办理进展将通过电子邮件通知您",
    )
    address = text_field("address", "通信地址", required=False, help_text="选择邮寄时必填")
    postcode = text_field("postcode", "邮政编码", required=False)
    description = description_field(rows=6)
    requested_form = forms.ChoiceField(
        label="信息的指定提供形式",
        choices=RequestedForm.choices,
        initial=RequestedForm.ELECTRONIC.value,
        widget=forms.RadioSelect,
    )
    delivery = forms.ChoiceField(
        label="获取信息的方式",
        choices=Delivery.choices,
        initial=Delivery.EMAIL.value,
        widget=forms.RadioSelect,
    )
    attachment = UploadField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = "如有身份证明或其他材料，" + self.fields["attachment"].help_text
        self.fields["applicant_name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs.update({"autocomplete": "postal-code", "inputmode": "numeric"})


def normalize_query_code(text: str) -> str:
    """What the applicant typed, as stored: capitals, without spaces and hyphens (codes are read aloud,
    copied from paper, typed in lower case)."""
    return re.sub(r"[\s\-－—_]", "", text or "").upper()


class QueryCodeField(forms.CharField):
    """A query code as typed (normalize_query_code), before any rule looks at it: the spaces, tabs and
    hyphens of a code copied from paper or a table are not mistakes."""

    def to_python(self, value):
        return normalize_query_code(super().to_python(value))


class StatusQueryForm(ChineseForm):
    code = QueryCodeField(
        label="查询码",
        max_length=32,
        help_text="提交申请后在回执上显示的查询码，不区分大小写",
        error_messages={"required": "请输入查询码"},
    )


class IdentityCheckForm(ChineseForm):
    """The last four characters of the applicant's ID number: a second secret besides the query code."""

    id_prefix = "download"

    def __init__(self, *args, **kwargs):
        # the status page holds several forms: ids of their own, apart from the query form's id_code
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    code = QueryCodeField(
        widget=forms.HiddenInput, max_length=32, error_messages={"required": "请输入查询码"}
    )
    id_last4 = forms.CharField(
        label="证件号码后四位",
        max_length=4,
        min_length=4,
        help_text="申请时填写的证件号码（或统一社会信用代码）的最后四位",
        error_messages={"required": "请输入证件号码后四位", "min_length": "请输入证件号码的最后四位"},
    )

    def clean_id_last4(self) -> str:
        return self.cleaned_data["id_last4"].strip().upper()


class OnlineCorrectionForm(IdentityCheckForm):
    id_prefix = "correction"

    text = forms.CharField(
        label="补正内容",
        required=False,
        max_length=CORRECTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="按补正告知书列明的事项逐项补充说明",
    )
    attachment = UploadField(label="补正材料（可选）")

    def clean(self):
        data = super().clean()
        if (
            not (data.get("text") or "").strip()
            and not data.get("attachment")
            and "attachment" not in self.errors
            and "text" not in self.errors  # a text refused (too long) is not a missing one
        ):
            self.add_error("text", "请填写补正内容或上传补正材料")
        return data
