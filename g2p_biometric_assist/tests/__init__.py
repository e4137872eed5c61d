from . import (
    test_access,
    test_assist_browser,
    test_assist_tour,
    test_assisted_application,
    test_can_apply_agrees,
    test_capture_read_link,
    test_capture_refusals,
    test_demo_deployment,
    test_demo_accessibility,
    test_demo_end_to_end,
    test_demo_event_mails,
    test_install,
    test_officer_model,
    test_purge_and_read,
)
from . import test_platform_access
from . import test_capture_once
