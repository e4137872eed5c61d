"""What the test runner, the demo and the benchmarks share: public helpers.

``tests/run_suites.py``, ``setup/demo.py`` (and its modules) and
``bench/*.py`` all find the machine's Odoo configuration, run Odoo's server
through this interpreter, drop a database, wait for a server to answer, pick
a free port and register the portal's client with the eSignet emulator. Each
of these lives here once. Standard library only: the demo imports this
module before it has checked that anything else is installed.

Importable as ``tooling`` wherever ``tests/`` is on ``sys.path``, as ``repo``
is (pytest and the scripts under ``tests/`` have it; the demo and the
benchmarks insert it).
"""

import configparser
import contextlib
import datetime
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from repo import ADDONS, REPO_ROOT

HOST = "127.0.0.1"
# eSignet's client-management API (what the emulator implements).
CLIENT_MGMT_PATH = "/v1/esignet/client-mgmt/oidc-client"


class ToolError(RuntimeError):
    """Something the person running a tool must know; one message."""


# -- the machine's Odoo ---------------------------------------------------------


def odoo_config_source():
    """The Odoo configuration file: ``$ODOO_RC``, ``~/.odoorc`` or the old
    ``~/.openerp_serverrc``, the first one that exists (None without one)."""
    for candidate in (os.environ.get("ODOO_RC"), "~/.odoorc", "~/.openerp_serverrc"):
        if candidate and Path(candidate).expanduser().is_file():
            return Path(candidate).expanduser()
    return None


def read_odoo_options(source):
    """The ``[options]`` of an Odoo configuration file ({} without a file)."""
    parser = configparser.RawConfigParser()
    if source:
        parser.read(source)
    if not parser.has_section("options"):
        return {}
    return dict(parser.items("options"))


def write_test_config(directory):
    """Copy the machine's Odoo config with this repository on addons_path;
    returns (the copy's path, the file copied or None)."""
    parser = configparser.RawConfigParser()
    source = odoo_config_source()
    if source:
        parser.read(source)
    if not parser.has_section("options"):
        parser.add_section("options")
    paths = [str(REPO_ROOT)]
    existing = parser.get("options", "addons_path", fallback="")
    paths += [p.strip() for p in existing.split(",") if p.strip()]
    parser.set("options", "addons_path", ",".join(paths))
    # The tool drives the server itself: no cron threads, no stray db.
    parser.set("options", "max_cron_threads", "0")
    parser.remove_option("options", "db_name")
    # queue_job's runner thread would call the test server in the middle of
    # test transactions; jobs are run explicitly by the tests that need them.
    if not parser.has_section("queue_job"):
        parser.add_section("queue_job")
    parser.set("queue_job", "channels", "root:0")
    parser.remove_option("options", "logfile")
    path = Path(directory) / "odoo-test.conf"
    with path.open("w") as handle:
        parser.write(handle)
    return path, source


def odoo_command(config, *args):
    """The command line of Odoo's server with ``config`` and ``args``."""
    # Run the server through the interpreter, not the `odoo` console script:
    # with odoo-addon-* packages installed the script can import the
    # odoo/addons namespace folder instead of the server.
    return [
        sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        f"--config={config}",
        *args,
    ]


def own_module_problems(log_text, addons=ADDONS):
    """Warnings and errors logged by our addons (an installation's log)."""
    problems = []
    for line in log_text.splitlines():
        if not any(level in line for level in (" WARNING ", " ERROR ", " CRITICAL ")):
            continue
        if any(addon in line for addon in addons):
            problems.append(line.strip())
    return problems


DROP_SCRIPT = """\
import sys
import odoo
odoo.tools.config.parse_config([f"--config={sys.argv[1]}"])
# A configuration that hides the database manager (list_db = False, as the
# demo's does) makes Odoo's drop refuse: the tool may drop its own database.
odoo.tools.config["list_db"] = True
from odoo.service import db
if db.exp_db_exist(sys.argv[2]):
    db.exp_drop(sys.argv[2])
"""


