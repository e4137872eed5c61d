"""In Chromium: from the portal's sign-in page to an application's detail."""

from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.tests.common import SCHEMA

from ..controllers.home import PASSWORD_LOGIN_PARAM
from .test_portal_programs import PortalPagesCase


@tagged("post_install", "-at_install")
class TestPortalTour(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["ir.config_parameter"].sudo().set_param(PASSWORD_LOGIN_PARAM, "True")
        cls._national_id_provider("g2p-tour-test")
        cls.tour_user = cls._registrant_user("Ana Tour", "ana.tour")
        cls.tour_user.user_ids.password = "ana.tour"
        cls.application = cls._application(cls.tour_user, cls.program)
        cls.application.write(
            {
                "portal_form_schema": SCHEMA,
                "program_registrant_info": {"full_name": "Ana Tour", "bank": "first"},
            }
        )

    def test_sign_in_to_application_detail(self):
        self.start_tour("/selfservice/login", "g2p_self_service_portal_journey")
