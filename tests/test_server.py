"""`gongkai serve` hands gunicorn the trusted proxies of GONGKAI_TRUSTED_PROXIES (as far as gunicorn can take
them) and says so when none are set."""

from gongkai.server import forwarded_allow_ips


def test_an_explicit_value_wins():
    assert forwarded_allow_ips(explicit="10.0.0.5", trusted=["127.0.0.1/32"]) == ("10.0.0.5", [])


def test_no_trusted_proxies_keeps_the_local_proxy_and_warns():
    value, notices = forwarded_allow_ips(explicit="", trusted=[])
    assert value == "127.0.0.1"
    assert len(notices) == 1 and "GONGKAI_TRUSTED_PROXIES" in notices[0] and "共用" in notices[0]


def test_the_trusted_proxies_follow():
    assert forwarded_allow_ips(explicit="", trusted=["127.0.0.1/32", "::1/128"]) == ("127.0.0.1,::1", [])


def test_networks_cannot_be_given_to_gunicorn():
    value, notices = forwarded_allow_ips(explicit="", trusted=["10.0.0.0/24", "192.0.2.7/32"])
    assert value == "192.0.2.7"
    assert len(notices) == 1 and "GONGKAI_FORWARDED_ALLOW_IPS" in notices[0]
    assert forwarded_allow_ips(explicit="", trusted=["10.0.0.0/24"])[0] == "127.0.0.1"
