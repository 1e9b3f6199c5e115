from . import backward_jobs
from . import backward_replanner
from . import backward_capacity
from . import backward_watch
from . import queue_job
