from . import test_security
from . import test_planning
from . import test_replanning
from . import test_agreement
from . import test_feasibility
from . import test_bad_input
from . import test_access
from . import test_tour
