"""A published program with a mapped form, documents and two registrants."""

import json
import re
from pathlib import Path

from odoo.tests import HttpCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# The program's application form in these tests (and the benchmarks').
SCHEMA = json.loads(
    (Path(__file__).parent / "application_form.json").read_text(encoding="utf-8")
)
GOOD_ANSWERS = {
    "full_name": "Ana Lima",
    "household_size": 4,
    "bank": "first",
    "email": "ana@example.org",
}

_HIDDEN = re.compile(
    r'<input type="hidden" name="(\w+)"(?: class="[^"]*")? value="([^"]*)"'
)


class RegistrantUsers:
    """Registrants with portal users whose password is known, for HttpCases."""

    @classmethod
    def _registrant_user(cls, name, login):
        partner = cls.env["res.partner"].create(
            {"name": name, "is_registrant": True, "is_group": False}
        )
        cls.env["res.users"].with_context(no_reset_password=True).create(
            {
                "login": login,
                "password": login + "-Pass-123",
                "partner_id": partner.id,
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )
        return partner

    def _sign_in(self, partner):
        login = partner.user_ids.login
        self.authenticate(login, login + "-Pass-123")


class PortalFormsCase(RegistrantUsers, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.store = env["storage.backend"].create(
            {"name": "Application documents", "backend_type": "filesystem"}
        )
        version = env["formio.version"].create({"name": "4.99.0-test"})
        cls.builder = env["formio.builder"].create(
            {
                "name": "assistance_application",
                "title": "Assistance application",
                "formio_version_id": version.id,
                "schema": json.dumps(SCHEMA),
            }
        )
        cls.builder.state = "CURRENT"
        cls.program = env["g2p.program"].create(
            {
                "name": "Cash for Families",
                "portal_published": True,
                "self_service_portal_form": cls.builder.id,
                "supporting_documents_store": cls.store.id,
            }
        )
        cls.requirement = env["g2p.program.document.requirement"].create(
            {
                "program_id": cls.program.id,
                "name": "Proof of income",
                "allowed_types": "pdf",
                "max_size_mb": 1,
                "mandatory": True,
            }
        )
        name_field = env["ir.model.fields"]._get("res.partner", "name")
        env["g2p.program.form.field"].create(
            {
                "program_id": cls.program.id,
                "form_key": "full_name",
                "partner_field_id": name_field.id,
                "prefill": True,
                "locked": True,
            }
        )
        cls.ana = cls._registrant_user("Ana Lima", "ana.portal")
        cls.ben = cls._registrant_user("Ben Okafor", "ben.portal")

    # -- helpers -----------------------------------------------------------------

    def _apply_url(self, program=None):
        return f"/my/programs/{(program or self.program).id}/apply"

    def _form_inputs(self, program=None):
        """The hidden inputs of the apply page (csrf, token, digest)."""
        page = self.url_open(self._apply_url(program))
        self.assertEqual(page.status_code, 200, page.text[:500])
        return dict(_HIDDEN.findall(page.text)), page

    def _submit(self, answers=None, files=None, inputs=None, program=None):
        inputs = dict(inputs or self._form_inputs(program)[0])
        inputs["submission"] = json.dumps(
            {"data": GOOD_ANSWERS if answers is None else answers}
        )
        if files is None:
            name = self.requirement.input_name()
            files = {name: ("income.pdf", PDF, "application/pdf")}
        return self.url_open(
            self._apply_url(program),
            data=inputs,
            files=files,
            allow_redirects=False,
        )

    def _applications(self, partner, program=None):
        return self.env["g2p.program.registrant_info"].search(
            [
                ("registrant_id", "=", partner.id),
                ("program_id", "=", (program or self.program).id),
            ]
        )
