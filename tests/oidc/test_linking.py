"""Linking decisions for use cases 1.1.1–1.3.1 (one test per decision row)."""

import pytest

from g2p_auth_esignet.oidc import (
    ConfigurationError,
    LinkAction,
    LinkingError,
    LinkingMode,
    NationalIdentity,
    decide_login,
    holds_other_identity,
    national_identity,
    parse_linking_modes,
    serialize_linking_modes,
)

A, M, R = LinkingMode.AUTOMATIC, LinkingMode.MANUAL, LinkingMode.REGISTRATION
ALL_MODES = [A, M, A | M, A | R, M | R, A | M | R, R, LinkingMode(0)]


def login(modes, owner=None, matches=(), current=None):
    return decide_login(
        modes=modes,
        psut_owner_id=owner,
        auto_match_ids=list(matches),
        purpose="login",
        current_partner_id=current,
    )


def link(modes, owner=None, current=10, other_psut=False):
    return decide_login(
        modes=modes,
        psut_owner_id=owner,
        auto_match_ids=[],
        purpose="link",
        current_partner_id=current,
        current_partner_has_other_psut=other_psut,
    )


def test_modes_parse_and_serialize():
    assert parse_linking_modes("registration, automatic") == A | R
    assert LinkingMode.parse("automatic,manual,registration") == A | M | R
    assert serialize_linking_modes(R | A) == "automatic,registration"
    assert (A | M | R).serialize() == "automatic,manual,registration"
    assert parse_linking_modes("") == LinkingMode(0)
    with pytest.raises(ConfigurationError):
        parse_linking_modes("automatic,telepathy")


@pytest.mark.parametrize("modes", ALL_MODES)
def test_linked_psut_logs_in_whatever_the_modes(modes):
    decision = login(modes, owner=5, matches=[6])
    assert (decision.action, decision.partner_id) == (LinkAction.LOGIN, 5)


@pytest.mark.parametrize("modes", [A, A | M, A | R, A | M | R])
def test_single_verified_match_links_automatically(modes):
    decision = login(modes, matches=[7, 7])
    assert (decision.action, decision.partner_id) == (LinkAction.LINK_AUTOMATIC, 7)


@pytest.mark.parametrize("modes", [A, A | R, A | M | R])
def test_several_matches_refused_as_ambiguous(modes):
    decision = login(modes, matches=[7, 8])
    assert decision.action is LinkAction.REFUSE
    assert decision.check == "linking.ambiguous_match"


@pytest.mark.parametrize("modes", [A | R, M | R, A | M | R, R])
def test_no_match_registers_when_registration_enabled(modes):
    assert login(modes).action is LinkAction.REGISTER


def test_matches_ignored_without_automatic_linking():
    # UC 1.3.1: registration only.
    assert login(R, matches=[7]).action is LinkAction.REGISTER


@pytest.mark.parametrize("modes", [M, A | M])
def test_no_match_with_manual_linking_asks_to_link(modes):
    decision = login(modes)
    assert decision.check == "linking.manual_link_required"
    assert decision.message_key == "linking.manual_link_required"
    with pytest.raises(LinkingError) as raised:
        decision.raise_if_refused()
    assert raised.value.message_key == "linking.manual_link_required"


@pytest.mark.parametrize("modes", [A, LinkingMode(0)])
def test_no_match_and_registration_disabled_refused(modes):
    decision = login(modes)
    assert decision.check == "linking.no_match_registration_disabled"
    with pytest.raises(LinkingError) as raised:
        decision.raise_if_refused()
    assert raised.value.check == "linking.no_match_registration_disabled"


@pytest.mark.parametrize("modes", [M, A | M, M | R, A | M | R])
def test_manual_link_by_signed_in_person(modes):
    decision = link(modes, current=10)
    assert (decision.action, decision.partner_id) == (LinkAction.LINK_MANUAL, 10)


