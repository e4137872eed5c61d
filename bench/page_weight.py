"""A page's first-visit weight, measured in headless Chromium.

Each page is opened in a new Chromium with an empty profile (cold cache),
signed in with a session cookie when given one, over the DevTools protocol
(``setup/portal_demo/screenshots.py``'s client, ``websocket-client``). Once the page has
loaded and the network has been quiet for a moment (Odoo's lazy scripts
included), every response is summed per resource type: HTML, CSS, JS,
fonts, images, other. ``transferred`` is what came over the wire
(``Network.loadingFinished.encodedDataLength``: compressed bodies when the
server compresses, with their headers); ``decoded`` the bodies' size once
decompressed (``Network.dataReceived.dataLength``), which is what is
transferred without compression.

Imported by ``bench_portal_pages.py``.
"""

import contextlib
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "setup"))

from portal_demo.screenshots import BrowserError, Chromium  # noqa: E402

# DevTools resource types -> the report's kinds.
KINDS = {
    "Document": "HTML",
    "Stylesheet": "CSS",
    "Script": "JS",
    "Font": "fonts",
    "Image": "images",
}
KIND_ORDER = ("HTML", "CSS", "JS", "fonts", "images", "other")
QUIET_SECONDS = 2.0
LOAD_TIMEOUT = 120
DESKTOP = (1280, 800, False)
CHROME_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium():
    return next(filter(None, map(shutil.which, CHROME_NAMES)), None)


@dataclass
class Weight:
    """What one first visit of a page loaded."""

    label: str
    url: str
    final_url: str = ""
    requests: int = 0
    failed: int = 0
    transferred: dict = field(default_factory=lambda: defaultdict(int))
    decoded: dict = field(default_factory=lambda: defaultdict(int))
    largest: list = field(default_factory=list)  # (transferred, decoded, url)

    @property
    def formio(self):
        """Which formio.js build the page loaded: renderer, full or none."""
        urls = [url for _t, _d, url in self.largest]
        if any("formio.form.min.js" in url for url in urls):
            return "renderer"
        if any("formio.full.min.js" in url for url in urls):
            return "full"
        return "none"

    @property
    def total_transferred(self):
        return sum(self.transferred.values())

    @property
    def total_decoded(self):
        return sum(self.decoded.values())


def _drain(browser, seconds):
    """Read DevTools events for ``seconds`` (they queue up between calls)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with contextlib.suppress(BrowserError):
            browser.send("Runtime.evaluate", expression="1")
        time.sleep(0.2)


def weigh(binary, label, url, session_id=None):
    """Open ``url`` once in a fresh Chromium; return its :class:`Weight`."""
    result = Weight(label, url)
    with Chromium(binary, DESKTOP) as browser:
        if session_id:
            parts = urlsplit(url)
            browser.send(
                "Network.setCookie",
                name="session_id",
                value=session_id,
                url=f"{parts.scheme}://{parts.netloc}/",
            )
        browser.events.clear()
        browser.send("Page.navigate", url=url)
        browser.wait_for(
            "document.readyState === 'complete'", "the page to load", LOAD_TIMEOUT
        )
        # Until no request has started or ended for QUIET_SECONDS.
        deadline = time.monotonic() + LOAD_TIMEOUT
        seen = -1
        while len(browser.events) != seen and time.monotonic() < deadline:
            seen = len(browser.events)
            _drain(browser, QUIET_SECONDS)
        result.final_url = browser.url()
        events = list(browser.events)
    kinds, urls, decoded = {}, {}, defaultdict(int)
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        request_id = params.get("requestId")
        if method == "Network.responseReceived":
            response = params["response"]
            if response["url"].startswith("data:"):
                continue
            kinds[request_id] = KINDS.get(params.get("type"), "other")
            urls[request_id] = response["url"]
        elif method == "Network.dataReceived":
            decoded[request_id] += params.get("dataLength", 0)
        elif method == "Network.loadingFinished" and request_id in kinds:
            kind = kinds[request_id]
            size = int(params.get("encodedDataLength", 0))
            result.requests += 1
            result.transferred[kind] += size
            result.decoded[kind] += decoded[request_id]
            result.largest.append((size, decoded[request_id], urls[request_id]))
        elif method == "Network.loadingFailed" and request_id in kinds:
            result.failed += 1
    result.largest.sort(reverse=True)
    return result


def kib(size):
    return f"{size / 1024:,.0f}"


def _pair(transferred, decoded):
    return f"{kib(transferred)} ({kib(decoded)})"


def print_weights(title, weights):
    """A table: per page, KiB transferred (decoded) per kind and in all."""
    width = max(len(w.label) for w in weights) + 2
    header = f"{'page':<{width}}" + "".join(f"{k:>16}" for k in KIND_ORDER)
    header += f"{'total':>18}{'requests':>10}"
    print(f"\n{title}\n{header}\n" + "-" * len(header))
    for weight in weights:
        cells = "".join(
            f"{_pair(weight.transferred.get(k, 0), weight.decoded.get(k, 0)):>16}"
            for k in KIND_ORDER
        )
        total = _pair(weight.total_transferred, weight.total_decoded)
        print(f"{weight.label:<{width}}{cells}{total:>18}{weight.requests:>10}")
    print("  KiB transferred (KiB decoded) per resource type, first visit, cold cache")
