"""Portal entry point, sign-in page and dashboard (/selfservice, /my).

What the dashboard shows is read by ``res.partner._portal_dashboard``
(``models/res_partner_portal_dashboard.py``), as the person: the record
rules decide.
"""

from odoo import http
from odoo.http import request

from odoo.addons.g2p_auth_esignet.controllers.main import EsignetLogin
from odoo.addons.g2p_auth_esignet.oidc import is_safe_redirect
from odoo.addons.portal.controllers.portal import CustomerPortal

PASSWORD_LOGIN_PARAM = "g2p_self_service_portal.password_login"
HOME_URL = "/selfservice/home"
LOGIN_URL = "/selfservice/login"


def password_login_enabled(env):
    # sudo: a public page reads one setting, not a secret.
    value = env["ir.config_parameter"].sudo().get_param(PASSWORD_LOGIN_PARAM)
    return value not in (False, None, "", "False", "0")


def _signed_in():
    return bool(request.session.uid) and not request.env.user._is_public()


class SelfServiceHome(CustomerPortal):
    # -- entry point and sign-in ------------------------------------------------

    @http.route("/selfservice", type="http", auth="public", website=True)
    def selfservice(self, **kw):
        """The address OpenG2P's documentation gives: send the person on."""
        return request.redirect(HOME_URL if _signed_in() else LOGIN_URL)

    @http.route(HOME_URL, type="http", auth="public", website=True, sitemap=False)
    def selfservice_home(self, **kw):
        if not _signed_in():
            return request.redirect(LOGIN_URL)
        return self.home(**kw)

    @http.route(LOGIN_URL, type="http", auth="public", website=True)
    def selfservice_login(self, redirect=None, **kw):
        """National-ID buttons, and the password form if enabled."""
        redirect = redirect if is_safe_redirect(redirect) else HOME_URL
        # Website designers stay here so they can edit the page's text.
        if _signed_in() and not request.env.user.has_group(
            "website.group_website_designer"
        ):
            return request.redirect(redirect)
        # list_providers reads the target of its links from the request.
        request.params["redirect"] = redirect
        # National-ID providers only: a registrant has no other account.
        providers = [
            provider
            for provider in EsignetLogin().list_providers()
            if provider.get("flow") == "id_token_code"
        ]
        values = {
            "providers": providers,
            "password_login": password_login_enabled(request.env),
            "login_redirect": redirect,
        }
        return request.render("g2p_self_service_portal.selfservice_login", values)

    # -- dashboard ----------------------------------------------------------------

    @http.route()
    def home(self, **kw):
        values = self._prepare_portal_layout_values()
        # Registrants get their dashboard; other portal users (customers of
        # the same Odoo) keep Odoo's own portal home.
        partner = request.env.user.partner_id
        if partner.is_registrant:
            values.update(request.env["res.partner"]._portal_dashboard())
            # sudo: the person's own partner. Portal's home shows their
            # avatar (sidebar and menu): computed here in one go, instead of
            # a portal user's computation that checks the record rules again
            # for each partner, user and company field it reads.
            own = partner.sudo()
            own.mapped("avatar_1024")  # computed into the request's cache
            own.mapped("avatar_128")
        return request.render("portal.portal_my_home", values)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "g2p_application_count" in counters:
            Application = request.env["g2p.program.registrant_info"]
            values["g2p_application_count"] = (
                Application.search_count(
                    [("registrant_id", "=", request.env.user.partner_id.id)]
                )
                if Application.check_access_rights("read", raise_exception=False)
                else 0
            )
        return values
