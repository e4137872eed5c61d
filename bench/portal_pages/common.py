"""What the portal pages benchmark's parts share: names, limits, ``in_odoo.py``."""

import json
from pathlib import Path

from odoo_bench import REPO_ROOT

ADDON = "g2p_entitlement_tracking"
# Updated first in a reused database: the addons that depend on it
# (g2p_entitlement_tracking) are updated with it.
UPDATE_ADDON = "g2p_self_service_portal"
OUR_ADDONS = (
    "g2p_portal_forms",
    "g2p_self_service_portal",
    "g2p_auth_esignet",
    "g2p_entitlement_tracking",
)
PROGRAM_PREFIX = "Bench program "  # + the program's number, 5 digits
REGISTRANT_PREFIX = "Bench registrant "  # + the registrant's number, 7 digits
USER_LOGIN = "bench-portal-registrant"
USER_NAME = "Bench Portal Registrant"
SMALL_LOGIN = "bench-portal-registrant-small"
SMALL_NAME = "Bench Portal Registrant Small"
CUSTOMER_LOGIN = "bench-portal-customer"
CUSTOMER_NAME = "Bench Portal Customer"
PASSWORD = "Bench-Portal-Pass-123"
BUILDER_NAME = "bench_portal_pages"
STORE_NAME = "Bench portal pages documents"
TEMPLATE_CYCLE = "Bench cycle template"
USER_CYCLE_PREFIX = "Bench cycle U-"  # the bench registrant's cycles
OTHER_APPLICATION_PREFIX = "BENCH-R-"
ENTITLEMENT_PREFIX = "BENCH-E-"  # + the registrant's tag, its number
PAYMENT_PREFIX = "BENCH-P-"  # the same
NOTIFICATION_PREFIX = "bench-"  # the same, of the notifications' keys
APPLICATION_STATES = ("active", "inprogress", "completed", "rejected", "closed")
# The entitlements' states in turn: 14 in 20 paid, one in 20 of each other
# phase (approved, sent for payment, in review, rejected, cancelled, expired).
ENTITLEMENT_STATES = (
    ("rdpd2ben",) * 7
    + ("approved", "rdpd2ben", "trans2FSP", "rdpd2ben", "pending_validation")
    + ("rdpd2ben",) * 4
    + ("rejected2", "rdpd2ben", "cancelled", "expired")
)
# (name, code, currency): the programs' journals; program numbers divisible
# by 4 pay in the second.
JOURNALS = (
    ("Bench benefits USD", "BUSD", "USD"),
    ("Bench benefits KES", "BKES", "KES"),
)
SMALL_SHARE = 10  # the small registrant has a tenth of the benefits
COPY_BATCH = 50_000
SETUP_TIMEOUT = 900
WARMUP = 3
MAX_WARMUP = 40
MAX_QUERIES = 40
WIDTH = 44  # of the page column
MAX_MEDIAN_RATIO = 2.0
# The dashboard's own targets (issue 18): at most DASHBOARD_MAX_QUERIES
# queries, its median at most DASHBOARD_MAX_MEDIAN_RATIO x /my/home's, and
# under load at least MIN_LOAD_RATIO x /my/home's requests a second.
DASHBOARD_LABELS = frozenset(
    {"/my (dashboard)", "/selfservice/home", "/my/counters (dashboard counters)"}
)
DASHBOARD_MAX_QUERIES = 20
DASHBOARD_MAX_MEDIAN_RATIO = 1.5
MIN_LOAD_RATIO = 0.7
# First visit (cold cache) through the README's proxy with compression: the
# sign-in page and the dashboard at most MAX_WEIGHT_RATIO x /my/home's
# transfer, the apply page at most MAX_APPLY_WEIGHT bytes.
MAX_WEIGHT_RATIO = 1.2
MAX_APPLY_WEIGHT = 1.5 * 1024 * 1024
FORMIOJS_SPEC = "4.21.7"
DASHBOARD_MARKER = "o_g2p_dashboard"

# The application form of g2p_portal_forms' tests.
SCHEMA = json.loads(
    (REPO_ROOT / "g2p_portal_forms" / "tests" / "application_form.json").read_text(
        encoding="utf-8"
    )
)
ANSWERS = {
    "full_name": "Bench Registrant",
    "household_size": 4,
    "bank": "first",
    "email": "bench-registrant@example.org",
}


WEIGHT_SIGN_IN = "/selfservice/login (sign in)"
WEIGHT_DASHBOARD = "/my (dashboard)"
WEIGHT_APPLY = "/my/programs/<id>/apply"
WEIGHT_HOME = "/my/home (customer)"
SKIPPED = "--skip-weight"

# The records made through the ORM, inside odoo-bin shell (odoo_bench.run_in_odoo).
IN_ODOO = Path(__file__).with_name("in_odoo.py")
