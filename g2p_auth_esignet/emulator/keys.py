"""RSA signing keys, JWK helpers and RFC 7638 thumbprints (no Odoo imports)."""

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


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


class SigningKey:
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
