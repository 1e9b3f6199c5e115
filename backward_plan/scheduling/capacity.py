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

A manufacturing order is a *sequence* of work orders (:func:`Shop.place_sequence`): placed
backward from its deadline, the last first; when one of them cannot fit, the whole sequence
is placed as early as possible instead, so that its work orders stay in their order.

The plan (``plan.plan_backward`` and ``plan_forward``) calls it for the steps that carry
operations; the addon gathers the work centers and their load (``backward.capacity``).
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
class Operation:
    """A work order of a sequence: where it can run and how long it takes there."""

    key: object
    options: tuple  # ((center key, working seconds on it), ...), preferred first


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
            # the latest instant with the same working time: the next shift's start, not a shift's end
            return (calendar.subtract(finish, seconds) if seconds > 0 else start), finish
        start = lane.ends[hi - 1]


class Shop:
    """The work centers and their load; places jobs one by one."""

    def __init__(self, centers, now):
        self.centers = {center.key: center for center in centers}
        self.now = now

    def _latest(self, options, deadline, not_before):
        """Best ``((start, finish), center, lane)`` finishing by ``deadline``, nothing booked."""
        best = None
        for center_key, seconds in options:
            center = self.centers[center_key]
            for lane in center.lanes:
                try:
                    found = _latest_on(lane, center.calendar, seconds, deadline, not_before)
                except HorizonError:
                    found = None
                if found and (best is None or found[1] > best[0][1]):
                    best = (found, center, lane)
        return best

    def _earliest(self, options, start):
        """Best ``((start, finish), center, lane)`` starting at or after ``start``, nothing booked."""
        best = None
        for center_key, seconds in options:
            center = self.centers[center_key]
            for lane in center.lanes:
                try:
                    found = _earliest_on(lane, center.calendar, seconds, start)
                except HorizonError:
                    continue
                if best is None or found[1] < best[0][1]:
                    best = (found, center, lane)
        if best is None:
            if not options:
                raise ValueError("a work order has no work center to run on")
            raise HorizonError(self.centers[options[0][0]].calendar, start, "after")
        return best

    def place(self, job):
        """The job's :class:`Placement`, booked on its lane."""
        not_before = max(self.now, job.release) if job.release is not None else self.now
        best = self._latest(job.options, job.deadline, not_before)
        late = best is None
        if late:
            best = self._earliest(job.options, not_before)
        (start, finish), center, lane = best
        lane.book(start, finish)
        return Placement(job.key, center.key, start, finish, late)

    def place_sequence(self, operations, deadline, not_before=None):
        """Place ``operations`` (in their order) to finish by ``deadline``, the last first.

        Returns ``(placements, bottleneck)``: ``bottleneck`` is ``None`` when the sequence
        fits; otherwise the whole sequence is placed as early as possible from
        ``not_before`` (each placement ``late``) and it is the center that held it back
        longest (the one where the work waited, else where it lasted longest).

        The backward trial books nothing: the operations of one sequence never overlap in
        time, so none can stand in another's way, and a sequence that does not fit leaves no
        trace before it is placed forward.
        """
        not_before = self.now if not_before is None else max(self.now, not_before)
        found, finish = [], deadline
        for operation in reversed(operations):
            best = self._latest(operation.options, finish, not_before)
            if best is None:
                break
            found.append((operation, best))
            finish = best[0][0]
        else:
            placements = []
            for operation, ((start, end), center, lane) in reversed(found):
                lane.book(start, end)
                placements.append(Placement(operation.key, center.key, start, end))
            return placements, None
        return self.place_forward(operations, not_before, late=True)

    def place_forward(self, operations, start, late=False):
        """Place ``operations`` in their order as early as possible from ``start``.

        Returns ``(placements, bottleneck)`` as :meth:`place_sequence` does.
        """
        placements, waits = [], []
        ready = max(self.now, start)
        for operation in operations:
            (begin, end), center, lane = self._earliest(operation.options, ready)
            lane.book(begin, end)
            placements.append(Placement(operation.key, center.key, begin, end, late))
            waits.append((begin - center.calendar.ceil(ready), end - begin, center.key))
            ready = end
        bottleneck = max(waits, key=lambda wait: (wait[0], wait[1]))[2] if waits else None
        return placements, bottleneck


def load_by_day(calendar, capacity, intervals, days):
    """``[(day start, available seconds, planned seconds)]`` of a center over ``days``.

    ``days``: ``[(day start, day end)]`` timestamps; available is the working time of the
    day times the units; planned is the working time of the intervals within the day.
    """
    result = []
    units = max(int(capacity or 1), 1)
    first, last = calendar.horizon

    def working(start, end):  # outside the calendar's horizon there is no working time
        return calendar.working_seconds(min(max(start, first), last), min(max(end, first), last))

    spans = sorted((start, finish) for start, finish in intervals if finish > start)
    for day_start, day_end in days:
        available = working(day_start, day_end) * units
        planned = 0
        for start, finish in spans:
            if start >= day_end:
                break
            if finish > day_start:
                planned += working(max(start, day_start), min(finish, day_end))
        result.append((day_start, available, planned))
    return result


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


__all__ = ["Center", "Job", "Lane", "Operation", "Placement", "Shop", "load_by_day", "load_profile"]
