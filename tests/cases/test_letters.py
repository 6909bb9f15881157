"""Letters of a disclosure application: text from the case, the GB/T 9704-style document, and the
draft → update → issue services with their audit trail and permission checks."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.calendar import work_calendar
from gongkai.cases.clock import due_date
from gongkai.cases.enums import ConsultationKind, EventKind, FeeScale, LetterKind
from gongkai.cases.fees import fee_by_volume
from gongkai.cases.letters import (
    CONTACT_PREFIXES,
    LETTER_GROUNDS,
    PLACEHOLDERS,
    REMEDY,
    REPLY_TITLES,
    letter_docx,
    letter_draft,
    letter_issue,
    letter_placeholders,
    letter_submit,
    letter_text,
    letter_update,
    remedy,
    rmb_upper,
)
from gongkai.cases.letters.wording import CONSULTATION_LETTER_GROUNDS, P_COURT, P_REVIEW_BODY
from gongkai.cases.models import Application, ApplicationEvent, Consultation, FeeNotice, Letter
from gongkai.law import cite
from gongkai.report.formats import OUTCOMES
from tests.factories import TEST_REASON, VALID_ID

ID_NUMBER = VALID_ID
RECEIVED = date(2020, 3, 2)


@pytest.fixture
def agency(tree):
    agency = tree["a"]
    agency.postcode, agency.email = "755000", "kjj@example.gov.cn"
    agency.save()
    return agency


@pytest.fixture
def case(agency) -> Application:
    """An application of agency a as the letters see it, written directly with the fields they print."""
    return Application.objects.create(
        agency=agency,
        number="依申〔2020〕第0001号",
        query_code="Q7K2M9P4XYZ23",
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
def consultation(case) -> Consultation:
    return Consultation.objects.create(
        application=case,
        kind=ConsultationKind.THIRD_PARTY,
        party="宁夏某某科技有限公司",
        sent_on=date(2020, 3, 5),
        reply_due_on=date(2020, 3, 26),
    )


@pytest.fixture
def fee_notice(case) -> FeeNotice:
    fee = fee_by_volume(150)
    return FeeNotice.objects.create(
        application=case,
        scale=FeeScale.BY_VOLUME,
        quantity=150,
        amount=fee.amount,
        calculation=fee.calculation,
        issued_on=date(2020, 3, 10),
        pay_due_on=date(2020, 4, 8),
        reply_due_on=date(2020, 3, 30),
    )


def assert_common(body: str, *, applicant: bool = True) -> None:
    assert "申请编号：依申〔2020〕第0001号" in body
    assert ("张三" in body) is applicant
    assert "中卫市沙坡头区科学技术局（办公室）" in body
    assert "中卫市沙坡头区文萃路1号" in body and "0955-7012345" in body
    assert "2020年3月2日" in body
    assert "\n\n" not in body


# --- text ---


def test_receipt(case):
    title, body = letter_text(application=case, kind=LetterKind.RECEIPT)
    assert title == "政府信息公开申请接收回执"
    assert_common(body)
    assert body.startswith("张三：\n")
    assert "《中华人民共和国政府信息公开条例》（以下简称《条例》）第三十一条" in body
    assert "查询码：Q7K2M9P4XYZ23" in body
    assert ID_NUMBER not in body and "110105********002X" in body  # masked
    assert "“2019年度本局科技项目资金 分配结果”" in body  # whitespace runs collapsed
    assert "20个工作日内" in body and "2020年3月30日前" in body
    assert "《条例》第三十三条第二款的规定，本机关不能当场答复的" in body
    assert "根据《条例》第三十三条第三款的规定，征求第三方和其他机关意见所需时间不计算在上述期限内" in body
    assert "根据《条例》第三十条的规定，自收到申请之日起7个工作日内一次性告知补正" in body


def test_correction_lists_items_and_deadline(case):
    title, body = letter_text(application=case, kind="correction", items=["申请获取的文件名称或者文号", "  "])
    assert title == "政府信息公开申请补正告知书"
    assert_common(body)
    assert "第三十条" in body
    assert "\n1．申请获取的文件名称或者文号\n" in body and "2．" not in body  # blank items dropped
    assert "2020年3月20日前" in body
    assert "视为放弃申请" in body


def test_correction_without_items_leaves_a_placeholder(case):
    case.correction_due_on = None
    _, body = letter_text(application=case, kind="correction")
    assert letter_placeholders(body) == ["【需要补正的事项】", "【补正期限】"]


def test_third_party_consultation(case, consultation):
    title, body = letter_text(application=case, kind="consultation", consultation=consultation)
    assert title == "政府信息公开征求第三方意见书"
    # addressed to the third party; the applicant's identity is not disclosed to it
    assert body.startswith("宁夏某某科技有限公司：\n")
    assert_common(body, applicant=False)
    assert "第三十二条" in body and "15个工作日内" in body
    assert "第三方逾期未提出意见的，由本机关依照《条例》的规定决定是否公开" in body


def test_co_agency_consultation_silence_is_consent(case, consultation):
    consultation.kind = ConsultationKind.CO_AGENCY
    consultation.party = "中卫市沙坡头区财政局"
    consultation.save()
    title, body = letter_text(application=case, kind="consultation")  # the latest one
    assert title == "政府信息公开征求意见书"
    assert "第三十四条" in body and "逾期未提出意见的，视为同意公开" in body
    assert_common(body, applicant=False)


def test_consultation_needs_one(case):
    with pytest.raises(ValueError, match="征求意见"):
        letter_text(application=case, kind="consultation")


def test_extension(case):
    title, body = letter_text(application=case, kind="extension", extension_days=10)
    assert title == "政府信息公开申请延期答复告知书"
    assert_common(body)
    assert "第三十三条第二款" in body and "延长10个工作日" in body
    assert "【延期理由】" in body  # no reason recorded: the clerk writes it
    _, reasoned = letter_text(
        application=case, kind="extension", extension_days=10, extension_reason="需调档核查。"
    )
    assert "因需调档核查，本机关无法在规定期限内作出答复" in reasoned
    new_due = due_date(clock_start=RECEIVED, paused_workdays=0, extension_days=10, cal=work_calendar()).day
    assert f"{new_due.year}年{new_due.month}月{new_due.day}日前作出答复" in body


@pytest.mark.parametrize("days", [0, 21])
def test_extension_at_most_20_working_days(case, days):
    with pytest.raises(ValueError, match="1至20个工作日"):
        letter_text(application=case, kind="extension", extension_days=days)


def test_extension_only_once(case):
    case.extension_days = 5
    with pytest.raises(ValueError, match="只能延期一次"):
        letter_text(application=case, kind="extension", extension_days=10)
    _, body = letter_text(application=case, kind="extension")  # the recorded one
    assert "延长5个工作日" in body


def test_fee(case, fee_notice):
    title, body = letter_text(application=case, kind="fee")
    assert title == "政府信息公开信息处理费收费通知书"
    assert_common(body)
    assert "国办函〔2020〕109号" in body and "第四十二条第一款" in body
    assert "缴费方式：【缴费方式】" in body
    case.agency.payment_instructions = "到政务服务中心窗口缴纳。"
    _, told = letter_text(application=case, kind="fee")
    assert "缴费方式：到政务服务中心窗口缴纳。" in told
    assert "按量计收" in body and "计收数量：150页" in body
    assert f"计算过程：{fee_notice.calculation}。" in body
    assert "收费金额：人民币1700元（大写：壹仟柒佰元整）" in body
    assert "收到本通知次日起20个工作日内" in body


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: o.code)
def test_reply_for_each_outcome(case, outcome):
    title, body = letter_text(application=case, kind=LetterKind.REPLY, outcome=outcome.code)
    assert title == REPLY_TITLES[outcome.letter]
    assert_common(body)
    if outcome.basis:
        assert outcome.basis in body
    assert "《中华人民共和国政府信息公开条例》（以下简称《条例》）" in body
    assert remedy(case.agency) in body
    assert "向中卫市沙坡头区人民政府申请行政复议" in body and "向中卫市沙坡头区人民法院提起行政诉讼" in body
    if "《条例》第" in body:  # the short name is used only after it is introduced
        assert body.index("（以下简称《条例》）") < body.index("《条例》第")


def test_reply_groups_cover_all_letters():
    assert {o.letter for o in OUTCOMES} == set(REPLY_TITLES)


def test_remedy_leaves_placeholders_for_what_the_agency_has_not_set(case):
    case.agency.review_body = case.agency.court = ""
    assert remedy(case.agency) == REMEDY and P_REVIEW_BODY in REMEDY and P_COURT in REMEDY


@pytest.mark.parametrize(
    "kind", [k for k in LetterKind if k not in (LetterKind.REPLY, LetterKind.CONSULTATION)]
)
def test_each_letter_cites_its_table_entry(case, fee_notice, kind):
    _, body = letter_text(application=case, kind=kind, extension_days=5)
    for ground in LETTER_GROUNDS[kind]:
        assert cite(ground).removeprefix("《条例》") in body, ground


@pytest.mark.parametrize("kind", list(ConsultationKind))
def test_each_consultation_letter_cites_its_article(case, consultation, kind):
    consultation.kind = kind
    consultation.save()
    _, body = letter_text(application=case, kind="consultation")
    for ground in CONSULTATION_LETTER_GROUNDS[kind]:
        assert cite(ground).removeprefix("《条例》") in body


def test_reply_uses_application_outcome(case):
    case.outcome = "granted"
    title, body = letter_text(application=case, kind="reply")
    assert title == "政府信息予以公开告知书"
    assert "以电子文档形式，通过电子邮件方式向您提供" in body


def test_reply_needs_an_outcome(case):
    with pytest.raises(ValueError, match="答复结果"):
        letter_text(application=case, kind="reply")
    with pytest.raises(ValueError, match="未知"):
        letter_text(application=case, kind="reply", outcome="nonsense")


def test_reply_not_corrected_names_the_dates(case):
    Letter.objects.create(
        application=case, kind="correction", title="t", body="b", issued_on=date(2020, 3, 6)
    )
    _, body = letter_text(application=case, kind="reply", outcome="other.no_correction")
    assert "本机关已于2020年3月6日向您发出补正告知书，请您于2020年3月20日前作出补正" in body


def test_organisation_is_addressed_as_such(case):
    case.applicant_kind = "commercial"
    case.applicant_name = "宁夏某某咨询有限公司"
    case.id_type = "credit_code"
    case.id_number = "91640000MA76XXXX0X"
    _, body = letter_text(application=case, kind="reply", outcome="unable.not_held")
    assert "您" not in body and "贵单位提出的政府信息公开申请" in body
    _, receipt = letter_text(application=case, kind="receipt")
    assert "91640000MA76XXXX0X" in receipt  # a credit code is public, not masked


def test_letter_date_not_before_receipt(case):
    with pytest.raises(ValueError, match="早于"):
        letter_text(application=case, kind="receipt", on=date(2020, 3, 1))


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


def test_docx_layout_and_fonts(case, agency):
    title, body = letter_text(application=case, kind="reply", outcome="refused.process_info")
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
    assert "文号（出具时编号）" in texts  # a draft: the number is given when the letter is issued

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
        body = body.replace(p, "中卫市沙坡头区")
    return body


def test_draft_update_issue_a_reply(case, clerk):
    letter = services.application_prepare_reply(application=case, by=clerk, outcome="unable.not_held")
    assert letter.pk and letter.issued_on is None and not letter.docx and letter.status == "draft"
    assert letter.title == "政府信息无法提供告知书" and "《条例》第三十六条第（四）项" in letter.body
    assert not ApplicationEvent.objects.filter(application=case).exists()
    assert "向中卫市沙坡头区人民法院提起行政诉讼" in letter.body  # the agency's court

    letter = letter_update(
        letter=letter,
        by=clerk,
        title=letter.title,
        body=letter.body.replace("特此告知。", "【日期】特此告知。"),
    )
    with pytest.raises(ValidationError, match="待填写"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 20), past_year_reason=TEST_REASON)
    letter = letter_update(letter=letter, by=clerk, title=letter.title, body=filled(letter.body))
    assert letter_placeholders(letter.body) == []

    with pytest.raises(ValidationError, match="早于"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 1), past_year_reason=TEST_REASON)
    letter = letter_issue(letter=letter, by=clerk, on=date(2020, 3, 20), past_year_reason=TEST_REASON)
    assert (letter.issued_on, letter.status, letter.number) == (
        date(2020, 3, 20),
        "issued",
        "沙科信公开〔2020〕1号",
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.concluded_on) == (
        "concluded",
        "unable.not_held",
        date(2020, 3, 20),
    )
    doc = Document(io.BytesIO(bytes(letter.docx)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[1] == "沙科信公开〔2020〕1号" and texts[-2] == "2020年3月20日"

    events = list(AuditEvent.objects.filter(object_type="Letter", object_id=str(letter.pk)).order_by("id"))
    assert [e.action for e in events] == [
        "letter.draft", "letter.update", "letter.update", "letter.submit", "letter.update", "letter.issue"
    ]  # fmt: skip
    assert all(e.agency == case.agency for e in events)
    assert events[-1].before["issued_on"] is None and events[-1].after["number"] == "沙科信公开〔2020〕1号"
    assert len(events[-1].after["docx_sha256"]) == 64

    issued = ApplicationEvent.objects.get(application=case, kind=EventKind.LETTER_ISSUED)
    assert issued.on == date(2020, 3, 20) and issued.by == clerk and "沙科信公开〔2020〕1号" in issued.note
    assert issued.basis == "《条例》第三十六条第（四）项" and issued.data["letter"] == letter.pk
    assert ApplicationEvent.objects.get(application=case, kind=EventKind.REPLIED).data["letter"] == letter.pk

    # an issued letter is never changed again
    with pytest.raises(ValidationError, match="已出具"):
        letter_update(letter=letter, by=clerk, title="改", body="改")
    with pytest.raises(ValidationError, match="已出具"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 21))
    letter.refresh_from_db()
    assert letter.title == "政府信息无法提供告知书" and letter.issued_on == date(2020, 3, 20)


def test_a_reply_is_drafted_by_the_reply_step_only(case, clerk):
    with pytest.raises(ValidationError, match="答复"):
        letter_draft(application=case, by=clerk, kind="reply")


def test_issue_records_the_kind_basis_and_numbers_the_letters_of_a_case_apart(case, clerk):
    first = letter_draft(application=case, by=clerk, kind="extension", extension_days=10)
    first = letter_update(letter=first, by=clerk, title=first.title, body=filled(first.body))
    first = letter_issue(letter=first, by=clerk, on=date(2020, 3, 25))
    event = ApplicationEvent.objects.get(application=case)
    assert (
        event.basis
        == cite(*LETTER_GROUNDS[LetterKind.EXTENSION])
        == "《条例》第三十三条第二款、第三十三条第三款"
    )
    assert event.note == "政府信息公开申请延期答复告知书（沙科信公开〔2020〕1号）"
    second = letter_draft(application=case, by=clerk, kind="receipt")
    second = letter_issue(letter=second, by=clerk, on=date(2020, 3, 26))
    assert (first.number, second.number) == ("沙科信公开〔2020〕1号", "沙科信公开〔2020〕2号")


def test_update_rejects_empty(case, clerk):
    letter = letter_draft(application=case, by=clerk, kind="receipt")
    with pytest.raises(ValidationError):
        letter_update(letter=letter, by=clerk, title=" ", body="正文")


def test_a_letter_in_approval_is_frozen(case, clerk, agency):
    from tests.factories import TWO_LEVELS, set_letter_levels

    set_letter_levels(agency, TWO_LEVELS)
    letter = letter_draft(application=case, by=clerk, kind="receipt")
    letter = letter_submit(letter=letter, by=clerk, on=date(2020, 3, 3))
    assert letter.status == "pending"
    with pytest.raises(ValidationError, match="审批中"):
        letter_update(letter=letter, by=clerk, title="x", body="y")
    with pytest.raises(ValidationError, match="审核、签发"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 3))


def test_other_agency_refused(case, clerk, clerk_b):
    with pytest.raises(PermissionDenied):
        letter_draft(application=case, by=clerk_b, kind="receipt")
    letter = letter_draft(application=case, by=clerk, kind="receipt")
    with pytest.raises(PermissionDenied):
        letter_update(letter=letter, by=clerk_b, title="x", body="y")
    with pytest.raises(PermissionDenied):
        letter_issue(letter=letter, by=clerk_b, on=date(2020, 3, 2))
    assert AuditEvent.objects.filter(object_type="Letter").count() == 1


def test_read_only_supervisor_refused(case, supervisor):
    with pytest.raises(PermissionDenied):
        letter_draft(application=case, by=supervisor, kind="receipt")


def test_issuing_needs_a_letter_code(case, clerk, agency):
    agency.letter_code = ""
    agency.save()
    letter = letter_draft(application=case, by=clerk, kind="receipt")
    with pytest.raises(ValidationError, match="机关代字"):
        letter_issue(letter=letter, by=clerk, on=date(2020, 3, 3))
    letter.refresh_from_db()
    assert letter.status == "draft" and letter.number == ""


def test_a_letter_not_issued_can_be_set_aside(case, clerk):
    from gongkai.cases.letters import letter_discard

    draft = letter_draft(application=case, by=clerk, kind="receipt")
    assert letter_discard(letter=draft, by=clerk).status == "discarded"
    approved = letter_submit(
        letter=letter_draft(application=case, by=clerk, kind="receipt"), by=clerk, on=date(2020, 3, 3)
    )
    assert approved.status == "approved"  # the agency has no approval levels
    assert letter_discard(letter=approved, by=clerk).status == "discarded"
    issued = letter_issue(
        letter=letter_draft(application=case, by=clerk, kind="receipt"), by=clerk, on=date(2020, 3, 3)
    )
    with pytest.raises(ValidationError, match="已出具"):
        letter_discard(letter=issued, by=clerk)
    with pytest.raises(ValidationError, match="已作废"):
        letter_issue(letter=draft, by=clerk, on=date(2020, 3, 3))
