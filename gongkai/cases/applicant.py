"""The applicant of a disclosure application (《条例》第二十九条) and every rule on their data, in one place:
the portal form, the workbench form and the registration service all call `applicant_problems()`.
No database here.

Also here: when an applicant's full identity number and phone may be shown (`shown_identity`), read by
every surface that shows them (the case page, the lists and their template filters, the CSV export, the
API, the letters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from gongkai.agencies.validators import credit_code_problem, id_number_problem, mask_id_number, mask_phone
from gongkai.cases.enums import ApplicantKind, Delivery, IdType, RequestedForm
from gongkai.errors import Code
from gongkai.text import clean_multiline, single_line_problem

MOBILE = re.compile(r"(\+?86)?1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
POSTCODE = re.compile(r"\d{6}")
# white space (full-width included) that is not a control character: a control character is kept for the
# rules to refuse, never silently turned into a space
_SPACE = r"[^\S\x00-\x1f\x7f-\x9f]"
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
# Longest accepted value of each text field (the columns of cases.Application have the same lengths).
MAX_LENGTHS = {
    "applicant_name": 100,
    "id_number": 40,
    "contact_person": 50,
    "phone": 20,
    "email": 254,
    "address": 200,
    "postcode": 6,
    "description": DESCRIPTION_MAX,
}
_CHOICES = {
    "applicant_kind": (ApplicantKind, "申请人类型"),
    "id_type": (IdType, "身份证明类型"),
    "requested_form": (RequestedForm, "信息的指定提供形式"),
    "delivery": (Delivery, "获取信息的方式"),
}
_REQUIRED = {
    "applicant_name": "申请人姓名或者名称",
    "id_number": "身份证明号码",
    "phone": "联系电话",
    "description": "所需政府信息的名称、文号或者便于查询的其他特征性描述",
}
PERSON_ID_TYPES = (IdType.RESIDENT_ID, IdType.PASSPORT, IdType.OTHER)
TOO_LONG_MESSAGE = "不能超过%(limit_value)d个字（现有%(show_value)d个字）"  # Django's parameter names


def field_messages() -> dict[str, dict[str, str]]:
    """The messages of the rules a form field also checks by itself (a value missing, not among the
    choices, too long), by field name and error code: the forms say what the rules say."""
    messages: dict[str, dict[str, str]] = {name: {"max_length": TOO_LONG_MESSAGE} for name in MAX_LENGTHS}
    for name, label in _REQUIRED.items():
        messages[name]["required"] = f"请填写{label}"
    for name, (_choices, label) in _CHOICES.items():
        messages[name] = {"required": f"请选择{label}", "invalid_choice": f"请选择{label}"}
    return messages


@dataclass(frozen=True)
class Applicant:
    """What Art. 29 asks of an applicant: who they are, how to reach them, what they want and how."""

    applicant_kind: str
    applicant_name: str
    id_type: str
    id_number: str
    phone: str
    description: str
    requested_form: str
    delivery: str
    email: str = ""
    address: str = ""
    postcode: str = ""
    contact_person: str = ""

    @classmethod
    def of(cls, data: Mapping) -> Applicant:
        """From form data or keyword arguments, normalised: text stripped, the ID number in capitals,
        spaces and brackets taken out of the phone number, the description's control characters removed
        (gongkai.text.clean_multiline; the other fields keep theirs for the rules to refuse). Missing
        fields are empty."""
        values = {f.name: str(data.get(f.name) or "") for f in fields(cls)}
        values = {name: re.sub(f"{_SPACE}+", " ", value).strip() if name != "description"
                  else clean_multiline(value).strip() for name, value in values.items()}  # fmt: skip
        values["id_number"] = values["id_number"].replace(" ", "").upper()
        values["phone"] = re.sub(f"{_SPACE}|[()（）]", "", values["phone"])
        if MOBILE.fullmatch(joined := re.sub(r"[-－]", "", values["phone"])):
            values["phone"] = joined  # 138-0013-8000, +86-13800138000: a mobile number written with hyphens
        values["postcode"] = values["postcode"].replace(" ", "")
        return cls(**values)

    def as_fields(self) -> dict[str, str]:
        """The Application model fields this applicant fills."""
        return asdict(self)

    @property
    def is_organisation(self) -> bool:
        return self.applicant_kind != ApplicantKind.NATURAL_PERSON


# --- exact lookup (the keyed hashes of gongkai.privacy.fields.LookupHashField) ---------------------------


def normalised_id_number(value: str) -> str:
    """An identity number as it is compared: no blanks, capitals (the check character X)."""
    return re.sub(r"\s", "", value or "").upper()


def normalised_phone(value: str) -> str:
    """A phone number as it is compared: digits only, without the country code 86 of a mobile number."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        digits = digits[2:]
    return digits


def lookup_kind(query: str) -> str | None:
    """What an exact search term looks like: "id_number" (15 or 18 characters of an ID or credit code),
    "phone" (7 to 13 digits, with optional hyphens, blanks, brackets or +), or None."""
    term = (query or "").strip()
    if re.fullmatch(r"[0-9A-Za-z]{18}|\d{15}", term) and not re.fullmatch(r"\d{7,13}", term):
        return "id_number"
    if re.fullmatch(r"\+?[\d\s()（）-]{7,20}", term) and 7 <= len(normalised_phone(term)) <= 13:
        return "phone"
    return None


@dataclass(frozen=True)
class Problem:
    code: Code
    message: str


