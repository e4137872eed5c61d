"""Pictures as data: URLs, and which provider endpoints are acceptable."""

import base64

import pytest

from g2p_auth_esignet.oidc import ConfigurationError, ProviderResponseError
from g2p_auth_esignet.oidc_io import check_endpoint_url, image_from_data_url, safe_fetch

from .conftest import JPEG, PNG


def _data_url(media_type, data):
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def _refused(value, **kwargs):
    with pytest.raises(ProviderResponseError) as error:
        image_from_data_url(value, **kwargs)
    return error.value.check


def test_png_and_jpeg():
    assert image_from_data_url(_data_url("image/png", PNG)) == PNG
    assert image_from_data_url(_data_url("image/jpeg", JPEG)) == JPEG
    assert image_from_data_url(_data_url("image/jpg", JPEG)) == JPEG
    assert image_from_data_url(_data_url("IMAGE/PNG", PNG)) == PNG
    wrapped = base64.encodebytes(PNG * 4).decode()  # MIME line breaks
    assert image_from_data_url(f"data:image/png;base64,{wrapped}") == PNG * 4


@pytest.mark.parametrize(
    ("value", "check"),
    [
        (_data_url("image/png", b"<svg onload=alert(1)>"), "picture.not_image"),
        (_data_url("image/png", JPEG), "picture.not_image"),
        (_data_url("image/jpeg", PNG), "picture.not_image"),
        (_data_url("image/gif", b"GIF89a" + b"\0" * 16), "picture.data_url"),
        (_data_url("image/svg+xml", b"<svg/>"), "picture.data_url"),
        ("data:image/png;base64,iVBORw0KGgo!!!!", "picture.data_url"),
        ("data:image/png;base64,iVBORw0KGgo", "picture.data_url"),  # bad padding
        ("data:image/png," + PNG.decode("latin-1"), "picture.data_url"),
        ("https://pictures.example.org/a.png", "picture.data_url"),
        (b"data:image/png;base64,", "picture.data_url"),
        (None, "picture.data_url"),
    ],
)
def test_refused_data_urls(value, check):
    assert _refused(value) == check


def test_size_is_capped_before_decoding(monkeypatch):
    decoded = []
    real_decode = base64.b64decode

    def b64decode(*args, **kwargs):
        decoded.append(True)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(safe_fetch.base64, "b64decode", b64decode)
    huge = "data:image/png;base64," + "A" * (3 * 1024 * 1024)
    assert _refused(huge) == "picture.oversized"
    assert decoded == []
    small_cap = _data_url("image/png", PNG + b"\0" * 100)
    assert _refused(small_cap, max_bytes=len(PNG)) == "picture.oversized"
    assert decoded == []  # even the 4/3 allowance is checked first
    assert image_from_data_url(_data_url("image/png", PNG), max_bytes=len(PNG)) == PNG


def test_decoded_size_is_exact():
    # 4 * ceil(n / 3) base64 characters may decode to n + 2 bytes.
    value = _data_url("image/png", PNG + b"\0\0")
    assert _refused(value, max_bytes=len(PNG) + 1) == "picture.oversized"


def test_cap_cannot_exceed_the_picture_limit():
    with pytest.raises(ValueError):
        image_from_data_url(_data_url("image/png", PNG), max_bytes=10 << 20)


# -- provider endpoints --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://esignet.example.org/v1/esignet/oauth/v2/token",
        "https://10.0.0.5/token",
        "HTTPS://esignet.example.org/token",
        "http://localhost:8088/v1/esignet/oauth/v2/token",
        "http://LOCALHOST/token",
        "http://127.0.0.1:8088/token",
        "http://127.1.2.3/token",
        "http://[::1]:8088/token",
    ],
)
def test_acceptable_endpoints(url):
    assert check_endpoint_url(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://esignet.example.org/token",
        "http://10.0.0.5/token",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost.example.org/token",
        "http://127.0.0.1.nip.io/token",
        "http://localhost@esignet.example.org/token",
        "http://[::2]/token",
        "ftp://esignet.example.org/token",
        "javascript://localhost/%0aalert(1)",
        "esignet.example.org/token",
    ],
)
def test_insecure_endpoints(url):
    with pytest.raises(ConfigurationError) as error:
        check_endpoint_url(url)
    assert error.value.check in ("endpoint.insecure", "endpoint.invalid")
    if "://" in url and not url.startswith("javascript"):
        assert error.value.check == "endpoint.insecure"


@pytest.mark.parametrize(
    "url",
    ["", None, "https://", "https:///token", "https://host:99999/", "http://a b/"],
)
def test_invalid_endpoints(url):
    with pytest.raises(ConfigurationError) as error:
        check_endpoint_url(url)
    assert error.value.check == "endpoint.invalid"
