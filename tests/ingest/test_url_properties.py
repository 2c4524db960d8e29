"""Property: every address, in every form the URL check reads, is refused iff it is not
globally reachable.

The oracle is IANA's special-purpose address registries transcribed row by row (the most
specific row decides; "deprecated"/"N/A" rows count as not reachable), plus IANA's IPv6 address
space (only 2000::/3 is global unicast) and multicast; it is written apart from
ingest/addresses.py on purpose. No DNS is ever asked: the resolver given fails the test."""

from __future__ import annotations

import ipaddress
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.fetch import check_url
from retrieval.errors import FetchError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Reach = bool | Literal["inner"]  # "inner": judged by the IPv4 address inside

# IANA IPv4 Special-Purpose Address Registry: (block, globally reachable).
V4_REGISTRY: list[tuple[str, Reach]] = [
    ("0.0.0.0/8", False),
    ("0.0.0.0/32", False),
    ("10.0.0.0/8", False),
    ("100.64.0.0/10", False),
    ("127.0.0.0/8", False),
    ("169.254.0.0/16", False),
    ("172.16.0.0/12", False),
    ("192.0.0.0/24", False),
    ("192.0.0.0/29", False),
    ("192.0.0.8/32", False),
    ("192.0.0.9/32", True),
    ("192.0.0.10/32", True),
    ("192.0.0.170/32", False),
    ("192.0.0.171/32", False),
    ("192.0.2.0/24", False),
    ("192.31.196.0/24", True),
    ("192.52.193.0/24", True),
    ("192.88.99.0/24", False),  # deprecated 6to4 relay anycast
    ("192.168.0.0/16", False),
    ("192.175.48.0/24", True),
    ("198.18.0.0/15", False),
    ("198.51.100.0/24", False),
    ("203.0.113.0/24", False),
    ("224.0.0.0/4", False),  # multicast: no unicast destination
    ("240.0.0.0/4", False),
    ("255.255.255.255/32", False),
]

# IANA IPv6 Special-Purpose Address Registry, and multicast.
V6_REGISTRY: list[tuple[str, Reach]] = [
    ("::1/128", False),
    ("::/128", False),
    ("::ffff:0:0/96", False),
    ("64:ff9b::/96", "inner"),  # RFC 6052: never to a non-global IPv4 address
    ("64:ff9b:1::/48", False),
    ("100::/64", False),
    ("100:0:0:1::/64", False),
    ("2001::/23", False),
    ("2001::/32", False),  # Teredo: N/A
    ("2001:1::1/128", True),
    ("2001:1::2/128", True),
    ("2001:1::3/128", True),
    ("2001:2::/48", False),
    ("2001:3::/32", True),
    ("2001:4:112::/48", True),
    ("2001:10::/28", False),  # deprecated ORCHID
    ("2001:20::/28", True),
    ("2001:30::/28", True),
    ("2001:db8::/32", False),
    ("2002::/16", "inner"),  # 6to4: N/A, judged by the IPv4 address it carries
    ("2620:4f:8000::/48", True),
    ("3fff::/20", False),
    ("5f00::/16", False),
    ("fc00::/7", False),
    ("fe80::/10", False),
    ("ff00::/8", False),
]

ROWS = [(ipaddress.ip_network(block), reach) for block, reach in V4_REGISTRY + V6_REGISTRY]
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def reachable(address: Address) -> bool:
    """The oracle: the most specific registry row decides; else IPv4 is global, IPv6 only
    inside 2000::/3."""
    rows = [(net, reach) for net, reach in ROWS if address.version == net.version]
    matching = [(net, reach) for net, reach in rows if address in net]
    if not matching:
        return address.version == 4 or address in GLOBAL_UNICAST
    _, reach = max(matching, key=lambda row: row[0].prefixlen)
    if reach != "inner":
        return reach
    assert isinstance(address, ipaddress.IPv6Address)
    inner = address.sixtofour or ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return reachable(inner)


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"an address literal was sent to DNS: {host!r}")


