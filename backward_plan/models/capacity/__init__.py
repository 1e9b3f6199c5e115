# Finite capacity's overrides of the plan's hooks (the future backward_capacity addon).
from . import backward_chain_reader
from . import backward_planner
from . import backward_simulation
from . import sale_order
