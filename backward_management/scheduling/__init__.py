"""The scheduling core: plain Python, no Odoo import, tested on its own in ``tests/``."""

from .calendar import GRANULARITIES, HOUR, EmptyCalendarError, HorizonError, WorkCalendar
from .plan import (
    CycleError,
    ForwardDates,
    Link,
    LinkDates,
    Plan,
    Segment,
    Step,
    StepDates,
    buffer_seconds,
    elapsed,
    finish_from_start,
    plan_backward,
    plan_forward,
    start_from_finish,
    topological_order,
    work,
)
from .responsibility import shares, split_delay
from .timestamps import from_timestamp, to_timestamp
from .weekly import (
    Attendance,
    calendar_from_pattern,
    round_the_clock,
    week_type_of,
    weekly_intervals,
)

__all__ = [
    "GRANULARITIES",
    "HOUR",
    "Attendance",
    "CycleError",
    "EmptyCalendarError",
    "ForwardDates",
    "HorizonError",
    "Link",
    "LinkDates",
    "Plan",
    "Segment",
    "Step",
    "StepDates",
    "WorkCalendar",
    "buffer_seconds",
    "calendar_from_pattern",
    "elapsed",
    "finish_from_start",
    "from_timestamp",
    "plan_backward",
    "plan_forward",
    "round_the_clock",
    "shares",
    "split_delay",
    "start_from_finish",
    "to_timestamp",
    "topological_order",
    "week_type_of",
    "weekly_intervals",
    "work",
]
