"""Command line of the SBI emulator: ``python3 tests/emulators/sbi``."""

import argparse
import logging
import signal
import sys

from cryptography.hazmat.primitives import serialization

from .device import Device
from .keys import DeviceKeys
from .server import CA_PATH, FAULTS_PATH, STATE_PATH, SbiEmulator

_logger = logging.getLogger(__name__)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python3 tests/emulators/sbi",
        description="Local MOSIP SBI (MDS 0.9.5) device service emulator "
        "(for tests and demos only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address")
    parser.add_argument("--port", type=int, default=4501, help="port (0: any)")
    parser.add_argument("--type", default="Finger", choices=["Finger", "Iris", "Face"])
    parser.add_argument(
        "--sub-type", help="Slap/Single (Finger), Double/Single (Iris), Full face"
    )
    parser.add_argument(
        "--purpose", default="Registration", choices=["Registration", "Auth"]
    )
    parser.add_argument("--env", default="Staging")
    parser.add_argument(
        "--status",
        default="Ready",
        choices=["Ready", "Busy", "Not Ready", "Not Registered"],
    )
    parser.add_argument("--quality", type=float, default=80.0)
    parser.add_argument(
        "--keys-dir", help="keep the CA and device keys here (created if missing)"
    )
    parser.add_argument(
        "--domain-key", metavar="PEM", help="RSA public key for CAPTURE encryption"
    )
    parser.add_argument(
        "--no-control",
        action="store_true",
        help=f"disable POST {FAULTS_PATH} and {STATE_PATH}",
    )
    return parser


def make_emulator(args):
    default_sub = {"Finger": "Slap", "Iris": "Double", "Face": "Full face"}
    keys = DeviceKeys.load_or_create(args.keys_dir) if args.keys_dir else None
    domain_key = None
    if args.domain_key:
        with open(args.domain_key, "rb") as handle:
            domain_key = serialization.load_pem_public_key(handle.read())
    device = Device(
        keys=keys,
        device_type=args.type,
        device_sub_type=args.sub_type or default_sub[args.type],
        purpose=args.purpose,
        env=args.env,
        status=args.status,
        quality=args.quality,
        port=args.port,
        domain_public_key=domain_key,
    )
    return SbiEmulator(
        device, host=args.host, port=args.port, allow_control=not args.no_control
    )


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    emulator = make_emulator(args).start()
    print(f"SBI emulator on {emulator.base_url} (CA: {emulator.base_url}{CA_PATH})")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        emulator._thread.join()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        emulator.stop()
    return 0