# Addresses: anywhere, and inside every registry block (where the interesting ones are).
v4 = st.one_of(
    st.ip_addresses(v=4),
    *(st.ip_addresses(network=net) for net, _ in ROWS if net.version == 4),
)
v6_plain = st.one_of(
    st.ip_addresses(v=6),
    *(st.ip_addresses(network=net) for net, _ in ROWS if net.version == 6),
)
v6_from_v4 = st.builds(
    lambda prefix, inner: ipaddress.IPv6Address(
        prefix | int(inner) << (80 if prefix >> 112 == 0x2002 else 0)
    ),
    st.sampled_from([0, 0xFFFF << 32, 0x64FF9B << 96, 0x64FF9B0001 << 80, 0x2002 << 112]),
    v4,
)  # compatible, mapped, NAT64, local-use NAT64, 6to4 around an IPv4 address


def forms(address: Address) -> dict[str, str]:
    """The ways a URL may write address as its host."""
    if isinstance(address, ipaddress.IPv4Address):
        n, b = int(address), address.packed
        return {
            "dotted": str(address),
            "integer": str(n),
            "hex": hex(n),
            "HEX": "0X" + format(n, "X"),
            "octal": "0" + format(n, "o"),
            "two parts": f"{b[0]}.{n & 0xFFFFFF}",
            "three parts": f"{b[0]}.{b[1]}.{n & 0xFFFF}",
            "dotted hex": ".".join(hex(x) for x in b),
            "dotted octal": ".".join("0" + format(x, "o") for x in b),
        }
    tail = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # The high 96 bits written compressed, the low 32 dotted: ::ffff:10.0.0.1, 64:ff9b::1.2.3.4
    head = str(ipaddress.IPv6Address(int(address) & ~0xFFFFFFFF | 0x00010001))
    written = {
        "compressed": address.compressed,
        "exploded": address.exploded,
        "upper": address.exploded.upper(),
        "dotted tail": ":".join(address.exploded.split(":")[:6]) + f":{tail}",
        "compressed dotted tail": head.removesuffix("1:1") + str(tail),
    }
    return {form: f"[{text}]" for form, text in written.items()}


addressed = st.one_of(v4, v6_plain, v6_from_v4).flatmap(
    lambda a: st.tuples(st.just(a), st.sampled_from(sorted(forms(a).items())))
)
NOT_READ = {"dotted octal"}  # a form httpx refuses to parse at all: always a bad URL


def _judge(address: Address, form: str, host: str, port: int | None, scheme: str) -> None:
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}/news?id=1"
    try:
        checked = check_url(url, resolver=no_dns)
    except FetchError as exc:
        if "bad URL" in str(exc):
            assert form in NOT_READ, f"{url}: {exc}"
            return
        assert "refusing to fetch from" in str(exc), str(exc)
        assert not reachable(address), f"{url} ({address}) is globally reachable: {exc}"
        return
    assert checked == [address], f"{url} read as {checked}, not {address}"
    assert reachable(address), f"{url} ({address}) is not globally reachable but was let through"


@settings(max_examples=1500, deadline=None)
@given(
    addressed,
    st.one_of(st.none(), st.integers(1, 65535)),
    st.sampled_from(["http", "https", "HTTP"]),
)
def test_refused_iff_not_globally_reachable(
    case: tuple[Address, tuple[str, str]], port: int | None, scheme: str
) -> None:
    address, (form, host) = case
    _judge(address, form, host, port, scheme)


@pytest.mark.parametrize(
    "text",
    ["127.0.0.1", "::127.0.0.1", "::ffff:127.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b:1::8.8.8.8",
     "2002:c0a8:101::1", "192.0.0.9", "8.8.8.8", "64:ff9b::8.8.8.8", "2001:4:112::1",
     "2620:4f:8000::1", "5f00::1", "ff02::1", "224.0.0.1", "100.64.0.1"],
)  # fmt: skip
def test_the_named_cases_in_every_form(text: str) -> None:
    """The examples the issue names, and a few more, through every form: the same judgement."""
    address = ipaddress.ip_address(text)
    for form, host in forms(address).items():
        _judge(address, form, host, None, "http")
    expected = {"192.0.0.9", "8.8.8.8", "64:ff9b::8.8.8.8", "2001:4:112::1", "2620:4f:8000::1"}
    assert reachable(address) == (text in expected)
