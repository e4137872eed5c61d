"""How the emulated eSignet refuses a request: JSON, HTML page or redirect."""

from .protocol import add_query


class OAuthError(Exception):
    """A JSON OAuth error (token/userinfo endpoints)."""

    def __init__(self, error, description, status=400, www_authenticate=None):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.www_authenticate = www_authenticate

    def as_dict(self):
        return {"error": self.error, "error_description": self.description}


class PageError(Exception):
    """An error shown as an HTML page; never redirected (unsafe redirect_uri)."""

    def __init__(self, error, description, status=400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class RedirectError(Exception):
    """An authorization error returned to the (validated) redirect_uri."""

    def __init__(self, redirect_uri, error, description, state=None):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.location = add_query(
            redirect_uri,
            {"error": error, "error_description": description, "state": state},
        )


class LoginFailed(Exception):
    """Wrong individual ID or OTP: the login page is shown again."""
