"""The input rules of gongkai.text in the forms (ChineseForm, the admin's), the applicant's rules and the
services: control characters removed from multi-line text and refused in single-line fields, with a Chinese
message and a code; Word and PDF letters written even from text stored before the rules."""

from __future__ import annotations

import io

import docx
import pytest
from django import forms
from django.core.exceptions import ValidationError

from gongkai.agencies.services import agency_settings_update
from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide
from gongkai.cases import letters, services
from gongkai.cases.applicant import Applicant, applicant_problems
from gongkai.cases.letters.document import letter_docx, letter_pdf
from gongkai.cases.models import Application, ReviewCase
from gongkai.errors import Code, clean_text
from gongkai.web.forms import INTEGER_BOUNDS, ChineseForm, valid_key, with_input_rules
from tests import factories


class Sample(ChineseForm):
    name = forms.CharField(max_length=20)
    note = forms.CharField(required=False, widget=forms.Textarea)
    hidden_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"hidden": True}))
    count = forms.IntegerField(required=False)


def test_a_single_line_field_refuses_control_characters_in_chinese():
    for typed in ("张\x0b三", "张\x00三", "张\n三", "张\x85三"):
        form = Sample({"name": typed})
        assert not form.is_valid()
        (message,) = form.errors["name"]
        assert "控制字符" in message and "Null" not in message
        assert form.errors.as_data()["name"][0].code == Code.INVALID_CHARACTER


