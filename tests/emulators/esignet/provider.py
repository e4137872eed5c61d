"""The emulated eSignet without HTTP: its state and one method per protocol step.

The steps live in their own modules (``discovery``, ``authorize``,
``token_endpoint``, ``userinfo``) as functions of a ``ProviderState``; the
HTTP layer (``server.py``) and the in-process transport only call this class.
"""

from operator import attrgetter

from . import authorize, discovery, token_endpoint, userinfo
from .clients import client_from_dict, new_client
from .state import ProviderState, load_json


def forward(path, doc=None, writable=False):
    """A property that is ``self.<path>``: what a facade (``Provider`` over its
    state, ``EsignetEmulator`` over its Provider) hands on unchanged, be it a
    value or a method."""
    getter = attrgetter(path)
    owner_path, _, name = path.rpartition(".")
    owner = attrgetter(owner_path)

    def set_value(self, value):
        setattr(owner(self), name, value)

    return property(getter, set_value if writable else None, doc=doc or path)


class Provider:
    """State and rules of the emulated eSignet (thread-safe)."""

    def __init__(self, identities=None, clients=None, **settings):
        """``settings``: ``ProviderState``'s keyword arguments (issuer, PSUT
        secret, signing key, lifetimes); ``clients``: registrations (or a JSON
        file of them) in ``client_from_dict`` spelling."""
        self.state = ProviderState(identities=identities, **settings)
        for entry in load_json(clients) or ():
            self.register_client_dict(entry)

    # ------------------------------------------------------------ configuration
    issuer = forward("state.issuer")
    base_url = forward("state.base_url", writable=True)
    faults = forward("state.faults")
    clients = forward("state.clients")
    identities = forward("state.identities")
    load_identities = forward("state.load_identities")
    psut = forward("state.psut", "psut(individual_id, client_id): the expected sub.")

    def register_client(self, client_id, public_jwk, redirect_uris, **options):
        """Register a relying party (options: ``new_client``'s keyword
        arguments); ValueError says what is wrong."""
        client = new_client(client_id, public_jwk, redirect_uris, **options)
        return self.state.add_client(client)

    def register_client_dict(self, entry):
        """Register from a dict in emulator or eSignet client-mgmt spelling."""
        return self.state.add_client(client_from_dict(entry))

    # ------------------------------------------------------------------- keys
    signing_kid = forward("state.keys.current.kid")
    rotate_keys = forward(
        "state.keys.rotate", "rotate_keys(keep_old=False, grace_seconds=600.0)"
    )
    jwks = forward("state.keys.jwks")

    # ------------------------------------------------------- protocol steps
    def discovery(self, base=None):
        return discovery.discovery_document(self.state, base)

    def start_authorization(self, params, duplicates=()):
        return authorize.start_authorization(self.state, params, duplicates)

    def get_transaction(self, transaction_id):
        return authorize.get_transaction(self.state, transaction_id)

    def authenticate(self, transaction_id, individual_id, otp):
        return authorize.authenticate(self.state, transaction_id, individual_id, otp)

    def finish_consent(self, transaction_id, allow, accepted_claims=()):
        return authorize.finish_consent(
            self.state, transaction_id, allow, accepted_claims
        )

    def token(self, form, authorization=None, request_base=None):
        return token_endpoint.token(self.state, form, authorization, request_base)

    def assertion_audiences(self, request_base=None):
        return token_endpoint.assertion_audiences(self.state, request_base)

    def userinfo(self, authorization):
        return userinfo.userinfo(self.state, authorization)
