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
    "external_dependencies": {"python": ["phonenumbers", "email-validator"]},
    "data": [
        "security/g2p_self_service_portal_security.xml",
        "security/ir.model.access.csv",
        "security/portal_security.xml",
        "views/portal_home_templates.xml",
        "views/portal_programs_templates.xml",
        "views/portal_applications_templates.xml",
        "views/portal_profile_templates.xml",
        "views/error_templates.xml",
        "views/res_config_settings_views.xml",
        "data/website_pages.xml",
    ],
    "demo": [
        "demo/g2p_registry_demo.xml",
        "demo/g2p_application_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "g2p_self_service_portal/static/src/scss/portal.scss",
        ],
        "web.assets_tests": [
            "g2p_self_service_portal/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
