"""Envelope encryption of captures at rest, and MOSIP auth bioValue decryption.

Envelope: a random 256-bit data key per capture encrypts the payload with
AES-GCM; the data key is itself encrypted (wrapped) with AES-GCM under the
master key (16/24/32 bytes, raw or base64). The result is a JSON-ready dict;
``decrypt_capture`` raises ``SbiError("decryption_failed")`` for a wrong
master key or any tampering.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DECRYPTION_FAILED, MALFORMED, SbiError
from .jws import b64url_decode, b64url_encode

ENVELOPE_VERSION = 1
ALGORITHM = "A256GCM+A256GCMKW"
_WRAP_AAD = b"g2p-sbi-capture-data-key/v1"


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _unb64(value, what):
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SbiError(MALFORMED, f"{what} is not base64") from exc


def load_master_key(master_key):
    """Master key from bytes (16/24/32) or their base64 text."""
    if isinstance(master_key, str):
        try:
            master_key = base64.b64decode(master_key.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("master key: invalid base64") from exc
    if not isinstance(master_key, bytes | bytearray) or len(master_key) not in (
        16,
        24,
        32,
    ):
        raise ValueError("master key must be 16, 24 or 32 bytes")
    return bytes(master_key)


def generate_master_key():
    """A new random 256-bit master key, base64 (for configuration)."""
    return _b64(AESGCM.generate_key(bit_length=256))


def encrypt_capture(plaintext, master_key, associated_data=b""):
    """Envelope-encrypt ``plaintext`` (bytes); ``associated_data`` binds it
    to a context (e.g. the record id) and must be given again to decrypt."""
    key = load_master_key(master_key)
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, bytes(plaintext), associated_data)
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(key).encrypt(wrap_nonce, data_key, _WRAP_AAD)
    return {
        "v": ENVELOPE_VERSION,
        "alg": ALGORITHM,
        "wrapped_key": _b64(wrapped),
        "wrap_nonce": _b64(wrap_nonce),
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }


def decrypt_capture(envelope, master_key, associated_data=b""):
    if not isinstance(envelope, dict) or envelope.get("v") != ENVELOPE_VERSION:
        raise SbiError(MALFORMED, "unknown envelope version")
    if envelope.get("alg") != ALGORITHM:
        raise SbiError(MALFORMED, "unknown envelope algorithm")
    key = load_master_key(master_key)
    try:
        data_key = AESGCM(key).decrypt(
            _unb64(envelope.get("wrap_nonce"), "wrap_nonce"),
            _unb64(envelope.get("wrapped_key"), "wrapped_key"),
            _WRAP_AAD,
        )
        return AESGCM(data_key).decrypt(
            _unb64(envelope.get("nonce"), "nonce"),
            _unb64(envelope.get("ciphertext"), "ciphertext"),
            associated_data,
        )
    except (InvalidTag, ValueError) as exc:
        raise SbiError(DECRYPTION_FAILED, "wrong master key or altered data") from exc


def rewrap_capture(envelope, old_master_key, new_master_key):
    """Master key rotation: re-wrap the data key, payload untouched."""
    key = load_master_key(old_master_key)
    try:
        data_key = AESGCM(key).decrypt(
            _unb64(envelope.get("wrap_nonce"), "wrap_nonce"),
            _unb64(envelope.get("wrapped_key"), "wrapped_key"),
            _WRAP_AAD,
        )
    except (InvalidTag, ValueError) as exc:
        raise SbiError(DECRYPTION_FAILED, "wrong master key") from exc
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(load_master_key(new_master_key)).encrypt(
        wrap_nonce, data_key, _WRAP_AAD
    )
    return dict(envelope, wrapped_key=_b64(wrapped), wrap_nonce=_b64(wrap_nonce))


def _xor_tail(timestamp, transaction_id):
    """MockMDS ``CryptoUtility.getXOR``: left-pad the shorter with zero bytes."""
    a = timestamp.encode("utf-8")
    b = transaction_id.encode("utf-8")
    size = max(len(a), len(b))
    a = a.rjust(size, b"\0")
    b = b.rjust(size, b"\0")
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def auth_iv_and_aad(timestamp, transaction_id):
    """Spec: (timestamp XOR transactionId); last 12 bytes IV, last 16 AAD."""
    xored = _xor_tail(timestamp.strip(), transaction_id)
    if len(xored) < 16:
        raise SbiError(MALFORMED, "timestamp/transactionId too short")
    return xored[-12:], xored[-16:]


def decrypt_auth_bio_value(private_key, session_key, bio_value, timestamp, txn_id):
    """Decrypt a CAPTURE ``bioValue`` with the auth server's RSA private key
    (sessionKey: RSA-OAEP-SHA256; bioValue: AES-GCM, spec IV/AAD)."""
    try:
        data_key = private_key.decrypt(
            b64url_decode(session_key),
            padding.OAEP(
                mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
            ),
        )
        iv, aad = auth_iv_and_aad(timestamp, txn_id)
        return AESGCM(data_key).decrypt(iv, b64url_decode(bio_value), aad)
    except (InvalidTag, ValueError) as exc:
        raise SbiError(DECRYPTION_FAILED, "cannot decrypt bioValue") from exc


def encrypt_auth_bio_value(public_key, iso_data, timestamp, txn_id):
    """The device side of ``decrypt_auth_bio_value`` (used by the emulator
    and tests): returns ``(sessionKey, bioValue)`` base64url."""
    data_key = AESGCM.generate_key(bit_length=256)
    iv, aad = auth_iv_and_aad(timestamp, txn_id)
    encrypted = AESGCM(data_key).encrypt(iv, iso_data, aad)
    session_key = public_key.encrypt(
        data_key,
        padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        ),
    )
    return b64url_encode(session_key), b64url_encode(encrypted)
