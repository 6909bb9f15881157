"""Bounds on the numbers the case records take: a fee notice's page count and amount, the days of an
extension, the years of the holiday calendar. A number out of bounds is refused with a Chinese message and a
code, and nothing is written; the largest one allowed leaves every page and the data export working."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.fees import MAX_PAGES
from gongkai.cases.models import Application, CalendarOverride, ConfirmedYear, FeeNotice
from gongkai.cases.services import fee_notices
from gongkai.errors import Code


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def issue(application, clerk, today, quantity):
    return services.application_issue_fee_notice(
        application=application, by=clerk, on=today.value, scale="by_volume", quantity=quantity
    )


@pytest.mark.parametrize("quantity", [MAX_PAGES + 1, 99_999_999, 4_294_967_296, 10**20])
def test_a_page_count_beyond_the_limit_is_refused_and_nothing_is_written(application, clerk, today, quantity):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        issue(application, clerk, today, quantity)
    assert codes(caught.value) == {"quantity": [Code.OUT_OF_RANGE]}
    assert f"不能超过{MAX_PAGES}" in caught.value.messages[0]
    assert FeeNotice.objects.count() == 0 and AuditEvent.objects.count() == events
    assert Application.objects.get(pk=application.pk).status == "received"


def test_an_amount_the_column_cannot_hold_is_refused(application, clerk, today, monkeypatch):
    """Were the page limit ever raised, the amount itself is still checked against its column (DECIMAL(10, 2)):
    4,294,967,296 pages would cost 171,798,686,540 元."""
    monkeypatch.setattr(fee_notices, "MAX_PAGES", 10**10)
    with pytest.raises(ValidationError) as caught:
        issue(application, clerk, today, 4_294_967_296)
    assert codes(caught.value) == {"quantity": [Code.OUT_OF_RANGE]}
    assert "171798686540元" in caught.value.messages[0] and "99999999.99元" in caught.value.messages[0]
    assert FeeNotice.objects.count() == 0
    assert fee_notices.amount_max() == Decimal("99999999.99")


def test_the_largest_fee_leaves_the_case_page_the_admin_and_the_export_working(
    client, application, clerk, today, admin_user
):
    notice = issue(application, clerk, today, MAX_PAGES)
    assert notice.amount == Decimal(700 + 2000 + 40 * (MAX_PAGES - 200))
    notice.full_clean()  # the stored row passes its own model's validators
    client.force_login(clerk)
    assert client.get(f"/workbench/applications/{application.pk}/").status_code == 200
    client.force_login(admin_user)
    assert client.get(f"/admin/cases/application/{application.pk}/change/").status_code == 200
    out = io.StringIO()
    call_command("dumpdata", "cases.feenotice", stdout=out)
    assert str(notice.amount) in out.getvalue()


def test_the_models_name_their_bounds(application):
    notice = FeeNotice(
        application=application, scale="by_volume", quantity=MAX_PAGES + 1, amount=Decimal("-1"),
        calculation="-", issued_on=dt.date(2026, 11, 27), pay_due_on=dt.date(2026, 12, 4),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        notice.full_clean()
    assert set(caught.value.error_dict) == {"quantity", "amount"}
    notice.quantity, notice.amount = 1, Decimal("100000000.00")  # 9 digits before the point: too many
    with pytest.raises(ValidationError) as caught:
        notice.full_clean()
    assert set(caught.value.error_dict) == {"amount"}
    application.extension_days = 21
    with pytest.raises(ValidationError) as caught:
        application.full_clean()
    assert set(caught.value.error_dict) == {"extension_days"}


@pytest.mark.parametrize("year", [1999, 2101, 99999])
def test_a_confirmed_year_is_one_a_schedule_can_be_entered_for(db, year):
    with pytest.raises(ValidationError) as caught:
        ConfirmedYear(year=year).full_clean()
    assert set(caught.value.error_dict) == {"year"}
    ConfirmedYear(year=2027).full_clean()


def test_a_calendar_day_is_within_those_years(db):
    with pytest.raises(ValidationError) as caught:
        CalendarOverride(day=dt.date(2200, 1, 1), is_workday=False).full_clean()
    assert caught.value.error_dict["day"][0].code == Code.OUT_OF_RANGE
    assert "1999年至2100年" in caught.value.messages[0]
    CalendarOverride(day=dt.date(1999, 12, 31), is_workday=True).full_clean()


def test_the_admin_refuses_a_year_out_of_bounds_in_chinese(admin_client):
    response = admin_client.post(
        "/admin/cases/confirmedyear/add/", {"year": "99999", "note": "国务院办公厅通知"}
    )
    assert response.status_code == 200 and ConfirmedYear.objects.count() == 0
    assert "2100" in response.content.decode()


def test_the_fee_form_says_the_limit(clerk_client, application):
    response = clerk_client.post(
        f"/workbench/applications/{application.pk}/act/issue_fee_notice/",
        {"issue_fee_notice-scale": "by_volume", "issue_fee_notice-quantity": "4294967296",
         "issue_fee_notice-on": "2026-11-27"},
    )  # fmt: skip
    assert response.status_code == 400
    assert f"不能大于 {MAX_PAGES}" in response.content.decode()
    assert FeeNotice.objects.count() == 0
