"""Signing in with a national ID through the cluster (the eSignet emulator)."""

from urllib.parse import urlsplit

from emulators.esignet.browser import headless_login

KOFI = "9182736450"  # the demo's existing registrant (identities.json)
MARIA = "5037418692"  # registered at her first sign-in
OTP_ACR = "mosip:idp:acr:generated-code"


def otp_button(cluster):
    """(provider id, login method id) of the "one-time code" button."""
    rows = cluster.sql(
        "SELECT m.provider_id, m.id FROM g2p_esignet_login_method m "
        "JOIN auth_oauth_provider p ON p.id = m.provider_id "
        "WHERE m.active AND p.enabled AND m.acr_values = %s ORDER BY m.id LIMIT 1",
        (OTP_ACR,),
    )
    assert rows, "the demo's eSignet provider has no OTP button"
    return rows[0]


def sign_in_with_national_id(browser, individual_id, start, finish):
    """Press the OTP button on server ``start``, sign in at the emulator,
    come back on server ``finish``; returns the callback's answer."""
    provider_id, method_id = otp_button(browser.cluster)
    button = browser.get(start, f"/auth_esignet/login/{provider_id}?method={method_id}")
    assert button.status_code == 303, (button.status_code, button.text[:500])
    callback = headless_login(button.headers["Location"], individual_id)
    parts = urlsplit(callback)
    # eSignet sends the person back to the portal's public address (nginx).
    assert (parts.port, parts.path) == (browser.cluster.port, "/auth_oauth/signin")
    return browser.get(finish, f"{parts.path}?{parts.query}")
