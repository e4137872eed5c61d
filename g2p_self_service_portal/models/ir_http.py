import re
from urllib.parse import urlencode

from odoo import models
from odoo.http import SessionExpiredException, request

from ..controllers.home import LOGIN_URL

# Registrant pages, with or without a language prefix (/fr/my/…).
_PORTAL_PATH = re.compile(
    r"^(?:/[a-z]{2,3}(?:_[A-Za-z0-9@]{2,8})?)?/(?:my|selfservice)(?:/|$)"
)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """A visitor who is not signed in goes to the portal's sign-in page.

        Odoo sends everyone to /web/login, the staff's page. For the
        registrant's pages (/my/…, /selfservice/…) the national-ID sign-in
        page is the right one; it comes back to the page asked for.
        """
        response = super()._handle_error(exception)
        if (
            isinstance(exception, SessionExpiredException)
            and getattr(response, "status_code", None) in (301, 302, 303)
            and _PORTAL_PATH.match(request.httprequest.path)
        ):
            target = request.httprequest.full_path.rstrip("?")
            response.headers["Location"] = (
                f"{LOGIN_URL}?{urlencode({'redirect': target})}"
            )
        return response
