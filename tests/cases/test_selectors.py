"""Selectors of gongkai.cases: agency isolation through every door, query counts that do not grow with the
data, and tables 3 and 4 of the annual report computed from the records (hand counts and random data)."""

import datetime as dt
import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from gongkai.agencies.models import Role
from gongkai.agencies.services import agency_create
from gongkai.cases.enums import CaseKind, Status
from gongkai.cases.models import Application, ReviewCase
from gongkai.cases.selectors import (
    application_get,
    application_list,
    applications_due_soon,
    applications_for,
    applications_overdue,
    dashboard_counts,
    due_soon_limit,
    review_cases_for,
)
from gongkai.report.formats import (
    OUTCOME_GROUPS,
    OUTCOMES,
    TABLE3_APPLICANT_COLUMNS,
    outcomes_in_group,
)
from gongkai.reports.selectors import annual_tables, annual_tables_all
from gongkai.workdays import WorkCalendar
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
KINDS = [c.code for c in TABLE3_APPLICANT_COLUMNS]
app = factories.raw_application
user = factories.user_with


@pytest.fixture
def world():
    """Two districts of one city; district A has two departments with cases, district B one."""
    city = agency_create(name="中卫市")
    district_a = agency_create(name="沙坡头区人民政府", parent=city, is_supervisor=True)
    a1 = agency_create(name="沙坡头区科学技术局", parent=district_a)
    a2 = agency_create(name="沙坡头区自然资源局", parent=district_a)
    district_b = agency_create(name="中宁县人民政府", parent=city, is_supervisor=True)
    b1 = agency_create(name="中宁县自然资源局", parent=district_b)
    cases = {}
    for agency in (a1, a2, b1):
        tag = agency.name
        cases[agency.pk] = [
            app(agency, "2020-03-02", concluded="2020-03-20", outcome="granted", description=f"{tag}规划图"),
            app(agency, "2020-09-01", due_on=D("2020-09-25"), description=f"{tag}超期事项"),
            app(agency, "2020-09-20", due_on=D("2020-10-12"), description=f"{tag}临期事项"),
        ]
        ReviewCase.objects.create(
            agency=agency, kind=CaseKind.REVIEW, case_number=f"{tag}复议1号", filed_on=D("2020-05-01")
        )
    return {
        "city": city,
        "district_a": district_a,
        "a1": a1,
        "a2": a2,
        "district_b": district_b,
        "b1": b1,
        "cases": cases,
        "clerk_a1": user("clerk_a1", (a1, Role.CLERK)),
        "clerk_b1": user("clerk_b1", (b1, Role.CLERK)),
        "supervisor_a": user("supervisor_a", (district_a, Role.SUPERVISOR)),
        "admin": user("admin", is_superuser=True),
    }


TODAY = D("2020-09-28")


def agencies_in(qs):
    return {a.agency.name for a in qs}


# --- isolation ---------------------------------------------------------------------------------------


def test_staff_of_one_agency_see_nothing_of_another_through_any_selector(world):
    a1, b1 = world["a1"], world["b1"]
    clerk = world["clerk_a1"]
    own = {a.pk for a in world["cases"][a1.pk]}
    foreign = world["cases"][b1.pk]

    assert {a.pk for a in applications_for(user=clerk)} == own
    assert {a.pk for a in application_list(user=clerk)} == own
    assert list(application_list(user=clerk, agency_id=b1.pk)) == []
    assert list(application_list(user=clerk, q="中宁县")) == []
    assert agencies_in(applications_due_soon(user=clerk, today=TODAY)) == {a1.name}
    assert agencies_in(applications_overdue(user=clerk, today=TODAY)) == {a1.name}
    assert {c.agency for c in review_cases_for(user=clerk)} == {a1}
    counts = dashboard_counts(user=clerk, year=2020, today=TODAY)
    assert (counts["received"], counts["concluded"], counts["open"]) == (3, 1, 2)
    assert (counts["overdue"], counts["due_soon"]) == (1, 1)
    assert dashboard_counts(user=clerk, year=2020, today=TODAY, agency_id=b1.pk)["received"] == 0

    for other in foreign:
        with pytest.raises(Http404):
            application_get(user=clerk, pk=other.pk)
    # the same answer as for an id that does not exist, or is not an id at all
    for missing in (10**9, "abc", None):
        with pytest.raises(Http404):
            application_get(user=clerk, pk=missing)
    assert application_get(user=clerk, pk=world["cases"][a1.pk][0].pk).agency == a1


