{
    "name": "G2P Portal Forms",
    "summary": "Formio forms mapped to programs; submissions become applications",
    "version": "17.0.1.0.0",
    "category": "G2P",
    "license": "LGPL-3",
    "author": "G2P Self-Service Portal contributors",
    "website": "https://openg2p.org",
    "maintainers": [],
    "development_status": "Alpha",
    "depends": [
        "portal",
        "formio",
        "storage_file",
        "g2p_registry_base",
        "g2p_registry_individual",
        "g2p_programs",
        "g2p_program_registrant_info",
        "g2p_program_documents",
        "g2p_formio",
    ],
    "external_dependencies": {
        "python": ["formio-data", "google-re2", "panzi-json-logic"]
    },
    "data": [
        "security/ir.model.access.csv",
        "security/portal_forms_security.xml",
        "data/ir_sequence_data.xml",
        "views/g2p_program_views.xml",
        "views/portal_apply_templates.xml",
        "report/application_receipt.xml",
    ],
    "demo": [
        "demo/storage_backend_demo.xml",
        "demo/formio_builder_demo.xml",
        "demo/g2p_program_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "g2p_portal_forms/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
