"""Keys (generated once per session: RSA keygen is slow) and token builders."""

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

NOW = 1_700_000_000.0
ISSUER = "https://esignet.example.org/v1/esignet"
CLIENT_ID = "openg2p-portal"
SUB = "PSUT-1234567890"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "access-token-value-xyz"


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header, payload, signature=b"sig"):
    """Assemble a compact JWS from parts (for tokens no library would sign)."""

    def encode(part):
        return part if isinstance(part, str) else b64url(json.dumps(part))

    return ".".join(
        [
            encode(header),
            encode(payload),
            b64url(signature),
        ]
    )


def pem_private(key, private_format=serialization.PrivateFormat.PKCS8):
    return key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    ).decode()


def pem_public(key):
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )


def public_jwk_of(key, kid, **extra):
    algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk = algorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.pop("key_ops", None)
    jwk.update({"kid": kid, "use": "sig", **extra})
    return jwk


def private_jwk_of(key, kid=None, **extra):
    algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk = algorithm.to_jwk(key, as_dict=True)
    jwk.pop("key_ops", None)
    if kid:
        jwk["kid"] = kid
    jwk.update(extra)
    return jwk


def new_key(kind):
    """A new private key: ``rsa`` (2048 bits) or ``ec`` (P-256)."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def session_key(kind, doc=None):
    """A fixture: one new ``kind`` key for the whole session (under the name
    it is assigned to)."""

    def key():
        return new_key(kind)

    key.__doc__ = doc
    return pytest.fixture(scope="session")(key)


provider_rsa_key = session_key("rsa")
provider_rsa_key_rotated = session_key("rsa")
provider_ec_key = session_key("ec")
rp_rsa_key = session_key(
    "rsa", "The relying party's own key (client assertion, userinfo decryption)."
)
rp_rsa_key_other = session_key("rsa")
rp_ec_key = session_key("ec")


def jwks_of(keys):
    """The JWKS publishing the public half of each private key (kid: key)."""
    return {"keys": [public_jwk_of(key, kid) for kid, key in keys.items()]}


@pytest.fixture(scope="session")
def jwks(provider_rsa_key, provider_ec_key):
    return jwks_of({"rsa-1": provider_rsa_key, "ec-1": provider_ec_key})


@pytest.fixture(scope="session")
def rotated_jwks(provider_rsa_key, provider_rsa_key_rotated):
    return jwks_of({"rsa-1": provider_rsa_key, "rsa-2": provider_rsa_key_rotated})


def id_token_claims(**overrides):
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": SUB,
        "nonce": NONCE,
        "iat": int(NOW) - 10,
        "exp": int(NOW) + 300,
        "acr": "mosip:idp:acr:generated-code",
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def sign(claims, key, alg="RS256", kid="rsa-1", **headers):
    if kid is not None:
        headers["kid"] = kid
    return jwt.encode(claims, key, algorithm=alg, headers=headers)
