"""Login protection (gongkai.agencies.login_guard), through the login pages as a browser posts them:
a lock per user name and client address, a throttle per address across user names, only a growing
delay per user name alone (a stranger cannot lock the owner out), every attempt counted atomically
(parallel tries on the real database), every failure, lock and refusal audited with the client address
(the real client behind a trusted proxy)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.agencies.login_guard import (
    LoginRefused,
    delay_seconds,
    login_attempt_begin,
    login_attempt_failed,
    login_attempt_succeeded,
)
from gongkai.agencies.models import LoginFailure
from gongkai.audit.models import AuditEvent
from tests import factories
from tests.threads import at_once

pytestmark = pytest.mark.django_db

OWNER_IP = "192.0.2.10"
STRANGER_IP = "198.51.100.66"
LOCKED = "已暂时锁定"
ADDRESS_LOCKED = "已暂停从此地址登录"
INVALID = "用户名或密码不正确"


def login_url() -> str:
    return reverse("workbench:login")


def attempt(username: str, password: str, *, ip: str = OWNER_IP, url: str = "", **meta):
    return Client(REMOTE_ADDR=ip, **meta).post(
        url or login_url(), {"username": username, "password": password}
    )


def text(response) -> str:
    return response.content.decode()


def logged_in(response) -> bool:
    return response.status_code == 302


def wait_seconds(response) -> int | None:
    found = re.search(r"请 (\d+) 秒后再试", text(response))
    return int(found.group(1)) if found else None


def audits(action: str, **filters) -> int:
    return AuditEvent.objects.filter(action=action, **filters).count()


@pytest.fixture
def clock(today):
    """The clock stopped (on the frozen day): seconds pass only when the test moves it on."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def later(clock, seconds: float) -> None:
    clock.shift(seconds)


# --- per user name and address ------------------------------------------------------------------------------


def test_five_failures_lock_the_name_at_that_address_even_for_the_right_password(clerk, clock):
    for _ in range(4):
        assert INVALID in text(attempt("clerk_a", "wrong-password"))
    page = text(attempt("clerk_a", "wrong-password"))
    assert LOCKED in page and "15 分钟内 5 次" in page and "约 15 分钟后" in page
    response = attempt("CLERK_A", factories.PASSWORD)  # the case of the name does not matter
    assert not logged_in(response) and LOCKED in text(response)
    assert audits("auth.login_failed", ip=OWNER_IP) == 5
    assert audits("auth.locked", ip=OWNER_IP) == 1
    refused = AuditEvent.objects.get(action="auth.refused")
    assert refused.ip == OWNER_IP and refused.after["reason"] == "locked"
    assert refused.after["username"] == "clerk_a"
    # the lock ends 15 minutes after the failures
    later(clock, 15 * 60 - 1)
    assert LOCKED in text(attempt("clerk_a", factories.PASSWORD))
    later(clock, 1)
    assert logged_in(attempt("clerk_a", factories.PASSWORD))


def test_a_success_clears_the_count_of_that_name_and_address(clerk):
    for _ in range(4):
        attempt("clerk_a", "wrong-password")
    assert logged_in(attempt("clerk_a", factories.PASSWORD))
    assert not LoginFailure.objects.filter(username="clerk_a", ip=OWNER_IP).exists()
    for _ in range(4):
        assert INVALID in text(attempt("clerk_a", "wrong-password"))  # four more allowed again
    assert audits("auth.login", ip=OWNER_IP) == 1


def test_a_stranger_cannot_lock_the_owner_out_only_delay_them(clerk, clock):
    for _ in range(5):
        attempt("clerk_a", "wrong-password", ip=STRANGER_IP)
    assert LOCKED in text(attempt("clerk_a", factories.PASSWORD, ip=STRANGER_IP))
    # the owner at their own address is not locked: asked to wait a few seconds, then let in
    response = attempt("clerk_a", factories.PASSWORD)
    assert not logged_in(response) and LOCKED not in text(response)
    assert wait_seconds(response) == 2
    assert AuditEvent.objects.filter(action="auth.refused", ip=OWNER_IP).get().after["reason"] == "delay"
    later(clock, 1)
    assert wait_seconds(attempt("clerk_a", factories.PASSWORD)) == 1
    later(clock, 1)
    assert logged_in(attempt("clerk_a", factories.PASSWORD))