@pytest.mark.parametrize("modes", [A, A | R, R])
def test_manual_link_refused_when_disabled(modes):
    assert link(modes).check == "linking.manual_disabled"


def test_manual_link_refused_when_psut_linked_elsewhere():
    assert link(M, owner=11, current=10).check == "linking.psut_linked_elsewhere"


def test_manual_link_to_same_partner_is_idempotent_login():
    decision = link(A, owner=10, current=10)
    assert (decision.action, decision.partner_id) == (LinkAction.LOGIN, 10)


def test_manual_link_requires_signed_in_partner():
    assert link(M, current=None).check == "linking.not_signed_in"


def test_manual_link_refused_when_partner_holds_another_psut():
    assert link(M, other_psut=True).check == "linking.partner_already_linked"


def test_unknown_purpose_refused():
    with pytest.raises(ConfigurationError):
        decide_login(
            modes=A,
            psut_owner_id=None,
            auto_match_ids=[],
            purpose="hijack",
            current_partner_id=None,
        )


def test_refusal_message_key_is_the_check():
    from g2p_auth_esignet.oidc import REFUSAL_CHECKS

    for check in REFUSAL_CHECKS:
        assert LinkingError(check).message_key == check


def test_accepted_decision_has_no_message():
    decision = login(A, matches=[7])
    assert decision.action is LinkAction.LINK_AUTOMATIC
    assert decision.message_key is None
    assert decision.raise_if_refused() is decision


# -- which national identity a sub is ----------------------------------------

PSUT_TYPE, OTHER_TYPE = 7, 8
RSA_PROVIDER, EC_PROVIDER, PLAIN_PROVIDER = 1, 2, 3


def test_same_sub_of_one_id_type_is_one_identity_whatever_the_provider():
    # Two providers (an RSA and an EC client) keeping PSUTs under one type.
    via_rsa = national_identity(
        "psut-1", id_type_id=PSUT_TYPE, provider_id=RSA_PROVIDER
    )
    via_ec = national_identity("psut-1", id_type_id=PSUT_TYPE, provider_id=EC_PROVIDER)
    assert via_rsa == via_ec
    assert not holds_other_identity([via_rsa], via_ec)


def test_another_sub_of_the_same_id_type_is_another_identity():
    held = national_identity("psut-1", id_type_id=PSUT_TYPE, provider_id=RSA_PROVIDER)
    other = national_identity("psut-2", id_type_id=PSUT_TYPE, provider_id=EC_PROVIDER)
    assert held != other
    assert holds_other_identity([held], other)


def test_same_value_under_another_id_type_is_another_identity():
    held = national_identity("psut-1", id_type_id=PSUT_TYPE, provider_id=RSA_PROVIDER)
    other = national_identity("psut-1", id_type_id=OTHER_TYPE, provider_id=RSA_PROVIDER)
    assert holds_other_identity([held], other)


def test_without_id_type_the_provider_scopes_the_sub():
    plain = national_identity("psut-1", provider_id=PLAIN_PROVIDER)
    assert plain == national_identity("psut-1", provider_id=PLAIN_PROVIDER)
    assert plain != national_identity("psut-1", provider_id=RSA_PROVIDER)
    assert plain != national_identity(
        "psut-1", id_type_id=PSUT_TYPE, provider_id=PLAIN_PROVIDER
    )


def test_an_identity_of_a_deleted_provider_equals_no_other():
    orphan = national_identity("psut-1")
    assert orphan == NationalIdentity(None, None, "psut-1")
    for provider_id in (RSA_PROVIDER, PLAIN_PROVIDER):
        for id_type_id in (None, PSUT_TYPE):
            identity = national_identity(
                "psut-1", id_type_id=id_type_id, provider_id=provider_id
            )
            assert holds_other_identity([orphan], identity)


def test_an_account_without_identity_holds_no_other():
    identity = national_identity("psut-1", id_type_id=PSUT_TYPE)
    assert not holds_other_identity([], identity)
    assert holds_other_identity([identity, national_identity("psut-2")], identity)