def drop_database(config, database):
    """Drop ``database`` and its filestore, as Odoo's database manager does
    (nothing to do when there is no such database); ToolError on failure."""
    proc = subprocess.run(
        [sys.executable, "-c", DROP_SCRIPT, str(config), database],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise ToolError(f"dropping database {database} failed: {proc.stderr[-2000:]}")


# -- processes and ports ----------------------------------------------------------


def free_port(host=HOST):
    """A TCP port nothing listens on now (the system's choice)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def log_tail(log, lines=15):
    """The end of the log file ``log``, as a message's end ("" without one)."""
    if not log or not Path(log).is_file():
        return ""
    text = Path(log).read_text(errors="replace").splitlines()[-lines:]
    return f"; the end of {log}:\n    " + "\n    ".join(text)


def wait_until(check, what, timeout, process=None, log=None, cancel=(), interval=0.3):
    """Poll ``check()`` until it is true; ToolError after ``timeout`` seconds,
    or as soon as ``process`` exits (with the end of its ``log``) or
    ``cancel`` (the signals received) is no longer empty. A check that
    raises a network error (OSError: urllib's and requests' errors are
    ones) or cannot parse the answer (ValueError) is not ready yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cancel:
            raise ToolError(f"stopped while waiting for {what}")
        if process is not None and process.poll() is not None:
            raise ToolError(f"{what} exited with {process.returncode}{log_tail(log)}")
        with contextlib.suppress(OSError, ValueError):
            if check():
                return
        time.sleep(interval)
    raise ToolError(f"{what} did not answer within {timeout}s{log_tail(log)}")


# -- HTTP without proxies -----------------------------------------------------------

# Loopback only, whatever the environment says about proxies.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url, timeout=5):
    """(status, body) of GET ``url``; urllib's errors for refusals."""
    with _LOCAL.open(url, timeout=timeout) as response:
        return response.status, response.read()


def http_post_json(url, body, timeout=10):
    """The JSON answer of POST ``url`` with the JSON ``body``."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with _LOCAL.open(request, timeout=timeout) as response:
        return json.loads(response.read())


# -- the eSignet client registration -------------------------------------------------


def client_registration_request(
    client_id,
    public_jwk,
    redirect_uris,
    *,
    client_name=None,
    relying_party_id=None,
    user_claims=None,
    acr_values=None,
    logo_uri=None,
    now=None,
):
    """The body of ``POST /v1/esignet/client-mgmt/oidc-client`` (eSignet's
    client-management API, as the OpenG2P eSignet guide fills it); the
    optional fields left None are left out."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    request = {
        "clientId": client_id,
        "clientName": client_name,
        "publicKey": public_jwk,
        "relyingPartyId": relying_party_id,
        "userClaims": None if user_claims is None else list(user_claims),
        "authContextRefs": None if acr_values is None else list(acr_values),
        "logoUri": logo_uri,
        "redirectUris": list(redirect_uris),
        "grantTypes": ["authorization_code"],
        "clientAuthMethods": ["private_key_jwt"],
    }
    return {
        "requestTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now:%f}"[:3] + "Z",
        "request": {key: value for key, value in request.items() if value is not None},
    }


def register_client(issuer, body, post=None):
    """Register the client of ``body`` with the eSignet at ``issuer``:
    "registered", or "exists" when its client id is known; ToolError when
    refused."""
    post = post or http_post_json
    answer = post(issuer + CLIENT_MGMT_PATH, body)
    errors = answer.get("errors") or []
    client_id = body.get("request", {}).get("clientId")
    if not errors and (answer.get("response") or {}).get("clientId") == client_id:
        return "registered"
    if any(error.get("errorCode") == "duplicate_client_id" for error in errors):
        return "exists"
    raise ToolError(f"the eSignet emulator refused the client registration: {errors}")
