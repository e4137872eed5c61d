import json
import logging
import traceback
from urllib.parse import urlencode as url_encode

from werkzeug.exceptions import NotFound

from odoo import SUPERUSER_ID, http
from odoo.http import request

from odoo.addons.auth_oauth.controllers.main import OAuthController
from odoo.addons.auth_oidc.controllers.main import OpenIDLogin
from odoo.addons.web.controllers.utils import ensure_db

from ..models.auth_oauth_provider_keys import SECRET_FIELDS
from ..oidc import (
    LinkingError,
    LoginTransaction,
    OidcError,
    StateError,
    is_safe_redirect,
    parse_callback,
    pop_transaction,
    remember_transaction,
)
from ..oidc_io import now
from ..user_messages import translated

_logger = logging.getLogger(__name__)

SESSION_KEY = "g2p_esignet_logins"
METHOD_ICONS = {
    "otp": "fa-mobile",
    "biometrics": "fa-hand-pointer-o",
    "wallet": "fa-qrcode",
}


def _redirect_uri():
    # eSignet clients register https://<portal>/auth_oauth/signin.
    return request.httprequest.url_root + "auth_oauth/signin"


def _lang():
    lang = (request.env.context.get("lang") or "en_US").replace("-", "_")
    return lang.split("_")[0]


def _esignet_provider(provider_id):
    # sudo: the login page is public; only enabled providers of the OIDC
    # code flow, and the secrets are read by the model's own methods.
    provider = request.env["auth.oauth.provider"].sudo().browse(provider_id).exists()
    if not provider or not provider.enabled or not provider._esignet_is_managed():
        raise NotFound()
    return provider


ERROR_SESSION_KEY = "g2p_esignet_error"


def _error_redirect(error, status=400):
    """Send the person to the error page (a website page, with the layout).

    The message and check go through the session, never the URL: the page
    can't be forged into showing arbitrary text.
    """
    request.session[ERROR_SESSION_KEY] = {
        "message_key": error.message_key,
        "message_params": error.message_params,
        "check": error.check,
        "status": status,
    }
    return request.redirect("/auth_esignet/error", code=303)


class EsignetLogin(OpenIDLogin):
    def list_providers(self):
        """One login button per eSignet login method (OTP, biometrics, wallet)."""
        providers = super().list_providers()
        for provider in providers:
            for name in SECRET_FIELDS + ("code_verifier", "client_secret"):
                provider.pop(name, None)
        esignet_ids = [p["id"] for p in providers if p.get("flow") == "id_token_code"]
        if not esignet_ids:
            return providers
        # sudo: public login page; label, icon and ids only.
        methods = (
            request.env["g2p.esignet.login.method"]
            .sudo()
            .search_read(
                [("provider_id", "in", esignet_ids)],
                ["provider_id", "name", "icon"],
                order="sequence, id",
            )
        )
        redirect = request.params.get("redirect")
        query = {"redirect": redirect} if is_safe_redirect(redirect) else {}
        buttons = []
        for provider in providers:
            if provider["id"] not in esignet_ids:
                buttons.append(provider)
                continue
            # The link starts a fresh login (state, nonce, PKCE verifier)
            # when followed, not when the page is rendered.
            base = f"/auth_esignet/login/{provider['id']}"
            own = [m for m in methods if m["provider_id"][0] == provider["id"]]
            if not own:
                buttons.append(dict(provider, auth_link=f"{base}?{url_encode(query)}"))
            for method in own:
                params = dict(query, method=method["id"])
                icon = METHOD_ICONS.get(method["icon"], "fa-id-card")
                buttons.append(
                    dict(
                        provider,
                        body=method["name"],
                        css_class=f"fa fa-fw {icon}",
                        auth_link=f"{base}?{url_encode(params)}",
                    )
                )
        return buttons