def org_contact_required() -> bool:
    """Whether an organisation must name a contact person (settings.ORG_CONTACT_REQUIRED): a derived rule,
    Art. 29 asks only for 联系方式."""
    return bool(getattr(settings, "ORG_CONTACT_REQUIRED", True))


def applicant_problems(applicant: Applicant, *, contact_required: bool | None = None) -> dict[str, Problem]:
    """Every problem of the applicant's data, at most one per field, by field name."""
    if contact_required is None:
        contact_required = org_contact_required()
    problems: dict[str, Problem] = {}

    def add(field: str, code: Code, message: str) -> None:
        problems.setdefault(field, Problem(code, message))

    a = applicant
    messages = field_messages()
    for name in MAX_LENGTHS:
        if name != "description" and (problem := single_line_problem(getattr(a, name))):
            add(name, Code.INVALID_CHARACTER, problem)
    for name, (choices, _label) in _CHOICES.items():
        if getattr(a, name) not in choices.values:
            add(name, Code.INVALID_CHOICE, messages[name]["invalid_choice"])
    for name in _REQUIRED:
        if not getattr(a, name):
            add(name, Code.REQUIRED, messages[name]["required"])
    for name, limit in MAX_LENGTHS.items():
        if len(value := getattr(a, name)) > limit:
            add(name, Code.TOO_LONG, TOO_LONG_MESSAGE % {"limit_value": limit, "show_value": len(value)})
    if a.description and len(a.description) < DESCRIPTION_MIN:
        add("description", Code.TOO_SHORT, f"请具体描述所需的政府信息（至少{DESCRIPTION_MIN}个字）")
    _identity(a, add)
    _contact(a, add, contact_required)
    return problems


def _identity(a: Applicant, add) -> None:
    """Organisations prove who they are by 统一社会信用代码, natural persons by a personal document."""
    if a.applicant_kind not in ApplicantKind.values or a.id_type not in IdType.values:
        return
    if a.is_organisation and a.id_type != IdType.CREDIT_CODE:
        add("id_type", Code.ID_TYPE_MISMATCH, "法人或者其他组织应提供统一社会信用代码")
    elif not a.is_organisation and a.id_type == IdType.CREDIT_CODE:
        add(
            "id_type",
            Code.ID_TYPE_MISMATCH,
            "自然人应提供居民身份证、护照等个人身份证明，不能使用统一社会信用代码",
        )
    elif a.id_number and a.id_type == IdType.RESIDENT_ID and (problem := id_number_problem(a.id_number)):
        add("id_number", Code.INVALID_ID_NUMBER, problem)
    elif a.id_number and a.id_type == IdType.CREDIT_CODE and (problem := credit_code_problem(a.id_number)):
        add("id_number", Code.INVALID_CREDIT_CODE, problem)


def _contact(a: Applicant, add, contact_required: bool) -> None:
    if a.phone and not (MOBILE.fullmatch(a.phone) or LANDLINE.fullmatch(a.phone)):
        add(
            "phone",
            Code.INVALID_PHONE,
            "联系电话格式不正确：手机号码为11位，固定电话请加区号（如 0951-1234567）",
        )
    if a.email:
        try:
            validate_email(a.email)
        except ValidationError:
            add("email", Code.INVALID_EMAIL, "电子邮箱格式不正确")
    if a.postcode and not POSTCODE.fullmatch(a.postcode):
        add("postcode", Code.INVALID_POSTCODE, "邮政编码应为6位数字")
    if a.delivery == Delivery.POST and not a.address:
        add("address", Code.ADDRESS_REQUIRED, "选择邮寄的，请填写通信地址")
    if a.delivery == Delivery.EMAIL and not a.email:
        add("email", Code.EMAIL_REQUIRED, "选择电子邮件获取的，请填写电子邮箱")
    if contact_required and a.is_organisation and not a.contact_person:
        add("contact_person", Code.CONTACT_PERSON_REQUIRED, "法人或者其他组织申请的，请填写联系人")


def problems_error(problems: Mapping[str, Problem]) -> ValidationError:
    """The problems as one ValidationError (field → message with its code), as the services raise it."""
    return ValidationError({f: ValidationError(p.message, code=p.code.value) for f, p in problems.items()})


# --- when the full identity may be shown -----------------------------------------------------------------


class Surface(StrEnum):
    CASE_PAGE = "case_page"  # the workbench page of one application
    LIST = "list"  # lists, dashboards, their template filters
    EXPORT = "export"  # CSV and other downloads
    API = "api"
    LETTER = "letter"  # letters sent to the applicant (and printed in the case file)
    PUBLIC = "public"  # anything without a login


@dataclass(frozen=True)
class ShownIdentity:
    id_number: str
    phone: str


def shown_identity(
    *, id_type: str, id_number: str, phone: str, surface: Surface, staff: bool
) -> ShownIdentity:
    """The identity number and phone as a surface may show them. Only the case page shows them in full, and
    only to the agency's own staff (`staff`: may write in the agency); an organisation's 统一社会信用代码 is
    public and is also shown in full in its letters. Everywhere else both are masked; public pages show no
    personal data at all."""
    if surface == Surface.PUBLIC:
        return ShownIdentity("", "")
    full = surface == Surface.CASE_PAGE and staff
    code_public = id_type == IdType.CREDIT_CODE and surface in (Surface.CASE_PAGE, Surface.LETTER)
    return ShownIdentity(
        id_number if full or code_public else mask_id_number(id_number or ""),
        phone if full else mask_phone(phone or ""),
    )
