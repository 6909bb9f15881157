"""`gongkai demo` data: loaded through the services into a fresh data directory, and consistent with the seed
report (沙坡头区科学技术局: no applications in 2020) and with itself (annual tables = workbench counts)."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.http import Http404
from django.test import override_settings

from gongkai import demo
from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agencies_visible
from gongkai.agencies.validators import credit_code_problem, id_number_problem
from gongkai.audit.models import AuditEvent
from gongkai.cases.enums import EventKind, Status
from gongkai.cases.models import Application, ApplicationEvent, ReviewCase
from gongkai.cases.selectors import application_get, application_list, dashboard_counts, review_cases_for
from gongkai.catalog.figures import proactive_figures
from gongkai.catalog.models import Item, Post
from gongkai.demo import data as demo_data_module
from gongkai.report.formats import FORMATS, OUTCOME_GROUPS, TABLE3_APPLICANT_COLUMNS, outcomes_in_group
from gongkai.report.rules import check
from gongkai.reports import selectors as reports
from tests.conftest import TODAY as SUITE_TODAY
from tests.conftest import TZ

TOTAL = len(TABLE3_APPLICANT_COLUMNS)
TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """run_demo(serve=False) once for the module, on a temporary data directory, on the suite's frozen
    date; wiped afterwards."""
    data_dir = tmp_path_factory.mktemp("gongkai-data")
    frozen = dt.datetime(SUITE_TODAY.year, SUITE_TODAY.month, SUITE_TODAY.day, 10, tzinfo=TZ)
    with time_machine.travel(frozen), django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir):
        assert demo.run_demo(port=8123, reset=False, serve=False) == 0
        yield data_dir
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


def user(name):
    return get_user_model().objects.get(username=name)


def annual_tables(*, agency, year):
    return reports.annual_tables(user=user("admin"), agency_id=agency.pk, year=year)


def agency(name):
    return Agency.objects.get(name=name)


def value(report, row, column=TOTAL):
    return report.table3[row][column].value


def table_errors(report, previous=None):
    """Every error of check() but R8: the six text sections are the report builder's, not built from the
    records (table 2, also the builder's, is blank, which R11 reports as info, not as an error)."""
    return [f for f in check(report, previous=previous) if f.severity == "error" and f.rule != "R8"]


def test_data_dir_created_and_kejiju_has_its_real_contact_data(demo_data, db):
    assert demo_data.is_dir()
    kejiju = agency(demo_data_module.KEJIJU)
    assert kejiju.address == "中卫市沙坡头区科学技术局办公室305室"
    assert (kejiju.postcode, kejiju.phone, kejiju.email) == ("755000", "0955-8812012", "sptqkxjsj@163.com")
    district = agency(demo_data_module.DISTRICT)
    assert district.is_supervisor
    assert kejiju.parent == district and kejiju.path.startswith(district.path)
    assert district.parent.name == "中卫市" and district.parent.parent.name == "宁夏回族自治区"


def test_kejiju_received_no_applications_in_2020_and_its_tables_are_zero(demo_data, db):
    kejiju = agency(demo_data_module.KEJIJU)
    clerk = user("kejiju_clerk")
    assert not Application.objects.filter(agency=kejiju, received_on__year=2020).exists()
    assert application_list(user=clerk, year=2020).count() == 0
    report = annual_tables(agency=kejiju, year=2020)
    assert report.format == "2019"
    assert all(cell.value == 0 for cells in report.table3.values() for cell in cells)
    assert all(cell.value == 0 for cells in report.table4.values() for cell in cells)
    assert table_errors(report) == []


def test_busier_agency_tables_pass_the_rules_and_match_the_workbench(demo_data, db):
    ziranju = agency(demo_data_module.ZIRANJU)
    clerk = user("ziranju_clerk")
    previous = None
    for year in demo_data_module.YEARS:
        report = annual_tables(agency=ziranju, year=year)
        fmt = FORMATS["2021" if year >= 2021 else "2019"]
        assert report.format == fmt.code
        assert table_errors(report, previous) == [], year
        previous = report

        counts = dashboard_counts(user=clerk, year=year, today=TODAY)
        assert counts["received"] == value(report, "new") == application_list(user=clerk, year=year).count()
        assert counts["carried_in"] == value(report, "carried_in")
        assert counts["concluded"] == value(report, "total")
        assert counts["carried_out"] == value(report, "carried_out")
        for column in TABLE3_APPLICANT_COLUMNS:
            listed = application_list(user=clerk, year=year, applicant_kind=column.code).count()
            assert listed == value(report, "new", TABLE3_APPLICANT_COLUMNS.index(column)) > 0, (year, column)
        by_group = {o["code"]: o["count"] for o in counts["outcomes"]}
        for group in OUTCOME_GROUPS:
            rows = {o.row(fmt.code) for o in outcomes_in_group(group.code)}
            assert by_group[group.code] == sum(value(report, code) for code in rows), (year, group)
        # every outcome row is used every year, and applications cross each year end
        assert all(value(report, code) > 0 for code in fmt.outcome_codes), year
        assert value(report, "carried_out") > 0
        if year > 2020:
            assert value(report, "carried_in") > 0
    # table 4: reviews and suits in each year, some pending across a year end
    t4 = {y: annual_tables(agency=ziranju, year=y).table4 for y in demo_data_module.YEARS}
    assert all(t4[y]["review"][4].value > 0 for y in demo_data_module.YEARS)
    assert sum(t4[y][g][3].value for y in demo_data_module.YEARS for g in t4[y]) > 0
    assert t4[2021]["litigation_after_review"][4].value > 0


def test_the_shengtai_agency_passes_too(demo_data, db):
    shengtai = agency(demo_data_module.SHENGTAI)
    for year in demo_data_module.YEARS:
        assert table_errors(annual_tables(agency=shengtai, year=year)) == []


def test_records_were_written_through_the_services(demo_data, db):
    apps = Application.objects.filter(agency__name=demo_data_module.ZIRANJU)
    assert 200 <= apps.count() <= 400
    received = ApplicationEvent.objects.filter(kind=EventKind.RECEIVED).values("application")
    assert not apps.exclude(pk__in=received).exists()
    replied = ApplicationEvent.objects.filter(kind=EventKind.REPLIED).values("application")
    assert not apps.filter(status=Status.CONCLUDED).exclude(pk__in=replied).exists()
    for kind in (
        EventKind.CORRECTION_REQUESTED,
        EventKind.CORRECTION_RECEIVED,
        EventKind.CONSULTATION_STARTED,
        EventKind.FEE_NOTICE,
        EventKind.FEE_PAID,
        EventKind.EXTENDED,
    ):
        assert ApplicationEvent.objects.filter(
            kind=kind, application__agency__name=demo_data_module.ZIRANJU
        ).exists(), kind
    assert AuditEvent.objects.filter(action="application.register").count() == Application.objects.count()
    assert AuditEvent.objects.filter(action="agency.create").count() == Agency.objects.count()
    assert ReviewCase.objects.filter(application__isnull=False).exists()
    # applicants' identifiers carry valid check characters
    for number, id_type in Application.objects.values_list("id_number", "id_type"):
        problem = id_number_problem(number) if id_type == "resident_id" else credit_code_problem(number)
        assert problem is None, number


def test_demo_logins_and_isolation(demo_data, db):
    usernames = [u for u, _name, _role in demo_data_module.DEMO_LOGINS]
    users = {name: user(name) for name in usernames}
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert len({u.password for u in users.values()}) == 1  # one hash: checking one checks all
    assert users["kejiju_clerk"].check_password(demo_data_module.DEMO_PASSWORD)

    supervised = {a.name for a in agencies_visible(user=users["district_supervisor"])}
    assert supervised == {demo_data_module.DISTRICT, demo_data_module.KEJIJU, demo_data_module.ZIRANJU}
    assert demo_data_module.SHENGTAI not in supervised
    assert {a.agency.name for a in application_list(user=users["district_supervisor"])} == {
        demo_data_module.ZIRANJU
    }
    assert {c.agency.name for c in review_cases_for(user=users["district_supervisor"])} == {
        demo_data_module.ZIRANJU
    }

    ziranju_case = Application.objects.filter(agency__name=demo_data_module.ZIRANJU).first()
    with pytest.raises(Http404):
        application_get(user=users["kejiju_clerk"], pk=ziranju_case.pk)
    with pytest.raises(Http404):
        application_get(user=users["shengtai_clerk"], pk=ziranju_case.pk)
    assert application_list(user=users["kejiju_clerk"]).count() == 0
    assert application_get(user=users["district_supervisor"], pk=ziranju_case.pk) == ziranju_case


def test_running_again_keeps_the_data_and_reset_reloads_the_same(demo_data, db, monkeypatch, capsys):
    def fingerprint():
        applications = list(
            Application.objects.filter(received_on__year__lte=2022)
            .order_by("agency__name", "number")
            .values_list("agency__name", "number", "applicant_name", "id_number", "outcome", "concluded_on")
        )
        items = list(
            Item.objects.filter(published_on__year__lte=2022)
            .order_by("index_number")
            .values_list("index_number", "column__name", "title", "doc_number", "formed_on", "published_at")
        )
        posts = list(
            Post.objects.order_by("account__platform", "posted_on", "title").values_list("title", "original")
        )
        return applications, items, posts

    before = fingerprint()
    with override_settings(DATA_DIR=demo_data):
        assert demo.run_demo(port=8123, reset=False, serve=False) == 0
        assert "演示数据已存在" in capsys.readouterr().out
        assert fingerprint() == before

        # on a terminal, --reset asks first; anything but yes keeps the data
        monkeypatch.setattr("sys.stdin.isatty", lambda: True)
        monkeypatch.setattr("builtins.input", lambda prompt: "n")
        assert demo.run_demo(port=8123, reset=True, serve=False) == 1
        assert "已取消" in capsys.readouterr().out
        assert fingerprint() == before

        # without a terminal (scripts), --reset proceeds: wiped and reloaded, deterministically; the uploads
        # of the deleted rows go too (kept, a new row could be shown them)
        upload = Path(settings.MEDIA_ROOT) / "attachments" / "ab" / ("ab" + "0" * 30)
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"an applicant's scan")
        monkeypatch.setattr("sys.stdin.isatty", lambda: False)
        assert demo.run_demo(port=8123, reset=True, serve=False) == 0
        assert not upload.exists()
        out = capsys.readouterr().out
        assert "已删除原有数据" in out and "已载入演示数据" in out
        assert "kejiju_clerk" in out and demo_data_module.DEMO_PASSWORD in out
        assert fingerprint() == before
    ContentType.objects.clear_cache()


