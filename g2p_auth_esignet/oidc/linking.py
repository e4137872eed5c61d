"""Which account a national-ID sign-in opens, links or creates.

The provider's linking modes follow the service-provider use cases:

========  =====================================  ==============================
use case  description                            modes
========  =====================================  ==============================
1.1.1     existing users, automatic linking      AUTOMATIC
1.1.2     existing users, manual linking         MANUAL
1.1.3     existing users, automatic + manual     AUTOMATIC | MANUAL
1.2.1     automatic linking + registration       AUTOMATIC | REGISTRATION
1.2.2     manual linking + registration          MANUAL | REGISTRATION
1.2.3     automatic + manual + registration      AUTOMATIC | MANUAL | REGISTRATION
1.3.1     new user registration only             REGISTRATION
========  =====================================  ==============================

Decision table (first matching row wins; "owner" is the partner already
holding the national identity of ``sub`` — through whichever provider of its
ID type —, "matches" the partners found by a verified ID when AUTOMATIC is
enabled — the shell searches only when AUTOMATIC is on, since by the use
cases no verified attribute exists otherwise, and refuses a match holding
another national identity with linking.partner_already_linked):

purpose=login
  owner set                                   -> LOGIN owner (whatever the modes)
  AUTOMATIC, exactly one match                -> LINK_AUTOMATIC match
  AUTOMATIC, several matches                  -> REFUSE linking.ambiguous_match
  REGISTRATION                                -> REGISTER
  MANUAL                                      -> REFUSE linking.manual_link_required
  otherwise                                   -> REFUSE
                                                 linking.no_match_registration_disabled
purpose=link (signed-in person links the national ID to their account)
  owner == current partner                    -> LOGIN current (idempotent)
  MANUAL disabled                             -> REFUSE linking.manual_disabled
  no current partner                          -> REFUSE linking.not_signed_in
  owner is another partner                    -> REFUSE linking.psut_linked_elsewhere
  current partner holds another PSUT          -> REFUSE linking.partner_already_linked
  otherwise                                   -> LINK_MANUAL current

Several matches are refused rather than registered: creating a new registrant
would duplicate one of them.

Which national identity a ``sub`` is (``national_identity``): the registrant
ID type the provider keeps its PSUTs under, and the value. Several providers
may keep theirs under one ID type (two OIDC clients of one relying party, as
when moving to a new client or key: eSignet gives a person one PSUT through
both): a login through any of them is the same identity, whose owner and
account it opens. A provider that keeps no registrant ID scopes its ``sub``
to itself. The same value under another ID type, or of another provider
without one, is another identity: an account holding one is never moved to
another (``holds_other_identity``).
"""

import dataclasses
import enum

from . import messages
from .errors import ConfigurationError, LinkingError


class LinkingMode(enum.Flag):
    """How a provider may bind a national ID to a registrant; any combination."""

    AUTOMATIC = enum.auto()
    MANUAL = enum.auto()
    REGISTRATION = enum.auto()

    @classmethod
    def parse(cls, text):
        """Modes from "automatic,manual,registration" (any order, blank = none)."""
        modes = cls(0)
        for name in (text or "").replace(" ", ",").split(","):
            if not name:
                continue
            try:
                modes |= cls[name.strip().upper()]
            except KeyError:
                raise ConfigurationError("linking.mode_invalid") from None
        return modes

    def serialize(self):
        """Canonical text: "automatic,manual,registration" order."""
        return ",".join(mode.name.lower() for mode in type(self) if mode in self)


def parse_linking_modes(text):
    return LinkingMode.parse(text)


def serialize_linking_modes(modes):
    return modes.serialize()


class LinkAction(enum.Enum):
    LOGIN = "login"
    LINK_AUTOMATIC = "link_automatic"
    LINK_MANUAL = "link_manual"
    REGISTER = "register"
    REFUSE = "refuse"


# Every check decide_login can refuse with; each is also the refusal's
# message key (see messages.py), so each tells the person what to do.
REFUSAL_CHECKS = (
    messages.LINKING_AMBIGUOUS_MATCH,
    messages.LINKING_MANUAL_LINK_REQUIRED,
    messages.LINKING_NO_MATCH_REGISTRATION_DISABLED,
    messages.LINKING_MANUAL_DISABLED,
    messages.LINKING_NOT_SIGNED_IN,
    messages.LINKING_PSUT_LINKED_ELSEWHERE,
    messages.LINKING_PARTNER_ALREADY_LINKED,
)


@dataclasses.dataclass(frozen=True)
class LinkDecision:
    action: LinkAction
    partner_id: int | None = None
    check: str | None = None

    @property
    def refused(self):
        return self.action is LinkAction.REFUSE

    @property
    def message_key(self):
        """Message key of a refusal (its check); None when not refused."""
        return self.check if self.refused else None

    def raise_if_refused(self):
        if self.refused:
            raise LinkingError(self.check)
        return self


@dataclasses.dataclass(frozen=True)
class NationalIdentity:
    """Who a verified ``sub`` is; equal identities are the same person.

    ``id_type_id`` is the registrant ID type the PSUT is kept under (the
    provider then does not matter), else ``provider_id`` scopes the ``sub``.
    Neither (the provider an account signed in with was deleted): equal to
    no other identity.
    """

    id_type_id: int | None
    provider_id: int | None
    value: str


def national_identity(sub, *, id_type_id=None, provider_id=None):
    """The NationalIdentity of ``sub`` through a provider (see the module)."""
    if id_type_id:
        return NationalIdentity(id_type_id, None, sub)
    return NationalIdentity(None, provider_id or None, sub)


def holds_other_identity(held, identity):
    """True when identities ``held`` by an account include another than
    ``identity``: linking ``identity`` to it would move the account."""
    return any(other != identity for other in held)


def _refuse(check):
    return LinkDecision(LinkAction.REFUSE, None, check)


def decide_login(
    *,
    modes,
    psut_owner_id,
    auto_match_ids,
    purpose,
    current_partner_id,
    current_partner_has_other_psut=False,
):
    """LinkDecision for a verified PSUT; see the module's decision table."""
    if purpose == "login":
        if psut_owner_id:
            return LinkDecision(LinkAction.LOGIN, psut_owner_id)
        matches = list(dict.fromkeys(auto_match_ids or ()))
        if LinkingMode.AUTOMATIC in modes and matches:
            if len(matches) > 1:
                return _refuse(messages.LINKING_AMBIGUOUS_MATCH)
            return LinkDecision(LinkAction.LINK_AUTOMATIC, matches[0])
        if LinkingMode.REGISTRATION in modes:
            return LinkDecision(LinkAction.REGISTER)
        if LinkingMode.MANUAL in modes:
            return _refuse(messages.LINKING_MANUAL_LINK_REQUIRED)
        return _refuse(messages.LINKING_NO_MATCH_REGISTRATION_DISABLED)
    if purpose == "link":
        if psut_owner_id and psut_owner_id == current_partner_id:
            return LinkDecision(LinkAction.LOGIN, psut_owner_id)
        if LinkingMode.MANUAL not in modes:
            return _refuse(messages.LINKING_MANUAL_DISABLED)
        if not current_partner_id:
            return _refuse(messages.LINKING_NOT_SIGNED_IN)
        if psut_owner_id:
            return _refuse(messages.LINKING_PSUT_LINKED_ELSEWHERE)
        if current_partner_has_other_psut:
            return _refuse(messages.LINKING_PARTNER_ALREADY_LINKED)
        return LinkDecision(LinkAction.LINK_MANUAL, current_partner_id)
    raise ConfigurationError("linking.purpose")
