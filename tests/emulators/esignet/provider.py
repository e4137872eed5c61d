"""The emulated eSignet without HTTP: its state and one method per protocol step.

The steps live in their own modules (``discovery``, ``authorize``,
``token_endpoint``, ``userinfo``) as functions of a ``ProviderState``; the
HTTP layer (``server.py``) and the in-process transport only call this class.
"""

from . import authorize, discovery, token_endpoint, userinfo
from .clients import client_from_dict, new_client
from .state import ProviderState, load_json


class Provider:
    """State and rules of the emulated eSignet (thread-safe)."""

    def __init__(
        self,
        identities=None,
        clients=None,
        issuer=None,
        psut_secret=None,
        signing_key=None,
        code_lifetime=60,
        access_token_lifetime=3600,
        id_token_lifetime=3600,
        transaction_lifetime=600,
    ):
        self.state = ProviderState(
            identities=identities,
            issuer=issuer,
            psut_secret=psut_secret,
            signing_key=signing_key,
            code_lifetime=code_lifetime,
            access_token_lifetime=access_token_lifetime,
            id_token_lifetime=id_token_lifetime,
            transaction_lifetime=transaction_lifetime,
        )
        for entry in load_json(clients) or ():
            self.register_client_dict(entry)

    # ------------------------------------------------------------ configuration
    @property
    def issuer(self):
        return self.state.issuer

    @property
    def base_url(self):
        return self.state.base_url

    @base_url.setter
    def base_url(self, value):
        self.state.base_url = value

    @property
    def faults(self):
        return self.state.faults

    @property
    def clients(self):
        return self.state.clients

    @property
    def identities(self):
        return self.state.identities

    def load_identities(self, source):
        self.state.load_identities(source)

    def register_client(
        self,
        client_id,
        public_jwk,
        redirect_uris,
        userinfo_encryption_jwk=None,
        allowed_acr=None,
        claims=None,
        name="",
    ):
        """Register a relying party; ValueError says what is wrong."""
        client = new_client(
            client_id,
            public_jwk,
            redirect_uris,
            userinfo_encryption_jwk=userinfo_encryption_jwk,
            allowed_acr=allowed_acr,
            claims=claims,
            name=name,
        )
        return self.state.add_client(client)

    def register_client_dict(self, entry):
        """Register from a dict in emulator or eSignet client-mgmt spelling."""
        return self.state.add_client(client_from_dict(entry))

    def psut(self, individual_id, client_id):
        return self.state.psut(individual_id, client_id)

    # ------------------------------------------------------------------- keys
    @property
    def signing_kid(self):
        return self.state.keys.current.kid

    def rotate_keys(self, keep_old=False, grace_seconds=600.0):
        return self.state.keys.rotate(keep_old=keep_old, grace_seconds=grace_seconds)

    def jwks(self):
        return self.state.keys.jwks()

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
