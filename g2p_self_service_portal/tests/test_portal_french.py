"""A French-speaking visitor reads the portal in French, on every page.

Each page is fetched in English and in French. Every sentence of the
portal's addons (their ``fr.po``) that the English page shows must be gone
from the French page, replaced by its translation.
"""

import re

from lxml import html

from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools.translate import PoFileReader

from odoo.addons.g2p_portal_forms.tests.common import SCHEMA

from ..controllers.home import PASSWORD_LOGIN_PARAM
from .test_portal_programs import PortalPagesCase

ADDONS = ("g2p_self_service_portal", "g2p_portal_forms", "g2p_auth_esignet")
# Single words ("Email", "Program:") also occur in data; terms of two
# words or more come from the addons.
MIN_WORDS = 2


def _text(markup):
    """Visible text of a page or of a term, whitespace collapsed."""
    if "<" in markup:
        tree = html.fromstring(f"<div>{markup}</div>")
        for hidden in tree.xpath("//script|//style|//noscript|//template"):
            hidden.drop_tree()
        markup = tree.text_content()
    return " ".join(markup.split())


def french_terms(addons=ADDONS):
    """{English sentence: French sentence} of these addons' ``fr.po``."""
    terms = {}
    for addon in addons:
        path = f"{get_module_path(addon)}/i18n/fr.po"
        with open(path, "rb") as handle:
            for entry in PoFileReader(handle):
                source = _text(entry["src"])
                target = _text(entry["value"] or "")
                if not target or target == source:
                    continue
                if re.search(r"%\(|%s|\{\w+\}", source):
                    continue  # filled in at run time
                if len(source.split()) >= MIN_WORDS:
                    terms[source] = target
    return terms


def page_text(case, url, lang):
    """Visible text of ``url`` for the signed-in user, in ``lang``."""
    user = case.env["res.users"].browse(case.session.uid)
    if user:
        user.sudo().lang = lang
    prefix = "/fr" if lang == "fr_FR" else ""
    # The website remembers the last language in a cookie.
    case.opener.cookies.set("frontend_lang", lang)
    response = case.url_open(prefix + url)
    case.assertEqual(response.status_code, 200, f"{prefix}{url}")
    return _text(response.text)


@tagged("post_install", "-at_install")
class TestPortalFrench(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["res.lang"]._activate_lang("fr_FR")
        env["ir.module.module"].search(
            [("name", "in", [*ADDONS, "portal", "website", "web", "auth_signup"])]
        )._update_translations(["fr_FR"])
        website = env["website"].get_current_website()
        website.language_ids |= env.ref("base.lang_fr")
        env["ir.config_parameter"].sudo().set_param(PASSWORD_LOGIN_PARAM, "True")
        cls.program.write(
            {"is_multiple_form_submission": True, "portal_max_open_applications": 5}
        )
        cls.application = cls._application(cls.ana, cls.program)
        cls.application.write(
            {
                "portal_form_schema": SCHEMA,
                "program_registrant_info": {"full_name": "Ana Lima", "bank": "first"},
            }
        )
        cls.terms = french_terms()

    def _pages(self):
        return [
            "/selfservice/login",
            "/about",
            "/help",
            "/my",
            "/my/programs",
            f"/my/programs/{self.program.id}",
            f"/my/programs/{self.program.id}/apply",
            "/my/applications",
            f"/my/applications/{self.application.id}",
            "/my/account",
            "/my/submissions",
        ]

    def _page_text(self, url, lang):
        return page_text(self, url, lang)

    def test_terms_were_read(self):
        self.assertGreater(len(self.terms), 100)

    def test_every_page_in_french(self):
        self._sign_in(self.ana)
        for url in self._pages():
            with self.subTest(url=url):
                english = self._page_text(url, "en_US")
                french = self._page_text(url, "fr_FR")
                shown = [term for term in self.terms if term in english]
                self.assertTrue(shown, f"{url}: no sentence of the addons found")
                left = [term for term in shown if term in french]
                self.assertFalse(left, f"{url}: still in English in French: {left}")
                # A short term may sit inside a longer sentence translated as
                # a whole, or be Odoo's own with another French wording: the
                # page must show translations, not each one word for word.
                translated = [t for t in shown if self.terms[t] in french]
                self.assertTrue(translated, f"{url}: no French sentence shown")

    def test_sign_in_page_in_french_for_a_visitor(self):
        self.opener.cookies.set("frontend_lang", "en_US")
        english = _text(self.url_open("/selfservice/login").text)
        french = _text(self.url_open("/fr/selfservice/login").text)
        shown = [term for term in self.terms if term in english]
        self.assertTrue(shown)
        self.assertFalse([term for term in shown if term in french])
        # Odoo's own parts of the page are French too.
        self.assertIn("Se connecter", french)
