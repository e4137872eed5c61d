"""Compact JWS verification against the ``x5c`` certificate chain.

MOSIP devices sign ``deviceInfo``, ``digitalId`` and each capture's ``data``
as RFC 7515 compact JWS, header ``{"alg": "RS256", "typ": "JWT", "x5c": [..]}``
(MockMDS ``JwtUtility``). ``x5c[0]`` is the signing certificate; any further
entries are intermediates. The chain must end at one of the device-provider
CA certificates the administrator trusts. Plain ``cryptography`` (3.4+).
"""

import base64
import binascii
import datetime
import hashlib
import json

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .errors import (
    BAD_SIGNATURE,
    EXPIRED_CERTIFICATE,
    MALFORMED,
    UNTRUSTED_CERTIFICATE,
    SbiError,
)

MAX_CHAIN_LENGTH = 5
_HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def b64url_decode(value):
    if not isinstance(value, str):
        raise SbiError(MALFORMED, "base64url value expected")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SbiError(MALFORMED, "invalid base64url") from exc


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(data, what):
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SbiError(MALFORMED, f"{what} is not JSON") from exc
    return value


def split_jws(token):
    """``(header dict, payload bytes, signing input bytes, signature)``."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise SbiError(MALFORMED, "compact JWS expected")
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = _json(b64url_decode(header_b64), "JWS header")
    if not isinstance(header, dict):
        raise SbiError(MALFORMED, "JWS header must be an object")
    payload = b64url_decode(payload_b64)
    signature = b64url_decode(signature_b64)
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    return header, payload, signing_input, signature


def unverified_payload(token):
    """Payload of a JWS, or of a bare base64url payload (unregistered device)."""
    if isinstance(token, str) and token.count(".") == 2:
        return _json(split_jws(token)[1], "JWS payload")
    return _json(b64url_decode(token), "payload")


def load_pem_certificates(pems):
    """Certificates from PEM strings/bytes (each may hold several)."""
    certificates = []
    for pem in pems or ():
        data = pem.encode("ascii") if isinstance(pem, str) else bytes(pem)
        marker = b"-----BEGIN CERTIFICATE-----"
        blocks = [marker + part for part in data.split(marker)[1:]]
        if not blocks:
            raise ValueError("no PEM certificate found")
        certificates.extend(x509.load_pem_x509_certificate(b) for b in blocks)
    return certificates


def _fingerprint(certificate):
    return certificate.fingerprint(hashes.SHA256())


def _utc(value):
    # cryptography 3.4 returns naive UTC datetimes.
    return value.replace(tzinfo=datetime.timezone.utc)


def check_validity(certificate, now):
    if now < _utc(certificate.not_valid_before):
        raise SbiError(EXPIRED_CERTIFICATE, "certificate not yet valid")
    if now > _utc(certificate.not_valid_after):
        raise SbiError(EXPIRED_CERTIFICATE, "certificate expired")


def _is_ca(certificate):
    try:
        constraints = certificate.extensions.get_extension_for_class(
            x509.BasicConstraints
        ).value
    except x509.ExtensionNotFound:
        return False
    return constraints.ca


def _signed_by(certificate, issuer):
    """True if ``issuer``'s key signed ``certificate``."""
    if certificate.issuer != issuer.subject:
        return False
    key = issuer.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                padding.PKCS1v15(),
                certificate.signature_hash_algorithm,
            )
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                ec.ECDSA(certificate.signature_hash_algorithm),
            )
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(certificate.signature, certificate.tbs_certificate_bytes)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_chain(chain, trusted, now):
    """Check ``chain`` (leaf first) up to one of ``trusted``; return the anchor.

    Raises ``expired_certificate`` for any certificate outside its validity
    period, ``untrusted_certificate`` when no trusted CA is reached.
    """
    if not chain:
        raise SbiError(UNTRUSTED_CERTIFICATE, "no certificate in x5c")
    if not trusted:
        raise SbiError(UNTRUSTED_CERTIFICATE, "no trusted CA configured")
    trusted_prints = {_fingerprint(c): c for c in trusted}
    current = chain[0]
    intermediates = list(chain[1:])
    for _depth in range(MAX_CHAIN_LENGTH + 1):
        check_validity(current, now)
        anchor = trusted_prints.get(_fingerprint(current))
        if anchor is not None and current is not chain[0]:
            return anchor
        for candidate in trusted:
            if _signed_by(current, candidate):
                check_validity(candidate, now)
                return candidate
        for candidate in intermediates:
            if _is_ca(candidate) and _signed_by(current, candidate):
                intermediates.remove(candidate)
                current = candidate
                break
        else:
            raise SbiError(
                UNTRUSTED_CERTIFICATE, "certificate chain does not reach a trusted CA"
            )
    raise SbiError(UNTRUSTED_CERTIFICATE, "certificate chain too long")


