import hashlib
import secrets
from datetime import timedelta

from odoo import api, fields, models

# Seconds between the callback issuing a ticket and the session using it:
# both happen in the same request, so a short life is plenty.
TICKET_LIFETIME = 120


def _digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class G2PEsignetLoginTicket(models.Model):
    """A one-time key that opens one session after a verified eSignet login.

    The key is handed to Odoo's ``session.authenticate`` as the password, so
    a national-ID login goes through Odoo's own authentication (last login,
    login log, two-factor hooks). It lives in its own table, never in a
    field of the user that Odoo's session token covers: a new login must
    not sign out the person's other sessions (auth_oauth's
    ``oauth_access_token`` is such a field). Only its SHA-256 digest is
    stored, and using it deletes it.
    """

    _name = "g2p.esignet.login.ticket"
    _description = "eSignet One-Time Login Ticket"
    _log_access = False

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    key_digest = fields.Char(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)

    @api.model
    def _issue(self, user, now):
        """A new ticket for ``user``; returns the key (never stored in clear)."""
        key = secrets.token_urlsafe(32)
        # Tickets of this user that were never used (a browser closed between
        # the callback and its redirect) are dropped on the way, in the same
        # statement: the index on user_id keeps it cheap.
        self.env.cr.execute(
            "WITH expired AS ("
            "  DELETE FROM g2p_esignet_login_ticket"
            "  WHERE user_id = %s AND expires_at < %s"
            ") "
            "INSERT INTO g2p_esignet_login_ticket (user_id, key_digest, expires_at) "
            "VALUES (%s, %s, %s)",
            (
                user.id,
                now,
                user.id,
                _digest(key),
                now + timedelta(seconds=TICKET_LIFETIME),
            ),
        )
        return key

    @api.model
    def _redeem(self, user_id, key, now):
        """Use up ``key`` for ``user_id``; True when it was a valid ticket."""
        if not isinstance(key, str) or not key or len(key) > 256:
            return False
        # DELETE … RETURNING: of two requests presenting the same key, one
        # gets the row and the other nothing.
        self.env.cr.execute(
            "DELETE FROM g2p_esignet_login_ticket "
            "WHERE user_id = %s AND key_digest = %s RETURNING expires_at",
            (user_id, _digest(key)),
        )
        row = self.env.cr.fetchone()
        return bool(row) and row[0] >= now

    @api.autovacuum
    def _gc_expired_tickets(self):
        self.env.cr.execute(
            "DELETE FROM g2p_esignet_login_ticket WHERE expires_at < %s",
            (fields.Datetime.now(),),
        )
