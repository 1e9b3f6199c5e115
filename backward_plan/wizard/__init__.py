from . import backward_date_change_wizard
