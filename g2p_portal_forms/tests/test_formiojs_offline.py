"""The apply page in Chromium asks nothing of any other server.

A form with date/time, time, file and rich-text components makes formio.js
load flatpickr (and, on a French page, its French locale) and CKEditor on
demand. (A signature component never reaches an apply page: the server
cannot validate it, so a form holding one is refused at mapping and when a
mapped form is changed.) With
formio.js and those libraries installed on the server (``formiojs-install``,
here from their npm packages), every request the registrant's browser makes
is recorded through the DevTools protocol and must go to this server.
"""

import json
import tempfile
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests import common, tagged

from ..formiojs import (
    MIRROR_PATH,
    NpmPackError,
    npm_pack,
    read_package,
    requirements,
)
from .common import PortalFormsCase
from .test_apply_tour import formiojs_tarball

# The libraries this form needs (Ace and moment-timezone serve other forms).
NEEDED = ("flatpickr", "shortcut-buttons-flatpickr", "ckeditor")

FORM = {
    "display": "form",
    "components": [
        {
            "type": "datetime",
            "key": "visit_at",
            "label": "Visit",
            "input": True,
            "enableTime": True,
        },
        {
            "type": "datetime",
            "key": "born_on",
            "label": "Date of birth",
            "input": True,
            "enableTime": False,
            "format": "dd/MM/yyyy",
        },
        {"type": "time", "key": "visit_time", "label": "Time", "input": True},
        {
            "type": "file",
            "key": "photo",
            "label": "Photo",
            "input": True,
            "storage": "base64",
        },
        {
            "type": "textarea",
            "key": "story",
            "label": "Your story",
            "input": True,
            "editor": "ckeditor",
            "wysiwyg": {"toolbar": ["bold", "italic"]},
        },
    ],
}

# Waits until formio.js has rendered every component and loaded its
# libraries, then passes; says what is missing after a minute.
ALL_LOADED = """
(async () => {
    const root = document.querySelector(".o_g2p_apply_formio");
    const state = () => ({
        flatpickr: Boolean(window.flatpickr),
        locale: document.documentElement.lang.startsWith("fr")
            ? Boolean(window.flatpickr && window.flatpickr.l10ns.fr)
            : true,
        ckeditor: Boolean(window.ClassicEditor && root.querySelector(".ck-editor")),
        file: Boolean(root.querySelector(".fileSelector, input[type=file]")),
        time: Boolean(root.querySelector("input[type=time]")),
        calendars: root.querySelectorAll(".flatpickr-input").length >= 2,
    });
    const deadline = Date.now() + 60000;
    while (Object.values(state()).includes(false)) {
        if (Date.now() > deadline) {
            console.error("formio.js did not finish: " + JSON.stringify(state()));
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log("test successful");
})();
"""


def _cached_npm_pack(package, version, cache):
    """``npm pack`` once per package and version (the tours' cache)."""
    stem = package.lstrip("@").replace("/", "-")
    pattern = f"{stem}-{'*' if version == 'latest' else version}.tgz"
    found = sorted(cache.glob(pattern))
    return found[-1] if found else npm_pack(package, version, cache)


class RecordingBrowser(common.ChromeBrowser):
    """Odoo's test browser, which also writes down every URL it requests."""

    requested = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._handlers["Network.requestWillBeSent"] = self._record_request
        self._websocket_request("Network.enable")

    def _record_request(self, request, **_kw):
        RecordingBrowser.requested.append(request["url"])


@tagged("post_install", "-at_install")
class TestFormiojsOffline(PortalFormsCase):
    def setUp(self):
        super().setUp()
        cache = Path(tempfile.gettempdir()) / "g2p-formiojs-cache"
        try:
            tarball = formiojs_tarball()
            package = read_package(tarball)
            libraries = [
                (need, _cached_npm_pack(need.library.package, need.version, cache))
                for need in requirements(package.cdn_versions)
                if need.library.cdn_name in NEEDED
            ]
        except NpmPackError as error:
            self.skipTest(f"no formio.js or library tarball (npm): {error}")
        Version = self.env["formio.version"]
        version = Version._g2p_install_from_npm_tarball(tarball)
        Version._g2p_install_cdn_mirror(libraries)
        # The registrant fields name the usual form's keys: gone first, so
        # that this form passes the mapped form's checks.
        self.program.portal_form_field_ids.unlink()
        self.builder.write(
            {"formio_version_id": version.id, "schema": json.dumps(FORM)}
        )
        self.requirement.mandatory = False
        # browser_js signs in with the login as password.
        self.user = self.ana.user_ids
        self.user.password = self.user.login
        RecordingBrowser.requested = []

    def assert_everything_from_this_server(self, url, libraries):
        server = urlsplit(self.base_url())
        with patch.object(common, "ChromeBrowser", RecordingBrowser):
            try:
                self.browser_js(
                    url,
                    ALL_LOADED,
                    ready="document.readyState === 'complete'",
                    login=self.user.login,
                    timeout=120,
                )
            finally:
                requested = list(RecordingBrowser.requested)
                elsewhere = sorted(
                    {
                        address
                        for address in requested
                        if urlsplit(address).scheme in ("http", "https", "ws", "wss")
                        and urlsplit(address).netloc != server.netloc
                    }
                )
                self.assertEqual(elsewhere, [], "requests that left the server")
        # The libraries came from the server's copy.
        for path in libraries:
            self.assertIn(f"{self.base_url()}{MIRROR_PATH}{path}", requested)

    def test_the_apply_page_loads_everything_from_this_server(self):
        self.assert_everything_from_this_server(
            self._apply_url(),
            (
                "/flatpickr/4.6.8/flatpickr.min.js",
                "/flatpickr/4.6.8/flatpickr.min.css",
                "/ckeditor5/19.0.1/ckeditor.js",
            ),
        )

    def test_in_french_with_flatpickrs_french_locale(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        website = self.env["website"].get_current_website()
        website.language_ids |= self.env.ref("base.lang_fr")
        self.user.lang = "fr_FR"
        self.assert_everything_from_this_server(
            "/fr" + self._apply_url(),
            (
                "/flatpickr/4.6.8/flatpickr.min.js",
                "/flatpickr/4.6.8/l10n/fr.min.js",
                "/ckeditor5/19.0.1/ckeditor.js",
            ),
        )