def test_supervisor_sees_the_subtree_not_the_sibling_district(world):
    sup = world["supervisor_a"]
    expected = {world["a1"].name, world["a2"].name}
    assert agencies_in(applications_for(user=sup)) == expected
    assert agencies_in(application_list(user=sup)) == expected
    assert agencies_in(applications_overdue(user=sup, today=TODAY)) == expected
    assert agencies_in(applications_due_soon(user=sup, today=TODAY)) == expected
    assert {c.agency.name for c in review_cases_for(user=sup)} == expected
    assert dashboard_counts(user=sup, year=2020, today=TODAY)["received"] == 6
    with pytest.raises(Http404):
        application_get(user=sup, pk=world["cases"][world["b1"].pk][0].pk)
    assert application_get(user=sup, pk=world["cases"][world["a2"].pk][0].pk).agency == world["a2"]


def test_superuser_sees_all_and_anonymous_nothing(world):
    assert applications_for(user=world["admin"]).count() == 9
    assert dashboard_counts(user=world["admin"], year=2020, today=TODAY)["received"] == 9
    for nobody in (AnonymousUser(), None):
        assert list(applications_for(user=nobody)) == []
        assert list(application_list(user=nobody)) == []
        assert list(review_cases_for(user=nobody)) == []
        assert dashboard_counts(user=nobody, year=2020, today=TODAY)["received"] == 0
        with pytest.raises(Http404):
            application_get(user=nobody, pk=world["cases"][world["a1"].pk][0].pk)


def test_every_shape_of_the_visibility_filter_gives_the_same_answer(world, monkeypatch):
    from gongkai.cases import selectors

    city_supervisor = user("city_supervisor", (world["city"], Role.SUPERVISOR))
    everything = {a.pk for a in Application.objects.all()}
    assert {a.pk for a in applications_for(user=city_supervisor)} == everything  # no filter at all
    subtree = {a.pk for a in applications_for(user=world["supervisor_a"])}  # a list of ids
    monkeypatch.setattr(selectors, "_ID_LIST_LIMIT", 1)  # a subquery, as for a very large tree
    assert {a.pk for a in applications_for(user=world["supervisor_a"])} == subtree
    assert {a.pk for a in applications_for(user=city_supervisor)} == everything
    assert dashboard_counts(user=world["supervisor_a"], year=2020, today=TODAY)["received"] == 6
    assert {c.agency_id for c in review_cases_for(user=world["supervisor_a"])} == {
        world["a1"].pk,
        world["a2"].pk,
    }


def test_annual_tables_take_the_acting_user(world, django_assert_max_num_queries):
    nobody = user("nobody")
    with django_assert_max_num_queries(3):
        assert annual_tables_all(user=nobody, year=2020) == {}
    with django_assert_max_num_queries(3):
        reports = annual_tables_all(user=world["supervisor_a"], year=2020)
    assert set(reports) == {world["district_a"].pk, world["a1"].pk, world["a2"].pk}
    a1 = world["a1"].pk
    assert reports[a1].table3 == annual_tables(user=world["clerk_a1"], agency_id=a1, year=2020).table3
    assert reports[world["district_a"].pk].table3["new"][-1].value == 0
    with pytest.raises(Http404):  # another district's agency, as if it did not exist
        annual_tables(user=world["supervisor_a"], agency_id=world["b1"].pk, year=2020)


# --- list filters, deadlines, dashboard -----------------------------------------------------------------


