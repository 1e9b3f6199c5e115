from . import test_access
from . import test_review
from . import test_review_access
from . import test_review_amend
from . import test_tour
