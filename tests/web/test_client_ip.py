"""The client address (gongkai.web.client.client_ip): REMOTE_ADDR unless it is a trusted proxy; then the
first untrusted address of X-Forwarded-For from the right; a malformed entry falls back to the last trusted
hop; the setting is checked when the settings are read."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gongkai.settings import trusted_proxies
from gongkai.web.client import client_ip, parse_address


def ip(remote: str | None, forwarded: str | None = None) -> str | None:
    meta = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_ip(request)


def test_no_trusted_proxies_by_default_the_header_is_ignored(settings):
    assert settings.TRUSTED_PROXIES == []
    assert ip("192.0.2.1", "203.0.113.9") == "192.0.2.1"


def test_a_header_from_an_untrusted_address_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert ip("192.0.2.1", "203.0.113.9") == "192.0.2.1"
    assert ip("10.0.0.2", "203.0.113.9") == "10.0.0.2"


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", " 203.0.113.9 ", "203.0.113.9"),
        # the client wrote its own header first: the rightmost untrusted entry is what our proxy saw
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # a chain of our proxies is skipped
        (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 203.0.113.9, 10.2.3.4, 10.0.0.9", "203.0.113.9"),
        (["10.0.0.1", "10.0.0.2"], "10.0.0.1", "203.0.113.9,10.0.0.2", "203.0.113.9"),
        # only trusted hops in the header: the leftmost of them
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.5, 10.0.0.6", "10.0.0.5"),
        # no header or an empty one: the proxy itself
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        # malformed entries: the last trusted hop, never an address to the left of the garbage
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9, unknown", "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.9, garbage, 10.0.0.7", "10.0.0.7"),
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9,", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "999.1.1.1", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::1", "10.0.0.1"),
        # ports, brackets, zones and IPv4-mapped IPv6 as proxies write them
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9:51234", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::7]", "2001:db8::7"),
        (["10.0.0.1"], "10.0.0.1", "2001:DB8::7", "2001:db8::7"),
        (["10.0.0.1"], "10.0.0.1", "fe80::1%eth0", "fe80::1"),
        (["10.0.0.1"], "::ffff:10.0.0.1", "::ffff:203.0.113.9", "203.0.113.9"),
        (["::1"], "::1", "203.0.113.9", "203.0.113.9"),
        (["2001:db8:1::/48"], "2001:db8:1::5", "2001:db8:2::9, 2001:db8:1::6", "2001:db8:2::9"),
        # an IPv4 proxy list does not make an IPv6 remote trusted
        (["10.0.0.0/8"], "2001:db8::5", "203.0.113.9", "2001:db8::5"),
    ],
)
def test_behind_trusted_proxies(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert ip(remote, forwarded) == expected


def test_no_remote_address(settings):
    assert client_ip(None) is None
    assert ip(None) is None
    assert ip("") is None
    assert ip("not-an-address") is None
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert ip(None, "203.0.113.9") is None  # no proxy we know of: the header is nobody's


def test_parse_address():
    assert str(parse_address(" 192.0.2.1:80 ")) == "192.0.2.1"
    assert parse_address("unknown") is None
    assert parse_address("example.org:80") is None
    assert parse_address("") is None


def test_the_setting_is_checked():
    assert trusted_proxies("") == []
    assert trusted_proxies(" 127.0.0.1, 10.0.0.0/8 ,,::1 ") == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert trusted_proxies("10.1.2.3/24") == ["10.1.2.0/24"]
    with pytest.raises(ValueError, match="GONGKAI_TRUSTED_PROXIES：'nginx' 不是 IP 地址或网段"):
        trusted_proxies("127.0.0.1, nginx")
