from . import test_demo
from . import test_integration
from . import test_menus
from . import test_least_privilege
from . import test_least_privilege_screens
