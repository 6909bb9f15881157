"""Which agencies a user sees (gongkai.agencies.selectors) and the tree service that keeps `path`."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.agencies.selectors import agencies_visible, agency_roles, agency_subtree
from gongkai.agencies.services import agency_create
from gongkai.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """region › city › {district A › {dept A1, dept A2}, district B › dept B1}"""
    region = agency_create(name="宁夏回族自治区")
    city = agency_create(name="中卫市", parent=region)
    district_a = agency_create(name="沙坡头区人民政府", parent=city, is_supervisor=True)
    a1 = agency_create(name="沙坡头区科学技术局", parent=district_a)
    a2 = agency_create(name="沙坡头区自然资源局", parent=district_a)
    district_b = agency_create(name="中宁县人民政府", parent=city, is_supervisor=True)
    b1 = agency_create(name="中宁县科学技术局", parent=district_b)
    return {
        "region": region,
        "city": city,
        "district_a": district_a,
        "a1": a1,
        "a2": a2,
        "district_b": district_b,
        "b1": b1,
    }


def user(name, *memberships, **extra):
    u = get_user_model().objects.create_user(name, password="gongkai-test-2020", **extra)
    for agency, role in memberships:
        Membership.objects.create(user=u, agency=agency, role=role)
    return u


def names(qs):
    return {a.name for a in qs}


def test_agency_create_keeps_the_materialized_path(tree):
    region, city, a1 = tree["region"], tree["city"], tree["a1"]
    assert region.path == f"/{region.pk}/"
    assert city.path == f"/{region.pk}/{city.pk}/"
    assert a1.path == f"{tree['district_a'].path}{a1.pk}/"
    # stored, not only on the instance
    assert Agency.objects.get(pk=a1.pk).path == a1.path
    assert set(agency_subtree(agency=tree["district_a"])) == {tree["district_a"], a1, tree["a2"]}


def test_agency_create_writes_an_audit_event(tree):
    admin = user("admin", is_superuser=True)
    agency = agency_create(
        name="沙坡头区教育局", parent=tree["district_a"], by=admin, phone="0955-7012345", postcode="755000"
    )
    event = AuditEvent.objects.get(action="agency.create", object_id=str(agency.pk))
    assert event.actor == admin
    assert event.agency == agency
    assert event.after["name"] == "沙坡头区教育局"
    assert event.after["path"] == agency.path
    assert event.after["parent"] == tree["district_a"].pk


def test_agency_create_validates_fields(tree):
    before = Agency.objects.count()
    with pytest.raises(ValidationError) as info:
        agency_create(name="某局", parent=tree["city"], credit_code="11640500MB1234567X")
    assert "统一社会信用代码" in str(info.value)
    assert Agency.objects.count() == before


def test_agency_create_refuses_a_parent_without_path():
    orphan = Agency.objects.create(name="手工建立的机关")
    with pytest.raises(ValueError, match="层级路径"):
        agency_create(name="下级", parent=orphan)


def test_staff_see_only_their_agencies(tree):
    clerk = user("clerk", (tree["a1"], Role.CLERK))
    assert names(agencies_visible(user=clerk)) == {"沙坡头区科学技术局"}
    # a role in a parent agency that is not SUPERVISOR gives nothing below it
    head = user("head", (tree["district_a"], Role.HEAD))
    assert names(agencies_visible(user=head)) == {"沙坡头区人民政府"}
    both = user("both", (tree["a1"], Role.CLERK), (tree["b1"], Role.REVIEWER), (tree["b1"], Role.CLERK))
    assert names(agencies_visible(user=both)) == {"沙坡头区科学技术局", "中宁县科学技术局"}
    # no duplicates when a user holds two roles in one agency
    assert agencies_visible(user=both).count() == 2


def test_supervisor_sees_the_subtree_not_siblings_or_parents(tree):
    supervisor = user("sup", (tree["district_a"], Role.SUPERVISOR))
    assert names(agencies_visible(user=supervisor)) == {
        "沙坡头区人民政府",
        "沙坡头区科学技术局",
        "沙坡头区自然资源局",
    }
    city_supervisor = user("city_sup", (tree["city"], Role.SUPERVISOR), (tree["a1"], Role.CLERK))
    assert names(agencies_visible(user=city_supervisor)) == names(agency_subtree(agency=tree["city"]))


def test_a_path_prefix_is_not_a_subtree(tree):
    # "/1/2/" must not cover "/1/23/": paths end with a slash, so a numeric prefix never matches
    for _ in range(12):
        agency_create(name="填充", parent=tree["region"])
    supervisor = user("sup", (tree["city"], Role.SUPERVISOR))
    visible = set(agencies_visible(user=supervisor))
    assert all(a.path.startswith(tree["city"].path) for a in visible)
    assert visible == set(agency_subtree(agency=tree["city"]))


def test_superuser_sees_all_anonymous_and_inactive_see_none(tree):
    assert agencies_visible(user=user("root", is_superuser=True)).count() == Agency.objects.count()
    assert list(agencies_visible(user=AnonymousUser())) == []
    assert list(agencies_visible(user=None)) == []
    inactive = user("gone", (tree["a1"], Role.CLERK), is_active=False)
    assert list(agencies_visible(user=inactive)) == []


def test_visible_agencies_are_one_lazy_query(tree, django_assert_num_queries):
    supervisor = user("sup", (tree["district_a"], Role.SUPERVISOR), (tree["b1"], Role.CLERK))
    with django_assert_num_queries(0):
        qs = agencies_visible(user=supervisor)
    with django_assert_num_queries(1):
        assert len(list(qs)) == 4


def test_agency_roles(tree):
    u = user(
        "u", (tree["a1"], Role.CLERK), (tree["a1"], Role.REVIEWER), (tree["district_a"], Role.SUPERVISOR)
    )
    assert agency_roles(user=u, agency=tree["a1"]) == {"clerk", "reviewer"}
    assert agency_roles(user=u, agency=tree["a2"]) == set()
    assert agency_roles(user=AnonymousUser(), agency=tree["a1"]) == set()
