"""Plain helpers that build agencies, staff and applications for the page tests (workbench, portal,
browser). Applications are registered through the services, as the pages do."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongkai.agencies.models import Membership
from gongkai.agencies.services import agency_create
from gongkai.agencies.validators import id_check_char
from gongkai.cases import services
from gongkai.cases.calendar import work_calendar_invalidate
from gongkai.cases.models import ConfirmedYear

PASSWORD = "Zheng-Wu-2026!"
CREDIT_CODE = "91350100M000100Y43"


def id_number(serial: int, region: str = "640502", birth: str = "19800101") -> str:
    """A 居民身份证号码 with a correct check character."""
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + id_check_char(body)


def confirm_years() -> None:
    """Tests run on the real date: let this year and the next count as confirmed, whatever the package
    covers, so that deadlines can be computed in any year the suite runs."""
    today = timezone.localdate()
    for year in (today.year - 1, today.year, today.year + 1):
        ConfirmedYear.objects.get_or_create(year=year, defaults={"note": "测试"})
    work_calendar_invalidate()


def make_tree() -> dict:
    region = agency_create(name="中卫市沙坡头区人民政府", is_supervisor=True)
    return {
        "region": region,
        "a": agency_create(
            name="中卫市沙坡头区科学技术局",
            parent=region,
            office_name="办公室",
            address="中卫市沙坡头区文萃路1号",
            phone="0955-7012345",
        ),
        "b": agency_create(name="中卫市沙坡头区教育局", parent=region, phone="0955-7019999"),
    }


def make_user(username: str, agency=None, *roles: str, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


def register(agency, by, serial: int = 1, *, received_on: datetime.date | None = None, **fields):
    data = {
        "applicant_kind": "natural_person",
        "applicant_name": f"张{serial}",
        "id_type": "resident_id",
        "id_number": id_number(serial),
        "phone": f"139{serial:08d}",
        "description": "2025年度科技项目资金分配结果及相关文件",
        "requested_form": "electronic",
        "delivery": "email",
        "email": f"user{serial}@example.cn",
        "channel": "letter",
        "received_on": received_on or timezone.localdate(),
    }
    data.update(fields)
    return services.application_register(agency=agency, by=by, **data)
