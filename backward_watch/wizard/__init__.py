from . import backward_reason_wizard
from . import backward_repromise_refuse_wizard
