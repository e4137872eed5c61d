#!/usr/bin/env python3
"""Benchmark: processing time of the eSignet login callback, network excluded.

Runs the relying party's whole callback (client assertion, token response,
ID token verification, signed userinfo verification, claim mapping) against
the in-process eSignet emulator (the plain suite's in-process login,
``tests/oidc/in_process_login.py``), with a warm JWKS cache as on a running
portal. The emulator's own time (signing tokens, checking the assertion) is
measured separately and subtracted: what is left is the portal's share.

Target (issue #3): median at most 20 ms; no JWKS fetch on a warm login.

    python3 bench/bench_esignet_callback.py [--logins 200]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from repo import register_bare_addon_packages  # noqa: E402

register_bare_addon_packages()

from emulators.esignet import JWKS_PATH  # noqa: E402
from oidc.in_process_login import (  # noqa: E402
    authorize,
    callback,
    client_signing_key,
    new_provider,
    provider_settings,
)

from g2p_auth_esignet.oidc import build_claims_request  # noqa: E402
from g2p_auth_esignet.oidc.relying_party import MemoryJwksStore  # noqa: E402

TARGET_MS = 20.0
# What the portal asks for: essential name and birthdate, the rest voluntary.
CLAIMS = build_claims_request(
    ["name", "birthdate"], ["gender", "email", "phone_number", "address"]
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=200)
    args = parser.parse_args(argv)

    signing_key = client_signing_key()
    provider = new_provider(signing_key)
    settings = provider_settings(signing_key)
    store = MemoryJwksStore()

    def one_login():
        transaction, code = authorize(provider, claims=CLAIMS)
        started = time.perf_counter()
        _result, transport = callback(provider, settings, transaction, code, store)
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