def test_application_list_filters(world):
    a1 = world["a1"]
    clerk = world["clerk_a1"]
    extra = [
        app(a1, "2021-02-01", concluded="2021-02-10", outcome="already_public", kind="commercial"),
        app(a1, "2021-02-02", concluded="2021-02-11", outcome="refused.third_party", kind="research"),
        app(a1, "2021-02-03", status=Status.AWAITING_CORRECTION, kind="commercial"),
    ]
    assert application_list(user=clerk, year=2021).count() == 3
    assert application_list(user=clerk, year=2020).count() == 3
    assert application_list(user=clerk, status=Status.AWAITING_CORRECTION).get() == extra[2]
    assert application_list(user=clerk, outcome="already_public").get() == extra[0]
    assert {a.pk for a in application_list(user=clerk, outcome_group="granted")} == {
        extra[0].pk,
        world["cases"][a1.pk][0].pk,
    }
    assert application_list(user=clerk, outcome_group="refused").get() == extra[1]
    assert application_list(user=clerk, outcome_group="nonsense").count() == 0
    assert application_list(user=clerk, applicant_kind="commercial").count() == 2
    assert application_list(user=clerk, q=extra[1].number).get() == extra[1]
    assert application_list(user=clerk, q=extra[1].applicant_name).get() == extra[1]
    assert application_list(user=clerk, q="超期事项").get() == world["cases"][a1.pk][1]
    assert application_list(user=clerk, q="   ").count() == 6
    # newest first
    assert list(application_list(user=clerk)[:1]) == [extra[2]]


def test_outcome_groups_cover_every_outcome_once():
    codes = [o.code for g in OUTCOME_GROUPS for o in outcomes_in_group(g.code)]
    assert sorted(codes) == sorted(o.code for o in OUTCOMES)
    assert {o.code for o in outcomes_in_group("granted")} == {"already_public", "granted"}


def test_due_soon_counts_working_days_with_the_official_schedule(world):
    # From Mon 2020-09-28: Sep 29 (1), Sep 30 (2), Oct 1–8 National Day, Oct 9 (3), Sat Oct 10 调休 (4),
    # Oct 12 (5): the fifth working day is Oct 12.
    assert due_soon_limit(TODAY, 5) == D("2020-10-12")
    a1 = world["a1"]
    clerk = world["clerk_a1"]
    app(a1, "2020-09-10", due_on=D("2020-10-13"))  # sixth working day: not yet
    app(a1, "2020-09-10", due_on=TODAY)  # due today: due soon, not overdue
    app(a1, "2020-08-01", due_on=D("2020-09-01"), paused_since=D("2020-08-20"), status=Status.CONSULTING)
    app(a1, "2020-08-01", due_on=D("2020-09-01"), status=Status.AWAITING_CORRECTION)
    app(a1, "2020-08-01", due_on=D("2020-09-01"), concluded="2020-09-20", outcome="granted")
    # the fee period does not stop the clock in this installation: status alone does not pause it
    fee = app(a1, "2020-08-01", due_on=D("2020-09-02"), status=Status.AWAITING_FEE)
    soon = list(applications_due_soon(user=clerk, today=TODAY))
    assert [a.due_on for a in soon] == [TODAY, D("2020-10-12")]
    overdue = list(applications_overdue(user=clerk, today=TODAY))
    assert [a.due_on for a in overdue] == [D("2020-09-02"), D("2020-09-25")]
    assert overdue[0] == fee
    counts = dashboard_counts(user=clerk, year=2020, today=TODAY)
    assert (counts["overdue"], counts["due_soon"]) == (2, 2)
    # an administrator's override moves the window: Oct 12 made a holiday -> Oct 13 is the fifth day
    cal = WorkCalendar({D("2020-10-12"): False}, ())
    assert due_soon_limit(TODAY, 5, cal) == D("2020-10-13")


def test_due_soon_in_an_unconfirmed_year_uses_the_weekends_only_estimate():
    # Mon 2 June 2031, a year no schedule covers: the fifth weekday after it is Mon 9 June.
    assert due_soon_limit(D("2031-06-02"), 5, WorkCalendar()) == D("2031-06-09")


