"""Plain helpers that build agencies, staff, applications and replies for the tests, through the services as
the pages do. The fixtures that use them are in tests/conftest.py (defined once for every test package)."""

from __future__ import annotations

import calendar
import datetime
import itertools
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.services import agency_create, membership_grant
from gongkai.agencies.validators import id_check_char
from gongkai.approvals.models import Kind
from gongkai.approvals.selectors import pending_request
from gongkai.approvals.services import approval_decide, policy_set
from gongkai.cases import letters, services
from gongkai.cases.applicant import Applicant
from gongkai.cases.models import Application, ConfirmedYear
from gongkai.workdays import WorkCalendar

PASSWORD = "Zheng-Wu-2026!"
VALID_ID = "11010519491231002X"  # the GB 11643-1999 example number
VALID_CREDIT_CODE = "91350100M000100Y43"
CREDIT_CODE = VALID_CREDIT_CODE
TEST_REASON = "测试：补录以前年度的办件"
# What a clerk writes into the 【…】 of a letter before issuing it.
FILL = {
    "【获取方式、途径】": "本机关网站政府信息公开专栏",
    "【不予公开的内容】": "第三方商业秘密部分",
    "【不予公开的理由及依据】": "第三方不同意公开",
    "【法律、行政法规名称及条款】": "《不动产登记暂行条例》第二十七条",
    "【工商、不动产登记资料等】": "不动产登记资料",
    "【理由】": "该信息由其他机关制作",
    "【负责公开的行政机关名称】": "某区住房和城乡建设局",
    "【联系方式】": "0955-7000000",
    "【信访、投诉、举报渠道】": "区信访局",
    "【日期】": "2020年3月2日",
    "【获取途径】": "市图书馆",
    "【处理情况、理由及依据】": "申请人已撤回",
    "【延期理由】": "需调档核查",
    "【缴费方式】": "到政务服务中心窗口缴纳",
    "【复议机关】": "中卫市沙坡头区人民政府",
    "【人民法院名称】": "中卫市沙坡头区人民法院",
}


def id_number(serial: int, region: str = "640502", birth: str = "19800101") -> str:
    """A 居民身份证号码 with a correct check character."""
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + id_check_char(body)


def set_letter_levels(agency, steps: list[dict]) -> None:
    with transaction.atomic():
        policy_set(agency=agency, kind=Kind.LETTER, steps=steps, by=None)


TWO_LEVELS = [{"name": "review", "role": "reviewer"}, {"name": "sign", "role": "head"}]


# --- a year whose holiday schedule is not known ----------------------------------------------------------

NOTICES = Path(__file__).parent / "fixtures" / "notices"
SHARED_NOTICES = Path(__file__).resolve().parents[2] / "shared" / "docs" / "notices"


def unconfirmed_year(after: int = 2026) -> int:
    """The first year from `after` on that neither the calendar package nor a ConfirmedYear row covers (2027
    until the package learns it): tests of estimates never break when it does."""
    saved = set(ConfirmedYear.objects.values_list("year", flat=True))
    return next(y for y in itertools.count(after) if not WorkCalendar().is_confirmed(y) and y not in saved)


def _same_calendar(a: int, b: int) -> bool:
    return datetime.date(a, 1, 1).weekday() == datetime.date(b, 1, 1).weekday() and calendar.isleap(
        a
    ) == calendar.isleap(b)


def holiday_notice_for(year: int) -> tuple[str, str]:
    """(text, kind) of a holiday schedule for `year`, as an administrator would enter it: a real State Council
    notice of a year with the same calendar (weekdays and leap day), its years changed to `year` ("notice"),
    or, when no such notice is at hand, `holiday_csv_for(year)` ("csv")."""
    notices = sorted(NOTICES.glob("[0-9][0-9][0-9][0-9].txt")) + sorted(
        SHARED_NOTICES.glob("[0-9][0-9][0-9][0-9].txt")
    )
    for path in notices:
        real = int(path.stem)
        if _same_calendar(real, year):
            text = path.read_text(encoding="utf-8")
            return text.replace(str(real), str(year)).replace(str(real - 1), str(year - 1)), "notice"
    return holiday_csv_for(year), "csv"


def holiday_csv_for(year: int) -> str:
    """A made-up schedule for `year` in the CSV form (日期,类型) that moves January's deadlines: New Year's
    week off (1–8 January, weekdays) and a make-up Saturday after it."""
    new_year = [datetime.date(year, 1, d) for d in range(1, 9) if datetime.date(year, 1, d).weekday() < 5]
    saturday = next(
        datetime.date(year, 1, d) for d in range(9, 16) if datetime.date(year, 1, d).weekday() == 5
    )
    rows = [f"{d.isoformat()},休" for d in new_year] + [f"{saturday.isoformat()},班"]
    return "date,kind\n" + "\n".join(rows) + "\n"


