from . import res_company
from . import res_config_settings
from . import res_partner
from . import backward_link
from . import backward_penalty_policy
from . import backward_review
from . import backward_review_parties
from . import backward_review_amend
from . import backward_penalty
from . import backward_document_mixin

# the watch's hook: a handover done late offers a review
from . import backward_notifier