def test_a_multi_line_field_keeps_lines_and_tabs_and_loses_the_rest():
    form = Sample({"name": "张三", "note": "第一行\r\n第二行\t附\x0b注\x00", "hidden_text": "a\x00b"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "第一行\n第二行\t附注"
    assert form.cleaned_data["hidden_text"] == "ab"


def test_a_multi_line_field_that_keeps_its_spaces_keeps_them():
    class Verbatim(ChineseForm):
        text = forms.CharField(strip=False, widget=forms.Textarea)

    form = Verbatim({"text": "  缩进\x0b的文字 "})
    assert form.is_valid() and form.cleaned_data["text"] == "  缩进的文字 "


def test_input_rules_on_a_form_that_is_not_a_chinese_form():
    class Plain(forms.Form):
        name = forms.CharField()

    ruled = with_input_rules(Plain)
    assert with_input_rules(ruled) is ruled
    assert not ruled({"name": "张\x0b三"}).is_valid() and Plain({"name": "张\x0b三"}).is_valid()


@pytest.mark.django_db
def test_valid_key_knows_what_a_column_can_hold():
    pk = Application._meta.pk
    assert valid_key(pk, "12") and valid_key(pk, 2**63 - 1)
    assert (
        not valid_key(pk, "99999999999999999999") and not valid_key(pk, "<script>") and not valid_key(pk, "")
    )
    name = Application._meta.get_field("applicant_name")
    assert valid_key(name, "张三") and not valid_key(name, "张\x00三")


def test_a_required_multi_line_field_of_control_characters_only_is_empty():
    class Required(ChineseForm):
        text = forms.CharField(widget=forms.Textarea)

    form = Required({"text": "\x00\x01"})
    assert not form.is_valid() and form.errors["text"] == ["此项为必填项"]


def test_a_whole_number_without_bounds_of_its_own_gets_those_of_a_database_integer():
    low, high = INTEGER_BOUNDS
    for typed in (str(high + 1), str(low - 1), "99999999999999999999"):
        form = Sample({"name": "张三", "count": typed})
        assert not form.is_valid()
        assert "不能" in form.errors["count"][0]
    for typed, value in (("１２", 12), (str(high), high)):
        form = Sample({"name": "张三", "count": typed})
        assert form.is_valid() and form.cleaned_data["count"] == value
    for typed in ("1e309", "NaN", "-"):
        form = Sample({"name": "张三", "count": typed})
        assert form.errors["count"] == ["请输入整数"]


def test_clean_text_for_the_services():
    assert clean_text("note", " 第一行\r\n\x0b第二行 ", multiline=True) == "第一行\n第二行"
    assert clean_text("title", "  标题  ") == "标题"
    with pytest.raises(ValidationError) as caught:
        clean_text("title", "标\x0b题")
    assert caught.value.error_dict["title"][0].code == Code.INVALID_CHARACTER
    with pytest.raises(ValidationError) as caught:
        clean_text("note", "长" * 11, multiline=True, max_length=10)
    assert caught.value.error_dict["note"][0].code == Code.TOO_LONG


# --- the applicant's rules ------------------------------------------------------------------------------


def test_the_applicant_rules_refuse_control_characters_in_single_line_fields():
    applicant = factories.applicant(
        1, applicant_name="张\x0b三", address="文萃路\x001号", phone="138\x0b0013 8000"
    )
    assert applicant.applicant_name == "张\x0b三"  # kept for the rules to see, not turned into a space
    problems = applicant_problems(applicant)
    assert {f: p.code for f, p in problems.items() if p.code == Code.INVALID_CHARACTER} == {
        "applicant_name": Code.INVALID_CHARACTER,
        "address": Code.INVALID_CHARACTER,
        "phone": Code.INVALID_CHARACTER,
    }


def test_the_applicant_description_loses_its_control_characters():
    applicant = Applicant.of(
        {"description": " 2025年\x0b科技项目\r\n资金\x00分配 ", "applicant_name": "张　三"}
    )
    assert applicant.description == "2025年科技项目\n资金分配"
    assert applicant.applicant_name == "张 三"  # a full-width space is still a space


def test_the_public_form_refuses_a_control_character_in_the_name(client, tree, clerk):
    data = {
        "applicant_kind": "natural_person", "applicant_name": "张\x0b三", "id_type": "resident_id",
        "id_number": factories.VALID_ID, "phone": "13800138000", "email": "a@example.cn",
        "description": "2025年度\x0b科技项目资金分配结果", "requested_form": "electronic", "delivery": "email",
    }  # fmt: skip
    response = client.post(f"/apply/{tree['a'].pk}/", data)
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    assert Application.objects.count() == 0
    response = client.post(f"/apply/{tree['a'].pk}/", data | {"applicant_name": "张三"})
    assert response.status_code == 302
    (application,) = Application.objects.all()
    assert application.description == "2025年度科技项目资金分配结果"


# --- the services ----------------------------------------------------------------------------------------


def test_services_clean_free_text_and_refuse_control_characters_in_names(application, clerk, today, tree):
    letter = letters.letter_draft(application=application, by=clerk, kind="receipt")
    updated = letters.letter_update(
        letter=letter, by=clerk, title=letter.title, body="正文\x0b第一段\r\n第二段\x00"
    )
    assert updated.body == "正文第一段\n第二段"
    with pytest.raises(ValidationError) as caught:
        letters.letter_update(letter=letter, by=clerk, title="标\x0b题", body="正文")
    assert caught.value.error_dict["title"][0].code == Code.INVALID_CHARACTER
    with pytest.raises(ValidationError) as caught:
        services.review_case_register(
            agency=tree["a"], by=clerk, kind="review", case_number="沙\x0b1号", filed_on=today.value,
            body="区\x00政府", note="说明\x0b",
        )  # fmt: skip
    assert set(caught.value.error_dict) == {"case_number", "body"}
    case = services.review_case_register(
        agency=tree["a"], by=clerk, kind="review", case_number="沙1号", filed_on=today.value, note="说\x0b明"
    )
    assert ReviewCase.objects.get(pk=case.pk).note == "说明"
    request = services.application_request_extension(
        application=application, by=clerk, on=today.value, days=5, reason="需调档\x0b核查"
    )
    assert request.reason == "需调档核查"


def test_agency_settings_refuse_control_characters(tree, admin_a):
    with pytest.raises(ValidationError) as caught:
        agency_settings_update(agency=tree["a"], by=admin_a, letter_steps=[], court="区\x0b法院")
    assert caught.value.error_dict["court"][0].code == Code.INVALID_CHARACTER
    agency_settings_update(
        agency=tree["a"], by=admin_a, letter_steps=[], payment_instructions="账户：\x0b123\r\n地点：窗口"
    )
    tree["a"].refresh_from_db()
    assert tree["a"].payment_instructions == "账户：123\n地点：窗口"


def test_an_approval_comment_is_cleaned(application, clerk, head, today):
    services.application_request_extension(
        application=application, by=clerk, on=today.value, days=5, reason="调档"
    )
    request = approval_decide(
        request=pending_request(subject=application),
        by=head,
        approved=False,
        comment="理由\x0b不足",
        on=today.value,
    )
    assert request.decisions.get().comment == "理由不足"


# --- text stored before the rules still makes documents --------------------------------------------------


@pytest.fixture
def stored_with_control_characters(application):
    """An application as an older version stored it: control characters in the name and the description."""
    Application.objects.filter(pk=application.pk).update(
        applicant_name="张\x0b三", description="2025年度\x0b科技项目\x1f资金分配结果", address="文萃路\x0c1号"
    )
    application.refresh_from_db()
    return application


def test_letters_of_a_case_stored_with_control_characters_are_written(
    clerk_client, stored_with_control_characters, tree
):
    application = stored_with_control_characters
    response = clerk_client.post(
        f"/workbench/applications/{application.pk}/letters/new/", {"kind": "receipt"}
    )
    assert response.status_code == 302
    letter = application.letters.get()
    assert "\x0b" not in letter.body
    for suffix in ("docx/", "pdf/"):
        response = clerk_client.get(f"/workbench/applications/{application.pk}/letters/{letter.pk}/{suffix}")
        assert response.status_code == 200
    assert clerk_client.get(f"/workbench/applications/{application.pk}/").status_code == 200
    assert clerk_client.get("/workbench/applications/export.csv").status_code == 200


def test_the_documents_drop_what_xml_cannot_hold(tree):
    data = letter_docx(agency=tree["a"], title="告知\x0b书", body="张\x0b三：\n正文\x00第一段\x1f")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "告知书" in text and "正文第一段" in text and "\x0b" not in text
    assert letter_pdf(agency=tree["a"], title="告知\x0b书", body="正文\x00").startswith(b"%PDF")


@pytest.mark.parametrize("back", ["申请列表", "张\x0b三", "//evil.example.com/", "https://evil.example.com/"])
def test_a_decision_goes_back_only_to_a_local_path(client, application, clerk, head, today, back):
    services.application_request_extension(
        application=application, by=clerk, on=today.value, days=5, reason="调档"
    )
    client.force_login(head)
    request = pending_request(subject=application)
    response = client.post(
        f"/workbench/approvals/{request.pk}/decide/", {"decision": "approve", "comment": "", "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/applications/{application.pk}/"
