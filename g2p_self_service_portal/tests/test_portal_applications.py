from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.tests.common import PDF, SCHEMA

from .test_portal_programs import PortalPagesCase


@tagged("post_install", "-at_install")
class TestPortalApplications(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.is_multiple_form_submission = True
        cls.first = cls._application(cls.ana, cls.program)
        cls.first.sudo().write(
            {
                "portal_form_schema": SCHEMA,
                "program_registrant_info": {"full_name": "Ana Lima", "bank": "first"},
            }
        )
        cls.second = cls._application(cls.ana, cls.program, state="rejected")
        membership = cls.env["g2p.program_membership"].search(
            [("partner_id", "=", cls.ana.id), ("program_id", "=", cls.program.id)]
        )
        cls.document = cls.store.add_file(
            PDF, name="income", extension=".pdf", program_membership=membership
        )
        cls.document.write(
            {
                "program_registrant_info_id": cls.first.id,
                "portal_requirement_id": cls.requirement.id,
            }
        )

    def test_visitor_is_sent_to_login(self):
        for url in ("/my/applications", f"/my/applications/{self.first.id}"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)

    def test_list_shows_each_application(self):
        self._sign_in(self.ana)
        page = self.url_open("/my/applications")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.first.application_id, page.text)
        self.assertIn(self.second.application_id, page.text)
        page = self.url_open("/my/applications?filterby=rejected")
        self.assertNotIn(self.first.application_id, page.text)
        self.assertIn(self.second.application_id, page.text)
        page = self.url_open(f"/my/applications?program={self.program.id + 1000}")
        self.assertNotIn(self.first.application_id, page.text)

    def test_registrant_without_applications(self):
        self._sign_in(self.ben)
        page = self.url_open("/my/applications")
        self.assertEqual(page.status_code, 200)
        self.assertIn("You have not applied to any program yet.", page.text)

    def test_detail_history_answers_documents(self):
        # Start from a clean slate: tracking compares with the values seen at
        # the first write of the transaction (here, the class set-up's).
        self.env.cr.precommit.clear()
        self.first.sudo().write({"state": "inprogress"})
        # Tracking values are written when the transaction commits.
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertTrue(
            self.first.message_ids.tracking_value_ids, "state change not tracked"
        )
        self._sign_in(self.ana)
        page = self.url_open(f"/my/applications/{self.first.id}")
        self.assertEqual(page.status_code, 200, page.text[:500])
        text = page.text
        self.assertIn("In Progress", text)
        self.assertIn("Applied", text)
        self.assertIn("Full name", text)
        self.assertIn("First Bank", text)
        self.assertIn("Proof of income", text)
        self.assertIn(f"/my/applications/{self.first.id}/receipt", text)
        url = f"/my/applications/{self.first.id}/documents/{self.document.id}"
        self.assertIn(url, text)
        download = self.url_open(url)
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, PDF)
        self.assertIn("attachment", download.headers["Content-Disposition"])
        # The document belongs to the first application, not the second.
        other = f"/my/applications/{self.second.id}/documents/{self.document.id}"
        self.assertEqual(self.url_open(other).status_code, 404)

    def test_query_count_does_not_grow(self):
        self._sign_in(self.ana)
        counts = []
        for size in (5, 45):
            programs = self._programs(size, f"Size {size}")
            for program in programs:
                self._application(self.ana, program)
            counts.append(len(self._statements("/my/applications")))
            counts.append(len(self._statements("/my/applications?filterby=active")))
            counts.append(len(self._statements(f"/my/applications/{self.first.id}")))
        self.assertEqual(counts[:3], counts[3:])
        for count in counts:
            self.assertLessEqual(count, 40)
