import pytest
from django.core.cache import cache

from gongkai.agencies.models import Role
from tests.workbench import factories


@pytest.fixture(autouse=True)
def _clean(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    factories.confirm_years()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    return factories.make_tree()


@pytest.fixture
def clerk(tree):
    return factories.make_user("clerk_a", tree["a"], Role.CLERK, first_name="李文")


@pytest.fixture
def head(tree):
    return factories.make_user("head_a", tree["a"], Role.HEAD)


@pytest.fixture
def clerk_b(tree):
    return factories.make_user("clerk_b", tree["b"], Role.CLERK)


@pytest.fixture
def supervisor(tree):
    return factories.make_user("super_region", tree["region"], Role.SUPERVISOR)


@pytest.fixture
def application(tree, clerk):
    return factories.register(tree["a"], clerk, 1)


@pytest.fixture
def application_b(tree, clerk_b):
    return factories.register(tree["b"], clerk_b, 2)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client
