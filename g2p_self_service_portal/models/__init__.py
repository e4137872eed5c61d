from . import g2p_group_membership
from . import g2p_program_membership
from . import res_partner
from . import res_partner_portal_dashboard
from . import res_config_settings
from . import ir_http
from . import ir_model_access
from . import website
