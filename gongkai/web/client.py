"""The address of the client a request comes from: the one function every limit, lock and audit event uses.

Behind a reverse proxy (nginx in front of `gongkai serve`), REMOTE_ADDR is the proxy's address. The proxy
names the client in X-Forwarded-For, appending the address it received the request from
(nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), so the header reads
"what the client claimed, …, what each proxy saw". Only the entries our own proxies appended can be
believed: we walk the header from the right, skipping the proxies we trust (settings.TRUSTED_PROXIES,
env GONGKAI_TRUSTED_PROXIES), and take the first address that is not one of them. A header reaching us
from an address we do not trust is ignored: any client can set it. A malformed entry ends the walk at the
last trusted hop (it was appended by a party we do not know), never with an error.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request) -> str | None:
    """The client's address as text (IPv4-mapped IPv6 addresses as IPv4), or None when there is none."""
    if request is None:
        return None
    remote = parse_address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    hop = remote
    if _is_trusted(hop, trusted):
        for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = parse_address(entry)
            if address is None:
                break  # appended by someone we do not know: the last trusted hop is all we can name
            hop = address
            if not _is_trusted(address, trusted):
                break
    return str(hop)


def parse_address(value: str) -> IPAddress | None:
    """An address as proxies write it: bare, IPv4 with a port, [IPv6] with or without a port, IPv6 with a
    zone; None for anything else (`unknown`, host names, garbage)."""
    value = value.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # IPv4:port (an IPv6 address has at least two colons)
        value = value.split(":", 1)[0]
    value = value.split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) names an interface of the proxy
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """settings.TRUSTED_PROXIES as networks (a single address is a network of one)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)