def test_the_delay_per_name_grows_and_is_capped(clerk, settings, clock):
    """Failures on one name from ever new addresses (none reaches its own lock): after five, each further
    attempt waits twice as long as the one before since the last failure, at most a minute."""
    settings.LOGIN_DELAY_AFTER, settings.LOGIN_DELAY_SECONDS, settings.LOGIN_DELAY_MAX_SECONDS = 5, 2, 60
    for n in range(5):
        assert INVALID in text(attempt("clerk_a", "wrong-password", ip=f"203.0.113.{n}"))
    waits = []
    for n in range(5, 12):
        response = attempt("clerk_a", "wrong-password", ip=f"203.0.113.{n}")
        waits.append(wait_seconds(response))
        later(clock, waits[-1])
        assert INVALID in text(attempt("clerk_a", "wrong-password", ip=f"203.0.113.{n}"))
    assert waits == [2, 4, 8, 16, 32, 60, 60]
    # refused attempts are not failures: they do not restart the wait of the owner
    assert LoginFailure.objects.filter(username="clerk_a").count() == 12
    assert audits("auth.refused") == 7


def test_the_delay_counts_failures_of_the_window_only(clerk, settings, clock):
    for n in range(5):
        attempt("clerk_a", "wrong-password", ip=f"203.0.113.{n}")
    assert wait_seconds(attempt("clerk_a", factories.PASSWORD)) == 2
    later(clock, settings.LOGIN_LOCK_MINUTES * 60 + 1)
    assert logged_in(attempt("clerk_a", factories.PASSWORD))


# --- per address, across user names -------------------------------------------------------------------------


def test_one_address_is_throttled_across_thirty_names(clerk, head, clock):
    pages = [text(attempt(f"guess_{n}", "wrong-password")) for n in range(30)]
    assert all(INVALID in page for page in pages[:19])
    assert ADDRESS_LOCKED in pages[19] and "15 分钟内 20 次" in pages[19]
    assert all(ADDRESS_LOCKED in page for page in pages[20:])
    assert LoginFailure.objects.filter(ip=OWNER_IP).count() == 20
    assert audits("auth.login_failed") == 20 and audits("auth.address_locked") == 1
    assert audits("auth.refused", ip=OWNER_IP) == 10
    # a real user at that address is refused too, whatever the name; elsewhere they log in
    assert ADDRESS_LOCKED in text(attempt("head_a", factories.PASSWORD))
    assert logged_in(attempt("head_a", factories.PASSWORD, ip="192.0.2.99"))
    later(clock, 15 * 60)
    assert logged_in(attempt("clerk_a", factories.PASSWORD))


def test_the_address_limits_are_settings(clerk, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES, settings.LOGIN_ADDRESS_LOCK_MINUTES = 3, 30
    for n in range(2):
        attempt(f"guess_{n}", "wrong-password")
    page = text(attempt("guess_9", "wrong-password"))
    assert ADDRESS_LOCKED in page and "30 分钟内 3 次" in page and "约 30 分钟后" in page


# --- the client address behind a trusted proxy -----------------------------------------------------------------


def test_behind_a_trusted_proxy_the_real_client_is_counted_and_audited(clerk, settings, clock):
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    proxy = {"ip": "10.8.0.2"}
    for _ in range(5):
        attempt("clerk_a", "wrong-password", HTTP_X_FORWARDED_FOR=f"{STRANGER_IP}, 10.8.0.7", **proxy)
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {STRANGER_IP}
    assert set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip", flat=True)) == {
        STRANGER_IP
    }
    assert LOCKED in text(attempt("clerk_a", "x", HTTP_X_FORWARDED_FOR=STRANGER_IP, **proxy))
    # the owner behind the same proxy is another client: a short wait, no lock
    response = attempt("clerk_a", factories.PASSWORD, HTTP_X_FORWARDED_FOR=OWNER_IP, **proxy)
    assert LOCKED not in text(response)
    later(clock, wait_seconds(response))
    assert logged_in(attempt("clerk_a", factories.PASSWORD, HTTP_X_FORWARDED_FOR=OWNER_IP, **proxy))
    assert AuditEvent.objects.get(action="auth.login").ip == OWNER_IP


