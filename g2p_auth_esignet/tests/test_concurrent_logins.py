"""Logins of one person at the same moment, each with its own cursor.

These tests commit (each login runs in its own transaction, as in a
server with workers) and remove what they created afterwards.
"""

import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessDenied
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from ..oidc import LoginTransaction, map_claims
from ..oidc.relying_party import LoginResult

THREADS = 8


def _login_result(psut, name="Concurrent Person"):
    id_token_claims = {"sub": psut, "iss": "https://esignet.example.org"}
    userinfo_claims = {"sub": psut, "name": name, "birthdate": "1990-01-31"}
    claims = dict(id_token_claims, **userinfo_claims)
    return LoginResult(
        sub=psut,
        id_token_claims=id_token_claims,
        userinfo_claims=userinfo_claims,
        mapped=map_claims(claims, (("name", "name"), ("birthdate", "birthdate"))),
    )


@tagged("post_install", "-at_install")
class TestConcurrentLogins(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            id_type = env["g2p.id.type"].create({"name": f"PSUT {cls.tag}"})
            provider = env["auth.oauth.provider"].create(
                {
                    "name": f"eSignet {cls.tag}",
                    "flow": "id_token_code",
                    "client_id": f"concurrency-{cls.tag}",
                    "enabled": True,
                    "body": "National ID",
                    "auth_endpoint": "https://esignet.example.org/authorize",
                    "esignet_issuer": "https://esignet.example.org",
                    "g2p_use_reg_id": True,
                    "g2p_id_type": id_type.id,
                    "esignet_link_registration": True,
                    "partner_creation_validate_response": "name:name "
                    "birthdate:birthdate",
                }
            )
            cls.id_type_id, cls.provider_id = id_type.id, provider.id
        cls.addClassCleanup(cls._remove_what_was_created)

    @classmethod
    def _remove_what_was_created(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            reg_ids = env["g2p.reg.id"].search([("id_type", "=", cls.id_type_id)])
            partners = reg_ids.partner_id
            users = partners.user_ids
            env["g2p.esignet.login.ticket"].search(
                [("user_id", "in", users.ids)]
            ).unlink()
            env["res.users.log"].search([("create_uid", "in", users.ids)]).unlink()
            users.unlink()
            reg_ids.unlink()
            partners.unlink()
            env["auth.oauth.provider"].browse(cls.provider_id).unlink()
            env["g2p.id.type"].browse(cls.id_type_id).unlink()

    def _race(self, psut, count=THREADS):
        """``count`` sign-ins of one PSUT at once; returns (user id, key) each."""
        barrier = threading.Barrier(count)
        outcomes, errors = [], []

        def login():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    provider = env["auth.oauth.provider"].browse(self.provider_id)
                    transaction = LoginTransaction.new(self.provider_id, 0)
                    barrier.wait(timeout=10)
                    user, key = env["res.users"]._esignet_signin_retrying(
                        provider, transaction, _login_result(psut)
                    )
                    login_name = user.login
                outcomes.append((user.id, login_name, key))
            except Exception as error:  # reported by the assertion below
                errors.append(repr(error))

        threads = [threading.Thread(target=login) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual(len(outcomes), count)
        return outcomes

    def _sessions_open(self, outcomes):
        """Each login's key opens a session, through Odoo's authenticate."""
        users = self.registry["res.users"]
        for user_id, login, key in outcomes:
            uid = users.authenticate(get_db_name(), login, key, {"interactive": True})
            self.assertEqual(uid, user_id)

    def test_first_logins_at_once_create_one_registrant_and_all_sign_in(self):
        psut = f"psut-first-{self.tag}"
        # The race is decided without a failed query in the log.
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            outcomes = self._race(psut)
        self.assertEqual(len({user_id for user_id, _login, _key in outcomes}), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            reg_ids = env["g2p.reg.id"].search(
                [("id_type", "=", self.id_type_id), ("value", "=", psut)]
            )
            self.assertEqual(len(reg_ids), 1)
            self.assertEqual(len(reg_ids.partner_id.user_ids), 1)
        self._sessions_open(outcomes)

    def test_returning_logins_at_once_all_sign_in(self):
        psut = f"psut-returning-{self.tag}"
        first = self._race(psut, count=1)
        outcomes = self._race(psut)
        self.assertEqual({user_id for user_id, _l, _k in outcomes}, {first[0][0]})
        self._sessions_open(outcomes)
        # A used key opens nothing a second time.
        _user_id, login, key = outcomes[0]
        with self.assertRaises(AccessDenied):
            self.registry["res.users"].authenticate(
                get_db_name(), login, key, {"interactive": True}
            )