class EsignetController(OAuthController):
    @http.route(
        "/auth_esignet/login/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def esignet_login(self, provider_id, method=None, redirect=None, **kw):
        """Start a login: new transaction in the session, off to eSignet."""
        provider = _esignet_provider(provider_id)
        return self._esignet_start(provider, method, redirect, purpose="login")

    @http.route(
        "/auth_esignet/link/<int:provider_id>",
        type="http",
        auth="user",
        methods=["POST"],
        sitemap=False,
    )
    def esignet_link(self, provider_id, method=None, redirect=None, **kw):
        """A signed-in registrant links their national ID (manual linking)."""
        provider = _esignet_provider(provider_id)
        if not provider.esignet_link_manual:
            raise NotFound()
        partner = request.env.user.partner_id
        # sudo: whether this person's own account already signs in with a
        # national ID (their user rows and registrant IDs).
        if (
            request.env["res.users"]
            .sudo()
            ._esignet_holds_other_identity(provider, partner.id)
        ):
            check = "linking.partner_already_linked"
            _logger.warning(
                "eSignet link not started (provider %s, user %s): check %s",
                provider.id,
                request.env.user.id,
                check,
            )
            return _error_redirect(LinkingError(check))
        return self._esignet_start(
            provider,
            method,
            redirect or "/my",
            purpose="link",
            link_partner_id=request.env.user.partner_id.id,
        )

    def _esignet_start(self, provider, method, redirect, **purpose):
        acr = None
        if method:
            login_method = provider.esignet_login_method_ids.filtered(
                lambda m: str(m.id) == str(method)
            )
            acr = login_method.acr_values or None
        try:
            transaction = LoginTransaction.new(
                provider.id, now(), redirect=redirect, acr=acr, **purpose
            )
            url = provider._esignet_authorize_url(
                transaction, _redirect_uri(), acr=acr, lang=_lang()
            )
        except OidcError as error:
            _logger.warning(
                "eSignet login not started (provider %s): %s", provider.id, error
            )
            return _error_redirect(error, status=503)
        store = dict(request.session.get(SESSION_KEY) or {})
        remember_transaction(store, transaction)
        request.session[SESSION_KEY] = store
        return request.redirect(url, code=303, local=False)

    @http.route(
        "/auth_esignet/error",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def esignet_error(self, **kw):
        """Why a national-ID sign-in failed, and a way to try again."""
        error = request.session.pop(ERROR_SESSION_KEY, None) or {
            "check": "login.unknown",
            "status": 400,
        }
        message = translated(error.get("message_key"), error.get("message_params"))
        return request.render(
            "g2p_auth_esignet.login_error",
            {"message": message, "check": error["check"]},
            status=error["status"],
        )

    @http.route()
    def signin(self, **kw):
        if self._is_stock_oauth_callback(kw):
            return super().signin(**kw)
        # Every other callback is this addon's: its state must be one this
        # session issued (pop_transaction is the one judge of that), or the
        # person gets the error page, with no call to any provider.
        ensure_db()
        store = dict(request.session.get(SESSION_KEY) or {})
        try:
            # The state is used up first, whatever the callback says.
            transaction = pop_transaction(store, kw.get("state"), now())
        except StateError as error:
            if error.check == "state.unknown" and request.session.uid:
                # A signed-in person reloading the callback page: nothing to
                # redo, and no reason to show an error.
                return request.redirect("/my", code=303)
            return self._esignet_failure(error, provider_id=None)
        finally:
            request.session[SESSION_KEY] = store
        try:
            code, _state = parse_callback(kw)
        except OidcError as error:
            return self._esignet_failure(error, provider_id=transaction.provider_id)
        return self._esignet_complete(transaction, code)

    @staticmethod
    def _is_stock_oauth_callback(kw):
        """True for auth_oauth's own callbacks, of providers we do not manage.

        auth_oauth's state is a JSON object naming its provider (``p``).
        Only a provider that exists and that this addon does not manage
        keeps Odoo's flow; a managed provider's callback never reaches it
        (it would redeem the code without a client assertion).
        """
        state = kw.get("state") or ""
        if not state.lstrip().startswith("{"):
            return False
        try:
            provider_id = json.loads(state).get("p")
        except (ValueError, AttributeError):
            return False
        if not isinstance(provider_id, int) or isinstance(provider_id, bool):
            return False
        ensure_db()
        # sudo: which flow a provider uses is no secret; the login page
        # lists the enabled ones to everybody.
        provider = request.env["auth.oauth.provider"].sudo().browse(provider_id)
        return bool(provider.exists()) and not provider._esignet_is_managed()

    def _esignet_complete(self, transaction, code):
        env = request.env(user=SUPERUSER_ID, su=True)
        provider = env["auth.oauth.provider"]._esignet_for_callback(
            transaction.provider_id
        )
        if not provider:
            return self._esignet_failure(OidcError("provider.disabled"), None)
        try:
            if transaction.purpose == "link" and (
                not request.session.uid
                or env["res.users"].browse(request.session.uid).partner_id.id
                != transaction.link_partner_id
            ):
                raise LinkingError("linking.session_changed")
            user, key = env["res.users"]._esignet_login(
                provider,
                transaction,
                code,
                redirect_uri=_redirect_uri(),
                locale=_lang(),
            )
            # The session's authenticate() runs in its own transaction: the
            # new registrant, user and login ticket must be visible to it.
            env.cr.commit()
        except OidcError as error:
            env.cr.rollback()
            return self._esignet_failure(error, provider.id)
        except Exception as error:
            env.cr.rollback()
            # Exception messages can quote personal data (a database error
            # quotes the row): the error log names the type and the place,
            # the full traceback goes to the debug log only.
            frame = traceback.extract_tb(error.__traceback__)[-1]
            _logger.error(
                "eSignet login failed unexpectedly (provider %s): %s at %s:%s",
                provider.id,
                type(error).__name__,
                frame.filename.rsplit("/", 1)[-1],
                frame.lineno,
            )
            _logger.debug("eSignet login failure traceback", exc_info=True)
            return self._esignet_failure(OidcError("login.unexpected"), provider.id)
        if key:
            request.session.authenticate(request.db, user.login, key)
        return request.redirect(transaction.redirect or "/my", code=303)

    def _esignet_failure(self, error, provider_id):
        _logger.warning(
            "eSignet login refused (provider %s): check %s", provider_id, error
        )
        status = 503 if error.check.startswith("provider.") else 400
        return _error_redirect(error, status=status)