def test_foreign_data_is_not_overwritten(db, tmp_path, capsys):
    # start from an empty database whether or not the module's demo data is loaded (rolled back after)
    call_command("flush", interactive=False, verbosity=0)
    Agency.objects.create(name="某机关", path="/999/")
    with override_settings(DATA_DIR=tmp_path / "data"):
        assert demo.run_demo(port=8123, reset=False, serve=False) == 0
    assert "不是演示数据" in capsys.readouterr().err
    assert not Application.objects.exists()
    ContentType.objects.clear_cache()


# --- the catalog of 沙坡头区科学技术局: the seed report's 主动公开 figures from records ----------------------------

# （二）主动公开政府信息情况 of the seed, column by column, plus the one item its list leaves out (gongkai.demo.catalog)
SEED_COLUMNS = {
    "权责清单": 1, "法制专栏": 1, "科技类文件": 18, "议案提案": 1, "扶贫开发": 2, "部门预算": 1, "部门决算": 1,
    "就业创业": 2, "行政执法": 1, "部门动态": 78, "政府开放日": 2, "意见征集": 1, "意见征集反馈": 2, "三农服务": 1,
    "公示公告": 1,
}  # fmt: skip
MISSING_FROM_THE_SEEDS_LIST = {"政府信息公开年报": 1}


