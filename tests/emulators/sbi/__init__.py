"""Standalone MOSIP SBI (MDS 0.9.5) device service emulator for tests/demos.

Never imports Odoo nor this repository's addons; relative imports only. The
plain suite imports it as ``emulators.sbi``.

- ``device.Device``: the protocol without HTTP, with ``Faults``;
- ``keys.DeviceKeys``: device-provider CA + device certificate, JWS signing;
- ``server.SbiEmulator``: a Device served over HTTP on 127.0.0.1;
- ``cli``: ``python3 tests/emulators/sbi --port 4501``.
"""

from .cli import main
from .device import Device, Faults
from .keys import DeviceKeys
from .server import CA_PATH, FAULTS_PATH, STATE_PATH, SbiEmulator

__all__ = [
    "CA_PATH",
    "FAULTS_PATH",
    "STATE_PATH",
    "Device",
    "DeviceKeys",
    "Faults",
    "SbiEmulator",
    "main",
]