def test_the_forwarded_header_of_an_untrusted_client_is_ignored(clerk, settings):
    settings.TRUSTED_PROXIES = ["10.8.0.2"]
    for n in range(5):  # a new made-up address in the header each time does not escape the lock
        attempt("clerk_a", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert LOCKED in text(attempt("clerk_a", factories.PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.77"))
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {OWNER_IP}


# --- the admin login -----------------------------------------------------------------------------------------


def test_the_admin_login_is_guarded_the_same_way(make_user, clerk):
    make_user("root_admin", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _ in range(5):
        page = text(attempt("root_admin", "wrong-password", url=admin_login))
    assert LOCKED in page
    assert not logged_in(attempt("root_admin", factories.PASSWORD, url=admin_login))
    assert LOCKED in text(attempt("root_admin", factories.PASSWORD))  # the workbench shares the count
    # staff who are not superusers are refused at the admin even with the right password, and that counts
    for _ in range(5):
        page = text(attempt("clerk_a", factories.PASSWORD, ip="192.0.2.50", url=admin_login))
    assert LOCKED in page
    assert audits("auth.login_failed", ip="192.0.2.50") == 5


def test_the_login_page_explains_the_lock(client):
    page = text(client.get(login_url()))
    assert "同一网络地址 15 分钟内输错密码 5 次" in page


# --- the guard itself ------------------------------------------------------------------------------------------


def test_a_failure_whose_row_a_parallel_success_cleared_still_counts(clerk):
    first = login_attempt_begin(username="clerk_a", ip=OWNER_IP)
    second = login_attempt_begin(username="clerk_a", ip=OWNER_IP)
    login_attempt_succeeded(attempt=first, user=clerk)
    assert not LoginFailure.objects.exists()
    assert login_attempt_failed(attempt=second) is None
    assert LoginFailure.objects.get().username == "clerk_a"


def test_attempts_without_an_address_are_counted_together(clerk):
    for _ in range(4):
        login_attempt_failed(attempt=login_attempt_begin(username=" Clerk_A ", ip=None))
    attempt = login_attempt_begin(username="clerk_a", ip=None)
    assert "已暂时锁定" in login_attempt_failed(attempt=attempt)
    with pytest.raises(LoginRefused) as refused:
        login_attempt_begin(username="clerk_a", ip=None)
    assert refused.value.code == "locked"
    with pytest.raises(LoginRefused) as refused:  # an address of its own is another count: a delay only
        login_attempt_begin(username="clerk_a", ip=OWNER_IP)
    assert refused.value.code == "delay"


def test_zero_turns_a_limit_off(clerk, settings):
    settings.LOGIN_MAX_FAILURES = settings.LOGIN_ADDRESS_MAX_FAILURES = settings.LOGIN_DELAY_SECONDS = 0
    for _ in range(8):
        assert login_attempt_failed(attempt=login_attempt_begin(username="clerk_a", ip=OWNER_IP)) is None
    assert delay_seconds(8) == 0
    assert not AuditEvent.objects.filter(action="auth.refused").exists()


def test_the_delay_before_the_threshold_is_none(settings):
    settings.LOGIN_DELAY_AFTER, settings.LOGIN_DELAY_SECONDS, settings.LOGIN_DELAY_MAX_SECONDS = 3, 5, 100
    assert [delay_seconds(n) for n in range(8)] == [0, 0, 0, 5, 10, 20, 40, 80]
    assert delay_seconds(10_000) == 100


def test_old_failures_are_forgotten(clerk, clock):
    login_attempt_failed(attempt=login_attempt_begin(username="ghost", ip=STRANGER_IP))
    later(clock, 2 * 24 * 3600)
    login_attempt_failed(attempt=login_attempt_begin(username="clerk_a", ip=OWNER_IP))
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["clerk_a"]
    assert audits("auth.login_failed") == 2  # the audit log keeps them


# --- parallel attempts on the real database ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_tries_count_thirty_and_none_gets_past_the_lock(clerk):
    """Each try is counted before its password is checked, in one transaction the database serialises:
    five are checked and fail, the other 25 are refused unchecked; then even the right password is refused."""
    responses = at_once([lambda: attempt("clerk_a", "wrong-password") for _ in range(30)])
    assert not any(logged_in(response) for response in responses)
    assert sum(INVALID in text(r) for r in responses) == 4
    assert sum(LOCKED in text(r) for r in responses) == 26
    assert LoginFailure.objects.filter(username="clerk_a").count() == 5
    assert audits("auth.login_failed") == 5
    assert audits("auth.refused") == 25
    assert audits("auth.locked") == 1
    response = attempt("clerk_a", factories.PASSWORD)
    assert not logged_in(response) and LOCKED in text(response)


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_right_passwords_after_the_lock_all_refused(clerk):
    for _ in range(5):
        attempt("clerk_a", "wrong-password")
    responses = at_once([lambda: attempt("clerk_a", factories.PASSWORD) for _ in range(30)])
    assert not any(logged_in(response) for response in responses)
    assert all(LOCKED in text(response) for response in responses)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_tries_on_thirty_names_from_one_address(clerk):
    responses = at_once([lambda n=n: attempt(f"guess_{n}", "wrong-password") for n in range(30)])
    assert sum(INVALID in text(r) for r in responses) == 19
    assert sum(ADDRESS_LOCKED in text(r) for r in responses) == 11
    assert LoginFailure.objects.filter(ip=OWNER_IP).count() == 20
    assert audits("auth.login_failed") == 20 and audits("auth.refused") == 10
