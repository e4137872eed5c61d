{
    "name": "G2P eSignet Login",
    "summary": "National-ID login through MOSIP eSignet, KYC and account linking",
    "version": "17.0.1.0.0",
    "category": "G2P",
    "license": "LGPL-3",
    "author": "G2P Self-Service Portal contributors",
    "website": "https://openg2p.org",
    "maintainers": [],
    "development_status": "Alpha",
    "depends": [
        "auth_oauth",
        "auth_oidc",
        "portal",
        "g2p_registry_individual",
    ],
    "external_dependencies": {
        "python": ["pyjwt", "cryptography", "jwcrypto", "requests"],
    },
    "data": [
        "security/ir.model.access.csv",
        "views/auth_oauth_provider_views.xml",
        "views/templates.xml",
        "views/portal_templates.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "application": False,
    "installable": True,
}