def make_tree() -> dict:
    """区政府 › 科学技术局 (a), 区政府 › 教育局 (b). Both number their letters and issue them directly
    (no approval levels) unless a test sets levels."""
    region = agency_create(name="中卫市沙坡头区人民政府", is_supervisor=True)
    tree = {
        "region": region,
        "a": agency_create(
            name="中卫市沙坡头区科学技术局",
            parent=region,
            office_name="办公室",
            address="中卫市沙坡头区文萃路1号",
            phone="0955-7012345",
            letter_code="沙科信公开",
            index_code="640502001",
            review_body="中卫市沙坡头区人民政府",
            court="中卫市沙坡头区人民法院",
        ),
        "b": agency_create(
            name="中卫市沙坡头区教育局",
            parent=region,
            phone="0955-7019999",
            letter_code="沙教信公开",
            index_code="640502002",
        ),
    }
    for key in ("a", "b"):
        set_letter_levels(tree[key], [])
    return tree


def make_user(username: str, agency=None, *roles: str, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    for role in roles:
        membership_grant(user=user, agency=agency, role=role)
    return user


def applicant(serial: int = 1, **fields) -> Applicant:
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
    }
    data.update(fields)
    return Applicant.of(data)


def register(
    agency, by, serial: int = 1, *, received_on: datetime.date | None = None, channel="letter", **fields
):
    received_on = received_on or timezone.localdate()
    return services.application_register(
        agency=agency,
        by=by,
        applicant=applicant(serial, **fields),
        channel=channel,
        received_on=received_on,
        past_year_reason=TEST_REASON if received_on.year < timezone.localdate().year else "",
    )


def fill_placeholders(letter, by):
    """Write into a draft what the clerk would write into its 【…】."""
    body = letter.body
    for placeholder, text in FILL.items():
        body = body.replace(placeholder, text)
    if body != letter.body:
        letter = letters.letter_update(letter=letter, by=by, title=letter.title, body=body)
    return letter


def issue(letter, by, on: datetime.date, *, approver=None):
    """Fill, send through the agency's approval levels (decided by `approver`), issue."""
    letter = fill_placeholders(letter, by)
    letters.letter_submit(letter=letter, by=by, on=on)
    while (request := pending_request(subject=letter)) is not None:
        approval_decide(request=request, by=approver, approved=True, on=on)
    reason = TEST_REASON if on.year < timezone.localdate().year else ""
    return letters.letter_issue(letter=letter, by=by, on=on, past_year_reason=reason)


def reply(application, by, on: datetime.date, outcome: str, note: str = "", *, approver=None):
    """Reply as a clerk does: the 答复告知书 with its outcome, filled and issued; the application concludes."""
    letter = services.application_prepare_reply(application=application, by=by, outcome=outcome, note=note)
    issue(letter, by, on, approver=approver)
    application.refresh_from_db()
    return application


def extend(application, head, on: datetime.date, days: int, reason: str = "需调档核查"):
    """An extension asked by the head, who approves it at once (Art. 33 (2))."""
    request = services.application_request_extension(
        application=application, by=head, on=on, days=days, reason=reason
    )
    application.refresh_from_db()
    return request


# --- records written directly (for the selectors' counting tests, thousands of rows) -------------------------

_serial = itertools.count(1)


def raw_application(
    agency, received, *, concluded=None, outcome="", kind="natural_person", status=None, save=True, **extra
):
    """An application with the required fields filled, written without the services; concluded ones get
    status 已办结."""
    n = next(_serial)
    received = datetime.date.fromisoformat(received) if isinstance(received, str) else received
    concluded = datetime.date.fromisoformat(concluded) if isinstance(concluded, str) else concluded
    obj = Application(
        agency=agency,
        number=f"T{received.year}-{n:06d}",
        query_code=f"Q{n:011d}",
        applicant_kind=kind,
        applicant_name=f"申请人{n}",
        id_type="resident_id",
        id_number=VALID_ID,
        phone="13900000000",
        description=extra.pop("description", f"关于第{n}号事项的政府信息"),
        requested_form="electronic",
        delivery="email",
        channel="online",
        received_on=received,
        clock_start=received,
        status=status or ("concluded" if concluded else "received"),
        outcome=outcome,
        concluded_on=concluded,
        **extra,
    )
    if save:
        obj.save()
    return obj


def user_with(name, *memberships, **extra):
    """A user with (agency, role) memberships, granted through the service."""
    u = get_user_model().objects.create_user(name, password=PASSWORD, **extra)
    for agency, role in memberships:
        membership_grant(user=u, agency=agency, role=role)
    return u
