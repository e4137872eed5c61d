import json

from odoo.tests import tagged

from .common import AssistCase


def form_data(page):
    """The answers the apply page fills its form with."""
    config = page.text.split('class="o_g2p_apply_config">', 1)[1]
    return json.loads(config.split("</script>", 1)[0])["data"]


@tagged("post_install", "-at_install")
class TestAssistedApplication(AssistCase):
    def test_assisted_application_end_to_end(self):
        self.sign_in_officer()
        found = self.url_open("/assist?q=Ana Lima")
        self.assertEqual(found.status_code, 200)
        self.assertIn(f"/assist/registrant/{self.ana.id}", found.text)
        # Before consent there is no apply link and no capture.
        page = self.url_open(f"/assist/registrant/{self.ana.id}")
        self.assertNotIn(self.base() + "/apply", page.text)
        refused = self.start_capture()
        self.assertFalse(refused["ok"])
        self.assertEqual(refused["code"], "no_consent")

        self.record_consent()
        consent = self.env["g2p.biometric.consent"].search(
            [("partner_id", "=", self.ana.id)]
        )
        self.assertEqual(len(consent), 1)
        self.assertEqual(consent.officer_id, self.officer)
        page = self.url_open(f"/assist/registrant/{self.ana.id}")
        self.assertIn(self.base() + "/apply", page.text)

        apply_page = self.url_open(self.base() + "/apply")
        self.assertEqual(apply_page.status_code, 200)
        self.assertIn("o_g2p_sbi", apply_page.text)
        self.assertIn(self.base() + "/capture/start", apply_page.text)

        accepted = self.capture()
        self.assertTrue(accepted["ok"], accepted)
        self.assertEqual(
            [b["bio_sub_type"] for b in accepted["biometrics"]],
            ["Left IndexFinger", "Left MiddleFinger"],
        )
        self.assertTrue(all(b["quality_score"] >= 60 for b in accepted["biometrics"]))
        capture = self.captures()
        self.assertEqual(len(capture), 1)
        self.assertEqual(capture.officer_id, self.officer)
        self.assertEqual(capture.consent_id, consent)
        self.assertEqual(capture.segment_count, 2)
        self.assertTrue(capture.device_serial)
        # Stored encrypted: the ISO data is not in the row.
        envelope = capture.data_envelope
        self.assertEqual(envelope["v"], 1)
        self.assertNotIn("bioValue", str(envelope))

        answer = self.assisted_submit([capture.id])
        self.assertEqual(answer.status_code, 303, answer.text[:500])
        application = self._applications(self.ana)
        self.assertEqual(len(application), 1)
        self.assertTrue(application.assisted)
        self.assertEqual(application.assisted_by_id, self.officer)
        self.assertEqual(application.portal_submitted_by, self.officer)
        self.assertIn(capture.device_serial, application.assisted_device)
        self.assertEqual(capture.application_id, application)
        self.assertEqual(application.program_registrant_info["full_name"], "Ana Lima")
        self.assertEqual(len(application.portal_document_ids), 1)
        done = self.url_open(answer.headers["Location"])
        self.assertIn(application.application_id, done.text)

        self.assertEqual(sorted(self.audit().mapped("action")), ["capture", "consent"])
        entry = self.audit(action="capture")
        self.assertEqual(entry.user_id, self.officer)
        self.assertEqual(entry.capture_id, capture)
        self.assertIn(capture.device_serial, entry.device)

        # The registrant sees that a capture exists and when, not the data.
        self._sign_in(self.ana)
        profile = self.url_open("/my/account")
        self.assertIn("o_g2p_profile_biometrics", profile.text)
        self.assertNotIn(capture.reference, profile.text)
        self.assertNotIn(capture.device_serial, profile.text)

    def test_the_registrants_draft_stays_theirs(self):
        # Ana saved answers on her own apply page.
        mine = {"household_size": 7, "email": "ana.draft@example.org"}
        self._sign_in(self.ana)
        draft_url = f"/my/programs/{self.program.id}/draft"
        self.assertEqual(
            self.make_jsonrpc_request(draft_url, {"data": mine}), {"saved": True}
        )
        draft = self.env["g2p.portal.application.draft"].search(
            [("partner_id", "=", self.ana.id)]
        )

        self.sign_in_officer()
        self.record_consent()
        inputs, page = self.apply_inputs()
        self.assertNotIn("household_size", form_data(page))
        self.assertNotIn("ana.draft@example.org", page.text)
        self.assertNotIn("Your saved answers were restored", page.text)
        # The officer has no draft to save: their own partner applies to
        # nothing, and Ana's draft is not theirs to write.
        saved = self.make_jsonrpc_request(draft_url, {"data": {"household_size": 1}})
        self.assertFalse(saved["saved"])
        self.assertIn("registered", saved["message"])
        # A form sent back with an error does not bring the draft in either.
        inputs["submission"] = json.dumps({"data": {"household_size": 99}})
        again = self.url_open(self.base() + "/apply", data=inputs)
        self.assertEqual(again.status_code, 422)
        self.assertEqual(form_data(again)["household_size"], 99)
        self.assertNotIn("ana.draft@example.org", again.text)

        accepted = self.capture()
        answer = self.assisted_submit([accepted["capture_id"]])
        self.assertEqual(answer.status_code, 303, answer.text[:500])
        self.assertEqual(len(self._applications(self.ana)), 1)
        # The application made with the officer leaves Ana's draft to her.
        self.env.invalidate_all()
        self.assertTrue(draft.exists())
        self.assertEqual(draft.data, mine)

    def test_capture_required_before_submitting(self):
        self.sign_in_officer()
        self.record_consent()
        answer = self.assisted_submit([])
        self.assertEqual(answer.status_code, 422)
        self.assertIn("Capture the registrant", answer.text)
        self.assertFalse(self._applications(self.ana))

    def test_another_registrants_capture_is_not_used(self):
        self.sign_in_officer()
        self.record_consent(self.ben)
        accepted = self.capture(partner=self.ben)
        self.assertTrue(accepted["ok"], accepted)
        self.record_consent(self.ana)
        answer = self.assisted_submit([accepted["capture_id"]])
        self.assertEqual(answer.status_code, 422)
        self.assertFalse(self._applications(self.ana))

    def test_program_without_required_capture(self):
        self.program.biometric_capture_required = False
        self.sign_in_officer()
        self.record_consent()
        answer = self.assisted_submit([])
        self.assertEqual(answer.status_code, 303, answer.text[:500])
        application = self._applications(self.ana)
        self.assertTrue(application.assisted)
        self.assertFalse(application.assisted_device)

    def test_consent_is_required_for_the_apply_page(self):
        self.sign_in_officer()
        page = self.url_open(self.base() + "/apply", allow_redirects=False)
        self.assertEqual(page.status_code, 303)
        self.assertIn("consent=missing", page.headers["Location"])

    def test_register_a_new_registrant(self):
        self.sign_in_officer()
        page = self.url_open("/assist/register")
        csrf = dict(
            __import__("re").findall(r'name="(csrf_token)" value="([^"]*)"', page.text)
        )["csrf_token"]
        bad = self.url_open(
            "/assist/register",
            data={
                "csrf_token": csrf,
                "given_name": "",
                "family_name": "Doe",
                "phone": "12",
            },
        )
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(self.env["res.partner"].search([("family_name", "=", "Doe")]))
        good = self.url_open(
            "/assist/register",
            data={
                "csrf_token": csrf,
                "given_name": "Jane",
                "family_name": "Doe",
                "birthdate": "1990-04-02",
                "email": "jane@example.org",
            },
            allow_redirects=False,
        )
        self.assertEqual(good.status_code, 303, good.text[:500])
        jane = self.env["res.partner"].search([("family_name", "=", "Doe")])
        self.assertTrue(jane.is_registrant)
        self.assertFalse(jane.is_group)
        self.assertEqual(jane.given_name, "Jane")
        self.assertIn(f"/assist/registrant/{jane.id}", good.headers["Location"])

    def test_search_by_national_id(self):
        id_type = self.env["g2p.id.type"].create({"name": "National ID (test)"})
        self.env["g2p.reg.id"].create(
            {"partner_id": self.ben.id, "id_type": id_type.id, "value": "NID-4242"}
        )
        self.sign_in_officer()
        found = self.url_open("/assist?q=NID-4242")
        self.assertIn(f"/assist/registrant/{self.ben.id}", found.text)
        self.assertNotIn(f"/assist/registrant/{self.ana.id}", found.text)

    def test_hand_over_for_a_fingerprint_sign_in(self):
        provider = self.env["auth.oauth.provider"].create(
            {
                "name": "National ID",
                "flow": "id_token_code",
                "client_id": "assist-client",
                "enabled": True,
                "body": "Sign in with your national ID",
                "scope": "openid profile",
                "auth_endpoint": "https://esignet.example.org/authorize",
                "esignet_issuer": "https://esignet.example.org",
            }
        )
        self.sign_in_officer()
        page = self.url_open("/assist")
        self.assertNotIn("/assist/biometric-login", page.text)
        method = self.env["g2p.esignet.login.method"].create(
            {
                "provider_id": provider.id,
                "name": "Fingerprint or face",
                "icon": "biometrics",
                "acr_values": "mosip:idp:acr:biometrics",
            }
        )
        page = self.url_open("/assist")
        self.assertIn("/assist/biometric-login", page.text)
        csrf = dict(
            __import__("re").findall(r'name="(csrf_token)" value="([^"]*)"', page.text)
        )["csrf_token"]
        answer = self.url_open(
            "/assist/biometric-login", data={"csrf_token": csrf}, allow_redirects=False
        )
        self.assertEqual(answer.status_code, 303)
        self.assertIn(
            f"/auth_esignet/login/{provider.id}?method={method.id}",
            answer.headers["Location"],
        )
        # The officer is signed out: the machine is the registrant's now.
        after = self.url_open("/assist", allow_redirects=False)
        self.assertIn(after.status_code, (303, 404))
