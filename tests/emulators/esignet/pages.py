"""Minimal HTML pages of the emulated eSignet UI (all output escaped)."""

from html import escape

from .protocol import ACR_LABELS, CONSENT_PATH, LOGIN_PATH

CLAIM_LABELS = {
    "name": "Full name",
    "given_name": "Given name",
    "middle_name": "Middle name",
    "family_name": "Family name",
    "nickname": "Nickname",
    "preferred_username": "Preferred username",
    "gender": "Gender",
    "birthdate": "Date of birth",
    "picture": "Photo",
    "locale": "Locale",
    "updated_at": "Last update",
    "email": "Email",
    "email_verified": "Email verified",
    "phone_number": "Phone number",
    "phone_number_verified": "Phone verified",
    "address": "Address",
    "individual_id": "Individual ID",
    "national_id": "National ID",
}

_STYLE = (
    "body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
    "label{display:block;margin:.8rem 0 .2rem}input[type=text],"
    "input[type=password]{width:100%;padding:.4rem}"
    "button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem}"
    ".error{color:#b00020}.muted{color:#666;font-size:.9rem}"
    "ul{padding-left:1.2rem}"
)


def _page(title, body, lang="en"):
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}"
        '<p class="muted">eSignet emulator &mdash; for testing only.</p>'
        "</body></html>\n"
    )


def _lang(transaction):
    return (transaction.ui_locales or ("en",))[0]


def login_page(transaction, client_name, error=None, individual_id=""):
    method = ACR_LABELS.get(transaction.acr, transaction.acr)
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<p>Log in to <strong>{escape(client_name)}</strong> with "
        f'<span class="acr" data-acr="{escape(transaction.acr)}">'
        f"{escape(method)}</span>.</p>"
        f"{error_html}"
        f'<form id="login-form" method="post" action="{LOGIN_PATH}">'
        '<input type="hidden" name="transaction_id" '
        f'value="{escape(transaction.id)}">'
        '<label for="individual_id">UIN / VID</label>'
        '<input type="text" id="individual_id" name="individual_id" '
        f'value="{escape(individual_id)}" autocomplete="off" required>'
        '<label for="otp">OTP</label>'
        '<input type="password" id="otp" name="otp" inputmode="numeric" '
        'autocomplete="one-time-code" required>'
        '<button type="submit">Verify</button>'
        "</form>"
    )
    return _page("Login with eSignet", body, _lang(transaction))


def consent_page(transaction, client_name):
    items = []
    for name, essential in transaction.requested_claims.items():
        base, _, tag = name.partition("#")
        label = CLAIM_LABELS.get(base, base) + (f" ({tag})" if tag else "")
        if essential:
            items.append(
                f'<li class="essential" data-claim="{escape(name)}">'
                f"{escape(label)} <strong>(required)</strong></li>"
            )
        else:
            items.append(
                f'<li class="voluntary" data-claim="{escape(name)}"><label>'
                '<input type="checkbox" name="accepted_claims" '
                f'value="{escape(name)}" checked> {escape(label)} (optional)'
                "</label></li>"
            )
    claims_html = (
        "<ul>" + "".join(items) + "</ul>"
        if items
        else "<p>No personal data besides a pseudonymous identifier.</p>"
    )
    body = (
        f"<p><strong>{escape(client_name)}</strong> requests access to:</p>"
        f'<form id="consent-form" method="post" action="{CONSENT_PATH}">'
        '<input type="hidden" name="transaction_id" '
        f'value="{escape(transaction.id)}">'
        f"{claims_html}"
        '<button type="submit" name="action" value="allow">Allow</button>'
        '<button type="submit" name="action" value="cancel">Cancel</button>'
        "</form>"
    )
    return _page("Consent", body, _lang(transaction))


def error_page(error, description):
    body = (
        f'<p class="error" role="alert" data-error="{escape(error)}">'
        f"<strong>{escape(error)}</strong>: {escape(description)}</p>"
        "<p>You may close this window and start again from the application.</p>"
    )
    return _page("Request could not be processed", body)
