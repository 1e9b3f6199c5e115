from . import models
from . import wizard
from .hooks import adopt_from_backward_management