def kejiju_figures(year=2020):
    return proactive_figures(agency_id=agency(demo_data_module.KEJIJU).pk, year=year)


def test_kejiju_2020_figures_are_the_seed_reports(demo_data, db):
    figures = kejiju_figures()
    data = figures.as_json()
    assert sum(SEED_COLUMNS.values()) == 113  # the seed's own list; it says 114
    assert data["total"] == 934
    assert data["channels"] == [
        {"name": "政府网站", "total": 114, "original": None, "reposted": None},
        {"name": "政务微博", "total": 714, "original": 1, "reposted": 713},
        {"name": "微信公众号", "total": 106, "original": 69, "reposted": 37},
    ]
    assert dict(figures.columns) == SEED_COLUMNS | MISSING_FROM_THE_SEEDS_LIST
    assert len(figures.columns) == 16
    assert data["table2"]["other_services"] == {"previous": 3, "change": 0, "decisions": 0}
    assert data["table2"]["penalty"] == {"previous": 2, "change": 0, "decisions": 0}
    others = {row: cols for row, cols in data["table2"].items() if row not in ("other_services", "penalty")}
    assert all(v == 0 for cols in others.values() for v in cols.values()), others
    assert figures.unentered == []  # every cell of table 2 was entered or comes from the items
    # the accounts are named as the report names them
    names = set(
        Post.objects.filter(account__agency__name=demo_data_module.KEJIJU).values_list(
            "account__name", flat=True
        )
    )
    assert names == {"沙坡头区科学技术局政务微博", "沙坡头区科学技术局微信公众平台"}


def _section_two(figures) -> str:
    """（二）主动公开政府信息情况 written from the figures, in the seed's words."""
    web, *media = figures.channels
    parts = "，".join(f"{name}{n}条" for name, n in figures.columns)
    text = f"主动公开政府信息共{figures.total}条。通过政府网站主动公开政府信息共{web.total}条，其中{parts}。"
    for channel in media:
        text += (
            f"通过{channel.name}主动公开政府信息{channel.total}条，"
            f"其中原创信息{channel.original}条，转载信息{channel.reposted}条。"
        )
    return text


