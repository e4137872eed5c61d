"""What the server may fetch: URL and address policy, KYC pictures as data URIs.

Plain functions without I/O (no ``requests``): provider endpoints
(:func:`check_endpoint_url`), picture URLs and the addresses they resolve
to. The network side is in ``transport`` and ``call``, which ask
:func:`is_public_address` about every address a picture host resolves to
and about the peer of every socket they connect.

The address rules are written out here rather than left to
``ipaddress``'s ``is_global``, whose tables change between Python releases
(3.11 and 3.13 disagree on 6to4, NAT64 and parts of 2001::/23). Both are
applied: an address must pass the explicit rules *and* ``is_global``.
"""

import base64
import binascii
import ipaddress
import math
import re
from urllib.parse import urlsplit

from ..oidc.claims import MAX_PICTURE_BYTES, is_supported_image
from ..oidc.errors import ConfigurationError, ProviderResponseError
from ..oidc.hosts import is_loopback_host
from ..oidc.hosts import parse_address as _parse_address

__all__ = [
    "MAX_PICTURE_BYTES",
    "MAX_URL_LENGTH",
    "check_endpoint_url",
    "check_picture_url",
    "image_from_data_url",
    "is_loopback_host",
    "is_public_address",
]

MAX_URL_LENGTH = 2048

_NOT_PUBLIC_V4 = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
    )
)
# Public IPv6 unicast is 2000::/3 only; inside it, these are not public.
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_NOT_PUBLIC_V6 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking, ORCHID
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: embeds any IPv4 address, deprecated (RFC 7526)
        "3fff::/20",  # documentation
    )
)
# DNS64 answers a v4-only name with 64:ff9b::a.b.c.d on an IPv6-only server:
# judged by the IPv4 address it embeds.
_NAT64_V6 = ipaddress.IPv6Network("64:ff9b::/96")


def _is_public_v4(ip):
    return not any(ip in network for network in _NOT_PUBLIC_V4) and (
        ip.is_global
        and not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        )
    )


def is_public_address(address, *, allow_loopback=False):
    """True when ``address`` (an IP, as text or ``ipaddress`` object) is public.

    Refused: loopback, private, link-local, multicast, unspecified, reserved,
    shared (CGNAT), documentation and benchmarking ranges, IPv4 embedded in
    IPv6 as mapped (``::ffff:a.b.c.d``), compatible (``::a.b.c.d``), 6to4 and
    Teredo forms; NAT64 (``64:ff9b::/96``) is judged by the IPv4 address it
    carries. A host name (anything that is not an IP) is never public here.
    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through: for tests only.
    """
    ip = _parse_address(address)
    if ip is None:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_loopback and ip.is_loopback:
        return True
    if ip.version == 4:
        return _is_public_v4(ip)
    if ip in _NAT64_V6:
        return _is_public_v4(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return (
        ip in _GLOBAL_UNICAST_V6
        and not any(ip in network for network in _NOT_PUBLIC_V6)
        and ip.is_global
        and not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_site_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        )
    )


def _normalize_host(host):
    return host.strip().rstrip(".").lower()


def check_endpoint_url(url):
    """None for an acceptable provider endpoint, else ConfigurationError.

    ``https://`` anywhere; ``http://`` only to this machine (localhost,
    127.0.0.0/8, ::1), for a local emulator. Raises
    ``ConfigurationError("endpoint.insecure")`` for any other scheme or host,
    ``ConfigurationError("endpoint.invalid")`` for text that is not a URL with
    a host.
    """
    if (
        not isinstance(url, str)
        or not url
        or any(char.isspace() or not char.isprintable() for char in url)
    ):
        raise ConfigurationError("endpoint.invalid")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise ConfigurationError("endpoint.invalid") from None
    if not parts.hostname:
        raise ConfigurationError("endpoint.invalid")
    scheme = parts.scheme.lower()
    if scheme == "https":
        return None
    if scheme == "http" and is_loopback_host(parts.hostname):
        return None
    raise ConfigurationError("endpoint.insecure")


def check_picture_url(url, *, allowed_hosts=()):
    """The host name of a picture URL the server may fetch, or raise.

    Checks the URL only (scheme, shape, allow-list); the addresses the host
    resolves to are checked when connecting. Raises ProviderResponseError:
    ``picture.url`` (not a usable URL, or with user:password),
    ``picture.url_scheme`` (not https), ``picture.host_not_allowed``
    (``allowed_hosts`` is set and the host is not in it).
    """
    if (
        not isinstance(url, str)
        or len(url) > MAX_URL_LENGTH
        or not url.isascii()
        or any(char.isspace() or not char.isprintable() for char in url)
    ):
        raise ProviderResponseError("picture.url")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise ProviderResponseError("picture.url") from None
    if parts.scheme.lower() != "https":
        raise ProviderResponseError("picture.url_scheme")
    if not parts.hostname or parts.username is not None or "@" in parts.netloc:
        raise ProviderResponseError("picture.url")
    host = _normalize_host(parts.hostname)
    allowed = {_normalize_host(name) for name in allowed_hosts if name and name.strip()}
    if allowed and host not in allowed:
        raise ProviderResponseError("picture.host_not_allowed")
    return host


_DATA_URL = re.compile(
    r"data:image/(png|jpeg|jpg);base64,([A-Za-z0-9+/=\s]*)", re.IGNORECASE
)
_DATA_URL_PREFIX_MAX = len("data:image/jpeg;base64,")
_SIGNATURES = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "jpg": b"\xff\xd8\xff",
}


def image_from_data_url(value, *, max_bytes=MAX_PICTURE_BYTES):
    """The bytes of a ``data:image/png|jpeg;base64,…`` URL, or raise.

    The length is capped before anything is decoded (base64 grows by 4/3;
    line breaks are tolerated up to one every 64 characters), and the decoded
    bytes must start with the PNG or JPEG signature of the declared type.
    Raises ProviderResponseError: ``picture.oversized``, ``picture.data_url``
    (not a PNG/JPEG base64 data URL), ``picture.not_image`` (bytes are not
    what the declared type says).
    """
    if max_bytes > MAX_PICTURE_BYTES:
        raise ValueError(f"max_bytes may not exceed {MAX_PICTURE_BYTES}")
    if not isinstance(value, str):
        raise ProviderResponseError("picture.data_url")
    encoded_limit = 4 * math.ceil(max_bytes / 3)
    if len(value) > _DATA_URL_PREFIX_MAX + encoded_limit + encoded_limit // 32:
        raise ProviderResponseError("picture.oversized")
    match = _DATA_URL.fullmatch(value.strip())
    if not match:
        raise ProviderResponseError("picture.data_url")
    encoded = "".join(match[2].split())
    if len(encoded) > encoded_limit:
        raise ProviderResponseError("picture.oversized")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ProviderResponseError("picture.data_url") from None
    if len(data) > max_bytes:
        raise ProviderResponseError("picture.oversized")
    if not data.startswith(_SIGNATURES[match[1].lower()]) or not is_supported_image(
        data
    ):
        raise ProviderResponseError("picture.not_image")
    return data
