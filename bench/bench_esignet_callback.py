#!/usr/bin/env python3
"""Benchmark: processing time of the eSignet login callback, network excluded.

Runs the relying party's whole callback (client assertion, token response,
ID token verification, signed userinfo verification, claim mapping) against
the in-process eSignet emulator, with a warm JWKS cache as on a running
portal. The emulator's own time (signing tokens, checking the assertion) is
measured separately and subtracted: what is left is the portal's share.

Target (issue #3): median at most 20 ms; no JWKS fetch on a warm login.

    python3 bench/bench_esignet_callback.py [--logins 200]
"""

import argparse
import statistics
import sys
import time
import types
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0


def _load_core():
    # The addon's __init__ imports Odoo; the core and the emulator do not.
    package = types.ModuleType("g2p_auth_esignet")
    package.__path__ = [str(REPO_ROOT / "g2p_auth_esignet")]
    sys.modules.setdefault("g2p_auth_esignet", package)


_load_core()

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from g2p_auth_esignet.emulator.in_process import (  # noqa: E402
    InProcessTransport,
    login_in_process,
)
from g2p_auth_esignet.emulator.provider import (  # noqa: E402
    JWKS_PATH,
    TOKEN_PATH,
    USERINFO_PATH,
    Provider,
)
from g2p_auth_esignet.oidc import (  # noqa: E402
    LoginTransaction,
    build_authorize_url,
    build_claims_request,
    load_private_key,
    parse_callback,
    parse_mapping,
    public_jwk,
)
from g2p_auth_esignet.oidc.relying_party import (  # noqa: E402
    MemoryJwksStore,
    ProviderSettings,
    complete_login,
)

ISSUER = "https://esignet.bench.test"
REDIRECT_URI = "https://portal.bench.test/auth_oauth/signin"
CLIENT_ID = "bench-portal"
CLAIMS = ["name", "birthdate", "gender", "email", "phone_number", "address"]


def _client_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return load_private_key(pem)


def _authorize(provider):
    """The browser's part (not timed): returns (transaction, code)."""
    transaction = LoginTransaction.new(1, time.time())
    url = build_authorize_url(
        ISSUER + "/authorize",
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        transaction=transaction,
        claims=build_claims_request(["name", "birthdate"], CLAIMS[2:]),
    )
    location = login_in_process(provider, url, "5037418692")
    code, _state = parse_callback(dict(parse_qsl(urlsplit(location).query)))
    return transaction, code


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=200)
    args = parser.parse_args(argv)

    signing_key = _client_key()
    provider = Provider(issuer=ISSUER)
    provider.register_client(CLIENT_ID, public_jwk(signing_key), [REDIRECT_URI])
    settings = ProviderSettings(
        client_id=CLIENT_ID,
        issuer=ISSUER,
        token_endpoint=ISSUER + TOKEN_PATH,
        jwks_uri=ISSUER + JWKS_PATH,
        redirect_uri=REDIRECT_URI,
        signing_key=signing_key,
        userinfo_endpoint=ISSUER + USERINFO_PATH,
        mapping=tuple(
            parse_mapping(
                "name:name email:email phone:phone_number birthdate:birthdate "
                "gender:gender address:address"
            )
        ),
    )
    store = MemoryJwksStore()

    def one_login():
        transaction, code = _authorize(provider)
        transport = InProcessTransport(provider)
        started = time.perf_counter()
        complete_login(
            settings,
            transaction,
            code,
            transport=transport,
            jwks_store=store,
            now=time.time(),
        )
        total = time.perf_counter() - started
        return total - transport.provider_seconds, transport

    _cold, cold_transport = one_login()  # fills the JWKS cache
    samples = []
    warm_jwks_fetches = 0
    for _ in range(args.logins):
        seconds, transport = one_login()
        samples.append(seconds * 1000)
        warm_jwks_fetches += transport.requests_log.count(("GET", JWKS_PATH))

    samples.sort()
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print("eSignet callback processing, network and provider time excluded")
    print(f"  logins measured:            {len(samples)} (warm JWKS cache)")
    print(f"  median:                     {median:.2f} ms  (target <= {TARGET_MS} ms)")
    print(f"  p95:                        {p95:.2f} ms")
    print(f"  max:                        {samples[-1]:.2f} ms")
    print(
        "  JWKS fetches, cold login:   "
        f"{cold_transport.requests_log.count(('GET', JWKS_PATH))}"
    )
    print(f"  JWKS fetches, warm logins:  {warm_jwks_fetches} (target 0)")
    ok = median <= TARGET_MS and warm_jwks_fetches == 0
    print("  result:                     " + ("within target" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
