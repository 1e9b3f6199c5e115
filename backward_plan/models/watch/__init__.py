# The watch's overrides of the plan's hooks (the future backward_watch addon).
from . import backward_plan_writer
from . import backward_planner
