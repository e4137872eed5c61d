"""Which hosts are this machine: the one rule the discovery check
(``relying_party``) and the fetches (``oidc_io.safe_fetch``) both ask."""

import ipaddress

LOCALHOST_NAMES = frozenset({"localhost", "localhost."})


def parse_address(address):
    """An ``ipaddress`` address from text (brackets and an IPv6 zone
    allowed) or an address object; None when it is no IP address."""
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    text = str(address).strip().strip("[]")
    # getaddrinfo gives link-local IPv6 with a zone ("fe80::1%eth0").
    text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_loopback_host(host):
    """True for ``localhost``, 127.0.0.0/8 and ::1 (also as ``::ffff:127.x``)."""
    if not isinstance(host, str) or not host:
        return False
    if host.lower() in LOCALHOST_NAMES:
        return True
    ip = parse_address(host)
    if ip is None:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