def test_dashboard_balances_like_table_3(world):
    a1 = world["a1"]
    app(a1, "2019-12-30", concluded="2020-01-05", outcome="partial")
    app(a1, "2019-12-31")  # open ever since
    app(a1, "2020-12-30", concluded="2021-01-04", outcome="unable.not_held")
    clerk = world["clerk_a1"]
    counts = dashboard_counts(user=clerk, year=2020, today=TODAY)
    assert counts["received"] + counts["carried_in"] == counts["concluded"] + counts["carried_out"]
    report = annual_tables(user=clerk, agency_id=a1.pk, year=2020)
    total = len(TABLE3_APPLICANT_COLUMNS)
    assert counts["received"] == report.value3("new", total) == 4
    assert counts["carried_in"] == report.value3("carried_in", total) == 2
    assert counts["concluded"] == report.value3("total", total) == 2
    assert counts["carried_out"] == report.value3("carried_out", total) == 4
    by_group = {o["code"]: o["count"] for o in counts["outcomes"]}
    assert by_group == {"granted": 1, "partial": 1, "refused": 0, "unable": 0, "not_processed": 0, "other": 0}
    assert [o["label"] for o in counts["outcomes"]][:2] == ["予以公开", "部分公开"]
    months = {m["month"]: (m["received"], m["concluded"]) for m in counts["months"]}
    assert months[1] == (0, 1) and months[3] == (1, 1) and months[9] == (2, 0) and months[12] == (1, 0)
    assert len(counts["months"]) == 12 and counts["months"][0]["label"] == "1月"


# --- query counts do not grow with the data ---------------------------------------------------------------


def _bulk(agency, count, rng):
    objs = []
    for _ in range(count):
        received = D("2019-01-01") + dt.timedelta(days=rng.randrange(3 * 365))
        done = rng.random() < 0.8
        objs.append(
            app(
                agency,
                received,
                concluded=received + dt.timedelta(days=rng.randrange(60)) if done else None,
                outcome=rng.choice(OUTCOMES).code if done else "",
                kind=rng.choice(KINDS),
                due_on=received + dt.timedelta(days=28),
                save=False,
            )
        )
    Application.objects.bulk_create(objs)


def _render_page(user, **filters):
    page = Paginator(application_list(user=user, **filters), 25).page(1)
    return [
        (
            a.number,
            a.agency.name,
            a.created_by and a.created_by.username,
            a.get_status_display(),
            a.get_outcome_display(),
        )
        for a in page.object_list
    ]


@pytest.mark.parametrize("size", [10, 400])
def test_list_page_and_dashboard_query_counts_do_not_grow(world, size, django_assert_max_num_queries):
    rng = random.Random(size)
    creator = world["clerk_a1"]
    _bulk(world["a1"], size, rng)
    _bulk(world["a2"], size, rng)
    Application.objects.update(created_by=creator)
    # the visible agencies cost one query for a clerk, two for a supervisor, none for a superuser
    scope_queries = {"clerk_a1": 1, "supervisor_a": 2, "admin": 0}
    for who, scope in scope_queries.items():
        with django_assert_max_num_queries(scope + 2):  # + count + rows, agency and creator joined in
            rows = _render_page(world[who])
        assert rows
        with django_assert_max_num_queries(scope + 2):
            _render_page(world[who], q="事项", year=2020, outcome_group="granted")
        with django_assert_max_num_queries(1 + 2):  # one agency of a supervisor: checked, then count + rows
            _render_page(world[who], agency_id=world["a1"].pk)
        with CaptureQueriesContext(connection) as ctx:
            dashboard_counts(user=world[who], year=2020, today=TODAY)
        # three aggregates, plus the holiday calendar: its version check (2) and, when changed, a rebuild (2)
        assert len(ctx.captured_queries) <= scope + 3 + 4
        with django_assert_max_num_queries(scope + 3 + 2):
            dashboard_counts(user=world[who], year=2020, today=TODAY)
        with django_assert_max_num_queries(scope + 3):
            dashboard_counts(user=world[who], year=2021, today=TODAY, calendar=WorkCalendar())
        with django_assert_max_num_queries(scope + 1):
            list(applications_overdue(user=world[who], today=TODAY)[:25])
    with django_assert_max_num_queries(3):  # the agency checked, then two aggregates
        annual_tables(user=world["admin"], agency_id=world["a1"].pk, year=2020)
    with django_assert_max_num_queries(3):
        annual_tables_all(user=world["admin"], year=2020)
