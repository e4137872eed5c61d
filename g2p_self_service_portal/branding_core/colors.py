"""Brand colours: a ``#rrggbb`` that white text can be read on.

The portal's buttons, links and header show white text on the primary and
secondary colours, and those colours as text on white. WCAG 2.1 (1.4.3)
asks for a contrast of 4.5:1 for normal text, so a colour that does not
reach it on white is refused: the website would fail axe-core's
``color-contrast`` rule on every page.
"""

import re

INVALID_COLOR = "invalid_color"
LOW_CONTRAST = "low_contrast"
MIN_CONTRAST = 4.5
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"


def _channel(value):
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(color):
    """WCAG relative luminance of a ``#rrggbb`` colour."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first, second):
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def check_brand_color(color):
    """None if ``color`` may be a brand colour, else the problem's code."""
    if not isinstance(color, str) or not _HEX.fullmatch(color.strip()):
        return INVALID_COLOR
    if contrast_ratio(color.strip(), WHITE) < MIN_CONTRAST:
        return LOW_CONTRAST
    return None
