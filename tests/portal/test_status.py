"""The progress page by query code and what it offers: the codes themselves (alphabet, length, typed
loosely, old 12-character codes), misses counted per client, the fee to pay, the online correction (ID
suffix, text and/or a checked attachment, the clock restarted today), the download of the issued
答复告知书 as PDF, the printable receipt — and never the applicant's personal data."""

from __future__ import annotations

import io
import math
import re
from datetime import date

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.agencies.validators import mask_id_number, mask_phone
from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.attachments import attachments_of
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.models import Application
from gongkai.cases.services.registration import new_query_code
from gongkai.portal.views import QUERY_MISS_LIMIT
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ID_SUFFIX = factories.VALID_ID[-4:]  # "002X", the applicant of the `register` fixture
ITEMS = "请写明所需文件的名称或文号\n请说明文件的大致制作时间"
# An applicant whose every datum is distinctive enough to search a page for.
PRIVATE = {
    "applicant_name": "欧阳明月",
    "id_number": factories.id_number(777, region="640521", birth="19761203"),
    "phone": "13709512468",
    "email": "ouyang.mingyue@example.cn",
    "description": "沙坡头区乡村振兴科技特派员专项经费的拨付明细",
    "delivery": "email",
    "requested_form": "electronic",
}


def status_url(code: str = "") -> str:
    return reverse("portal:status") + (f"?code={code}" if code else "")


def get_status(client, code: str):
    return client.get(reverse("portal:status"), {"code": code})


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def awaiting_correction(
    register, clerk, *, received_on=date(2026, 11, 2), on=date(2026, 11, 5), due=date(2026, 12, 10), **fields
) -> Application:
    """By default received on 2026-11-02, the 补正 notice sent on 2026-11-05, to be corrected by 2026-12-10
    (the frozen today is 2026-11-27)."""
    application = register(received_on=received_on, **fields)
    services.application_request_correction(
        application=application, by=clerk, on=on, items=ITEMS, correction_due_on=due
    )
    return fresh(application)


def awaiting_fee(register, clerk, **fields) -> Application:
    application = register(received_on=date(2026, 11, 20), **fields)
    services.application_issue_fee_notice(
        application=application, by=clerk, on=date(2026, 11, 25), scale="by_volume", quantity=150
    )
    return fresh(application)


def correct(client, application, *, last4=ID_SUFFIX, text="所需文件为《沙坡头区科技项目管理办法》", **extra):
    data = {"code": application.query_code, "id_last4": last4, "text": text, **extra}
    return client.post(reverse("portal:status_correction"), data)


def download(client, application, last4=ID_SUFFIX):
    return client.post(
        reverse("portal:status_reply_download"), {"code": application.query_code, "id_last4": last4}
    )


def offers_correction(page: str) -> bool:
    return 'id="correction-title"' in page or f'action="{reverse("portal:status_correction")}"' in page


def offers_download(page: str) -> bool:
    return 'id="reply-title"' in page or f'action="{reverse("portal:status_reply_download")}"' in page


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


# --- query codes -------------------------------------------------------------------------------------------


def test_alphabet_has_no_look_alikes_and_codes_carry_at_least_60_bits():
    alphabet = services.QUERY_CODE_ALPHABET
    assert len(set(alphabet)) == len(alphabet) == 31
    assert not set("01OIL") & set(alphabet)
    assert set(alphabet) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    assert services.QUERY_CODE_LENGTH == 13
    assert services.QUERY_CODE_LENGTH * math.log2(len(alphabet)) >= 60