def _x5c_chain(header):
    x5c = header.get("x5c")
    if isinstance(x5c, str):
        x5c = [x5c]
    if not isinstance(x5c, list) or not x5c:
        raise SbiError(UNTRUSTED_CERTIFICATE, "JWS header carries no x5c")
    if len(x5c) > MAX_CHAIN_LENGTH:
        raise SbiError(UNTRUSTED_CERTIFICATE, "x5c too long")
    chain = []
    for entry in x5c:
        try:
            # RFC 7515: standard base64 (not url-safe) DER.
            der = base64.b64decode(entry, validate=True)
            chain.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, ValueError, TypeError) as exc:
            raise SbiError(MALFORMED, "unreadable certificate in x5c") from exc
    return chain


def _verify_signature(public_key, alg, signing_input, signature):
    try:
        if alg.startswith(("RS", "PS")) and alg[2:] in _HASHES:
            if not isinstance(public_key, rsa.RSAPublicKey):
                return False
            hash_algorithm = _HASHES[alg[2:]]()
            pad = (
                padding.PKCS1v15()
                if alg.startswith("RS")
                else padding.PSS(
                    mgf=padding.MGF1(hash_algorithm),
                    salt_length=hash_algorithm.digest_size,
                )
            )
            public_key.verify(signature, signing_input, pad, hash_algorithm)
        elif alg.startswith("ES") and alg[2:] in _HASHES:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                return False
            size = (public_key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:size], "big"),
                int.from_bytes(signature[size:], "big"),
            )
            public_key.verify(der, signing_input, ec.ECDSA(_HASHES[alg[2:]]()))
        elif alg == "EdDSA":
            if not isinstance(public_key, ed25519.Ed25519PublicKey):
                return False
            public_key.verify(signature, signing_input)
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


class VerifiedJws:
    """A JWS whose signature and chain were checked."""

    def __init__(self, header, payload, chain, anchor):
        self.header = header
        self.payload = payload  # raw bytes
        self.chain = chain
        self.anchor = anchor

    @property
    def certificate(self):
        return self.chain[0]

    @property
    def certificate_thumbprint(self):
        """SHA-256 of the signing certificate (DER), hex upper case."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return hashlib.sha256(der).hexdigest().upper()

    def json(self):
        return _json(self.payload, "JWS payload")


def verify_jws(token, trusted, now):
    """Verify a compact JWS signed by ``x5c[0]``, chained up to ``trusted``.

    Chain and dates are checked before the signature, so that a forged chain
    reports ``untrusted_certificate`` and an out-of-date one
    ``expired_certificate``; a signature that does not match ``bad_signature``.
    """
    header, payload, signing_input, signature = split_jws(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg == "none":
        raise SbiError(BAD_SIGNATURE, "JWS algorithm missing or 'none'")
    chain = _x5c_chain(header)
    anchor = verify_chain(chain, trusted, now)
    if not _verify_signature(chain[0].public_key(), alg, signing_input, signature):
        raise SbiError(BAD_SIGNATURE, "JWS signature does not verify")
    return VerifiedJws(header, payload, chain, anchor)


def certificate_summaries(pem):
    """[{subject, issuer, fingerprint, not_before, not_after, is_ca}] of the
    certificates of one PEM text; ``ValueError`` when none can be read."""
    try:
        certificates = load_pem_certificates([pem])
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PEM certificate") from exc
    return [
        {
            "subject": certificate.subject.rfc4514_string(),
            "issuer": certificate.issuer.rfc4514_string(),
            "fingerprint": _fingerprint(certificate).hex().upper(),
            "not_before": _utc(certificate.not_valid_before),
            "not_after": _utc(certificate.not_valid_after),
            "is_ca": _is_ca(certificate),
        }
        for certificate in certificates
    ]
