from . import test_install
from . import test_portal_home
from . import test_portal_programs
from . import test_portal_applications
from . import test_portal_access
from . import test_portal_profile
from . import test_accessibility
from . import test_portal_tour