def test_new_codes_are_13_characters_from_the_whole_alphabet():
    codes = [new_query_code() for _ in range(300)]
    pattern = re.compile(f"[{services.QUERY_CODE_ALPHABET}]{{13}}")
    assert all(pattern.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    # 3900 draws: every one of the 31 characters turns up (a generator drawing from a subset would not)
    assert set("".join(codes)) == set(services.QUERY_CODE_ALPHABET)


def test_registered_and_submitted_applications_get_new_codes(client, tree, clerk, register):
    registered = register()
    assert re.fullmatch(f"[{services.QUERY_CODE_ALPHABET}]{{13}}", registered.query_code)
    online = services.application_submit_online(agency=tree["a"], applicant=factories.applicant(3))
    assert re.fullmatch(f"[{services.QUERY_CODE_ALPHABET}]{{13}}", online.query_code)
    assert online.query_code != registered.query_code


def test_lookup_ignores_case_spaces_and_hyphens(client, application):
    code = application.query_code
    typed = [
        code.lower(),
        f"  {code[:4]} {code[4:8]} {code[8:]}  ",
        f"{code[:4]}-{code[4:8]}-{code[8:]}".lower(),
        f"{code[:5]}－{code[5:]}",  # a full-width hyphen, as typed with a Chinese input method
        f"{code[:3]}\t{code[3:]}",
    ]
    for text in typed:
        response = get_status(client, text)
        assert response.status_code == 200, text
        assert response.context["application"].pk == application.pk
        assert application.number in response.content.decode()


def test_an_old_12_character_code_keeps_working(client, application):
    Application.objects.filter(pk=application.pk).update(query_code="K7MQ2XH9PR4T")
    for typed in ("K7MQ2XH9PR4T", "k7mq-2xh9-pr4t", "K7MQ 2XH9 PR4T"):
        response = get_status(client, typed)
        assert response.status_code == 200, typed
        assert application.number in response.content.decode()
    # and what it offers works with it too
    factories.reply(application, factories.make_user("clerk_old", application.agency, "clerk"),
                    date(2026, 11, 27), "granted")  # fmt: skip
    response = client.post(
        reverse("portal:status_reply_download"),
        {"code": "k7mq-2xh9-pr4t", "id_last4": application.id_number[-4:]},
    )
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"


def test_unknown_code_is_a_404_in_chinese(client, application):
    response = get_status(client, "ABCDEFGHJKMNP")
    assert response.status_code == 404
    page = response.content.decode()
    assert "未找到与该查询码对应的申请" in page and "请核对回执上的查询码" in page
    assert application.number not in page
    # a code differing in one character is a miss too (no prefix or fuzzy matching)
    near = application.query_code[:-1] + ("2" if application.query_code[-1] != "2" else "3")
    assert get_status(client, near).status_code == 404
    assert get_status(client, application.query_code[:-1]).status_code == 404


@pytest.mark.parametrize("typed", ["", "   ", "  -  ", "--", "－ _"])
def test_a_code_of_nothing_but_blanks_and_hyphens_is_asked_for(client, typed):
    response = get_status(client, typed)
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["请输入查询码"]
    assert 'id="id_code_error"><li>请输入查询码</li>' in response.content.decode()


def test_the_identity_forms_ask_for_a_code_too(client):
    response = client.post(reverse("portal:status_reply_download"), {"code": " - ", "id_last4": "002X"})
    assert response.status_code == 400 and "请输入查询码" in response.content.decode()


def test_the_empty_status_page(client):
    response = client.get(reverse("portal:status"))
    assert response.status_code == 200 and response.context["application"] is None


def test_twenty_misses_per_client_then_429(client, application):
    for _ in range(QUERY_MISS_LIMIT):
        assert get_status(client, "WRONGCODE2345").status_code == 404
    # now even the right code is refused from this address, in Chinese
    response = get_status(client, application.query_code)
    assert response.status_code == 429
    page = response.content.decode()
    assert "查询次数过多" in page and application.number not in page
    # the ID-suffix forms are refused as well
    assert download(client, application).status_code == 429
    # another client is not affected
    assert get_status(Client(REMOTE_ADDR="10.1.2.3"), application.query_code).status_code == 200


def test_a_wrong_id_suffix_counts_as_a_miss(client, register, clerk):
    application = awaiting_correction(register, clerk)
    for _ in range(QUERY_MISS_LIMIT - 1):
        get_status(client, "WRONGCODE2345")
    assert get_status(client, application.query_code).status_code == 200  # 19 misses: still allowed
    assert correct(client, application, last4="9999").status_code == 400  # the 20th
    assert get_status(client, application.query_code).status_code == 429


# --- the fee --------------------------------------------------------------------------------------------------


def test_fee_panel_with_the_agencys_payment_instructions(client, tree, register, clerk):
    tree["a"].payment_instructions = "请通过中卫市非税收入缴款系统缴纳，缴款码见收费通知书"
    tree["a"].save(update_fields=["payment_instructions"])
    application = awaiting_fee(register, clerk)
    notice = application.fee_notices.get()
    page = get_status(client, application.query_code).content.decode()
    assert "信息处理费" in page
    assert re.search(r"<strong>1700(\.00)? 元</strong>", page), page
    due = notice.pay_due_on
    assert f"{due.year}年{due.month}月{due.day}日前" in page
    assert "请通过中卫市非税收入缴款系统缴纳，缴款码见收费通知书" in page
    assert "见收费通知书，或致电受理机关" not in page
    assert "等待缴费" in page or application.get_status_display() in page


def test_fee_panel_falls_back_to_the_agencys_phone(client, register, clerk):
    application = awaiting_fee(register, clerk)
    page = get_status(client, application.query_code).content.decode()
    assert "见收费通知书，或致电受理机关（0955-7012345）咨询" in page


def test_fee_panel_only_while_awaiting_the_fee(client, register, clerk):
    application = register(received_on=date(2026, 11, 20))
    assert "信息处理费" not in get_status(client, application.query_code).content.decode()
    services.application_issue_fee_notice(
        application=application, by=clerk, on=date(2026, 11, 25), scale="by_volume", quantity=150
    )
    assert "应缴金额" in get_status(client, application.query_code).content.decode()
    services.application_record_payment(
        fee_notice=application.fee_notices.get(), by=clerk, on=date(2026, 11, 26)
    )
    assert fresh(application).status == Status.RECEIVED
    page = get_status(client, application.query_code).content.decode()
    assert "应缴金额" not in page and "缴费方式" not in page


# --- the online correction ---------------------------------------------------------------------------------


def test_correction_form_lists_the_items(client, register, clerk):
    application = awaiting_correction(register, clerk)
    page = get_status(client, application.query_code).content.decode()
    assert offers_correction(page)
    assert "<li>请写明所需文件的名称或文号</li>" in page and "<li>请说明文件的大致制作时间</li>" in page
    assert "2026年12月10日前" in page  # the correction deadline
    assert 'name="id_last4"' in page and 'type="file"' in page


def test_good_correction_restarts_the_clock_today(client, tree, clerk, register):
    application = awaiting_correction(register, clerk)
    assert (application.status, application.due_on) == (Status.AWAITING_CORRECTION, None)
    upload = SimpleUploadedFile("补正材料.pdf", PDF, content_type="application/pdf")
    response = correct(client, application, last4=ID_SUFFIX.lower(), attachment=upload)
    assert response.status_code == 200
    assert "补正材料已提交，答复期限自今日起重新计算" in response.content.decode()

    stored = fresh(application)
    assert stored.status == Status.RECEIVED
    assert stored.clock_start == date(2026, 11, 27)  # today, not the day of the first receipt
    # 20 working days from Friday 2026-11-27, counted by hand: 11-30 … 12-25
    assert stored.due_on == date(2026, 12, 25)
    assert stored.paused_since is None and stored.paused_workdays == 0

    event = stored.events.get(kind=EventKind.CORRECTION_RECEIVED)
    assert event.on == date(2026, 11, 27) and event.by is None
    assert event.data["online"] is True
    assert event.data["text"] == "所需文件为《沙坡头区科技项目管理办法》"
    assert "所需文件为《沙坡头区科技项目管理办法》" in event.note and "2026年12月25日" in event.note
    (attachment,) = attachments_of(application=stored)
    assert event.data["attachment"] == attachment.key and attachment.extension == "pdf"
    assert AuditEvent.objects.filter(action="application.receive_correction", actor=None).count() == 1

    # the workbench shows the correction and lets the clerk download its attachment
    staff = Client()
    staff.force_login(clerk)
    page = staff.get(reverse("workbench:application_detail", args=[stored.pk])).content.decode()
    link = reverse("workbench:attachment_download", args=[stored.pk, attachment.key])
    assert link in page and "所需文件为《沙坡头区科技项目管理办法》" in page
    file = staff.get(link)
    assert file.status_code == 200 and file.content == PDF

    # the page now shows the new deadline and offers no second correction
    page = get_status(client, application.query_code).content.decode()
    assert "2026年12月25日" in page and not offers_correction(page)
    assert correct(client, application).status_code == 400
    assert stored.events.filter(kind=EventKind.CORRECTION_RECEIVED).count() == 1


def test_correction_with_text_only_or_attachment_only(client, register, clerk):
    by_text = awaiting_correction(register, clerk)
    assert correct(client, by_text).status_code == 200
    assert fresh(by_text).status == Status.RECEIVED
    assert attachments_of(application=by_text) == []

    by_file = awaiting_correction(register, clerk, serial=2)
    upload = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    assert correct(client, by_file, text="", attachment=upload).status_code == 200
    stored = fresh(by_file)
    assert stored.status == Status.RECEIVED
    event = stored.events.get(kind=EventKind.CORRECTION_RECEIVED)
    assert event.data["text"] == "" and attachments_of(application=stored)[0].key == event.data["attachment"]
    assert "（见附件）" in event.note


def test_correction_needs_text_or_attachment(client, register, clerk):
    application = awaiting_correction(register, clerk)
    response = correct(client, application, text="   ")
    assert response.status_code == 400
    assert response.context["correction_form"].errors["text"] == ["请填写补正内容或上传补正材料"]
    assert 'id="correction_text_error"' in response.content.decode()
    assert fresh(application).status == Status.AWAITING_CORRECTION


def test_correction_text_too_long(client, register, clerk):
    application = awaiting_correction(register, clerk)
    response = correct(client, application, text="补" * 2001)
    assert response.status_code == 400
    assert response.context["correction_form"].errors["text"] == ["不能超过2000个字（现有2001个字）"]
    assert 'id="correction_text_error"><li>不能超过2000个字（现有2001个字）</li>' in response.content.decode()
    assert fresh(application).status == Status.AWAITING_CORRECTION


def test_correction_with_a_wrong_id_suffix_is_refused(client, register, clerk):
    application = awaiting_correction(register, clerk)
    upload = SimpleUploadedFile("补正.pdf", PDF, content_type="application/pdf")
    response = correct(client, application, last4="1234", attachment=upload)
    assert response.status_code == 400
    page = response.content.decode()
    assert "证件号码后四位与申请时填写的不一致" in page and 'id="correction_id_last4_error"' in page
    assert fresh(application).status == Status.AWAITING_CORRECTION
    assert not application.events.filter(kind=EventKind.CORRECTION_RECEIVED).exists()
    assert attachments_of(application=application) == []
    # the suffix is required, and exactly four characters
    assert "请输入证件号码后四位" in correct(client, application, last4="").content.decode()
    assert "请输入证件号码的最后四位" in correct(client, application, last4="02X").content.decode()
    assert fresh(application).status == Status.AWAITING_CORRECTION


def test_correction_attachment_over_the_size_limit(client, register, clerk, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    application = awaiting_correction(register, clerk)
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = correct(client, application, attachment=upload)
    assert response.status_code == 400
    errors = response.context["correction_form"].errors["attachment"]
    assert len(errors) == 1 and errors[0].startswith("附件过大") and "不能超过 1 KB" in errors[0]
    page = response.content.decode()
    assert re.search(r'id="correction_attachment_error"><li>附件过大', page)
    assert fresh(application).status == Status.AWAITING_CORRECTION
    assert attachments_of(application=application) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [("补正.pdf", b"MZ\x90\x00 an executable"), ("scan.png", b"<html><script>alert(1)</script></html>")],
)
def test_correction_attachment_of_the_wrong_type(client, register, clerk, name, content):
    application = awaiting_correction(register, clerk)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = correct(client, application, attachment=upload)
    assert response.status_code == 400
    (error,) = response.context["correction_form"].errors["attachment"]
    assert error.startswith("附件只能是 PDF、JPG、PNG 或 Word")
    assert re.search(r'id="correction_attachment_error"><li>附件只能是', response.content.decode())
    # the text alone would have been enough, but nothing is taken while the attachment is refused
    assert fresh(application).status == Status.AWAITING_CORRECTION
    assert attachments_of(application=application) == []


@pytest.mark.parametrize("state", ["received", "concluded"])
def test_correction_not_offered_and_refused_when_not_awaiting_one(client, clerk, register, state):
    application = register(received_on=date(2026, 11, 20))
    if state == "concluded":
        factories.reply(application, clerk, date(2026, 11, 26), "granted")
    before = fresh(application)
    page = get_status(client, application.query_code).content.decode()
    assert not offers_correction(page)
    upload = SimpleUploadedFile("补正.pdf", PDF, content_type="application/pdf")
    response = correct(client, application, attachment=upload)
    assert response.status_code == 400
    page = response.content.decode()
    # said in the applicant's terms, and the refusal offers no form to try again
    assert "该申请当前不需要补正，不能提交补正材料。" in page and "登记补正材料" not in page
    assert not offers_correction(page)
    after = fresh(application)
    assert (after.status, after.clock_start, after.due_on) == (
        before.status,
        before.clock_start,
        before.due_on,
    )
    assert not application.events.filter(kind=EventKind.CORRECTION_RECEIVED).exists()
    assert attachments_of(application=application) == []


def test_correction_post_needs_the_csrf_token(register, clerk):
    application = awaiting_correction(register, clerk)
    browser = Client(enforce_csrf_checks=True)
    response = correct(browser, application)
    assert response.status_code == 403
    assert fresh(application).status == Status.AWAITING_CORRECTION
    # with the token of the page it goes through
    browser.get(status_url(application.query_code))
    token = browser.cookies["csrftoken"].value
    response = correct(browser, application, csrfmiddlewaretoken=token)
    assert response.status_code == 200
    assert fresh(application).status == Status.RECEIVED


def test_reply_download_post_needs_the_csrf_token(application, clerk):
    factories.reply(application, clerk, date(2026, 11, 27), "granted")
    browser = Client(enforce_csrf_checks=True)
    assert download(browser, application, application.id_number[-4:]).status_code == 403


# --- the reply as PDF ----------------------------------------------------------------------------------------


def test_reply_download_only_after_the_letter_is_issued(client, clerk, application):
    last4 = application.id_number[-4:]
    assert not offers_download(get_status(client, application.query_code).content.decode())
    assert download(client, application, last4).status_code == 404
    letter = services.application_prepare_reply(application=application, by=clerk, outcome="granted")
    letter = factories.fill_placeholders(letter, clerk)  # a finished draft, not issued
    assert not offers_download(get_status(client, application.query_code).content.decode())
    response = download(client, application, last4)
    assert response.status_code == 404 and not response.content.startswith(b"%PDF")

    factories.issue(letter, clerk, date(2026, 11, 27))
    letter.refresh_from_db()
    page = get_status(client, application.query_code).content.decode()
    assert offers_download(page) and "下载答复告知书（PDF）" in page and letter.number in page

    response = download(client, application, last4.lower())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content[:5] == b"%PDF-"
    text = pdf_text(response.content)
    assert letter.number == "沙科信公开〔2026〕1号"
    assert letter.number in text.replace(" ", "")
    assert letter.title in text.replace(" ", "")


def test_reply_download_needs_the_right_id_suffix(client, clerk, application):
    factories.reply(application, clerk, date(2026, 11, 27), "granted")
    response = download(client, application, "0000")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "证件号码后四位与申请时填写的不一致" in page
    response = download(client, application, "")
    assert response.status_code == 400 and "请输入证件号码后四位" in response.content.decode()
    # an unknown code gives nothing either
    other = client.post(
        reverse("portal:status_reply_download"), {"code": "WRONGCODE2345", "id_last4": "0000"}
    )
    assert other.status_code == 404 and not other.content.startswith(b"%PDF")


def test_no_download_when_concluded_without_a_reply_letter(client, clerk, register):
    application = awaiting_correction(
        register, clerk, received_on=date(2026, 10, 9), on=date(2026, 10, 12), due=date(2026, 10, 26)
    )
    services.application_close_uncorrected(application=application, by=clerk, on=date(2026, 11, 2))
    assert fresh(application).status == Status.CONCLUDED
    page = get_status(client, application.query_code).content.decode()
    assert "已办结" in page and not offers_download(page)
    assert download(client, application).status_code == 404


# --- the receipt --------------------------------------------------------------------------------------------


def test_printable_receipt_has_the_essentials_and_no_identity(client, tree, clerk):
    data = {
        "applicant_kind": "natural_person", "id_type": "resident_id", "contact_person": "", "address": "",
        "postcode": "", **PRIVATE,
    }  # fmt: skip
    assert client.post(reverse("portal:apply", args=[tree["a"].pk]), data).status_code == 302
    application = Application.objects.get()
    response = client.get(reverse("portal:receipt"), {"print": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>政府信息公开申请回执" in page and 'class="no-print' in page
    for essential in (
        application.number,
        application.query_code,
        "中卫市沙坡头区科学技术局",
        "2026-11-27",  # received
        application.due_on.isoformat(),
        "0955-7012345",
        "中卫市沙坡头区文萃路1号",
        "网上申请",
        PRIVATE["description"],  # what was asked for, so the applicant can keep it
    ):
        assert essential in page, essential
    for private in (
        PRIVATE["id_number"],
        mask_id_number(PRIVATE["id_number"]),
        PRIVATE["phone"],
        mask_phone(PRIVATE["phone"]),
    ):
        assert private not in page, private
    # the screen version: the code and a link to print, no identity either
    screen = client.get(reverse("portal:receipt")).content.decode()
    assert application.query_code in screen and "?print=1" in screen
    assert PRIVATE["id_number"] not in screen and PRIVATE["phone"] not in screen


# --- no personal data on the status page, whatever the state -----------------------------------------------


@pytest.mark.parametrize("state", ["received", "awaiting_correction", "awaiting_fee", "concluded"])
def test_status_page_never_shows_personal_data(client, register, clerk, state):
    if state == "awaiting_correction":
        application = awaiting_correction(register, clerk, **PRIVATE)
    elif state == "awaiting_fee":
        application = awaiting_fee(register, clerk, **PRIVATE)
    else:
        application = register(received_on=date(2026, 11, 20), **PRIVATE)
        if state == "concluded":
            factories.reply(application, clerk, date(2026, 11, 26), "granted")
    assert fresh(application).status == state
    response = get_status(client, application.query_code)
    assert response.status_code == 200
    page = response.content.decode()
    assert application.number in page
    for private in (
        PRIVATE["applicant_name"],
        PRIVATE["id_number"],
        mask_id_number(PRIVATE["id_number"]),
        PRIVATE["id_number"][-4:] + "<",
        PRIVATE["phone"],
        mask_phone(PRIVATE["phone"]),
        PRIVATE["email"],
        PRIVATE["description"],
        PRIVATE["description"][:8],
    ):
        assert private not in page, (state, private)
