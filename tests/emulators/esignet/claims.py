"""Which claims eSignet knows, and which of an identity's claims it releases."""

SCOPE_CLAIMS = {
    "profile": (
        "name",
        "given_name",
        "middle_name",
        "family_name",
        "nickname",
        "preferred_username",
        "gender",
        "birthdate",
        "picture",
        "locale",
        "updated_at",
    ),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
}
SCOPES_SUPPORTED = ("openid", *SCOPE_CLAIMS)
# Only released when asked for explicitly through the ``claims`` parameter.
EXTRA_CLAIMS = ("individual_id", "national_id")
CLAIMS_SUPPORTED = tuple(
    dict.fromkeys(
        ["sub", *(c for claims in SCOPE_CLAIMS.values() for c in claims)]
        + list(EXTRA_CLAIMS)
    )
)
PROTOCOL_CLAIMS = frozenset(
    {"sub", "iss", "aud", "azp", "exp", "iat", "nbf", "auth_time", "nonce"}
    | {"acr", "amr", "at_hash", "c_hash", "sid", "jti"}
)


def release_claims(identity_claims, names, locales=()):
    """Values of the consented claims the identity has, with #locale variants."""
    out = {}
    for name in names:
        base, _, tag = name.partition("#")
        if tag:
            if name in identity_claims:
                out[name] = identity_claims[name]
            continue
        if base in identity_claims:
            out[base] = identity_claims[base]
        for key, value in identity_claims.items():
            key_base, _, key_tag = key.partition("#")
            if key_base == base and key_tag and (not locales or key_tag in locales):
                out[key] = value
    return out
