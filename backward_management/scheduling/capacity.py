"""Finite capacity: work placed backward against the work centers' real load.

A work center has ``capacity`` units working in parallel (Odoo's ``default_capacity``),
each a *lane* of busy intervals that never overlap. A job (a work order) is placed as late
as its deadline allows, just in time, on the first lane and work center (of its
alternatives) that gives the latest finish: from the deadline, its start is its duration
earlier in the center's working time; while that span meets a busy interval of the lane,
the finish moves back to the start of that interval. A job that would then start before
``now`` (or its release) cannot make its deadline: it is placed as early as possible from
then on instead, and reported late with the center that binds it (the bottleneck).

Busy intervals are half-open ``[start, finish)``; times are timestamps as everywhere in
the core. Jobs are placed one by one in the order given (priority, promise): a caller
that places a chain places the downstream job first and gives the upstream its start as
deadline.

This module is the arithmetic only (issue "finite capacity"); the addon does not use it yet.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .calendar import HorizonError


class Lane:
    """One unit of a work center: sorted, non-overlapping busy intervals."""

    __slots__ = ("ends", "starts")

    def __init__(self):
        self.starts, self.ends = [], []

    def overlapping(self, start, finish):
        """Indexes ``lo, hi`` of the busy intervals meeting ``[start, finish)``."""
        return bisect_right(self.ends, start), bisect_left(self.starts, finish)

    def free(self, start, finish):
        lo, hi = self.overlapping(start, finish)
        return lo >= hi

    def book(self, start, finish):
        """Mark ``[start, finish)`` busy; intervals it meets are merged with it, so that the
        lane stays sorted and disjoint (an overload booked on it is then one long busy span)."""
        if finish <= start:
            return
        lo, hi = self.overlapping(start, finish)
        if lo < hi:
            start, finish = min(start, self.starts[lo]), max(finish, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [finish]


@dataclass(slots=True)
class Center:
    key: object
    calendar: object  # the center's WorkCalendar
    capacity: int = 1
    lanes: list = field(default_factory=list)

    def __post_init__(self):
        if not self.lanes:
            self.lanes = [Lane() for _ in range(max(int(self.capacity or 1), 1))]

    def book(self, start, finish):
        """Load already there (started, done, planned by hand): on the first free lane,
        else the least busy one (an overload that exists is kept, not hidden)."""
        for lane in self.lanes:
            if lane.free(start, finish):
                lane.book(start, finish)
                return
        min(self.lanes, key=lambda lane: len(lane.starts)).book(start, finish)


@dataclass(frozen=True, slots=True)
class Job:
    key: object
    options: tuple  # ((center key, working seconds on it), ...), preferred first
    deadline: float
    release: float | None = None  # not before (its inputs' handover)


@dataclass(frozen=True, slots=True)
class Placement:
    key: object
    center: object
    start: float
    finish: float
    late: bool = False  # cannot finish by its deadline: placed as early as possible


def _latest_on(lane, calendar, seconds, finish, not_before):
    """Latest ``(start, finish)`` on ``lane`` finishing by ``finish``; ``None`` when it
    would start before ``not_before``."""
    finish = calendar.floor(finish)
    if seconds <= 0:
        return (finish, finish) if finish >= not_before else None
    while True:
        start = calendar.subtract(finish, seconds)
        if start < not_before:
            return None
        lo, hi = lane.overlapping(start, finish)
        if lo >= hi:
            # the earliest instant with the same working time: a shift's end, not the next one's start
            return start, calendar.add(start, seconds)
        finish = calendar.floor(lane.starts[lo])


def _earliest_on(lane, calendar, seconds, start):
    """Earliest ``(start, finish)`` on ``lane`` starting at or after ``start``."""
    while True:
        start = calendar.ceil(start)
        finish = calendar.add(start, seconds)
        lo, hi = lane.overlapping(start, finish)
        if lo >= hi:
            return start, finish
        start = lane.ends[hi - 1]


class Shop:
    """The work centers and their load; places jobs one by one."""

    def __init__(self, centers, now):
        self.centers = {center.key: center for center in centers}
        self.now = now

    def place(self, job):
        """The job's :class:`Placement`, booked on its lane."""
        not_before = max(self.now, job.release) if job.release is not None else self.now
        best = None
        for center_key, seconds in job.options:
            center = self.centers[center_key]
            for lane in center.lanes:
                try:
                    found = _latest_on(lane, center.calendar, seconds, job.deadline, not_before)
                except HorizonError:
                    found = None
                if found and (best is None or found[1] > best[0][1]):
                    best = (found, center, lane)
        late = best is None
        if late:
            for center_key, seconds in job.options:
                center = self.centers[center_key]
                for lane in center.lanes:
                    try:
                        found = _earliest_on(lane, center.calendar, seconds, not_before)
                    except HorizonError:
                        continue
                    if best is None or found[1] < best[0][1]:
                        best = (found, center, lane)
        if best is None:
            if not job.options:
                raise ValueError(f"job {job.key!r} has no work center to run on")
            raise HorizonError(self.centers[job.options[0][0]].calendar, not_before, "after")
        (start, finish), center, lane = best
        lane.book(start, finish)
        return Placement(job.key, center.key, start, finish, late)


def load_profile(intervals):
    """Greatest number of ``[start, finish)`` intervals open at once."""
    spans = [(start, finish) for start, finish in intervals if finish > start]
    # at the same instant an interval ends before the next begins (half-open)
    events = sorted([(start, 1) for start, _finish in spans] + [(finish, -1) for _start, finish in spans])
    peak = current = 0
    for _instant, change in events:
        current += change
        peak = max(peak, current)
    return peak


__all__ = ["Center", "Job", "Lane", "Placement", "Shop", "load_profile"]
