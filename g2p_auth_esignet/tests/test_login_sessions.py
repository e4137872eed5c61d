"""A returning login: cheap, writes nothing it need not, signs nobody out."""

import contextlib
import re
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from odoo.sql_db import Cursor
from odoo.tests import tagged

from ..oidc import LoginTransaction
from .common import MARIA, EsignetHttpCase

# A returning registrant's callback request, Odoo's authenticate() included.
RETURNING_LOGIN_QUERIES = 25
# Of which the sign-in itself (find the registrant, refresh KYC, ticket).
RETURNING_SIGNIN_QUERIES = 12
_SAVEPOINT = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


@contextlib.contextmanager
def counting_statements():
    """Count the SQL statements a request runs on a real server.

    In an HttpCase every cursor the request opens is a test cursor that
    wraps the test's transaction in SAVEPOINTs: assertQueryCount counts
    those too. This counts every statement but that bookkeeping.
    """
    statements = []
    execute = Cursor.execute

    def counted(cr, query, params=None, log_exceptions=True):
        text = query if isinstance(query, str) else getattr(query, "code", "")
        if not _SAVEPOINT.match(text):
            statements.append(text)
        return execute(cr, query, params, log_exceptions)

    with patch.object(Cursor, "execute", counted):
        yield statements


@tagged("post_install", "-at_install")
class TestReturningLogin(EsignetHttpCase):
    def _new_browser(self):
        self.opener.cookies.clear()

    def _code_for(self, individual_id, transaction):
        """The authorization code eSignet gives ``transaction``'s login."""
        authorize_url = self.provider._esignet_authorize_url(
            transaction, self.base_url() + "/auth_oauth/signin"
        )
        callback = self.emulator.login(authorize_url, individual_id)
        return parse_qs(urlsplit(callback).query)["code"][0]

    def test_a_new_login_keeps_the_other_sessions_signed_in(self):
        self._login(MARIA)
        user = self._user_of(MARIA)
        laptop = self.opener.cookies["session_id"]
        self._new_browser()
        self._login(MARIA)  # the phone
        self.assertEqual(self._session_uid(), user.id)
        self.opener.cookies.set("session_id", laptop)
        self.assertEqual(self._session_uid(), user.id, "the laptop stays signed in")

    def test_an_unchanged_registrant_is_not_written(self):
        self._login(MARIA)
        partner = self._user_of(MARIA).partner_id
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = '2000-01-01' WHERE id = %s",
            (partner.id,),
        )
        self._new_browser()
        self._login(MARIA)
        self.env.cr.execute(
            "SELECT write_date::date::text FROM res_partner WHERE id = %s",
            (partner.id,),
        )
        self.assertEqual(self.env.cr.fetchone()[0], "2000-01-01")

    def test_returning_login_query_count(self):
        self._login(MARIA)
        self._new_browser()
        callback = self.emulator.login(self._start(), MARIA)
        with counting_statements() as statements:
            response = self._callback(callback)
        self.assertLessEqual(
            len(statements), RETURNING_LOGIN_QUERIES, "\n".join(statements)
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._session_uid(), self._user_of(MARIA).id)

    def test_returning_signin_query_count(self):
        self._login(MARIA)
        self._new_browser()
        transaction = LoginTransaction.new(self.provider.id, 0)
        self.emulator.faults.reset()
        result = self.provider._esignet_verify_callback(
            transaction,
            self._code_for(MARIA, transaction),
            redirect_uri=self.base_url() + "/auth_oauth/signin",
            locale="en",
        )
        users = self.env["res.users"]
        users.invalidate_model()
        self.env["res.partner"].invalidate_model()
        with self.assertQueryCount(RETURNING_SIGNIN_QUERIES):
            user, key = users._esignet_signin_retrying(
                self.provider, transaction, result
            )
        self.assertEqual(user, self._user_of(MARIA))
        self.assertTrue(key)
