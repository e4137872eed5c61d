from . import test_install
from . import test_apply
from . import test_apply_patterns
from . import test_apply_limits
from . import test_application_integrity
from . import test_formiojs_install
from . import test_apply_tour
from . import test_formiojs_offline
