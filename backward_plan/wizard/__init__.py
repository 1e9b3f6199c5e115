from . import backward_review_wizard
from . import backward_review_amend_wizard
from . import backward_date_change_wizard
