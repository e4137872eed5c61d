"""The apply page in a real browser, with a real formio.js from npm."""

import json
import os
import tempfile
from pathlib import Path

from odoo.tests import tagged

from ..formiojs.npm import NpmPackError, npm_pack
from .common import SCHEMA, PortalFormsCase

# formio.js release the tour runs against (the npm package ``formiojs``).
FORMIOJS_SPEC = "4.17.4"


def formiojs_tarball():
    """A formiojs npm tarball: $G2P_FORMIOJS_TARBALL, or one packed once."""
    given = os.environ.get("G2P_FORMIOJS_TARBALL")
    if given:
        return Path(given)
    cache = Path(tempfile.gettempdir()) / "g2p-formiojs-cache"
    found = sorted(cache.glob(f"formiojs-{FORMIOJS_SPEC}.tgz"))
    if found:
        return found[0]
    return npm_pack("formiojs", FORMIOJS_SPEC, cache)


def use_real_formiojs(case):
    """Give ``case``'s form a real formio.js (skips the test without one).

    The bank select becomes a plain HTML select (tours type into it) and
    the document optional: file inputs cannot be typed into by a tour (the
    document is covered by the HTTP tests).
    """
    try:
        tarball = formiojs_tarball()
    except NpmPackError as error:
        case.skipTest(f"no formio.js tarball (npm): {error}")
    version = case.env["formio.version"]._g2p_install_from_npm_tarball(tarball)
    schema = json.loads(json.dumps(SCHEMA))
    for component in schema["components"]:
        if component["key"] == "bank":
            component["widget"] = "html5"
    case.builder.write({"formio_version_id": version.id, "schema": json.dumps(schema)})
    case.requirement.mandatory = False


@tagged("post_install", "-at_install")
class TestApplyTour(PortalFormsCase):
    def setUp(self):
        super().setUp()
        use_real_formiojs(self)
        # start_tour signs in with the login as password.
        self.user = self.ana.user_ids
        self.user.password = self.user.login

    def test_apply_in_a_browser(self):
        self.start_tour(
            self._apply_url(), "g2p_portal_forms_apply", login=self.user.login
        )
        application = self._applications(self.ana)
        self.assertEqual(len(application), 1)
        self.assertEqual(application.program_registrant_info["household_size"], 4)
        self.assertEqual(application.program_registrant_info["bank"], "first")

    def test_answers_survive_a_session_that_ended(self):
        self.start_tour(
            self._apply_url(),
            "g2p_portal_forms_apply_after_sign_out",
            login=self.user.login,
        )
        application = self._applications(self.ana)
        self.assertEqual(len(application), 1)
        self.assertEqual(application.program_registrant_info["household_size"], 6)
