"""Meta package: installs every addon of this repository."""

from pathlib import Path

import setuptools

HERE = Path(__file__).resolve().parent
ADDONS = (
    "g2p_auth_esignet",
    "g2p_biometric_assist",
    "g2p_entitlement_tracking",
    "g2p_portal_forms",
    "g2p_self_service_portal",
)

setuptools.setup(
    name="odoo-addons-g2p-self-service-portal",
    description="Meta package for the G2P self-service portal Odoo 17.0 addons",
    version=(HERE / "VERSION.txt").read_text(encoding="utf-8").strip(),
    install_requires=[f"odoo-addon-{addon}>=17.0dev,<17.1dev" for addon in ADDONS],
    packages=[],
    python_requires=">=3.10",
    classifiers=[
        "Programming Language :: Python",
        "Framework :: Odoo",
        "Framework :: Odoo :: 17.0",
    ],
)
