from . import test_install
from . import test_portal_home
from . import test_portal_programs
from . import test_portal_applications
from . import test_portal_access
