from . import test_finite_capacity
from . import test_hand_dates
