"""Relying parties registered with the emulated eSignet, and their validation."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from .claims import CLAIMS_SUPPORTED
from .keys import load_public_jwk
from .protocol import SUPPORTED_ACRS


@dataclass
class Client:
    client_id: str
    public_jwk: dict
    redirect_uris: list
    userinfo_encryption_jwk: dict = None
    allowed_acr: tuple = SUPPORTED_ACRS
    claims: tuple = CLAIMS_SUPPORTED
    name: str = ""
    # eSignet derives the PSUT (``sub``) from the relying party, which may
    # own several OIDC clients (a new client, a new key): the same person
    # gets the same ``sub`` through each of them. Empty: the client_id.
    relying_party_id: str = ""
    public_key: object = field(default=None, repr=False)
    # Answer userinfo as plain JSON, as generic OpenID providers may do
    # (eSignet always signs it); tests set it to check a relying party
    # trusts no unsigned claim for account linking.
    plain_userinfo: bool = False


def new_client(
    client_id,
    public_jwk,
    redirect_uris,
    userinfo_encryption_jwk=None,
    allowed_acr=None,
    claims=None,
    name="",
    relying_party_id=None,
):
    """A validated Client; ValueError says what is wrong with the registration."""
    if not client_id or not isinstance(client_id, str):
        raise ValueError("client_id must be a non-empty string")
    if relying_party_id is not None and not isinstance(relying_party_id, str):
        raise ValueError("relying_party_id must be a string")
    if isinstance(public_jwk, str):
        public_jwk = json.loads(public_jwk)
    public_key = load_public_jwk(public_jwk)
    if isinstance(redirect_uris, str):
        redirect_uris = [redirect_uris]
    if not redirect_uris:
        raise ValueError("at least one redirect_uri is required")
    for uri in redirect_uris:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"redirect_uri must be an absolute URL: {uri!r}")
        if parts.fragment:
            raise ValueError("redirect_uri must not contain a fragment")
    if isinstance(userinfo_encryption_jwk, str):
        userinfo_encryption_jwk = json.loads(userinfo_encryption_jwk)
    if userinfo_encryption_jwk is not None:
        enc_key = load_public_jwk(userinfo_encryption_jwk)
        if not isinstance(enc_key, rsa.RSAPublicKey):
            raise ValueError("userinfo encryption key must be an RSA key")
    allowed_acr = tuple(allowed_acr or SUPPORTED_ACRS)
    unknown = set(allowed_acr) - set(SUPPORTED_ACRS)
    if unknown:
        raise ValueError(f"unsupported acr values: {sorted(unknown)}")
    return Client(
        client_id=client_id,
        public_jwk=dict(public_jwk),
        redirect_uris=list(redirect_uris),
        userinfo_encryption_jwk=userinfo_encryption_jwk,
        allowed_acr=allowed_acr,
        claims=tuple(claims) if claims is not None else CLAIMS_SUPPORTED,
        name=name or client_id,
        relying_party_id=relying_party_id or client_id,
        public_key=public_key,
    )


def client_from_dict(entry):
    """A Client from a dict in emulator or eSignet client-mgmt spelling."""

    def pick(*names):
        for n in names:
            if entry.get(n) is not None:
                return entry[n]
        return None

    return new_client(
        client_id=pick("client_id", "clientId"),
        public_jwk=pick("public_jwk", "publicKey"),
        redirect_uris=pick("redirect_uris", "redirectUris"),
        userinfo_encryption_jwk=pick(
            "userinfo_encryption_jwk", "userinfoEncryptionJwk"
        ),
        allowed_acr=pick("allowed_acr", "authContextRefs"),
        claims=pick("claims", "userClaims"),
        name=pick("name", "clientName") or "",
        relying_party_id=pick("relying_party_id", "relyingPartyId"),
    )
