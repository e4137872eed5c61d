"""An application made through one server is read through the other: its
receipt, its answers and its document (a filestore every server reaches);
a draft saved on one is restored on the other."""

import json
import re
import uuid
from urllib.parse import urlsplit

import pytest

from .harness import Browser
from .signin import KOFI, MARIA, sign_in_with_national_id

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
APPLIED = re.compile(r"/my/programs/(\d+)/applied/(\d+)$")


@pytest.fixture(scope="module")
def kofi(cluster):
    browser = Browser(cluster)
    answer = sign_in_with_national_id(browser, KOFI, start="odoo-1", finish="odoo-2")
    assert answer.status_code == 303, answer.text[:1000]
    return browser


@pytest.fixture(scope="module")
def maria(cluster):
    browser = Browser(cluster)
    answer = sign_in_with_national_id(browser, MARIA, start="odoo-2", finish="odoo-1")
    assert answer.status_code == 303, answer.text[:1000]
    return browser


def _close_earlier_runs(cluster, admin, program):
    """Medical Assistance takes two open applications at once: those made by
    an earlier run of the suite on this database are decided first."""
    kofi = cluster.xmlid("g2p_self_service_portal.demo_registrant_kofi")
    earlier = admin.call(
        "nginx",
        "g2p.program.registrant_info",
        "search",
        [
            ("registrant_id", "=", kofi),
            ("program_id", "=", program),
            ("state", "in", ["active", "inprogress"]),
            ("portal_submission_token", "!=", False),
        ],
    )
    if earlier:
        admin.call(
            "nginx",
            "g2p.program.registrant_info",
            "write",
            earlier,
            {"state": "rejected"},
        )


def test_an_application_made_on_one_server_is_read_on_the_other(cluster, admin, kofi):
    program = cluster.xmlid("g2p_portal_forms.demo_program_medical")
    _close_earlier_runs(cluster, admin, program)
    requirement = cluster.xmlid(
        "g2p_portal_forms.demo_requirement_medical_prescription"
    )
    apply_path = f"/my/programs/{program}/apply"
    facility = f"Clinic {uuid.uuid4().hex[:8]}"
    inputs = kofi.form_inputs("odoo-1", apply_path)
    inputs["submission"] = json.dumps(
        {
            "data": {
                "full_name": "Kofi Mensah",
                "care": "medicines",
                "facility": facility,
                "estimated_cost": 80,
                "details": "Monthly treatment.",
            }
        }
    )
    sent = kofi.post(
        "odoo-1",
        apply_path,
        data=inputs,
        files={f"document_{requirement}": ("prescription.pdf", PDF, "application/pdf")},
    )
    assert sent.status_code == 303, sent.text[:1000]
    done_path = urlsplit(sent.headers["Location"]).path
    application = int(APPLIED.search(done_path).group(2))
    number, documents = cluster.sql(
        "SELECT a.application_id, array_agg(f.id) FROM g2p_program_registrant_info a "
        "JOIN storage_file f ON f.program_registrant_info_id = a.id "
        "WHERE a.id = %s GROUP BY a.application_id",
        (application,),
    )[0]
    assert len(documents) == 1

    # Everything read back through the other server.
    done = kofi.get("odoo-2", done_path)
    assert done.status_code == 200 and number in done.text
    detail = kofi.get("odoo-2", f"/my/applications/{application}")
    assert detail.status_code == 200
    assert facility in detail.text
    document = kofi.get(
        "odoo-2", f"/my/applications/{application}/documents/{documents[0]}"
    )
    assert document.status_code == 200
    assert document.content == PDF
    receipt = kofi.get("odoo-2", f"/my/applications/{application}/receipt")
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")


def test_a_draft_saved_on_one_server_is_restored_on_the_other(cluster, maria):
    program = cluster.xmlid("g2p_portal_forms.demo_program_school_meals")
    marker = f"draft-{uuid.uuid4().hex}"
    saved = maria.jsonrpc(
        "odoo-2", f"/my/programs/{program}/draft", {"data": {"notes": marker}}
    )
    assert saved == {"saved": True}
    page = maria.get("odoo-1", f"/my/programs/{program}/apply")
    assert page.status_code == 200, page.text[:500]
    assert marker in page.text
