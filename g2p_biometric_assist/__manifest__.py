{
    "name": "G2P Biometric Assist",
    "summary": "Officer-assisted applications with MOSIP SBI biometric capture",
    "version": "17.0.1.0.0",
    "category": "G2P",
    "license": "LGPL-3",
    "author": "G2P Self-Service Portal contributors",
    "website": "https://openg2p.org",
    "maintainers": [],
    "development_status": "Alpha",
    "depends": [
        "g2p_self_service_portal",
    ],
    "data": [
        "security/g2p_biometric_assist_security.xml",
        "security/ir.model.access.csv",
    ],
    "application": False,
    "installable": True,
}
