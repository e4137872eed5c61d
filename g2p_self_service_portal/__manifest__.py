{
    "name": "G2P Self-Service Portal",
    "summary": "Registrant self-service portal: programs, applications, profile",
    "version": "17.0.1.0.0",
    "category": "G2P",
    "license": "LGPL-3",
    "author": "G2P Self-Service Portal contributors",
    "website": "https://openg2p.org",
    "maintainers": [],
    "development_status": "Alpha",
    "depends": [
        "website",
        "portal",
        "g2p_auth_esignet",
        "g2p_portal_forms",
    ],
    "data": [
        "security/g2p_self_service_portal_security.xml",
        "security/ir.model.access.csv",
    ],
    "application": False,
    "installable": True,
}
