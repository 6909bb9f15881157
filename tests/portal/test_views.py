"""The public pages: online application → receipt with query code → progress page without personal data;
validation, CSRF, attachments (size and sniffed type), rate limit."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.cases.attachments import attachments_of
from gongkai.cases.models import Application
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def form_data(**overrides) -> dict:
    data = {
        "applicant_kind": "natural_person",
        "applicant_name": "王小明",
        "id_type": "resident_id",
        "id_number": factories.id_number(5),
        "contact_person": "",
        "phone": "13900001111",
        "email": "wang@example.cn",
        "address": "",
        "postcode": "",
        "description": "沙坡头区2025年科技项目专项资金分配结果",
        "requested_form": "electronic",
        "delivery": "email",
    }
    data.update(overrides)
    return data


def apply_url(agency) -> str:
    return reverse("portal:apply", args=[agency.pk])


def test_home_lists_agencies_that_take_online_applications(client, tree, clerk):
    page = client.get(reverse("portal:home")).content.decode()
    assert "中卫市沙坡头区科学技术局" in page and apply_url(tree["a"]) in page
    # 教育局 has no staff on the platform, the region is a supervising office only
    assert apply_url(tree["b"]) not in page and apply_url(tree["region"]) not in page
    assert client.get(apply_url(tree["b"])).status_code == 404


def test_happy_path_receipt_and_status_without_personal_data(client, tree, clerk):
    assert client.get(apply_url(tree["a"])).status_code == 200
    response = client.post(apply_url(tree["a"]), form_data())
    assert response.status_code == 302 and response["Location"] == reverse("portal:receipt")
    application = Application.objects.get()
    assert application.channel == "online" and application.agency == tree["a"]
    assert application.received_on == timezone.localdate()
    receipt = client.get(reverse("portal:receipt")).content.decode()
    assert application.query_code in receipt and application.number in receipt

    # the status page, from another browser: only the query code is needed
    typed = application.query_code.lower()[:4] + " " + application.query_code.lower()[4:]  # as read aloud
    page = Client().get(reverse("portal:status"), {"code": typed}).content.decode()
    assert "办理中" in page and application.number in page
    for private in (
        "王小明",
        application.id_number,
        application.id_number[-4:] + "<",
        "13900001111",
        "1111",
        "wang@example.cn",
        "科技项目专项资金",
    ):
        assert private not in page, private

    # concluded: the page says so, still without personal data
    factories.reply(application, clerk, timezone.localdate(), "granted")
    page = Client().get(reverse("portal:status"), {"code": application.query_code}).content.decode()
    assert "已办结" in page and "王小明" not in page and "13900001111" not in page


def test_status_unknown_code(client):
    response = client.get(reverse("portal:status"), {"code": "NOSUCHCODE22"})
    assert response.status_code == 404 and "未找到" in response.content.decode()
    assert client.get(reverse("portal:status")).status_code == 200


def test_receipt_without_application_goes_home(client):
    response = client.get(reverse("portal:receipt"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": factories.id_number(5)[:-1] + "0" if factories.id_number(5)[-1] != "0" else "1"},
            "id_number",
            "校验位不正确",
        ),
        ({"id_number": "12345"}, "id_number", "居民身份证号码应为18位"),
        (
            {
                "applicant_kind": "commercial",
                "id_type": "credit_code",
                "id_number": "91350100M000100Y44",
                "contact_person": "李四",
            },
            "id_number",
            "统一社会信用代码校验位不正确",
        ),
        (
            {"applicant_kind": "commercial", "id_type": "resident_id", "contact_person": "李四"},
            "id_type",
            "法人或者其他组织应提供统一社会信用代码",
        ),
        (
            {"applicant_kind": "commercial", "id_type": "credit_code", "id_number": factories.CREDIT_CODE},
            "contact_person",
            "请填写联系人",
        ),
        ({"phone": "12345"}, "phone", "联系电话格式不正确"),
        ({"delivery": "post"}, "address", "请填写通信地址"),
        ({"email": "", "delivery": "email"}, "email", "请填写电子邮箱"),
        ({"description": ""}, "description", "请填写所需政府信息的名称、文号或者便于查询的其他特征性描述"),
        ({"applicant_name": ""}, "applicant_name", "请填写申请人姓名或者名称"),
        ({"postcode": "7550"}, "postcode", "邮政编码应为6位数字"),
    ],
)
def test_validation_errors_in_chinese(client, tree, clerk, overrides, field, message):
    response = client.post(apply_url(tree["a"]), form_data(**overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_organisation_with_valid_credit_code(client, tree, clerk):
    data = form_data(
        applicant_kind="commercial", applicant_name="宁夏某某科技有限公司", id_type="credit_code",
        id_number=factories.CREDIT_CODE.lower(), contact_person="李四",
    )  # fmt: skip
    assert client.post(apply_url(tree["a"]), data).status_code == 302
    assert Application.objects.get().id_number == factories.CREDIT_CODE


def test_csrf_is_enforced(tree, clerk):
    client = Client(enforce_csrf_checks=True)
    response = client.post(apply_url(tree["a"]), form_data())
    assert response.status_code == 403
    assert not Application.objects.exists()
    # with the token from the form it goes through
    client.get(apply_url(tree["a"]))
    token = client.cookies["csrftoken"].value
    response = client.post(apply_url(tree["a"]), {**form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [("scan.png", PNG, "png"), ("id.pdf", PDF, "pdf"), ("材料.docx", docx_bytes(), "docx"),
     ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "jpg")],
)  # fmt: skip
def test_attachment_accepted_by_content(client, tree, clerk, name, content, extension):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(apply_url(tree["a"]), {**form_data(), "attachment": upload})
    assert response.status_code == 302
    stored = attachments_of(application=Application.objects.get())
    assert [a.extension for a in stored] == [extension]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"MZ\x90\x00 this is an executable"),  # the extension lies
        ("page.png", b"<html><script>alert(1)</script></html>"),
        ("notes.docx", b"PK\x03\x04 not really a zip"),
        ("archive.docx", None),  # a real ZIP, but not a Word document
    ],
)
def test_attachment_of_wrong_type_refused(client, tree, clerk, name, content):
    if content is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            package.writestr("readme.txt", "hello")
        content = out.getvalue()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(apply_url(tree["a"]), {**form_data(), "attachment": upload})
    assert response.status_code == 400
    assert "附件只能是 PDF、JPG、PNG 或 Word" in response.content.decode()
    assert not Application.objects.exists()


def test_attachment_too_large_refused(client, tree, clerk, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(apply_url(tree["a"]), {**form_data(), "attachment": upload})
    assert response.status_code == 400
    assert "附件过大" in response.content.decode()
    assert not Application.objects.exists()


def test_body_far_over_the_limit_refused_before_reading(client, tree, clerk, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (3 * 1024 * 1024), content_type="application/pdf")
    response = client.post(apply_url(tree["a"]), {**form_data(), "attachment": upload})
    assert response.status_code == 413
    assert "附件过大" in response.content.decode()
    assert not Application.objects.exists()


def test_rate_limit_per_client(client, tree, clerk):
    for serial in range(5):
        data = form_data(id_number=factories.id_number(serial + 20))
        assert client.post(apply_url(tree["a"]), data).status_code == 302
    response = client.post(apply_url(tree["a"]), form_data(id_number=factories.id_number(40)))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Application.objects.count() == 5
    # another address is not affected
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(apply_url(tree["a"]), form_data(id_number=factories.id_number(41))).status_code == 302


def test_status_lookups_rate_limited(client):
    for _ in range(20):
        client.get(reverse("portal:status"), {"code": "WRONGCODE234"})
    response = client.get(reverse("portal:status"), {"code": "WRONGCODE234"})
    assert response.status_code == 429 and "查询次数过多" in response.content.decode()


def test_attachment_reaches_the_clerk_only(client, tree, clerk):
    upload = SimpleUploadedFile("身份证.pdf", PDF, content_type="application/pdf")
    assert client.post(apply_url(tree["a"]), {**form_data(), "attachment": upload}).status_code == 302
    application = Application.objects.get()
    (attachment,) = attachments_of(application=application)
    download = reverse("workbench:attachment_download", args=[application.pk, attachment.key])
    staff = Client()
    staff.force_login(clerk)
    assert (
        download in staff.get(reverse("workbench:application_detail", args=[application.pk])).content.decode()
    )
    response = staff.get(download)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert staff.get(download.replace(attachment.key, "../../secret.pdf")).status_code == 404
    other = Client()
    other.force_login(factories.make_user("clerk_b", tree["b"], "clerk"))
    assert other.get(download).status_code == 404
    assert Client().get(download).status_code == 302  # the public: to the login page


def test_csrf_failure_page_is_chinese(tree, clerk):
    response = Client(enforce_csrf_checks=True).post(apply_url(tree["a"]), form_data())
    assert response.status_code == 403 and "页面已过期" in response.content.decode()