def test_the_report_core_agrees_with_the_seed_cell_by_cell(demo_data, db, seed_path):
    from gongkai.report.parse import read_path

    seed = read_path(seed_path)
    figures = kejiju_figures()
    report = annual_tables(agency=agency(demo_data_module.KEJIJU), year=2020)
    report.table2 = figures.table2_cells()
    report.sections["1"] = _section_two(figures)
    findings = check(report)
    assert [f for f in findings if f.severity == "error" and f.rule != "R8"] == []
    # the text written from the records adds up (R10); the seed's does not (114 stated, 113 listed)
    assert not [f for f in findings if f.rule == "R10"]
    assert [f.rule for f in check(seed) if f.rule == "R10"] == ["R10"]
    assert seed.format == report.format == "2019"
    assert set(seed.table2) == set(report.table2)
    for row, cells in seed.table2.items():
        assert set(cells) == set(report.table2[row]), row
        for column, cell in cells.items():
            assert cell.value == report.table2[row][column].value, (row, column)


def test_kejiju_items_went_through_the_review_as_past_year_entries(demo_data, db):
    from gongkai.approvals.models import ApprovalDecision
    from gongkai.catalog.enums import ItemStatus
    from gongkai.catalog.models import ReviewSheet

    kejiju = agency(demo_data_module.KEJIJU)
    items = Item.objects.filter(agency=kejiju)
    published = items.filter(status=ItemStatus.PUBLISHED)
    assert published.filter(published_on__year=2020).count() == 114
    assert published.filter(published_on__year__gt=2020).count() >= 5  # later years and this one
    # every published item has its approved 保密审查单, reviewed by the reviewer and approved by the head
    sheets = ReviewSheet.objects.filter(item__in=published, approved=True)
    assert sheets.count() == published.count()
    deciders = set(
        ApprovalDecision.objects.filter(request__in=sheets.values("approval")).values_list(
            "by__username", "role"
        )
    )
    assert deciders == {("kejiju_reviewer", "reviewer"), ("kejiju_head", "head")}
    # published in 2020 on the record, entered now: the audit says so
    events = AuditEvent.objects.filter(action="catalog.item_publish", agency=kejiju)
    past = [e for e in events if e.after["published_on"] < f"{SUITE_TODAY.year}-01-01"]
    assert len(past) == published.filter(published_on__year__lt=SUITE_TODAY.year).count()
    assert all(e.after.get("past_year_reason") for e in past)
    # 索引号 from the agency's organisation code, the year it was formed and a serial
    assert (
        kejiju.credit_code == demo_data_module.KEJIJU_CREDIT_CODE
        and credit_code_problem(kejiju.credit_code) is None
    )
    numbers = list(
        items.filter(formed_on__year=2020).order_by("index_number").values_list("index_number", flat=True)
    )
    assert numbers[:2] == ["010536271/2020-00001", "010536271/2020-00002"] and len(set(numbers)) == 114
    documents = items.filter(column__name="科技类文件").values_list("doc_number", flat=True)
    assert len(set(documents)) == 18 and all(n.startswith("卫沙科发〔2020〕") for n in documents)
    # the report's own finding "部分信息公开的时效性不够强": two documents were published late
    assert published.filter(late=True, published_on__year=2020).count() == 2
    # one item waits for the reviewer
    assert items.filter(status=ItemStatus.REVIEWING).count() == 1
    # no 规章 or 规范性文件 in 2020 (table 2); one 规范性文件 in 2021
    assert kejiju_figures(2021).table2["normative_documents"] == {"issued": 1, "repealed": 0, "in_force": 1}


def test_the_scheduled_release_is_published_by_the_worker(demo_data, db, today, run_tasks, capsys):
    from django.utils import timezone

    from gongkai.catalog.enums import ItemStatus
    from gongkai.demo.catalog import demo_release

    demo._schedule_release()  # what `gongkai demo` does before it serves
    item, at = demo_release()  # started again before it is due: the same one
    assert item.status == ItemStatus.SCHEDULED and item.agency.name == demo_data_module.KEJIJU
    assert dt.timedelta(minutes=2) <= at - timezone.now() <= dt.timedelta(minutes=3)
    said = capsys.readouterr().out
    assert f"“{item.title}”（索引号 {item.index_number}）已通过保密审查" in said
    assert f"将于 {timezone.localtime(at):%H:%M}（约3分钟后）由后台任务进程自动发布到“部门动态”栏目" in said
    assert run_tasks() == 0  # not due yet
    today.shift(dt.timedelta(minutes=4))
    assert run_tasks() >= 1
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_at >= at
    later, _ = demo_release()  # the next start: another one
    assert later.pk != item.pk and later.title != item.title
