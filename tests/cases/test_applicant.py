"""Every rule on the applicant's data (gongkai.cases.applicant.applicant_problems), rule by rule; the setting
that lifts the organisation's contact person; and the portal form, the workbench registration form and the
registration service giving the same field and message for the same bad input."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gongkai.cases import services
from gongkai.cases.applicant import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    MAX_LENGTHS,
    Applicant,
    applicant_problems,
)
from gongkai.cases.enums import ApplicantKind
from gongkai.cases.models import Application
from gongkai.errors import Code
from gongkai.portal.forms import OnlineApplicationForm
from gongkai.workbench.forms import ApplicationRegisterForm
from tests import factories

PERSON = {
    "applicant_kind": "natural_person",
    "applicant_name": "王小明",
    "id_type": "resident_id",
    "id_number": factories.VALID_ID,
    "contact_person": "",
    "phone": "13900001111",
    "email": "wang@example.cn",
    "address": "",
    "postcode": "",
    "description": "沙坡头区2025年科技项目专项资金分配结果",
    "requested_form": "electronic",
    "delivery": "email",
}
ORGANISATION = PERSON | {
    "applicant_kind": "commercial",
    "applicant_name": "宁夏某某科技有限公司",
    "id_type": "credit_code",
    "id_number": factories.CREDIT_CODE,
    "contact_person": "李四",
}
WRONG_CHECK_ID = factories.VALID_ID[:-1] + "5"  # 11010519491231002X with another check character
WRONG_CHECK_CODE = factories.CREDIT_CODE[:-1] + "4"


def problems(base=PERSON, **changes) -> dict[str, tuple[str, str]]:
    found = applicant_problems(Applicant.of(base | changes))
    return {field: (p.code.value, p.message) for field, p in found.items()}


def codes(base=PERSON, **changes) -> dict[str, str]:
    return {field: code for field, (code, _) in problems(base, **changes).items()}


def test_a_complete_person_and_organisation_have_no_problem():
    assert problems() == {}
    assert problems(ORGANISATION) == {}


def test_normalised_before_the_rules():
    a = Applicant.of(PERSON | {"id_number": " 11010519491231002x ", "phone": " (0951) 123 4567 ",
                               "applicant_name": "  王  小明 ", "postcode": "750 001"})  # fmt: skip
    assert (a.id_number, a.phone, a.applicant_name, a.postcode) == (
        "11010519491231002X", "09511234567", "王 小明", "750001",
    )  # fmt: skip
    assert applicant_problems(a) == {}


# --- the phone: mobile or landline ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "19912345678",
        "+8613800138000",
        "8613800138000",
        "+86 138 0013 8000",  # blanks are taken out
        "0951-1234567",  # area code, hyphen, 7 digits
        "09511234567",  # without the hyphen
        "010-12345678",  # 3-digit area code, 8 digits
        "0955-7012345-8001",  # with an extension
        "(0951)1234567",  # brackets are taken out
        "0951 1234567",
    ],
)
def test_good_phones(phone):
    assert "phone" not in problems(phone=phone)


@pytest.mark.parametrize(
    "phone",
    [
        "12345",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # no mobile number starts 12
        "23800138000",
        "+8513800138000",  # another country code
        "1234567",  # a landline without its area code
        "0951-123456",  # 6 digits
        "0951-123456789",  # 9 digits
        "0951-1234567-",  # an empty extension
        "0951-1234567-1234567",  # an extension of 7 digits
        "95-1234567",
        "0951—1234567",  # a dash is not a hyphen
        "１３８００１３８０００",  # full-width digits
        "电话13800138000",
    ],
)
def test_bad_phones(phone):
    code, message = problems(phone=phone)["phone"]
    assert code == Code.INVALID_PHONE
    assert message.startswith("联系电话格式不正确")


# --- identity: the number, its check character, the type that fits the kind ----------------------------------


def test_resident_id_check_character():
    assert "id_number" not in problems(id_number="11010519491231002x")
    assert problems(id_number=WRONG_CHECK_ID)["id_number"] == (
        Code.INVALID_ID_NUMBER, "居民身份证号码校验位不正确，请核对",
    )  # fmt: skip
    assert problems(id_number="11010519491231002")["id_number"][1].startswith("居民身份证号码应为18位")
    assert problems(id_number="110105194902300028")["id_number"][1] == "居民身份证号码中的出生日期无效"


def test_other_personal_documents_are_not_checked_as_resident_ids():
    assert problems(id_type="passport", id_number="E12345678") == {}
    assert problems(id_type="other", id_number="港澳通行证C12345678") == {}


def test_credit_code_check_character():
    assert problems(ORGANISATION, id_number=factories.CREDIT_CODE.lower()) == {}
    assert problems(ORGANISATION, id_number=WRONG_CHECK_CODE)["id_number"] == (
        Code.INVALID_CREDIT_CODE, "统一社会信用代码校验位不正确，请核对",
    )  # fmt: skip
    assert "不含I、O、Z、S、V" in problems(ORGANISATION, id_number="91350100M000100I43")["id_number"][1]


@pytest.mark.parametrize("kind", [k for k in ApplicantKind.values if k != "natural_person"])
def test_an_organisation_proves_itself_by_credit_code(kind):
    assert problems(ORGANISATION, applicant_kind=kind) == {}
    assert problems(ORGANISATION, applicant_kind=kind, id_type="resident_id", id_number=factories.VALID_ID)[
        "id_type"
    ] == (Code.ID_TYPE_MISMATCH, "法人或者其他组织应提供统一社会信用代码")


def test_a_person_does_not_use_a_credit_code():
    code, message = problems(id_type="credit_code", id_number=factories.CREDIT_CODE)["id_type"]
    assert code == Code.ID_TYPE_MISMATCH and message.startswith("自然人应提供居民身份证、护照等个人身份证明")


def test_a_mismatched_type_is_reported_once_not_also_as_a_bad_number():
    found = codes(ORGANISATION, id_type="resident_id", id_number=WRONG_CHECK_ID)
    assert found == {"id_type": Code.ID_TYPE_MISMATCH}


# --- the organisation's contact person -------------------------------------------------------------------------


def test_an_organisation_names_a_contact_person():
    assert problems(ORGANISATION, contact_person="")["contact_person"] == (
        Code.CONTACT_PERSON_REQUIRED, "法人或者其他组织申请的，请填写联系人",
    )  # fmt: skip
    assert "contact_person" not in problems(contact_person="")  # a person needs none
    found = applicant_problems(Applicant.of(ORGANISATION | {"contact_person": ""}), contact_required=False)
    assert found == {}


@pytest.mark.django_db
def test_the_setting_lifts_the_contact_person_on_the_service_and_both_forms(settings, tree, clerk):
    data = ORGANISATION | {"contact_person": ""}
    # required by default: everywhere
    assert "contact_person" in problems(ORGANISATION, contact_person="")
    assert "contact_person" in portal_errors(data)
    assert "contact_person" in workbench_errors(data, tree)
    assert "contact_person" in service_errors(data, tree, clerk)

    settings.ORG_CONTACT_REQUIRED = False
    assert problems(ORGANISATION, contact_person="") == {}
    assert portal_errors(data) == {}
    assert workbench_errors(data, tree) == {}
    assert service_errors(data, tree, clerk) == {}
    assert Application.objects.get().contact_person == ""


# --- what is asked for --------------------------------------------------------------------------------------


def test_description_length():
    assert problems(description="x" * DESCRIPTION_MIN) == {}
    assert problems(description="x" * DESCRIPTION_MAX) == {}
    assert problems(description="x" * (DESCRIPTION_MIN - 1))["description"] == (
        Code.TOO_SHORT, f"请具体描述所需的政府信息（至少{DESCRIPTION_MIN}个字）",
    )  # fmt: skip
    assert codes(description="x" * (DESCRIPTION_MAX + 1)) == {"description": Code.TOO_LONG}
    assert codes(description=" \n ") == {"description": Code.REQUIRED}
    # the description keeps its lines; blanks around it do not count
    assert problems(description="  四个字符  ")["description"][0] == Code.TOO_SHORT


@pytest.mark.parametrize("field", ["applicant_name", "id_number", "phone", "description"])
def test_required_fields(field):
    code, message = problems(**{field: ""})[field]
    assert code == Code.REQUIRED and message.startswith("请填写")


@pytest.mark.parametrize("field", sorted(MAX_LENGTHS))
def test_every_text_field_has_a_longest_value(field):
    value = "9" * (MAX_LENGTHS[field] + 1)
    assert codes(**{field: value})[field] == Code.TOO_LONG


@pytest.mark.parametrize(
    ("email", "good"),
    [("wang@example.cn", True), ("wang.xm+gk@mail.example.gov.cn", True), ("wang@", False),
     ("wang@example", False), ("wang example.cn", False), ("@example.cn", False)],
)  # fmt: skip
def test_email(email, good):
    found = problems(email=email)
    assert ("email" not in found) is good
    if not good:
        assert found["email"] == (Code.INVALID_EMAIL, "电子邮箱格式不正确")


@pytest.mark.parametrize(
    ("postcode", "good"),
    [("", True), ("755000", True), ("755 000", True), ("75500", False), ("75500a", False)],
)
def test_postcode(postcode, good):
    found = problems(postcode=postcode)
    assert ("postcode" not in found) is good
    if not good:
        assert found["postcode"] == (Code.INVALID_POSTCODE, "邮政编码应为6位数字")


def test_delivery_by_post_needs_an_address_and_by_email_an_email():
    assert problems(delivery="post", address="")["address"] == (
        Code.ADDRESS_REQUIRED,
        "选择邮寄的，请填写通信地址",
    )
    assert "address" not in problems(delivery="post", address="中卫市沙坡头区文萃路1号")
    assert problems(delivery="email", email="")["email"] == (
        Code.EMAIL_REQUIRED, "选择电子邮件获取的，请填写电子邮箱",
    )  # fmt: skip
    for other in ("pickup", "online"):
        assert problems(delivery=other, email="", address="") == {}


@pytest.mark.parametrize(
    ("field", "label"),
    [("applicant_kind", "申请人类型"), ("id_type", "身份证明类型"), ("requested_form", "信息的指定提供形式"),
     ("delivery", "获取信息的方式")],
)  # fmt: skip
def test_choices(field, label):
    for value in ("", "nonsense"):
        assert problems(**{field: value})[field] == (Code.INVALID_CHOICE, f"请选择{label}")


def test_at_most_one_problem_per_field():
    found = problems(email="wang@", delivery="email")  # an invalid address, not also a missing one
    assert found["email"] == (Code.INVALID_EMAIL, "电子邮箱格式不正确")


# --- the same answer on the portal, on the workbench and from the service -----------------------------------


def portal_errors(data: dict) -> dict[str, list[str]]:
    form = OnlineApplicationForm(data)
    form.is_valid()
    return {field: list(messages) for field, messages in form.errors.items()}


def workbench_errors(data: dict, tree) -> dict[str, list[str]]:
    form = ApplicationRegisterForm(
        data | {"agency": tree["a"].pk, "channel": "letter", "received_on": "2026-11-27"},
        agencies=[tree["a"]],
    )
    form.is_valid()
    return {field: list(messages) for field, messages in form.errors.items()}


def service_errors(data: dict, tree, clerk) -> dict[str, list[str]]:
    try:
        services.application_register(
            agency=tree["a"], by=clerk, applicant=Applicant.of(data), channel="letter",
            received_on=date(2026, 11, 27),
        )  # fmt: skip
    except ValidationError as error:
        return error.message_dict
    return {}


BAD_INPUTS = {
    "phone of five digits": {"phone": "12345"},
    "landline without area code": {"phone": "7012345"},
    "phone missing": {"phone": ""},
    "wrong ID check character": {"id_number": WRONG_CHECK_ID},
    "ID number too short": {"id_number": "6405021980"},
    "ID number missing": {"id_number": ""},
    "wrong credit code check character": ORGANISATION | {"id_number": WRONG_CHECK_CODE},
    "organisation with a resident ID": ORGANISATION
    | {"id_type": "resident_id", "id_number": factories.VALID_ID},
    "person with a credit code": {"id_type": "credit_code", "id_number": factories.CREDIT_CODE},
    "organisation without contact person": ORGANISATION | {"contact_person": ""},
    "description too short": {"description": "科技"},
    "description too long": {"description": "科" * (DESCRIPTION_MAX + 1)},
    "description missing": {"description": "   "},
    "name missing": {"applicant_name": ""},
    "name too long": {"applicant_name": "名" * 101},
    "email invalid": {"email": "wang@example"},
    "post without address": {"delivery": "post", "address": ""},
    "e-mail delivery without e-mail": {"delivery": "email", "email": ""},
    "postcode of four digits": {"postcode": "7550"},
    "postcode of seven digits": {"postcode": "7550001"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_portal_workbench_and_service_agree(case, tree, clerk):
    data = PERSON | BAD_INPUTS[case]
    expected = {field: [problem.message] for field, problem in applicant_problems(Applicant.of(data)).items()}
    assert expected, case
    assert service_errors(data, tree, clerk) == expected
    assert portal_errors(data) == expected
    assert workbench_errors(data, tree) == expected
    assert not Application.objects.exists()
