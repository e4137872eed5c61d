"""Headless "browser" that walks the emulator's login UI over real HTTP."""

import http.client
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit


class EmulatorLoginError(RuntimeError):
    """The login UI did not reach the point of redirecting back to the RP."""


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = {}
        self.errors = []
        self._form = None
        self._error_depth = 0
        self._error_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._error_depth:
            self._error_depth += 1
        elif "error" in (attrs.get("class") or "").split():
            self._error_depth = 1
            self._error_text = []
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").upper(),
                "fields": [],
                "checkboxes": [],
                "buttons": [],
            }
            self.forms[attrs.get("id") or f"form{len(self.forms)}"] = self._form
        elif self._form is not None and tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            item = (attrs["name"], attrs.get("value") or "")
            if kind == "checkbox":
                self._form["checkboxes"].append((*item, "checked" in attrs))
            elif kind not in ("submit", "button", "reset", "radio"):
                self._form["fields"].append(item)
        elif self._form is not None and tag == "button" and attrs.get("name"):
            self._form["buttons"].append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if self._error_depth:
            self._error_depth -= 1
            if not self._error_depth:
                self.errors.append("".join(self._error_text).strip())

    def handle_data(self, data):
        if self._error_depth:
            self._error_text.append(data)


def _parse(html):
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser


def http_request(method, url, form=None, timeout=30):
    """One HTTP request without following redirects: (status, headers, text)."""
    parts = urlsplit(url)
    conn_cls = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Accept": "text/html"}
    body = None
    if form is not None:
        body = urlencode(form).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        response_headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, response_headers, text
    finally:
        conn.close()


def _describe(status, html):
    errors = _parse(html).errors
    return f"HTTP {status}: {errors[0] if errors else 'no error message'}"


def headless_login(authorize_url, individual_id, otp="111111", consent=True):
    """Do what a user's browser would do and return the redirect to the RP.

    ``consent``: True (allow, keeping every optional claim), False (cancel),
    or an iterable of the optional claim names to keep.
    """
    status, headers, html = http_request("GET", authorize_url)
    if status in (301, 302, 303, 307):
        return urljoin(authorize_url, headers["location"])
    if status != 200:
        raise EmulatorLoginError(f"authorize failed: {_describe(status, html)}")
    login_form = _parse(html).forms.get("login-form")
    if login_form is None:
        raise EmulatorLoginError("authorize page has no login form")
    fields = dict(login_form["fields"])
    fields.update({"individual_id": individual_id, "otp": otp})
    login_url = urljoin(authorize_url, login_form["action"])
    status, headers, html = http_request("POST", login_url, fields)
    if status in (301, 302, 303):
        return urljoin(login_url, headers["location"])
    page = _parse(html)
    consent_form = page.forms.get("consent-form")
    if status != 200 or consent_form is None:
        raise EmulatorLoginError(f"login failed: {_describe(status, html)}")
    data = list(consent_form["fields"])
    if consent is True:
        data += [(n, v) for n, v, checked in consent_form["checkboxes"] if checked]
    elif consent:
        keep = set(consent)
        data += [(n, v) for n, v, _ in consent_form["checkboxes"] if v in keep]
    data.append(("action", "allow" if consent is not False else "cancel"))
    consent_url = urljoin(login_url, consent_form["action"])
    status, headers, html = http_request("POST", consent_url, data)
    if status not in (301, 302, 303):
        raise EmulatorLoginError(f"consent failed: {_describe(status, html)}")
    return urljoin(consent_url, headers["location"])
