from . import backward_reason_wizard
