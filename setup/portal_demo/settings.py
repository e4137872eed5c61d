"""The demo's names, ports, logins and where things are."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEMO_DIR.parents[1]
ODOO_SERIES = 17
DEFAULT_DB = "g2p_demo"
DEFAULT_PORT = 8069
ESIGNET_PORT = 8088
SBI_PORT = 4501
# The message sink (tests/emulators/messages): Odoo's outgoing mail server
# and SMS gateway of the demo; a person reads what was sent on its page.
MAIL_PORT = 8025
MESSAGES_PORT = 8026
# OpenG2P's SMS gateway client (openg2p-program), installed with the demo
# when it is on addons_path: the sink answers in its gateway's shape.
SMS_ADDON = "g2p_notifications_fast2sms"
# The demo runs OCA queue_job's job runner in its Odoo server (notifications
# are queue jobs); in a cluster every server runs one and one is elected.
DEMO_SERVER_WIDE_MODULES = ("base", "web", "queue_job")
HOST = "127.0.0.1"
CLIENT_ID = "g2p-demo-portal"
FORMIOJS_VERSION = "4.21.7"
OFFICER_LOGIN = "officer"
OFFICER_PASSWORD = "officer"  # demo data (g2p_biometric_assist/demo)
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"  # Odoo's own for a database made with demo data
# Odoo's default master password (``admin_passwd``): never the demo's.
ODOO_DEFAULT_ADMIN_PASSWD = "admin"
EMULATORS = REPO_ROOT / "tests" / "emulators"
IDENTITIES_FILE = EMULATORS / "esignet" / "identities.json"
DEMO_ODOO_SCRIPT = DEMO_DIR / "demo_odoo.py"
# The OpenG2P eSignet guide's client registration (eSignet client-mgmt API).
GUIDE_USER_CLAIMS = (
    "birthdate",
    "address",
    "gender",
    "name",
    "phone_number",
    "email",
    "picture",
)
# Automatic linking of existing registrants compares their national ID
# with this claim, so the client is also allowed to receive it.
LINKING_CLAIM = "individual_id"
GUIDE_ACR_VALUES = ("mosip:idp:acr:biometrics", "mosip:idp:acr:generated-code")
# Odoo configuration options copied from the user's: the database server.
COPIED_OPTIONS = ("db_host", "db_port", "db_user", "db_password", "db_sslmode")
# Where each family of dependency addons comes from (README, Prerequisites).
ADDON_SOURCES = (
    (
        ("g2p_programs", "g2p_program_", "g2p_formio", "g2p_entitlement_"),
        "OpenG2P program addons 17.0: https://github.com/OpenG2P/openg2p-program",
    ),
    (
        ("g2p_",),
        "OpenG2P registry addons 17.0: https://github.com/OpenG2P/openg2p-registry",
    ),
    (
        ("formio",),
        "Nova Code formio 17.0: https://github.com/novacode-nl/odoo-formio",
    ),
    (
        ("auth_oidc",),
        "OCA server-auth 17.0: https://github.com/OCA/server-auth "
        "(or pip install odoo-addon-auth-oidc)",
    ),
    (
        ("queue_job",),
        "OCA queue-job 17.0.1.3.0 or later: pip install "
        "'odoo-addon-queue-job>=17.0.1.3.0' (not OpenG2P's older copy)",
    ),
    (
        ("session_db",),
        "OCA server-tools 17.0: pip install odoo-addon-session-db",
    ),
    (
        ("storage_", "component", "server_environment"),
        "OpenG2P community addons 17.0: "
        "https://github.com/OpenG2P/openg2p-social-registry-community-addons",
    ),
)
# Python libraries of the addons (requirements.txt) and their import names.
PYTHON_LIBRARIES = {
    "cryptography": "cryptography",
    "email-validator": "email_validator",
    "formio-data": "formiodata",
    "jwcrypto": "jwcrypto",
    "panzi-json-logic": "json_logic",
    "phonenumbers": "phonenumbers",
    "pyjwt": "jwt",
    "requests": "requests",
    "google-re2": "re2",
    # the demo's mail sink (tests/emulators/messages)
    "aiosmtpd": "aiosmtpd",
}
STOP_TIMEOUT = 30
