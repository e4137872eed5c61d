from . import test_install
from . import test_benefits_pages
from . import test_notifications
from . import test_benefits_browser
from . import test_household_access
from . import test_benefit_totals
