"""A login started on one server ends on the other; sessions live in
PostgreSQL (OCA session_db), read by every server."""

import json
from pathlib import Path

from .harness import Browser
from .signin import KOFI, sign_in_with_national_id


def _session_payload(cluster, sid):
    rows = cluster.sql("SELECT payload FROM http_sessions WHERE sid = %s", (sid,))
    return json.loads(rows[0][0]) if rows else None


def test_national_id_login_from_one_server_to_the_other(cluster):
    kofi_user = cluster.sql(
        "SELECT u.id FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
        "WHERE p.id = %s",
        (cluster.xmlid("g2p_self_service_portal.demo_registrant_kofi"),),
    )
    browser = Browser(cluster)
    provider_started = browser.get("odoo-1", "/selfservice/login")
    assert provider_started.status_code == 200

    answer = sign_in_with_national_id(browser, KOFI, start="odoo-1", finish="odoo-2")
    assert answer.status_code == 303, answer.text[:1000]
    assert "/auth_esignet/error" not in answer.headers["Location"]

    # Signed in, on both servers, with the session the login started in.
    uid = browser.uid("odoo-2")
    assert uid
    if kofi_user:
        assert uid == kofi_user[0][0], "linked to the demo's Kofi"
    assert browser.uid("odoo-1") == uid
    assert browser.get("odoo-1", "/my").status_code == 200

    # The session is a row of PostgreSQL, not a file of either server.
    sid = browser.sid
    assert _session_payload(cluster, sid)["uid"] == uid
    if cluster.info.get("own_data_dirs"):
        for server in cluster.info["servers"]:
            sessions = Path(server["data_dir"]) / "sessions"
            files = [p.name for p in sessions.rglob("*")] if sessions.exists() else []
            assert not any(sid in name for name in files), server["name"]


def test_a_session_ends_everywhere_when_it_ends_on_one_server(cluster):
    browser = Browser(cluster)
    answer = sign_in_with_national_id(browser, KOFI, start="odoo-2", finish="odoo-1")
    assert answer.status_code == 303, answer.text[:1000]
    uid = browser.uid("odoo-2")
    assert uid and browser.uid("odoo-1") == uid
    old_sid = browser.sid

    logout = browser.get("odoo-2", "/web/session/logout?redirect=/web/login")
    assert logout.status_code in (302, 303)
    assert _session_payload(cluster, old_sid) is None, "removed from PostgreSQL"

    # The old cookie, presented to the other server, signs in no one.
    other = Browser(cluster)
    other.session.cookies.set("session_id", old_sid)
    assert not other.uid("odoo-1")
    assert other.get("odoo-1", "/my").status_code in (302, 303)
