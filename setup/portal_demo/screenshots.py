#!/usr/bin/env python3
"""Screenshots of the running demo, for the README.

``python3 setup/portal_demo/screenshots.py``.

Start the demo first (``python3 setup/demo.py``; ``--reset`` gives the data
the README's pictures show). This script drives headless Chromium through
the Chrome DevTools protocol (``websocket-client``) at desktop (1280x800)
and phone (360x740) sizes:

- a registrant (Kofi Mensah, national ID 9182736450) signs in at the eSignet
  emulator with his OTP, sees his dashboard and the programs, applies to
  Medical Assistance with a document, follows the application and his
  benefits;
- the officer (``officer``) finds Ana Lima, records her consent, captures
  her fingerprints from the SBI emulator and applies for her.

PNGs go to ``docs/screenshots/``, reduced to at most about 150 KB each with
Pillow when it is installed (256-colour quantisation).
"""

import argparse
import base64
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = REPO_ROOT / "docs" / "screenshots"
DESKTOP = (1280, 800, False)
PHONE = (360, 740, True)
MAX_BYTES = 150 * 1024
MAX_PAGE_HEIGHT = 2400
MIN_PAGE_HEIGHT = 320
REGISTRANT_ID = "9182736450"  # Kofi Mensah (tests/emulators/esignet)
OTP = "111111"
OFFICER = ("officer", "officer")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, binary, size):
        self.binary = binary
        self.width, self.height, self.mobile = size
        self.profile = tempfile.mkdtemp(prefix="g2p-screenshots-")
        self.process = None
        self.socket = None
        self.next_id = 0
        self.events = []

    def __enter__(self):
        import websocket

        args = [
            self.binary,
            "--headless=new",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--force-device-scale-factor=1",
            "--lang=en-US",
            "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}",
            f"--window-size={self.width},{self.height}",
            "about:blank",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses root otherwise
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise BrowserError("Chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
            pages = [t for t in json.load(answer) if t["type"] == "page"]
        self.socket = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Network.enable")
        self._metrics(self.height)
        if self.mobile:
            self.send("Emulation.setTouchEmulationEnabled", enabled=True)
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(Exception):
            self.socket.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol ------------------------------------------------------------

    def send(self, method, **params):
        self.next_id += 1
        message_id = self.next_id
        self.socket.send(
            json.dumps({"id": message_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition, what, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(BrowserError):
                if self.evaluate(f"!!({condition})"):
                    return
            time.sleep(0.2)
        raise BrowserError(f"timed out waiting for {what} on {self.url()}")

    def url(self):
        return self.evaluate("location.href")

    def open(self, url):
        self.send("Page.navigate", url=url)
        self.settle()

    def settle(self):
        """Wait for the page (possibly after a redirect) to finish loading."""
        time.sleep(0.3)
        self.wait_for("document.readyState === 'complete'", "the page to load")
        time.sleep(0.5)

    def click(self, selector, navigates=True):
        self.wait_for(f"document.querySelector({json.dumps(selector)})", selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        if navigates:
            self.settle()

    def set_files(self, selector, paths):
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise BrowserError(f"no {selector}")
        self.send("DOM.setFileInputFiles", nodeId=node, files=[str(p) for p in paths])

    def clear_cookies(self):
        self.send("Network.clearBrowserCookies")

    def _metrics(self, height):
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=height,
            deviceScaleFactor=1,
            mobile=self.mobile,
        )

    def screenshot(self, path, full_page=True):
        """The page, whole (up to MAX_PAGE_HEIGHT) or the viewport only.

        Odoo's website scrolls inside ``#wrapwrap``, not the document: the
        viewport is made as tall as the content for the capture.
        """
        height = self.height
        if full_page:
            # From the top, down to the end of the page's main content (the
            # website footer is the same on every page).
            content = self.evaluate(
                "(() => { const scroller = document.querySelector('#wrapwrap');"
                " window.scrollTo(0, 0); if (scroller) { scroller.scrollTop = 0; }"
                " const main = document.querySelector('main');"
                " if (!main) { return Math.ceil(Math.max(0, ...[...document.body"
                ".children].map(e => e.getBoundingClientRect().bottom))) + 24; }"
                " return Math.ceil(main.getBoundingClientRect().bottom) + 24; })()"
            )
            height = min(max(int(content or 0), MIN_PAGE_HEIGHT), MAX_PAGE_HEIGHT)
        if height != self.height:
            self._metrics(height)
            time.sleep(0.5)
        try:
            shot = self.send("Page.captureScreenshot", format="png")
        finally:
            if height != self.height:
                self._metrics(self.height)
        data = optimise_png(base64.b64decode(shot["data"]))
        Path(path).write_bytes(data)
        shown = Path(path).resolve()
        if shown.is_relative_to(REPO_ROOT):
            shown = shown.relative_to(REPO_ROOT)
        print(f"  {shown} ({len(data) // 1024} KB)")


def optimise_png(data, max_bytes=MAX_BYTES):
    """A smaller PNG: 256 colours (fewer if still too big), when Pillow is here."""
    try:
        from PIL import Image
    except ImportError:
        return data
    image = Image.open(io.BytesIO(data)).convert("RGB")
    best = data
    for colours in (256, 128, 64, 32):
        buffer = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(
            buffer, format="PNG", optimize=True
        )
        best = min(best, buffer.getvalue(), key=len)
        if len(best) <= max_bytes:
            break
    return best


# ---------------------------------------------------------------------------
# the walks


def fill_form(browser, answers):
    """Answer the Formio form through formio.js (as a person's typing would)."""
    browser.wait_for(
        "window.Formio && Object.keys(Formio.forms).length", "formio.js to render"
    )
    browser.evaluate(
        "(async () => { const form = Object.values(Formio.forms)[0];"
        " await form.ready;"
        f" form.submission = {{data: Object.assign({{}}, form.submission.data,"
        f" {json.dumps(answers)})}}; }})()"
    )
    time.sleep(0.5)


def link_to(browser, text, prefix):
    """The address of the first link under ``prefix`` whose text has ``text``."""
    return browser.evaluate(
        "(() => { const a = [...document.querySelectorAll("
        f"'a[href^=\"{prefix}\"]')].find(a => a.textContent.includes("
        f"{json.dumps(text)})); return a ? a.href : null; }})()"
    )


def sign_in_with_national_id(browser, base, shots):
    browser.clear_cookies()
    browser.open(base + "/selfservice/login")
    shots("sign-in")
    otp_button = link_to(browser, "one-time code", "/auth_esignet/login/")
    if not otp_button:
        raise BrowserError("no national-ID (OTP) button on the sign-in page")
    browser.open(otp_button)
    browser.wait_for("document.querySelector('#login-form')", "the eSignet login")
    browser.evaluate(
        "(() => { const f = document.querySelector('#login-form');"
        f" f.individual_id.value = {json.dumps(REGISTRANT_ID)};"
        f" f.otp.value = {json.dumps(OTP)}; }})()"
    )
    shots("esignet-login", desktop_only=True)
    browser.click("#login-form button[type=submit], #login-form [type=submit]")
    browser.wait_for("document.querySelector('#consent-form')", "the consent page")
    shots("esignet-consent", desktop_only=True)
    browser.click("#consent-form button[value=allow]")
    browser.wait_for(
        f"location.href.startsWith({json.dumps(base)})", "the portal after sign-in"
    )
    browser.settle()


def registrant_walk(browser, base, shots, apply):
    sign_in_with_national_id(browser, base, shots)
    shots("dashboard")
    browser.open(base + "/my/programs")
    shots("programs")
    program = link_to(browser, "Medical Assistance", "/my/programs/")
    browser.open(program.rstrip("/") + "/apply")
    if not browser.evaluate("!!document.querySelector('.o_g2p_apply_form')"):
        print(
            "  note: Kofi cannot apply to Medical Assistance again (two open "
            "applications); `python3 setup/demo.py --reset` starts afresh"
        )
        shots("apply")
    else:
        fill_form(
            browser,
            {
                "care": "medicines",
                "facility": "Korle Bu Teaching Hospital",
                "estimated_cost": 80,
                "details": "Monthly treatment for high blood pressure.",
            },
        )
        with tempfile.TemporaryDirectory() as folder:
            document = Path(folder) / "prescription.pdf"
            document.write_bytes(PDF)
            required = browser.evaluate(
                "document.querySelector('.o_g2p_apply_form input[type=file]').name"
            )
            browser.set_files(f"input[name='{required}']", [document])
            shots("apply")
            if apply:
                browser.click(".o_g2p_apply_submit")
                browser.wait_for(
                    "location.pathname.includes('/applied/')", "the application"
                )
                browser.settle()
                shots("applied")
    browser.open(base + "/my/applications")
    shots("applications")
    # The newest application first: the one just made.
    application = browser.evaluate(
        "(() => { const a = [...document.querySelectorAll('a[href^=\"/my/"
        "applications/\"]')].find(a => /\\/my\\/applications\\/\\d+$/"
        ".test(a.pathname)); return a ? a.href : null; })()"
    )
    if application:
        browser.open(application)
        shots("application")
    browser.open(base + "/my/benefits")
    shots("benefits")
    # The benefit whose first payment failed and was paid again, else the
    # first: its card is the largest element holding links to it alone.
    benefit = browser.evaluate(
        "(() => { const sel = 'a[href^=\"/my/benefits/\"]';"
        " const ids = e => new Set([...e.querySelectorAll(sel)].map(a => a.pathname));"
        " const links = [...document.querySelectorAll(sel)]"
        ".filter(a => /\\d+$/.test(a.pathname));"
        " const card = a => { let e = a; while (e.parentElement &&"
        " ids(e.parentElement).size === 1) { e = e.parentElement; } return e; };"
        " const failed = links.find(a => card(a).textContent.includes('Failed'));"
        " const a = failed || links[0]; return a ? a.href : null; })()"
    )
    if benefit:
        browser.open(benefit)
        shots("benefit")


def officer_walk(browser, base, shots, apply):
    browser.clear_cookies()
    browser.open(base + "/web/login")
    browser.evaluate(
        "(() => { const f = document.querySelector('form.oe_login_form');"
        f" f.login.value = {json.dumps(OFFICER[0])};"
        f" f.password.value = {json.dumps(OFFICER[1])}; f.submit(); }})()"
    )
    browser.settle()
    browser.open(base + "/assist?q=Lima")
    shots("officer-search")
    registrant = link_to(browser, "Lima", "/assist/registrant/")
    browser.open(registrant)
    if browser.evaluate("!!document.querySelector('form[action$=\"/consent\"]')"):
        browser.evaluate(
            "document.querySelector('form[action$=\"/consent\"] [name=agreed]')"
            ".checked = true"
        )
        shots("officer-registrant")
        browser.click("form[action$='/consent'] [type=submit]")
    else:
        shots("officer-registrant")
    apply_url = link_to(browser, "Cash for Families", "/assist/registrant/")
    if not apply_url or "/apply" not in apply_url:
        print("  note: Ana has applied to Cash for Families already (--reset)")
        return
    browser.open(apply_url)
    browser.wait_for(
        "document.querySelector(\".o_g2p_sbi_device[data-status='Ready'] "
        "input[type='radio']:not(:disabled)\")",
        "the SBI emulator's device",
    )
    browser.click(
        ".o_g2p_sbi_device[data-status='Ready'] input[type='radio']", navigates=False
    )
    browser.wait_for("document.querySelector('.o_g2p_sbi_options input')", "options")
    browser.click(".o_g2p_sbi_capture:not(:disabled)", navigates=False)
    browser.wait_for(
        'document.querySelector(".o_g2p_sbi_result '
        ".o_g2p_sbi_quality[data-meets-threshold='true']\")",
        "the verified capture",
        timeout=60,
    )
    fill_form(
        browser,
        {
            "household_size": 4,
            "monthly_income": 95,
            "payment_method": "mobile",
            "declaration": True,
        },
    )
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "payslip.pdf"
        document.write_bytes(PDF)
        required = browser.evaluate(
            "document.querySelector('.o_g2p_apply_form input[type=file]').name"
        )
        browser.set_files(f"input[name='{required}']", [document])
        shots("officer-capture")
        if apply:
            browser.click(".o_g2p_apply_submit")
            browser.wait_for(
                "document.querySelector('.o_g2p_application_id')",
                "the officer's confirmation",
            )
            shots("officer-applied")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", default="http://127.0.0.1:8069", help="the running demo's address"
    )
    parser.add_argument("--output", default=str(OUTPUT), help="folder of the PNGs")
    parser.add_argument("--chromium", help="Chromium binary (default: from PATH)")
    args = parser.parse_args(argv)
    binary = args.chromium or next(
        filter(
            None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
        ),
        None,
    )
    if not binary:
        sys.exit("Chromium is needed: install chromium (or pass --chromium PATH)")
    try:
        import websocket  # noqa: F401
    except ImportError:
        sys.exit("websocket-client is needed: pip install websocket-client")
    base = args.url.rstrip("/")
    try:
        urllib.request.urlopen(base + "/web/health", timeout=5).close()
    except OSError:
        sys.exit(f"No demo answers at {base}: start it with python3 setup/demo.py")
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)

    for label, size, apply in (("desktop", DESKTOP, True), ("phone", PHONE, False)):
        print(f"{label} ({size[0]}x{size[1]})")
        with Chromium(binary, size) as browser:

            def shots(name, desktop_only=False, label=label, browser=browser):
                if desktop_only and label != "desktop":
                    return
                browser.screenshot(output / f"{label}-{name}.png")

            registrant_walk(browser, base, shots, apply)
            if label == "desktop":
                officer_walk(browser, base, shots, apply)
    names = sorted(p.name for p in output.glob("*.png"))
    print(f"{len(names)} screenshots in {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
