"""Full identity numbers and phones appear only where gongkai.cases.applicant.shown_identity allows: on the
workbench case page to the agency's own staff (and an organisation's 统一社会信用代码 also in its letters);
masked on every other staff surface; nothing on public pages. The last test proves that every surface asks
that one function."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from gongkai.agencies.validators import mask_id_number, mask_phone
from gongkai.cases import applicant as applicant_rules
from gongkai.cases.applicant import ShownIdentity, Surface, shown_identity
from gongkai.cases.letters import letter_draft
from gongkai.cases.models import Application
from tests import factories

pytestmark = pytest.mark.django_db

PERSON = {
    "applicant_name": "慕容雪晴",
    "id_number": factories.id_number(613, region="640502", birth="19850417"),
    "phone": "13609551234",
    "email": "murong@example.cn",
}
ORGANISATION = {
    "applicant_kind": "commercial",
    "applicant_name": "宁夏沙坡头某某科技有限公司",
    "id_type": "credit_code",
    "id_number": factories.CREDIT_CODE,
    "contact_person": "马经理",
    "phone": "0955-7654321",
    "email": "office@example.cn",
}


@pytest.fixture
def person(tree, clerk):
    """Received 2026-10-09: overdue on the frozen today (2026-11-27), so the dashboard lists it too."""
    return factories.register(tree["a"], clerk, 1, received_on=date(2026, 10, 9), **PERSON)


@pytest.fixture
def organisation(tree, clerk):
    """Received 2026-11-02: due within five working days, on the dashboard's 即将到期 table."""
    return factories.register(tree["a"], clerk, 2, received_on=date(2026, 11, 2), **ORGANISATION)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.cn", factories.PASSWORD)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def masked(a: Application) -> tuple[str, str]:
    return mask_id_number(a.id_number), mask_phone(a.phone)


def assert_masked(text: str, a: Application, *, code_public: bool = False) -> None:
    """The text shows `a`'s identity number and phone masked, never in full (an organisation's credit code
    in full where `code_public`)."""
    masked_id, masked_phone = masked(a)
    if code_public:
        assert a.id_number in text
    else:
        assert a.id_number not in text and masked_id in text
    assert a.phone not in text and masked_phone in text


