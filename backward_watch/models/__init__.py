from . import res_company
from . import res_config_settings
from . import backward_delay_reason
from . import backward_deadline
from . import backward_link
from . import backward_repromise
from . import backward_ontime_report
from . import backward_document_mixin
from . import sale_order
from . import backward_notifier
from . import backward_projection
from . import backward_watch_facts
from . import backward_watch_writer
from . import backward_watch
from . import backward_watch_tell
from . import backward_repromise_watch

# the plan's hooks: what the watch adds to a planning
from . import backward_plan_writer
from . import backward_planner
