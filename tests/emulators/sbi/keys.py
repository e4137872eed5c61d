"""The emulated device's PKI: a device-provider CA and a device certificate.

Made at first start (RSA 2048, as MockMDS' ``.p12`` keys), optionally kept in
a folder (``ca.pem``, ``ca.key``, ``device.pem``, ``device.key``) so that an
administrator can trust ``ca.pem`` once.
"""

import base64
import datetime
import json
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SBI Emulator Provider"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_certificate(
    subject_key,
    common_name,
    issuer_key=None,
    issuer_cert=None,
    *,
    ca,
    days=365,
    not_before=None,
):
    now = not_before or datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_cert.subject if issuer_cert else _name(common_name))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key or subject_key, hashes.SHA256())


def _pem_key(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class DeviceKeys:
    """Provider CA + device key/certificate, and JWS signing with ``x5c``."""

    def __init__(self, ca_key, ca_cert, device_key, device_cert):
        self.ca_key = ca_key
        self.ca_cert = ca_cert
        self.device_key = device_key
        self.device_cert = device_cert
        self._expired_cert = None

    @classmethod
    def generate(cls, device_name="SBI emulator device"):
        ca_key = _new_key()
        ca_cert = make_certificate(
            ca_key, "SBI Emulator Provider CA", ca=True, days=3650
        )
        device_key = _new_key()
        device_cert = make_certificate(
            device_key, device_name, ca_key, ca_cert, ca=False, days=30
        )
        return cls(ca_key, ca_cert, device_key, device_cert)

    @classmethod
    def load_or_create(cls, folder):
        folder = Path(folder)
        names = ("ca.key", "ca.pem", "device.key", "device.pem")
        if all((folder / n).is_file() for n in names):
            ca_key, device_key = (
                serialization.load_pem_private_key((folder / n).read_bytes(), None)
                for n in ("ca.key", "device.key")
            )
            ca_cert, device_cert = (
                x509.load_pem_x509_certificate((folder / n).read_bytes())
                for n in ("ca.pem", "device.pem")
            )
            return cls(ca_key, ca_cert, device_key, device_cert)
        keys = cls.generate()
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in (
            ("ca.key", _pem_key(keys.ca_key)),
            ("ca.pem", _pem_cert(keys.ca_cert)),
            ("device.key", _pem_key(keys.device_key)),
            ("device.pem", _pem_cert(keys.device_cert)),
        ):
            path = folder / name
            path.write_bytes(data)
            if name.endswith(".key"):
                os.chmod(path, 0o600)
        return keys

    @property
    def ca_pem(self):
        return _pem_cert(self.ca_cert).decode("ascii")

    def expired_device_cert(self):
        """The device key certified for a period that is over."""
        if self._expired_cert is None:
            start = datetime.datetime.utcnow() - datetime.timedelta(days=60)
            self._expired_cert = make_certificate(
                self.device_key,
                "SBI emulator device (expired)",
                self.ca_key,
                self.ca_cert,
                ca=False,
                days=30,
                not_before=start,
            )
        return self._expired_cert

    def sign(self, payload, *, expired=False, corrupt=False):
        """Compact JWS (RS256) of a dict, header ``{alg, typ, x5c}``."""
        cert = self.expired_device_cert() if expired else self.device_cert
        x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        header = {"alg": "RS256", "typ": "JWT", "x5c": x5c}
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(payload, separators=(",", ":")).encode())
        )
        signature = self.device_key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        if corrupt:
            signature = bytes([signature[0] ^ 0xFF]) + signature[1:]
        return signing_input + "." + b64url(signature)
