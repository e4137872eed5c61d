"""Command line of the eSignet emulator: ``python3 tests/emulators/esignet``."""

import argparse
import ipaddress
import logging
import os
import signal
import sys
import threading

from .keys import ProviderSigningKey
from .protocol import CLIENT_MGMT_PATH
from .server import FAULTS_PATH, ROTATE_KEYS_PATH, EsignetEmulator

_logger = logging.getLogger(__name__)

PSUT_SECRET_ENV = "ESIGNET_EMULATOR_PSUT_SECRET"
# Every other option is the EsignetEmulator keyword argument of its name.
CLI_ONLY_OPTIONS = ("signing_key", "print_config", "log_level")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python3 tests/emulators/esignet",
        description="Local OpenID Connect provider emulating MOSIP eSignet "
        "(for tests and demos only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address")
    parser.add_argument("--port", type=int, default=8088, help="port (0: any)")
    parser.add_argument(
        "--issuer",
        help="issuer / public base URL (default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--identities", metavar="FILE", help="identities JSON (default: bundled)"
    )
    parser.add_argument(
        "--clients",
        metavar="FILE",
        help='JSON list of {"client_id", "public_jwk", "redirect_uris", '
        '"userinfo_encryption_jwk"?, "allowed_acr"?, "claims"?}',
    )
    parser.add_argument(
        "--psut-secret",
        default=os.environ.get(PSUT_SECRET_ENV),
        help=f"HMAC secret for PSUTs (default: ${PSUT_SECRET_ENV}, else random: "
        "PSUTs then change at every restart)",
    )
    parser.add_argument(
        "--signing-key",
        metavar="PEM",
        help="RSA private key file for signing (created if missing) so that "
        "the kid survives restarts",
    )
    parser.add_argument(
        "--allow-fault-injection",
        action="store_true",
        help=f"enable POST {FAULTS_PATH} and POST {ROTATE_KEYS_PATH}",
    )
    parser.add_argument(
        "--allow-client-registration",
        action="store_true",
        help=f"enable POST {CLIENT_MGMT_PATH}",
    )
    parser.add_argument("--code-lifetime", type=float, default=60)
    parser.add_argument("--access-token-lifetime", type=float, default=3600)
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print the discovery URL (first line) and endpoints, then exit",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser


def _is_loopback(host):
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    signing_key = (
        ProviderSigningKey.load_or_create(args.signing_key)
        if args.signing_key
        else None
    )
    options = {k: v for k, v in vars(args).items() if k not in CLI_ONLY_OPTIONS}
    emulator = EsignetEmulator(signing_key=signing_key, **options)
    if args.print_config:
        config = emulator.provider.discovery()
        print(emulator.discovery_url)  # pylint: disable=print-used
        for key in (
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
        ):
            print(f"{key}={config[key]}")  # pylint: disable=print-used
        return 0
    if not args.psut_secret:
        _logger.warning(
            "no PSUT secret given (--psut-secret or $%s): using a random one, "
            "so PSUTs (sub) will change after a restart",
            PSUT_SECRET_ENV,
        )
    if not _is_loopback(args.host):
        _logger.warning("binding to non-loopback address %s", args.host)
    if args.allow_fault_injection:
        _logger.warning("fault injection endpoints are enabled")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    emulator.start()
    # pylint: disable=print-used
    print(f"eSignet emulator ready: {emulator.discovery_url}", file=sys.stderr)
    try:
        while not stop.wait(0.5):
            continue
    except KeyboardInterrupt:
        _logger.info("interrupted, stopping")
    finally:
        emulator.stop()
    return 0
