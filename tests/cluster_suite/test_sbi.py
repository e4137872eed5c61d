"""An officer's SBI capture started on one server and answered on the other
is accepted once (the pending request lives in the shared session)."""

import json
import threading

import requests

from .harness import Browser


def _officer(cluster, where):
    officer = Browser(cluster)
    officer.sign_in(where, "officer", "officer")
    return officer


def _consent(officer, where, partner):
    csrf = officer.form_inputs(where, "/assist/register")["csrf_token"]
    answer = officer.post(
        where,
        f"/assist/registrant/{partner}/consent",
        data={"csrf_token": csrf, "agreed": "1", "method": "spoken"},
    )
    assert answer.status_code in (200, 303), answer.text[:300]


def _device_capture(cluster, officer, where, base):
    sbi = f"http://127.0.0.1:{cluster.sbi_port}"
    device = requests.request(
        "MOSIPDISC", sbi + "/device", json={"type": "Biometric Device"}, timeout=10
    ).json()[0]
    started = officer.jsonrpc(
        where,
        base + "/capture/start",
        {
            "device": {
                "deviceId": device["deviceId"],
                "deviceSubId": device["deviceSubId"][0],
                "port": cluster.sbi_port,
            },
            "bio_type": "Finger",
            "bio_sub_types": ["Right IndexFinger", "Right Thumb"],
            "count": 2,
            "exceptions": [],
        },
    )
    assert started["ok"], started
    raw = requests.request(
        started["method"],
        sbi + "/capture",
        data=json.dumps(started["body"]),
        timeout=60,
    ).text
    return started["transaction_id"], raw


def _captures(cluster, transaction_id):
    return cluster.sql(
        "SELECT id FROM g2p_biometric_capture WHERE transaction_id = %s",
        (transaction_id,),
    )


def test_a_capture_started_on_one_server_is_accepted_once_on_the_other(cluster):
    ana = cluster.xmlid("g2p_self_service_portal.demo_registrant_ana")
    cash = cluster.xmlid("g2p_portal_forms.demo_program_cash")
    base = f"/assist/registrant/{ana}/program/{cash}"
    officer = _officer(cluster, "odoo-1")
    _consent(officer, "odoo-1", ana)

    transaction_id, raw = _device_capture(cluster, officer, "odoo-1", base)
    accepted = officer.jsonrpc(
        "odoo-2", base + "/capture", {"transaction_id": transaction_id, "response": raw}
    )
    assert accepted["ok"], accepted
    # The same answer again, on the first server: the request was used.
    again = officer.jsonrpc(
        "odoo-1", base + "/capture", {"transaction_id": transaction_id, "response": raw}
    )
    assert not again["ok"] and again["code"] == "expired_request", again
    assert [row[0] for row in _captures(cluster, transaction_id)] == [
        accepted["capture_id"]
    ]


def test_one_answer_sent_to_both_servers_at_once_is_one_capture(cluster):
    ana = cluster.xmlid("g2p_self_service_portal.demo_registrant_ana")
    cash = cluster.xmlid("g2p_portal_forms.demo_program_cash")
    base = f"/assist/registrant/{ana}/program/{cash}"
    officer = _officer(cluster, "odoo-2")
    _consent(officer, "odoo-2", ana)
    transaction_id, raw = _device_capture(cluster, officer, "odoo-2", base)

    # Two tabs of the officer's browser (one cookie), one request each.
    twin = Browser(cluster)
    twin.session.cookies.update(officer.session.cookies)
    barrier = threading.Barrier(2)
    answers = {}

    def submit(browser, where):
        barrier.wait(timeout=30)
        params = {"transaction_id": transaction_id, "response": raw}
        answers[where] = browser.jsonrpc(where, base + "/capture", params)

    threads = [
        threading.Thread(target=submit, args=pair)
        for pair in ((officer, "odoo-1"), (twin, "odoo-2"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    captures = [row[0] for row in _captures(cluster, transaction_id)]
    assert len(captures) == 1, (captures, answers)
    accepted = [a for a in answers.values() if a["ok"]]
    assert accepted, answers
    assert {a["capture_id"] for a in accepted} == set(captures)
    refused = [a for a in answers.values() if not a["ok"]]
    assert all(a["code"] == "expired_request" for a in refused), answers
