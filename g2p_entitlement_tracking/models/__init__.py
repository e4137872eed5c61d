from . import g2p_portal_notification
from . import g2p_entitlement
from . import g2p_entitlement_totals
from . import g2p_program_registrant_info
from . import res_partner