def export_rows(client) -> list[dict]:
    response = client.get(reverse("workbench:application_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- the workbench case page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "reviewer", "head", "admin"])
def test_case_page_shows_the_full_identity_to_the_agencys_staff(tree, person, role):
    staff = factories.make_user(f"{role}_x", tree["a"], role)
    text = page(login(staff), "workbench:application_detail", person.pk)
    assert person.id_number in text and person.phone in text
    assert person.email in text


def test_case_page_masks_the_identity_for_a_supervisor_and_a_superuser(supervisor, superuser, person):
    for user in (supervisor, superuser):
        text = page(login(user), "workbench:application_detail", person.pk)
        assert_masked(text, person)
        assert person.email not in text


def test_case_page_of_an_organisation_shows_its_credit_code_to_anyone_it_shows_the_case(
    clerk, supervisor, organisation
):
    full = page(login(clerk), "workbench:application_detail", organisation.pk)
    assert organisation.id_number in full and organisation.phone in full
    read_only = page(login(supervisor), "workbench:application_detail", organisation.pk)
    assert_masked(read_only, organisation, code_public=True)


def test_case_page_of_another_agency_is_not_shown(clerk_b, person):
    response = login(clerk_b).get(reverse("workbench:application_detail", args=[person.pk]))
    assert response.status_code == 404
    assert person.id_number not in response.content.decode()


# --- lists, dashboard, export ------------------------------------------------------------------------------


def test_application_list_masks(clerk, supervisor, person, organisation):
    for user in (clerk, supervisor):
        text = page(login(user), "workbench:application_list")
        assert_masked(text, person)
        assert_masked(text, organisation)  # a list masks even a credit code
        # the htmx partial of the same list
        response = login(user).get(reverse("workbench:application_list"), HTTP_HX_REQUEST="true")
        assert_masked(response.content.decode(), person)


def test_dashboard_shows_no_full_identity(clerk, supervisor, person, organisation):
    for user in (clerk, supervisor):
        text = page(login(user), "workbench:dashboard")
        assert person.number in text and organisation.number in text  # overdue, due soon
        for a in (person, organisation):
            assert a.id_number not in text and a.phone not in text


def test_csv_export_masks(clerk, supervisor, person, organisation):
    for user in (clerk, supervisor):
        rows = {row["申请编号"]: row for row in export_rows(login(user))}
        for a in (person, organisation):
            row = rows[a.number]
            assert (row["身份证明号码"], row["联系电话"]) == masked(a)
            assert a.id_number not in row.values() and a.phone not in row.values()


# --- the API -----------------------------------------------------------------------------------------------


def test_api_list_and_detail_mask(clerk, supervisor, person, organisation):
    for user in (clerk, supervisor):
        client = login(user)
        listed = {row["number"]: row for row in client.get("/api/applications").json()}
        for a in (person, organisation):
            assert (listed[a.number]["id_number"], listed[a.number]["phone"]) == masked(a)
            response = client.get(f"/api/applications/{a.pk}")
            assert response.status_code == 200
            detail = response.json()
            assert (detail["id_number"], detail["phone"]) == masked(a)
            assert a.id_number not in response.content.decode()
            assert a.phone not in response.content.decode()


# --- letters -------------------------------------------------------------------------------------------------


def test_letters_mask_a_persons_id_and_show_an_organisations_credit_code(clerk, person, organisation):
    to_person = letter_draft(application=person, by=clerk, kind="receipt")
    assert mask_id_number(person.id_number) in to_person.body
    assert person.id_number not in to_person.body and person.phone not in to_person.body
    to_organisation = letter_draft(application=organisation, by=clerk, kind="receipt")
    assert f"统一社会信用代码（{organisation.id_number}）" in to_organisation.body
    assert organisation.phone not in to_organisation.body
    # the letter page shows the letter as it is
    text = page(login(clerk), "workbench:letter_edit", person.pk, to_person.pk)
    assert mask_id_number(person.id_number) in text
    # the issued documents carry what the letter says
    letter = factories.issue(to_person, clerk, date(2026, 11, 27))
    from docx import Document

    document = "\n".join(p.text for p in Document(io.BytesIO(bytes(letter.docx))).paragraphs)
    assert mask_id_number(person.id_number) in document and person.id_number not in document


# --- the Django admin ---------------------------------------------------------------------------------------


def test_admin_list_and_change_page_mask(superuser, person, organisation):
    client = login(superuser)
    listed = client.get("/admin/cases/application/").content.decode()
    assert_masked(listed, person)
    assert_masked(listed, organisation)
    for a in (person, organisation):
        response = client.get(f"/admin/cases/application/{a.pk}/change/")
        assert response.status_code == 200
        assert_masked(response.content.decode(), a)
    # the admin's search does not find by the identity number either (not a search field)
    found = client.get("/admin/cases/application/", {"q": person.id_number}).content.decode()
    assert person.number not in found


# --- public pages ------------------------------------------------------------------------------------------


def test_public_status_page_shows_no_identity(client, person, organisation):
    for a in (person, organisation):
        text = page(client, "portal:status", code=a.query_code)
        masked_id, masked_phone = masked(a)
        for private in (a.id_number, masked_id, a.phone, masked_phone, a.applicant_name, a.email):
            assert private not in text, private


def test_public_receipt_shows_no_identity(client, tree, clerk):
    data = {
        "applicant_kind": "natural_person", "id_type": "resident_id", "contact_person": "", "address": "",
        "postcode": "", "description": "沙坡头区2025年度科技计划项目验收结果", "requested_form": "electronic",
        "delivery": "email", **PERSON,
    }  # fmt: skip
    assert client.post(reverse("portal:apply", args=[tree["a"].pk]), data).status_code == 302
    a = Application.objects.get()
    masked_id, masked_phone = masked(a)
    for version in ({}, {"print": "1"}):
        text = page(client, "portal:receipt", **version)
        assert a.query_code in text
        for private in (a.id_number, masked_id, a.phone, masked_phone):
            assert private not in text, (version, private)


# --- one function ------------------------------------------------------------------------------------------


def test_every_surface_asks_shown_identity(monkeypatch, clerk, superuser, person):
    """Give gongkai.cases.applicant.shown_identity another body (its __code__, so that every module that
    imported the function runs the new one) and watch every surface show what it returns."""

    def marker(*, id_type, id_number, phone, surface, staff):
        return ShownIdentity(f"MARK-ID-{surface}-{staff}", f"MARK-PHONE-{surface}-{staff}")

    monkeypatch.setattr(shown_identity, "__code__", marker.__code__)
    assert applicant_rules.shown_identity(
        id_type="resident_id", id_number="x", phone="y", surface=Surface.LIST, staff=False
    ) == ShownIdentity("MARK-ID-list-False", "MARK-PHONE-list-False")

    staff = login(clerk)
    case_page = page(staff, "workbench:application_detail", person.pk)
    assert "MARK-ID-case_page-True" in case_page and "MARK-PHONE-case_page-True" in case_page
    assert person.id_number not in case_page

    listed = page(staff, "workbench:application_list")  # the masked_id / masked_phone template filters
    assert "MARK-ID-list-False" in listed and "MARK-PHONE-list-False" in listed

    (row,) = export_rows(staff)
    assert (row["身份证明号码"], row["联系电话"]) == ("MARK-ID-export-False", "MARK-PHONE-export-False")

    api_row = staff.get(f"/api/applications/{person.pk}").json()
    assert (api_row["id_number"], api_row["phone"]) == ("MARK-ID-api-False", "MARK-PHONE-api-False")
    (api_listed,) = staff.get("/api/applications").json()
    assert api_listed["id_number"] == "MARK-ID-api-False"

    letter = letter_draft(application=person, by=clerk, kind="receipt")
    assert "MARK-ID-letter-True" in letter.body

    admin = login(superuser)
    assert "MARK-ID-export-False" in admin.get("/admin/cases/application/").content.decode()
    change = admin.get(f"/admin/cases/application/{person.pk}/change/").content.decode()
    assert "MARK-ID-export-False" in change and "MARK-PHONE-export-False" in change
