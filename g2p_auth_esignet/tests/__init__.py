from . import test_install
from . import test_esignet_login
from . import test_portal_account
from . import test_concurrent_logins
from . import test_country_cache
from . import test_login_sessions
from . import test_second_provider
from . import test_security_review
