{
    "name": "G2P Entitlement Tracking",
    "summary": "Registrants follow entitlements, payments and vouchers",
    "version": "17.0.1.0.0",
    "category": "G2P",
    "license": "LGPL-3",
    "author": "G2P Self-Service Portal contributors",
    "website": "https://openg2p.org",
    "maintainers": [],
    "development_status": "Alpha",
    "depends": [
        "g2p_self_service_portal",
        "g2p_programs",
    ],
    "data": [],
    "application": False,
    "installable": True,
}
