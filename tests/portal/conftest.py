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
    return factories.make_user("clerk_a", tree["a"], Role.CLERK)
