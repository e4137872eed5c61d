"""The provider's RSA signing keys, JWK helpers and RFC 7638 thumbprints."""

import base64
import hashlib
import json
import logging
import threading
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

_logger = logging.getLogger(__name__)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _int_to_b64(value: int) -> str:
    length = max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(length, "big"))


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 SHA-256 thumbprint of a public JWK (RSA or EC)."""
    kty = jwk.get("kty")
    if kty == "RSA":
        members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    elif kty == "EC":
        members = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    else:
        raise ValueError(f"unsupported kty {kty!r}")
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def rsa_public_jwk(public_key) -> dict:
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _int_to_b64(numbers.n), "e": _int_to_b64(numbers.e)}


def generate_rsa_key(key_size: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


class ProviderSigningKey:
    """An RSA private key with its public JWK; kid is the RFC 7638 thumbprint."""

    alg = "RS256"

    def __init__(self, private_key=None):
        self.private_key = private_key or generate_rsa_key()
        if not isinstance(self.private_key, rsa.RSAPrivateKey):
            raise ValueError("signing key must be an RSA private key")
        jwk = rsa_public_jwk(self.private_key.public_key())
        self.kid = jwk_thumbprint(jwk)
        self.public_jwk = {**jwk, "kid": self.kid, "use": "sig", "alg": self.alg}

    @classmethod
    def from_pem(cls, data: bytes):
        return cls(serialization.load_pem_private_key(data, password=None))

    @classmethod
    def load_or_create(cls, path):
        """Load a PEM key from ``path``; create it (mode 0600) if missing."""
        path = Path(path)
        if path.exists():
            return cls.from_pem(path.read_bytes())
        key = cls()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(key.to_pem())
        return key

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


class KeyRing:
    """The keys the provider signs with (thread-safe).

    The current key, retired keys still published for a grace period, and a
    key never published (for the ``sign_with_unpublished_key`` fault).
    """

    def __init__(self, signing_key=None):
        if signing_key is not None and not isinstance(signing_key, ProviderSigningKey):
            signing_key = ProviderSigningKey(signing_key)
        self.current = signing_key or ProviderSigningKey()
        self._retired = []  # (ProviderSigningKey, published_until)
        self._unpublished = None
        self._lock = threading.Lock()

    def rotate(self, keep_old=False, grace_seconds=600.0):
        """Switch to a fresh key (new kid) and return its kid.

        The previous key is dropped from the JWKS unless ``keep_old`` is true,
        in which case it stays published for ``grace_seconds``.
        """
        new_key = ProviderSigningKey()
        with self._lock:
            old = self.current
            self.current = new_key
            if keep_old:
                self._retired.append((old, time.time() + grace_seconds))
            else:
                self._retired = []
        _logger.info("rotated signing key (keep_old=%s)", keep_old)
        return new_key.kid

    def jwks(self):
        now = time.time()
        with self._lock:
            self._retired = [(k, t) for k, t in self._retired if t > now]
            keys = [self.current] + [k for k, _ in self._retired]
        return {"keys": [dict(k.public_jwk) for k in keys]}

    def sign(self, payload, unpublished=False):
        """A compact RS256 JWS of ``payload`` with the current (or unpublished) key."""
        if unpublished:
            with self._lock:
                if self._unpublished is None:
                    self._unpublished = ProviderSigningKey()
                key = self._unpublished
        else:
            key = self.current
        headers = {"kid": key.kid, "typ": "JWT"}
        return jwt.encode(payload, key.private_key, algorithm="RS256", headers=headers)


def load_public_jwk(jwk: dict):
    """Return a cryptography public key for an RSA or EC (P-256) public JWK."""
    if not isinstance(jwk, dict):
        raise ValueError("JWK must be a JSON object")
    if "d" in jwk:
        raise ValueError("a public JWK must not contain private key material")
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            n = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(b64url_decode(jwk["e"]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC":
            if jwk.get("crv") != "P-256":
                raise ValueError("only the P-256 curve is supported")
            x = int.from_bytes(b64url_decode(jwk["x"]), "big")
            y = int.from_bytes(b64url_decode(jwk["y"]), "big")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"invalid {kty} JWK: {exc}") from exc
    raise ValueError(f"unsupported JWK kty {kty!r}")
