"""Fixtures: an emulated device (in process) and one served over HTTP."""

import datetime
import socket

import pytest
import requests
from emulators.sbi import Device, DeviceKeys, SbiEmulator

from g2p_biometric_assist.sbi import VerificationPolicy


@pytest.fixture(scope="session")
def keys():
    return DeviceKeys.generate()


@pytest.fixture
def device(keys):
    return Device(keys=keys)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def emulator(keys):
    with SbiEmulator(Device(keys=keys), port=free_port()) as running:
        yield running


def policy_for(keys, **options):
    return VerificationPolicy(trusted_ca_pems=[keys.ca_pem], **options)


def send(emulator, request, timeout=10):
    """Send an ``SbiRequest`` over HTTP; returns the ``requests`` response."""
    return requests.request(
        request.http_method,
        emulator.base_url + request.path,
        json=request.body,
        timeout=timeout,
    )


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)
