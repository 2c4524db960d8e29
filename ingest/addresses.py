"""Which IP addresses newsbot fetches from: the globally reachable ones only, judged on IANA's
special-purpose registries rather than on `ipaddress.is_global`, whose tables differ between
Python versions (3.11 takes `::127.0.0.1` and `64:ff9b:1::1` for global)."""

from __future__ import annotations

import ipaddress
import socket

__all__ = ["IPAddress", "is_public", "literal_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# IANA IPv4 special-purpose registry, "globally reachable: false" (or deprecated), and multicast.
_V4_LOCAL = _nets(
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)  # fmt: skip
# Inside 192.0.0.0/24, two anycast services are reachable (PCP, TURN).
_V4_REACHABLE = _nets("192.0.0.9/32", "192.0.0.10/32")

# IPv6: only global unicast (2000::/3) is routed, less the registry's local blocks; IPv4 forms
# outside it (mapped ::ffff:0:0/96, compatible ::/96, local-use NAT64 64:ff9b:1::/48) are
# refused whole; the well-known NAT64 prefix and 6to4 are judged by the IPv4 address inside.
_V6_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_LOCAL = _nets("2001::/23", "2001:db8::/32", "3fff::/20")
_V6_REACHABLE = _nets(
    "2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:3::/32", "2001:4:112::/48",
    "2001:20::/28", "2001:30::/28",
)  # fmt: skip
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def is_public(address: IPAddress) -> bool:
    """Whether address is globally reachable unicast: not loopback, private, link-local,
    shared, documentation, benchmarking, reserved or multicast, nor an IPv6 form of one."""
    if isinstance(address, ipaddress.IPv4Address):
        if any(address in net for net in _V4_REACHABLE):
            return True
        return not any(address in net for net in _V4_LOCAL)
    if address in _NAT64:
        return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address in _SIX_TO_FOUR:
        return address.sixtofour is not None and is_public(address.sixtofour)
    if address not in _V6_UNICAST:
        return False
    if any(address in net for net in _V6_REACHABLE):
        return True
    return not any(address in net for net in _V6_LOCAL)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself, in every form the C resolver reads without asking
    DNS (`127.0.0.1`, `127.1`, `2130706433`, `0x7f000001`, `::1`); None for a name."""
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        pass
    if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None
