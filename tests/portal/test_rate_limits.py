"""The portal's limits per client: online applications and failed status queries are counted per real client
address (behind a trusted proxy: the client the proxy names, never a header an untrusted client sets), and
counted atomically, so that parallel requests cannot get past a limit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.cases.models import Application
from gongkai.portal.views import APPLY_LIMIT, POST_LIMIT, QUERY_MISS_LIMIT
from tests import factories
from tests.portal.test_views import apply_url, form_data
from tests.threads import at_once

pytestmark = pytest.mark.django_db

PROXY = "10.8.0.2"


def behind_proxy(client_ip: str) -> Client:
    """A browser at client_ip whose requests reach us through the proxy (nginx: $proxy_add_x_forwarded_for)."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def miss(client: Client):
    return client.get(reverse("portal:status"), {"code": "WRONGCODE2345"})


def test_two_clients_behind_the_proxy_do_not_share_the_query_limit(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    first = behind_proxy("198.51.100.1")
    for _ in range(QUERY_MISS_LIMIT):
        assert miss(first).status_code == 404
    assert miss(first).status_code == 429
    assert miss(behind_proxy("198.51.100.2")).status_code == 404


def test_two_clients_behind_the_proxy_do_not_share_the_application_limit(settings, tree, clerk):
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    first = behind_proxy("198.51.100.1")
    for serial in range(APPLY_LIMIT):
        data = form_data(id_number=factories.id_number(serial + 20))
        assert first.post(apply_url(tree["a"]), data).status_code == 302
    assert first.post(apply_url(tree["a"]), form_data(id_number=factories.id_number(40))).status_code == 429
    second = behind_proxy("198.51.100.2")
    assert second.post(apply_url(tree["a"]), form_data(id_number=factories.id_number(41))).status_code == 302
    assert Application.objects.count() == APPLY_LIMIT + 1


def test_without_trusted_proxies_the_header_changes_nothing():
    """The default trusts nobody: a client that makes up X-Forwarded-For is still one client."""
    for n in range(QUERY_MISS_LIMIT):
        assert miss(Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")).status_code == 404
    assert miss(Client(HTTP_X_FORWARDED_FOR="203.0.113.200")).status_code == 429


def test_a_header_from_an_untrusted_address_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(QUERY_MISS_LIMIT):
        assert miss(Client(REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")).status_code == 404
    assert miss(Client(REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="203.0.113.99")).status_code == 429


def test_the_query_window_ends(today):
    client = Client()
    for _ in range(QUERY_MISS_LIMIT):
        miss(client)
    assert miss(client).status_code == 429
    today.advance(10 * 60 + 1)
    assert miss(client).status_code == 404


def test_submissions_are_limited_even_when_none_is_accepted(tree, clerk):
    client = Client()
    for _ in range(POST_LIMIT):
        assert client.post(apply_url(tree["a"]), form_data(applicant_name="")).status_code == 400
    response = client.post(apply_url(tree["a"]), form_data())
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()


# --- parallel requests --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_misses_count_thirty():
    """No two requests read the same count: exactly the limit of wrong codes is looked up, the rest refused."""
    responses = at_once([lambda: miss(Client()) for _ in range(30)])
    codes = sorted(response.status_code for response in responses)
    assert codes == [404] * QUERY_MISS_LIMIT + [429] * (30 - QUERY_MISS_LIMIT)


@pytest.mark.django_db(transaction=True)
def test_parallel_applications_stop_at_the_limit(tree, clerk):
    calls = [
        lambda n=n: Client().post(apply_url(tree["a"]), form_data(id_number=factories.id_number(n + 100)))
        for n in range(12)
    ]
    codes = sorted(response.status_code for response in at_once(calls))
    assert codes == [302] * APPLY_LIMIT + [429] * (12 - APPLY_LIMIT)
    assert Application.objects.count() == APPLY_LIMIT
