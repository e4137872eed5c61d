"""Checks of portal pages in headless Chromium: axe-core and a 360-px screen.

axe-core (npm ``axe-core``) is served to the browser from a public
attachment and run on each page once it has loaded, its scripts included.
A serious or critical violation fails the test with the rule, the element
and what to fix. ``NO_SIDEWAYS_SCROLL`` checks that a page shown 360 px
wide does not scroll sideways. ``tests/run_suites.py`` finds axe-core (or
fetches it with npm) and passes its path in ``AXE_CORE_JS``; when it cannot,
it sets ``G2P_AXE_CORE_MISSING`` to the reason and these checks skip with it
(the runner prints it in its last lines). Without that variable a missing
axe-core fails the tests. ``.ci/run`` installs Chromium and axe-core wherever
the Odoo suite runs, so these checks never skip there.

Used by the HttpCases of the portal's addons through ``PageChecks``.
"""

import base64
import json
import os
import shutil
import subprocess
import unittest
from pathlib import Path

AXE_URL = "/g2p_self_service_portal_test/axe.min.js"
# Set by tests/run_suites.py, to the reason, when it found no axe-core.
AXE_MISSING_ENV = "G2P_AXE_CORE_MISSING"
# What the issue forbids: "no serious or critical violation on any page".
FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """
(async () => {
    await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "%(url)s";
        script.onload = resolve;
        script.onerror = () => reject(new Error("axe-core did not load"));
        document.head.appendChild(script);
    });
    const results = await window.axe.run(document, {resultTypes: ["violations"]});
    const failing = results.violations.filter(
        (violation) => %(impacts)s.includes(violation.impact)
    );
    if (failing.length) {
        console.error("axe-core on " + location.pathname + ": " + JSON.stringify(
            failing.map((violation) => ({
                rule: violation.id,
                impact: violation.impact,
                help: violation.help,
                nodes: violation.nodes.slice(0, 5).map(
                    (node) => node.target.join(" ") + " :: " + node.html.slice(0, 160)
                ),
            })),
            null,
            1
        ));
    } else {
        console.log("test successful");
    }
})().catch((error) => console.error("axe-core failed: " + error));
"""

NO_SIDEWAYS_SCROLL = """
(() => {
    const width = document.documentElement.scrollWidth;
    const wide = [...document.querySelectorAll("body *")].filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > window.innerWidth + 1
            && getComputedStyle(element).position !== "fixed";
    }).slice(0, 5).map((element) => element.outerHTML.slice(0, 120));
    if (width > window.innerWidth + 1) {
        console.error(location.pathname + " is " + width + " px wide on a "
            + window.innerWidth + "-px screen: " + JSON.stringify(wide));
    } else {
        console.log("test successful");
    }
})();
"""
AXE_CODE = RUN_AXE % {"url": AXE_URL, "impacts": list(FAILING_IMPACTS)}
READY = "document.readyState === 'complete'"

# Many pages in one browser session: each is opened in a frame as large as
# the window (so a 360-px window shows it as a phone does), then checked
# with axe-core and, on a phone, for sideways scrolling. One report at the
# end lists every page's problems.
WALK = """
(async () => {
    const urls = %(urls)s;
    const phone = %(phone)s;
    const impacts = %(impacts)s;
    const problems = [];
    for (const url of urls) {
        const frame = document.createElement("iframe");
        frame.title = "Page under test";
        frame.style.cssText = "position:fixed;inset:0;width:100vw;height:100vh;"
            + "border:0;z-index:2147483647;background:#fff";
        await new Promise((resolve) => {
            frame.onload = resolve;
            frame.src = url;
            document.body.appendChild(frame);
        });
        // Odoo's lazy scripts (portal counters, formio.js) run after load.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const win = frame.contentWindow;
        const doc = frame.contentDocument;
        const page = win.location.pathname + win.location.search;
        if (phone && doc.documentElement.scrollWidth > win.innerWidth + 1) {
            const wide = [...doc.querySelectorAll("body *")].filter((element) => {
                const box = element.getBoundingClientRect();
                return box.width > 0 && box.right > win.innerWidth + 1
                    && win.getComputedStyle(element).position !== "fixed";
            }).slice(0, 5).map((element) => element.outerHTML.slice(0, 120));
            problems.push({url, page, sideways: doc.documentElement.scrollWidth, wide});
        }
        await new Promise((resolve, reject) => {
            const script = doc.createElement("script");
            script.src = "%(axe)s";
            script.onload = resolve;
            script.onerror = () => reject(new Error("axe-core did not load on " + url));
            doc.head.appendChild(script);
        });
        const results = await win.axe.run(doc, {resultTypes: ["violations"]});
        const failing = results.violations.filter((v) => impacts.includes(v.impact));
        if (failing.length) {
            problems.push({url, page, violations: failing.map((violation) => ({
                rule: violation.id,
                impact: violation.impact,
                help: violation.help,
                nodes: violation.nodes.slice(0, 5).map(
                    (node) => node.target.join(" ") + " :: " + node.html.slice(0, 160)
                        + " :: " + ((node.any[0] || node.all[0] || {}).message || "")
                ),
            }))});
        }
        frame.remove();
    }
    if (problems.length) {
        console.error("axe-core: " + JSON.stringify(problems, null, 1));
    } else {
        console.log("test successful");
    }
})().catch((error) => console.error("page walk failed: " + error));
"""


def walk_code(urls, phone=False):
    """The script that checks ``urls`` one after the other (see WALK)."""
    return WALK % {
        "urls": json.dumps(list(urls)),
        "phone": "true" if phone else "false",
        "impacts": json.dumps(list(FAILING_IMPACTS)),
        "axe": AXE_URL,
    }


def axe_source():
    """axe.min.js from AXE_CORE_JS or the global npm modules, or None."""
    candidates = []
    if os.environ.get("AXE_CORE_JS"):
        candidates.append(Path(os.environ["AXE_CORE_JS"]))
    npm = shutil.which("npm")
    if npm:
        root = subprocess.run(
            [npm, "root", "-g"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if root:
            candidates.append(Path(root) / "axe-core" / "axe.min.js")
    candidates.append(Path("/usr/lib/node_modules/axe-core/axe.min.js"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_bytes()
    return None


class PageChecks:
    """For HttpCases: serve axe-core, run a check on pages in Chromium."""

    @classmethod
    def _serve_axe(cls):
        source = axe_source()
        if source is None and os.environ.get(AXE_MISSING_ENV):
            raise unittest.SkipTest(os.environ[AXE_MISSING_ENV])
        if source is None:
            raise AssertionError(
                "axe-core is not installed: npm install -g axe-core "
                "(or set AXE_CORE_JS to axe.min.js)"
            )
        cls.env["ir.attachment"].create(
            {
                "name": "axe.min.js",
                "type": "binary",
                "datas": base64.b64encode(source),
                "mimetype": "text/javascript",
                "url": AXE_URL,
                "public": True,
            }
        )

    def _check(self, urls, login=None, code=None):
        for url in urls:
            with self.subTest(url=url):
                self.browser_js(
                    url,
                    code or AXE_CODE,
                    ready=READY,
                    login=login,
                    timeout=120,
                )

    def _walk(self, urls, login=None, phone=False):
        """``urls`` in one browser session: axe-core, and sideways scrolling
        on a phone; one failure lists the problems of every page."""
        self.browser_js(
            urls[0],
            walk_code(urls, phone=phone),
            ready=READY,
            login=login,
            timeout=60 + 30 * len(urls),
        )
