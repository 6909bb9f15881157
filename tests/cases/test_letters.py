"""Letters of a disclosure application: text from the case, the GB/T 9704-style document, and the
draft → update → issue services with their audit trail and permission checks."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.audit.models import AuditEvent
from gongkai.cases.calendar import work_calendar
from gongkai.cases.clock import due_date
from gongkai.cases.enums import ConsultationKind, EventKind, FeeScale, LetterKind
from gongkai.cases.fees import fee_by_volume
from gongkai.cases.letters import (
    CONTACT_PREFIXES,
    P_COURT,
    P_REVIEW_BODY,
    PLACEHOLDERS,
    REMEDY,
    REPLY_TITLES,
    letter_docx,
    letter_draft,
    letter_issue,
    letter_placeholders,
    letter_text,
    letter_update,
    reference_number,
    rmb_upper,
)
from gongkai.cases.models import Application, ApplicationEvent, Consultation, FeeNotice, Letter
from gongkai.report.formats import OUTCOMES

ID_NUMBER = "11010519491231002X"  # the check-digit-valid sample of GB 11643
RECEIVED = date(2020, 3, 2)


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(
        name="中卫市沙坡头区科学技术局",
        office_name="办公室",
        address="中卫市沙坡头区鼓楼西街1号",
        postcode="755000",
        phone="0955-7012345",
        email="kjj@example.gov.cn",
    )


@pytest.fixture
def other_agency(db) -> Agency:
    return Agency.objects.create(name="中卫市沙坡头区教育局", phone="0955-7000000")


@pytest.fixture
def clerk(agency):
    user = get_user_model().objects.create_user("clerk", password="x" * 12)
    Membership.objects.create(user=user, agency=agency, role=Role.CLERK)
    return user


@pytest.fixture
def outsider(other_agency):
    user = get_user_model().objects.create_user("outsider", password="x" * 12)
    Membership.objects.create(user=user, agency=other_agency, role=Role.CLERK)
    return user


@pytest.fixture
def application(agency) -> Application:
    return Application.objects.create(
        agency=agency,
        number="2020-0001",
        query_code="Q7K2M9P4",
        applicant_kind="natural_person",
        applicant_name="张三",
        id_type="resident_id",
        id_number=ID_NUMBER,
        phone="13800000000",
        description="2019年度本局科技项目资金  分配结果",
        requested_form="electronic",
        delivery="email",
        channel="online",
        received_on=RECEIVED,
        clock_start=RECEIVED,
        due_on=date(2020, 3, 30),
        correction_due_on=date(2020, 3, 20),
    )


@pytest.fixture
def consultation(application) -> Consultation:
    return Consultation.objects.create(
        application=application,
        kind=ConsultationKind.THIRD_PARTY,
        party="宁夏某某科技有限公司",
        sent_on=date(2020, 3, 5),
        reply_due_on=date(2020, 3, 26),
    )


@pytest.fixture
def fee_notice(application) -> FeeNotice:
    fee = fee_by_volume(150)
    return FeeNotice.objects.create(
        application=application,
        scale=FeeScale.BY_VOLUME,
        quantity=150,
        amount=fee.amount,
        calculation=fee.calculation,
        issued_on=date(2020, 3, 10),
        pay_due_on=date(2020, 4, 8),
    )


def assert_common(body: str, *, applicant: bool = True) -> None:
    assert "〔2020〕第0001号" in body
    assert ("张三" in body) is applicant
    assert "中卫市沙坡头区科学技术局（办公室）" in body
    assert "中卫市沙坡头区鼓楼西街1号" in body and "0955-7012345" in body
    assert "2020年3月2日" in body
    assert "\n\n" not in body


# --- text ---


def test_receipt(application):
    title, body = letter_text(application=application, kind=LetterKind.RECEIPT)
    assert title == "政府信息公开申请接收回执"
    assert_common(body)
    assert body.startswith("张三：\n")
    assert "《中华人民共和国政府信息公开条例》（以下简称《条例》）第三十一条" in body
    assert "查询码：Q7K2M9P4" in body
    assert ID_NUMBER not in body and "110105********002X" in body  # masked
    assert "“2019年度本局科技项目资金 分配结果”" in body  # whitespace runs collapsed
    assert "20个工作日内" in body and "2020年3月30日前" in body


def test_correction_lists_items_and_deadline(application):
    title, body = letter_text(
        application=application, kind="correction", items=["申请获取的文件名称或者文号", "  "]
    )
    assert title == "政府信息公开申请补正告知书"
    assert_common(body)
    assert "第三十条" in body
    assert "\n1．申请获取的文件名称或者文号\n" in body and "2．" not in body  # blank items dropped
    assert "2020年3月20日前" in body
    assert "视为放弃申请" in body


def test_correction_without_items_leaves_a_placeholder(application):
    application.correction_due_on = None
    _, body = letter_text(application=application, kind="correction")
    assert letter_placeholders(body) == ["【需要补正的事项】", "【补正期限】"]


def test_third_party_consultation(application, consultation):
    title, body = letter_text(application=application, kind="consultation", consultation=consultation)
    assert title == "政府信息公开征求第三方意见书"
    # addressed to the third party; the applicant's identity is not disclosed to it
    assert body.startswith("宁夏某某科技有限公司：\n")
    assert_common(body, applicant=False)
    assert "第三十二条" in body and "15个工作日内" in body
    assert "第三方逾期未提出意见的，由本机关依照《条例》的规定决定是否公开" in body


def test_co_agency_consultation_silence_is_consent(application, consultation):
    consultation.kind = ConsultationKind.CO_AGENCY
    consultation.party = "中卫市沙坡头区财政局"
    consultation.save()
    title, body = letter_text(application=application, kind="consultation")  # the latest one
    assert title == "政府信息公开征求意见书"
    assert "第三十四条" in body and "逾期未提出意见的，视为同意公开" in body
    assert_common(body, applicant=False)


def test_consultation_needs_one(application):
    with pytest.raises(ValueError, match="征求意见"):
        letter_text(application=application, kind="consultation")


def test_extension(application):
    title, body = letter_text(application=application, kind="extension", extension_days=10)
    assert title == "政府信息公开申请延期答复告知书"
    assert_common(body)
    assert "第三十三条第二款" in body and "延长10个工作日" in body
    new_due = due_date(RECEIVED, 0, 10, work_calendar())
    assert f"{new_due.year}年{new_due.month}月{new_due.day}日前作出答复" in body


@pytest.mark.parametrize("days", [0, 21])
def test_extension_at_most_20_working_days(application, days):
    with pytest.raises(ValueError, match="1至20个工作日"):
        letter_text(application=application, kind="extension", extension_days=days)


def test_extension_only_once(application):
    application.extension_days = 5
    with pytest.raises(ValueError, match="只能延期一次"):
        letter_text(application=application, kind="extension", extension_days=10)
    _, body = letter_text(application=application, kind="extension")  # the recorded one
    assert "延长5个工作日" in body


def test_fee(application, fee_notice):
    title, body = letter_text(application=application, kind="fee")
    assert title == "政府信息公开信息处理费收费通知书"
    assert_common(body)
    assert "国办函〔2020〕109号" in body and "第四十二条" in body
    assert "按量计收" in body and "计收数量：150页" in body
    assert f"计算过程：{fee_notice.calculation}。" in body
    assert "收费金额：人民币1700元（大写：壹仟柒佰元整）" in body
    assert "收到本通知次日起20个工作日内" in body


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: o.code)
def test_reply_for_each_outcome(application, outcome):
    title, body = letter_text(application=application, kind=LetterKind.REPLY, outcome=outcome.code)
    assert title == REPLY_TITLES[outcome.letter]
    assert_common(body)
    if outcome.basis:
        assert outcome.basis in body
    assert "《中华人民共和国政府信息公开条例》（以下简称《条例》）" in body
    assert REMEDY in body
    assert P_REVIEW_BODY in body and P_COURT in body
    if "《条例》第" in body:  # the short name is used only after it is introduced
        assert body.index("（以下简称《条例》）") < body.index("《条例》第")


def test_reply_groups_cover_all_letters():
    assert {o.letter for o in OUTCOMES} == set(REPLY_TITLES)


def test_reply_uses_application_outcome(application):
    application.outcome = "granted"
    title, body = letter_text(application=application, kind="reply")
    assert title == "政府信息予以公开告知书"
    assert "以电子文档形式，通过电子邮件方式向您提供" in body


def test_reply_needs_an_outcome(application):
    with pytest.raises(ValueError, match="答复结果"):
        letter_text(application=application, kind="reply")
    with pytest.raises(ValueError, match="未知"):
        letter_text(application=application, kind="reply", outcome="nonsense")


def test_reply_not_corrected_names_the_dates(application):
    Letter.objects.create(
        application=application, kind="correction", title="t", body="b", issued_on=date(2020, 3, 6)
    )
    _, body = letter_text(application=application, kind="reply", outcome="other.no_correction")
    assert "本机关已于2020年3月6日向您发出补正告知书，请您于2020年3月20日前作出补正" in body


def test_organisation_is_addressed_as_such(application):
    application.applicant_kind = "commercial"
    application.applicant_name = "宁夏某某咨询有限公司"
    application.id_type = "credit_code"
    application.id_number = "91640000MA76XXXX0X"
    _, body = letter_text(application=application, kind="reply", outcome="unable.not_held")
    assert "您" not in body and "贵单位提出的政府信息公开申请" in body
    _, receipt = letter_text(application=application, kind="receipt")
    assert "91640000MA76XXXX0X" in receipt  # a credit code is public, not masked


def test_letter_date_not_before_receipt(application):
    with pytest.raises(ValueError, match="早于"):
        letter_text(application=application, kind="receipt", on=date(2020, 3, 1))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("2020-0001", "〔2020〕第0001号"),
        ("GK2020-17", "〔2020〕第0017号"),
        ("20200123", "〔2020〕第0123号"),
        ("〔2020〕第0001号", "〔2020〕第0001号"),
        ("17", "〔2020〕第0017号"),
    ],
)
def test_reference_number(number, expected):
    assert reference_number(Application(number=number, received_on=RECEIVED)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "零元整"),
        (100, "壹佰元整"),
        (1050, "壹仟零伍拾元整"),
        (10000, "壹万元整"),
        (100010, "壹拾万零壹拾元整"),
        (Decimal("1234.56"), "壹仟贰佰叁拾肆元伍角陆分"),
        (Decimal("20.05"), "贰拾元零伍分"),
        (Decimal("0.50"), "伍角整"),
        (Decimal("300.50"), "叁佰元伍角整"),
    ],
)
def test_rmb_upper(amount, expected):
    assert rmb_upper(amount) == expected


# --- document ---


def east_asia(run) -> str | None:
    rpr = run._r.rPr
    fonts = rpr.rFonts if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_docx_layout_and_fonts(application, agency):
    title, body = letter_text(application=application, kind="reply", outcome="refused.process_info")
    doc = Document(
        io.BytesIO(letter_docx(agency=agency, title=title, body=body, issued_on=date(2020, 3, 20)))
    )
    section = doc.sections[0]
    mm = [
        round(x.mm)
        for x in (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
        + (section.left_margin, section.right_margin)
    ]
    assert mm == [210, 297, 37, 35, 28, 26]

    paragraphs = doc.paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[0] == agency.name  # red header
    assert paragraphs[0].runs[0].font.color.rgb == (0xFF, 0, 0)
    heading = next(p for p in paragraphs if p.text == title)
    assert heading.style.name == "Heading 1" and heading.runs[0].font.size.pt == 22
    assert heading.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "〔2020〕第0001号" in texts

    lines = body.split("\n")
    contacts = [line for line in lines if line.startswith(CONTACT_PREFIXES)]
    assert len(contacts) == 4  # 机构, 地址, 电话, 邮箱
    lines = lines[: -len(contacts)]
    start = texts.index(lines[0])
    assert texts[start : start + len(lines)] == lines
    for i, p in enumerate(paragraphs[start : start + len(lines)]):
        assert east_asia(p.runs[0]) == "仿宋" and p.runs[0].font.size.pt == 16
        indent = p.style.element.pPr.find(qn("w:ind")) if p.style.element.pPr is not None else None
        if i == 0:
            assert indent is None  # the salutation starts at the margin
        else:
            assert indent.get(qn("w:firstLineChars")) == "200"
    assert east_asia(heading.runs[0]) == "方正小标宋简体"
    # signature right after the body, kept with it on one page; contacts as a 附注 under the date
    assert texts[start + len(lines) :] == [
        "（盖章）",
        agency.name,
        "2020年3月20日",
        "（" + "；".join(contacts) + "）",
    ]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in paragraphs[-4:-1])
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[start + len(lines) - 1 : -1])


def test_docx_draft_has_blank_date(agency):
    doc = Document(io.BytesIO(letter_docx(agency=agency, title="标题", body="张三：\n正文。")))
    assert doc.paragraphs[-1].text == "　　年　　月　　日"
    assert doc.core_properties.title == "标题" and doc.core_properties.author == agency.name


# --- services ---


def filled(body: str) -> str:
    for p in PLACEHOLDERS:
        body = body.replace(p, "中卫市沙坡头区人民政府" if p == P_REVIEW_BODY else "中卫市沙坡头区")
    return body


def test_draft_update_issue(application, clerk):
    letter = letter_draft(application=application, by=clerk, kind="reply", outcome="unable.not_held")
    assert letter.pk and letter.issued_on is None and not letter.docx
    assert letter.title == "政府信息无法提供告知书" and "《条例》第三十六条第（四）项" in letter.body
    assert not ApplicationEvent.objects.filter(application=application).exists()

    with pytest.raises(ValidationError, match="待填写"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 20))

    letter = letter_update(letter=letter, by=clerk, title=letter.title, body=filled(letter.body))
    assert letter_placeholders(letter.body) == []
    assert "向中卫市沙坡头区人民法院提起行政诉讼" in letter.body

    with pytest.raises(ValidationError, match="早于"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 1))
    application.outcome = "unable.not_held"
    application.save()
    letter = letter_issue(letter=letter, by=clerk, on=date(2020, 3, 20))
    letter.refresh_from_db()
    assert letter.issued_on == date(2020, 3, 20)
    doc = Document(io.BytesIO(bytes(letter.docx)))
    assert doc.paragraphs[-2].text == "2020年3月20日"
    assert any("向中卫市沙坡头区人民法院提起行政诉讼" in p.text for p in doc.paragraphs)

    events = list(AuditEvent.objects.filter(object_type="Letter", object_id=str(letter.pk)).order_by("id"))
    assert [e.action for e in events] == ["letter.draft", "letter.update", "letter.issue"]
    assert all(e.actor == clerk and e.agency == application.agency for e in events)
    assert events[1].before["body"] != events[1].after["body"]
    assert events[2].before["issued_on"] is None and events[2].after["issued_on"] == "2020-03-20"
    assert len(events[2].after["docx_sha256"]) == 64

    event = ApplicationEvent.objects.get(application=application)
    assert event.kind == EventKind.LETTER_ISSUED and event.on == date(2020, 3, 20) and event.by == clerk
    assert event.basis == "《条例》第三十六条第（四）项" and event.data["letter"] == letter.pk

    # an issued letter is never changed again
    with pytest.raises(ValidationError, match="已出具"):
        letter_update(letter=letter, by=clerk, title="改", body="改")
    with pytest.raises(ValidationError, match="已出具"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 21))
    letter.refresh_from_db()
    assert letter.title == "政府信息无法提供告知书" and letter.issued_on == date(2020, 3, 20)
    assert AuditEvent.objects.filter(object_type="Letter").count() == 3


def test_issue_records_the_kind_basis(application, clerk):
    letter = letter_draft(application=application, by=clerk, kind="extension", extension_days=10)
    letter = letter_update(letter=letter, by=clerk, title=letter.title, body=filled(letter.body))
    letter_issue(letter=letter, by=clerk, on=date(2020, 3, 25))
    event = ApplicationEvent.objects.get(application=application)
    assert event.basis == "《条例》第三十三条第二款" and event.note == "政府信息公开申请延期答复告知书"


def test_update_rejects_empty(application, clerk):
    letter = letter_draft(application=application, by=clerk, kind="receipt")
    with pytest.raises(ValidationError):
        letter_update(letter=letter, by=clerk, title=" ", body="正文")


def test_other_agency_refused(application, clerk, outsider):
    with pytest.raises(PermissionDenied):
        letter_draft(application=application, by=outsider, kind="receipt")
    letter = letter_draft(application=application, by=clerk, kind="receipt")
    with pytest.raises(PermissionDenied):
        letter_update(letter=letter, by=outsider, title="x", body="y")
    with pytest.raises(PermissionDenied):
        letter_issue(letter=letter, by=outsider, on=date(2020, 3, 2))
    assert AuditEvent.objects.filter(object_type="Letter").count() == 1


def test_read_only_supervisor_refused(application, agency):
    user = get_user_model().objects.create_user("watcher", password="x" * 12)
    Membership.objects.create(user=user, agency=agency, role=Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        letter_draft(application=application, by=user, kind="receipt")
