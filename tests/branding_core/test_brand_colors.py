"""Brand colours a deployer may choose (g2p_self_service_portal.branding_core)."""

import pytest

from g2p_self_service_portal.branding_core import (
    INVALID_COLOR,
    LOW_CONTRAST,
    check_brand_color,
    contrast_ratio,
)


def test_contrast_ratio_of_black_and_white_is_21():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)


def test_contrast_ratio_is_symmetric():
    assert contrast_ratio("#1e3a5f", "#ffffff") == contrast_ratio("#ffffff", "#1e3a5f")


@pytest.mark.parametrize("color", ["#1e3a5f", "#14532D", "#000000", "#595959"])
def test_dark_colours_are_accepted(color):
    assert check_brand_color(color) is None


@pytest.mark.parametrize("color", ["#ffffff", "#77aaff", "#777777", "#00a09d"])
def test_light_colours_are_refused(color):
    # #777777 is 4.48:1 on white, just under WCAG's 4.5:1.
    assert check_brand_color(color) == LOW_CONTRAST


@pytest.mark.parametrize("color", ["blue", "#fff", "1e3a5f", "#1e3a5g", "", None, 12])
def test_what_is_not_rrggbb_is_refused(color):
    assert check_brand_color(color) == INVALID_COLOR
