"""The counters behind the limits per client (gongkai.web.ratelimit): a window from the first hit, nothing
counted past the limit, slots given back, parallel takes on the real database never past the limit."""

from __future__ import annotations

import pytest

from gongkai.web.models import RateCounter
from gongkai.web.ratelimit import rate_count, rate_give_back, rate_take
from tests.threads import at_once

pytestmark = pytest.mark.django_db


def take(key: str = "k", limit: int = 3) -> bool:
    return rate_take(key, limit=limit, window_seconds=60)


def test_counts_up_to_the_limit_then_refuses_without_counting():
    assert [take() for _ in range(5)] == [True, True, True, False, False]
    assert rate_count("k") == 3
    assert rate_count("other") == 0
    assert take("other")


def test_the_window_starts_with_the_first_hit(today):
    take()
    today.advance(30)
    take()
    take()
    assert not take()
    today.advance(31)  # a minute after the first hit
    assert rate_count("k") == 0
    assert take() and rate_count("k") == 1
    assert RateCounter.objects.count() == 1


def test_a_slot_given_back_can_be_taken_again():
    for _ in range(3):
        take()
    rate_give_back("k")
    assert take() and not take()
    rate_give_back("missing")
    for _ in range(4):
        rate_give_back("k")
    assert rate_count("k") == 0


def test_a_limit_of_zero_refuses_everything():
    assert not take(limit=0)
    assert not RateCounter.objects.exists()


def test_keys_ended_long_ago_are_forgotten(today):
    take("old")
    today.advance(2 * 24 * 3600)
    take("new")
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_parallel_takes_of_a_new_key_never_pass_the_limit():
    """The threads race to create the row and to count on it: exactly `limit` of them get a slot."""
    results = at_once([lambda: take("race", limit=7) for _ in range(30)])
    assert results.count(True) == 7
    assert rate_count("race") == 7


@pytest.mark.django_db(transaction=True)
def test_parallel_takes_when_the_window_ends(today):
    for _ in range(3):
        take("race", limit=3)
    today.advance(61)
    results = at_once([lambda: take("race", limit=3) for _ in range(20)])
    assert results.count(True) == 3
    assert RateCounter.objects.get().count == 3
