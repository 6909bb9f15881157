"""The public online application form (《条例》第二十九条) and the progress query."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings

from gongkai.agencies.validators import credit_code_problem, id_number_problem
from gongkai.cases.enums import ApplicantKind, Delivery, IdType, RequestedForm

NATURAL_PERSON = ApplicantKind.NATURAL_PERSON.value
PERSON_ID_TYPES = [
    (IdType.RESIDENT_ID.value, IdType.RESIDENT_ID.label),
    (IdType.PASSPORT.value, IdType.PASSPORT.label),
    (IdType.OTHER.value, IdType.OTHER.label),
]
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


@dataclass(frozen=True)
class Sniffed:
    extension: str
    label: str


def sniff_attachment(head: bytes, file) -> Sniffed | None:
    """The type of an uploaded file from its content (its name and declared type are not trusted):
    PDF, JPEG, PNG or a Word document (.docx: a ZIP package holding word/document.xml)."""
    if head.startswith(b"%PDF-"):
        return Sniffed(".pdf", "PDF")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(".jpg", "JPEG 图片")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(".png", "PNG 图片")
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return Sniffed(".docx", "Word 文档")
    return None


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


CHINESE_ERRORS = {
    "required": "此项为必填项",
    "invalid": "格式不正确",
    "invalid_choice": "请从列表中选择",
    "max_value": "不能大于 %(limit_value)s",
    "min_value": "不能小于 %(limit_value)s",
    "invalid_date": "日期格式不正确",
    "missing": "没有收到文件",
    "empty": "上传的文件是空的",
}


class ChineseForm(forms.Form):
    """Error messages in Chinese whatever language the browser asks for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            defaults: dict = {}
            for cls in reversed(type(field).__mro__):
                defaults.update(getattr(cls, "default_error_messages", {}))
            for code, message in CHINESE_ERRORS.items():
                # a message the form declared for this field is kept; Django's own defaults are replaced
                if code in field.error_messages and field.error_messages[code] is defaults.get(code):
                    field.error_messages[code] = message
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "日期格式不正确，应为 年-月-日，如 2025-03-01"
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = "请输入整数"
            elif isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = "电子邮箱格式不正确"
            if getattr(field, "max_length", None):
                field.widget.attrs.setdefault("maxlength", str(field.max_length))


class OnlineApplicationForm(ChineseForm):
    applicant_kind = forms.ChoiceField(
        label="申请人类型", choices=ApplicantKind.choices, initial=NATURAL_PERSON, widget=forms.RadioSelect
    )
    applicant_name = forms.CharField(
        label="姓名 / 单位名称", max_length=100, help_text="自然人填写姓名；法人或其他组织填写全称"
    )
    id_type = forms.ChoiceField(
        label="身份证明类型",
        choices=[*PERSON_ID_TYPES, (IdType.CREDIT_CODE.value, IdType.CREDIT_CODE.label)],
        initial=IdType.RESIDENT_ID.value,
        help_text="法人或其他组织请选择“统一社会信用代码”",
    )
    id_number = forms.CharField(label="证件号码", max_length=40)
    contact_person = forms.CharField(
        label="联系人", max_length=50, required=False, help_text="法人或其他组织申请时必填"
    )
    phone = forms.CharField(label="联系电话", max_length=20, help_text="手机号码或固定电话（区号-号码）")
    email = forms.EmailField(label="电子邮箱", required=False)
    address = forms.CharField(label="通信地址", max_length=200, required=False, help_text="选择邮寄时必填")
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False)
    description = forms.CharField(
        label="所需政府信息的名称、文号或者便于查询的其他特征性描述",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请尽量写明文件名称、文号、发布时间等，便于准确查找",
    )
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
    attachment = forms.FileField(
        label="附件（可选）",
        required=False,
        help_text=f"如有身份证明或其他材料，可上传 PDF、JPG、PNG 或 Word（.docx）文件，"
        f"不超过 {size_label(settings.UPLOAD_MAX_BYTES)}",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs.update({"autocomplete": "postal-code", "inputmode": "numeric"})
        self.attachment_type: Sniffed | None = None

    def clean_applicant_name(self) -> str:
        return self.cleaned_data["applicant_name"].strip()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip().replace(" ", "")
        if not PHONE.match(phone):
            raise forms.ValidationError("联系电话格式不正确，请填写11位手机号码或带区号的固定电话")
        return phone

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not re.fullmatch(r"\d{6}", postcode):
            raise forms.ValidationError("邮政编码应为6位数字")
        return postcode

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(text) < 5:
            raise forms.ValidationError("请具体描述所需的政府信息（至少5个字）")
        return text

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"附件过大（{size_label(upload.size)}），不能超过 {size_label(settings.UPLOAD_MAX_BYTES)}"
            )
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        sniffed = sniff_attachment(head, upload)
        if sniffed is None:
            raise forms.ValidationError(
                "附件只能是 PDF、JPG、PNG 或 Word（.docx）文件，系统按文件内容识别类型"
            )
        self.attachment_type = sniffed
        return upload

    def clean(self):
        data = super().clean()
        kind, id_type = data.get("applicant_kind"), data.get("id_type")
        id_number = (data.get("id_number") or "").strip().upper()
        if kind and id_type:
            if kind == NATURAL_PERSON and id_type == IdType.CREDIT_CODE:
                self.add_error("id_type", "自然人请选择居民身份证、护照或其他身份证件")
            elif kind != NATURAL_PERSON and id_type != IdType.CREDIT_CODE:
                self.add_error("id_type", "法人或其他组织请选择统一社会信用代码")
            elif id_number:
                problem = None
                if id_type == IdType.RESIDENT_ID:
                    problem = id_number_problem(id_number)
                elif id_type == IdType.CREDIT_CODE:
                    problem = credit_code_problem(id_number)
                if problem:
                    self.add_error("id_number", problem)
        if "id_number" in data:
            data["id_number"] = id_number
        if kind and kind != NATURAL_PERSON and not (data.get("contact_person") or "").strip():
            self.add_error("contact_person", "法人或其他组织申请时请填写联系人")
        delivery = data.get("delivery")
        if delivery == Delivery.POST and not (data.get("address") or "").strip():
            self.add_error("address", "选择邮寄时请填写通信地址")
        if delivery == Delivery.EMAIL and not data.get("email"):
            self.add_error("email", "选择电子邮件时请填写电子邮箱")
        return data


class StatusQueryForm(ChineseForm):
    code = forms.CharField(
        label="查询码",
        max_length=32,
        help_text="提交申请后在回执上显示的查询码",
        error_messages={"required": "请输入查询码"},
    )

    def clean_code(self) -> str:
        return re.sub(r"[\s-]", "", self.cleaned_data["code"])


def service_errors(form: forms.Form, error) -> None:
    """Put a service's ValidationError on the form: next to the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
