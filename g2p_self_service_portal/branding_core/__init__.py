"""The portal's branding rules, without Odoo: colours a deployer may choose."""

from .colors import (
    INVALID_COLOR,
    LOW_CONTRAST,
    MIN_CONTRAST,
    check_brand_color,
    contrast_ratio,
)

__all__ = [
    "INVALID_COLOR",
    "LOW_CONTRAST",
    "MIN_CONTRAST",
    "check_brand_color",
    "contrast_ratio",
]
