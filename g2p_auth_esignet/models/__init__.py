from . import auth_oauth_provider
from . import g2p_esignet_login_method
from . import g2p_esignet_login_ticket
from . import g2p_id_type
from . import g2p_reg_id
from . import res_partner
from . import res_users
