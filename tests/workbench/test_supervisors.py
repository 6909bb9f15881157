"""Lists that can span agencies say which agency each row belongs to: for a 上级督查 and a superuser the
dashboard's overdue and due-soon tables, the application list, the review cases, the approvals queue and the
CSV export carry the agency; a clerk who sees one agency gets no agency column (the export keeps its
受理机关 column, whoever downloads it)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from gongkai.agencies.services import membership_grant
from gongkai.cases import services
from tests import factories

pytestmark = pytest.mark.django_db

A = "中卫市沙坡头区科学技术局"
B = "中卫市沙坡头区教育局"
AGENCY_HEADERS = {"机关", "受理机关"}


@pytest.fixture
def cases(tree, clerk, clerk_b, head):
    """In each of agencies a and b: an overdue application (received 2026-10-09/12) of 甲逾期 / 乙逾期, one
    due within five working days (received 2026-11-02) of 甲将到期 / 乙将到期 with an extension waiting for
    the head, and a review case. (Application numbers run per agency: both have 依申〔2026〕第0001号.)"""
    clerk_b.first_name = "钱教育"
    clerk_b.save(update_fields=["first_name"])
    head_b = factories.make_user("head_b", tree["b"], "head")
    made: dict = {}
    for key, staff, boss, serial, who in (("a", clerk, head, 1, "甲"), ("b", clerk_b, head_b, 11, "乙")):
        agency = tree[key]
        overdue = factories.register(
            agency,
            staff,
            serial,
            received_on=date(2026, 10, 9 + 3 * (key == "b")),
            applicant_name=f"{who}逾期",
        )
        soon = factories.register(
            agency, staff, serial + 1, received_on=date(2026, 11, 2), applicant_name=f"{who}将到期"
        )
        services.application_request_extension(
            application=soon, by=staff, on=date(2026, 11, 27), days=10, reason="需调档核查"
        )
        services.review_case_register(
            agency=agency, by=staff, kind="review", case_number=f"卫政复〔2026〕{serial}号",
            filed_on=date(2026, 11, 20),
        )  # fmt: skip
        made[key] = {"overdue": overdue, "soon": soon, "head": boss}
    return made


@pytest.fixture
def superuser(tree):
    """A superuser (sees every agency) who is also the head of both agencies, so has approvals in both."""
    user = get_user_model().objects.create_superuser("root", "root@example.cn", factories.PASSWORD)
    for key in ("a", "b"):
        membership_grant(user=user, agency=tree[key], role="head")
    return user


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def soup(client, name: str) -> BeautifulSoup:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def rows(table) -> tuple[list[str], list[dict[str, str]]]:
    """The header texts of a table and its body rows as {header: cell text}."""
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    body = []
    for tr in table.select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"], recursive=False)]
        body.append(dict(zip(headers, cells, strict=True)))
    return headers, body


def table_in(page: BeautifulSoup, labelled_by: str):
    section = page.find("section", attrs={"aria-labelledby": labelled_by})
    assert section is not None, labelled_by
    table = section.find("table")
    assert table is not None, labelled_by
    return table


def agency_column(headers: list[str]) -> str | None:
    found = [h for h in headers if h in AGENCY_HEADERS]
    assert len(found) <= 1, headers
    return found[0] if found else None


def assert_agency_of_each_row(table, expected: dict[str, str]) -> None:
    """Every row names its agency, and the rows of `expected` (whose text holds a key) the right one."""
    headers, body = rows(table)
    column = agency_column(headers)
    assert column is not None, headers
    assert body
    seen = set()
    for row in body:
        assert row[column] in (A, B), row
        text = " ".join(row.values())
        for key, agency in expected.items():
            if key in text:
                assert row[column] == agency, row
                seen.add(key)
    assert seen == set(expected), (seen, expected)


def assert_no_agency_column(table) -> None:
    headers, body = rows(table)
    assert agency_column(headers) is None, headers
    assert body
    for row in body:
        assert A not in row.values() and B not in row.values()


def export(client) -> list[dict]:
    response = client.get(reverse("workbench:application_export"))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# --- those who see several agencies -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "superuser"])
def test_dashboard_tables_name_the_agency(request, cases, who):
    client = login(request.getfixturevalue(who))
    page = soup(client, "workbench:dashboard")
    assert_agency_of_each_row(table_in(page, "overdue-title"), {"甲逾期": A, "乙逾期": B})
    assert_agency_of_each_row(table_in(page, "soon-title"), {"甲将到期": A, "乙将到期": B})


@pytest.mark.parametrize("who", ["supervisor", "superuser"])
def test_application_list_names_the_agency(request, cases, who):
    client = login(request.getfixturevalue(who))
    page = soup(client, "workbench:application_list")
    expected = {"甲逾期": A, "甲将到期": A, "乙逾期": B, "乙将到期": B}
    assert_agency_of_each_row(page.select_one("table.data"), expected)
    # the htmx partial is the same table
    response = client.get(reverse("workbench:application_list"), HTTP_HX_REQUEST="true")
    partial = BeautifulSoup(response.content.decode(), "html.parser")
    assert_agency_of_each_row(partial.select_one("table.data"), expected)


@pytest.mark.parametrize("who", ["supervisor", "superuser"])
def test_review_case_list_names_the_agency(request, cases, who):
    page = soup(login(request.getfixturevalue(who)), "workbench:review_case_list")
    expected = {"卫政复〔2026〕1号": A, "卫政复〔2026〕11号": B}
    assert_agency_of_each_row(page.select_one("table.data"), expected)


@pytest.mark.parametrize("who", ["supervisor", "superuser"])
def test_export_names_the_agency(request, cases, who):
    by_applicant = {row["申请人"]: row["受理机关"] for row in export(login(request.getfixturevalue(who)))}
    assert by_applicant == {"甲逾期": A, "甲将到期": A, "乙逾期": B, "乙将到期": B}


def test_approvals_of_several_agencies_name_the_agency(cases, superuser):
    client = login(superuser)
    expected = {"李文": A, "钱教育": B}  # who asked for each extension
    queue = soup(client, "workbench:approval_queue")
    assert_agency_of_each_row(queue.select_one("table.data"), expected)
    dashboard = soup(client, "workbench:dashboard")
    assert_agency_of_each_row(table_in(dashboard, "approvals-title"), expected)


def test_a_supervisor_has_no_approvals(cases, supervisor):
    client = login(supervisor)
    queue = soup(client, "workbench:approval_queue")
    assert queue.select_one("table.data") is None
    assert "没有等待您审核、签发或审批的事项" in queue.get_text()
    dashboard = soup(client, "workbench:dashboard")
    assert dashboard.find("section", attrs={"aria-labelledby": "approvals-title"}) is None


# --- a clerk of one agency -------------------------------------------------------------------------------


def test_a_clerk_of_one_agency_sees_no_agency_column(cases, clerk):
    client = login(clerk)
    dashboard = soup(client, "workbench:dashboard")
    assert_no_agency_column(table_in(dashboard, "overdue-title"))
    assert_no_agency_column(table_in(dashboard, "soon-title"))
    listed = soup(client, "workbench:application_list")
    assert_no_agency_column(listed.select_one("table.data"))
    names = {row["申请人"] for row in rows(listed.select_one("table.data"))[1]}
    assert names == {"甲逾期 自然人", "甲将到期 自然人"}
    # no agency filter to choose from either
    assert listed.select_one('select[name="agency"]') is None
    # the export keeps its column
    exported = export(client)
    assert {row["受理机关"] for row in exported} == {A}
    assert len(exported) == 2


def test_a_clerk_sees_no_agency_column_in_the_review_cases(cases, clerk):
    page = soup(login(clerk), "workbench:review_case_list")
    assert_no_agency_column(page.select_one("table.data"))
    assert "卫政复〔2026〕11号" not in page.get_text()


def test_a_head_of_one_agency_sees_no_agency_column_in_the_approvals(cases):
    client = login(cases["a"]["head"])
    queue = soup(client, "workbench:approval_queue")
    assert_no_agency_column(queue.select_one("table.data"))
    assert "钱教育" not in queue.get_text() and "李文" in queue.get_text()
    dashboard = soup(client, "workbench:dashboard")
    assert_no_agency_column(table_in(dashboard, "approvals-title"))
