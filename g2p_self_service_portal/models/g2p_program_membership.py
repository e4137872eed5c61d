import logging

from odoo import _, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

# Inherited partner fields a portal user may still name: ``active`` is read
# by every search (archived partners' memberships are hidden).
PORTAL_PARTNER_FIELDS = frozenset({"active"})


class G2PProgramMembership(models.Model):
    _inherit = "g2p.program_membership"

    def check_field_access_rights(self, operation, field_names):
        """Portal users read a membership's own fields, never its partner's.

        OpenG2P's membership ``_inherits`` res.partner: every partner field is
        also a membership field, read (and grouped by, in read_group) through
        a join that res.partner's record rules never see. A registrant reads
        their household's memberships; the household's and its members'
        details are not theirs to read that way.
        """
        result = super().check_field_access_rights(operation, field_names)
        if self.env.su or not self.env.user.share:
            return result
        inherited = {
            name
            for name in (field_names or result)
            if self._fields[name].inherited and name not in PORTAL_PARTNER_FIELDS
        }
        if not inherited:
            return result
        if field_names:
            _logger.info(
                "Refused partner fields of program memberships to portal user %s: %s",
                self.env.uid,
                ", ".join(sorted(inherited)),
            )
            raise AccessError(
                _(
                    "You cannot read these details of a program membership: %(fields)s",
                    fields=", ".join(sorted(inherited)),
                )
            )
        return [name for name in result if name not in inherited]
