"""PKCE (RFC 7636) with the S256 method only."""

import base64
import hashlib
import re
import secrets

VERIFIER_MIN_LENGTH = 43
VERIFIER_MAX_LENGTH = 128
_VERIFIER_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~]+")


def new_code_verifier():
    """A fresh verifier: 64 random bytes, base64url (86 characters)."""
    return secrets.token_urlsafe(64)


def is_valid_code_verifier(verifier):
    return (
        isinstance(verifier, str)
        and VERIFIER_MIN_LENGTH <= len(verifier) <= VERIFIER_MAX_LENGTH
        and _VERIFIER_CHARACTERS.fullmatch(verifier) is not None
    )


def s256_code_challenge(verifier):
    """BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
