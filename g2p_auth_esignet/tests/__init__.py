from . import test_install
from . import test_esignet_login
from . import test_portal_account
