from . import applications
from . import home
from . import programs
from . import profile
