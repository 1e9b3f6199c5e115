"""Finite capacity: work orders placed against the work centers' real load.

A work center has ``capacity`` units working in parallel (Odoo's ``default_capacity``),
each a *lane* of busy spans that never overlap. A lane counts in its center's working
time: a span is ``[start, finish)`` in *positions* (``WorkCalendar.position``, the working
seconds since the calendar's horizon began), so that a gap fits a work order when it is as
long as the work, whatever nights, weekends and holidays lie in it. Instants are turned
into positions at the edges only: a work order starts at the latest instant of its start
position (a shift's start) and ends at the earliest instant of its finish position (a
shift's end), as the plan's own arithmetic does.

A manufacturing order is a *sequence* of work orders (:class:`Operation`), each with its
alternative work centers. The orders of one planning are placed together
(:meth:`Shop.place_batch`, ``sequencing``): so that as few as possible are late and as
little, and each work order as late as the others allow (just in time). An order that
cannot finish by its deadline is reported late with the center that held it back most
(its bottleneck); one that finishes by its deadline never is.

The plan (``plan.plan_backward`` and ``plan_forward``) calls it for the steps that carry
operations; the addon gathers the work centers and their load (``backward.capacity``).
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from . import sequencing
from .calendar import HorizonError

# A lane's gaps are summed up per stretch of working time (eight days of it): a search that
# has stepped SKIP_AFTER spans checks one number per stretch (``Lane``); one that skips a
# stretch checks one number per BLOCK of stretches next.
STRETCH = 691_200
SKIP_AFTER = 8
BLOCK = 8


class Lane:
    """One unit of a work center: sorted busy spans, in positions, apart from each other
    (spans that touch are one), so that a search steps from gap to gap.

    A span the placement books can be taken back exactly (:meth:`unbook`); load already
    there is merged with what it meets (an overload that exists is one long busy span, kept,
    not hidden).

    A loaded center's lane can hold thousands of spans with short gaps between them (work
    orders chained across calendars rarely touch), and a search would step through every
    one. So the lane knows, per :data:`STRETCH` of working time, the longest gap that begins
    in it (computed when a search first needs it, forgotten when a change touches it): a
    search that has stepped a few spans skips a stretch whose gaps are all too short. Far
    past its center's capacity a lane holds the load of years, hundreds of stretches: a
    search forward that skipped one then skips a :data:`BLOCK` of them at a time, where all
    their gaps are too short, and counts the stretches it crossed as stepped (the repair's
    budget measures how far the searches reach, not how fast).
    """

    __slots__ = ("_blocks", "_longest", "ends", "starts", "walked")

    def __init__(self):
        self.starts, self.ends = [], []
        self._longest = {}  # stretch -> the longest gap beginning in it
        self._blocks = {}  # block -> the longest gap beginning in its stretches
        self.walked = 0  # spans and stretches the searches stepped over: the work they did

    def _forget(self, first, last):
        """The gaps beginning from position ``first`` to ``last`` changed."""
        longest = self._longest
        if longest:
            for stretch in range(int(first // STRETCH), int(last // STRETCH) + 1):
                longest.pop(stretch, None)
        blocks = self._blocks
        if blocks:
            for block in range(int(first // STRETCH) // BLOCK, int(last // STRETCH) // BLOCK + 1):
                blocks.pop(block, None)

    def _block(self, block):
        """The longest gap beginning in the stretches of ``block``."""
        longest = self._blocks.get(block)
        if longest is None:
            first = block * BLOCK
            longest = self._blocks[block] = max(self._stretch(stretch)[0] for stretch in range(first, first + BLOCK))
        return longest

    def _stretch(self, stretch):
        """``(longest gap, first span, last span)`` of the gaps beginning in ``stretch``
        (gap j lies between span j and span j + 1)."""
        ends = self.ends
        first = bisect_left(ends, stretch * STRETCH)
        last = min(bisect_left(ends, (stretch + 1) * STRETCH), len(ends) - 1)
        longest = self._longest.get(stretch)
        if longest is None:
            starts = self.starts
            longest = self._longest[stretch] = max((starts[j + 1] - ends[j] for j in range(first, last)), default=-1)
            self.walked += max(last - first, 0)
        return longest, first, last

    def free(self, start, finish):
        return bisect_right(self.ends, start) >= bisect_left(self.starts, finish)

    def earliest(self, position, seconds):
        """Earliest start ``>= position`` of a free span ``seconds`` long."""
        starts, ends = self.starts, self.ends
        index, count, start = bisect_right(ends, position), len(starts), position
        steps = 0
        while index < count and starts[index] < start + seconds:
            start = ends[index]
            index += 1
            steps += 1
            if steps >= SKIP_AFTER and index < count:
                # every gap beginning in this stretch too short: on to the last one's span
                longest, _first, last = self._stretch(int(start // STRETCH))
                if longest < seconds and last >= index:
                    start = ends[last]
                    index = last + 1
                    start, index, steps = self._skip_blocks(start, index, seconds, steps)
        self.walked += steps
        return start

    def _skip_blocks(self, start, index, seconds, steps):
        """From span ``index`` (ending at ``start``), past the blocks whose gaps are all
        shorter than ``seconds``: ``(start, index, steps)`` after them."""
        ends, count = self.ends, len(self.starts)
        while index < count:
            stretch = int(start // STRETCH)
            if self._block(stretch // BLOCK) >= seconds:
                break
            last = min(bisect_left(ends, (stretch // BLOCK + 1) * BLOCK * STRETCH), count - 1)
            if last < index:
                break
            steps += int(ends[last] // STRETCH) - stretch  # the stretches crossed, as if stepped
            start, index = ends[last], last + 1
        return start, index, steps

    def latest(self, position, seconds, lowest):
        """Latest start of a free span ``seconds`` long finishing by ``position``; ``None``
        when it would start before ``lowest``."""
        starts, ends = self.starts, self.ends
        index, finish = bisect_left(starts, position) - 1, position
        steps = 0
        while index >= 0 and ends[index] > finish - seconds:
            finish = starts[index]
            if finish - seconds < lowest:
                self.walked += steps
                return None
            index -= 1
            steps += 1
            if steps >= SKIP_AFTER and index >= 0:
                # every gap beginning in this stretch too short: down to its first one's span
                longest, first, _last = self._stretch(int(ends[index] // STRETCH))
                if longest < seconds and first < index:
                    finish = starts[first + 1]
                    index = first
                    if finish - seconds < lowest:
                        self.walked += steps
                        return None
        self.walked += steps
        return finish - seconds if finish - seconds >= lowest else None

    def book(self, start, finish):
        """Mark the free span ``[start, finish)`` busy."""
        starts, ends = self.starts, self.ends
        index = bisect_right(starts, start)
        left = index > 0 and ends[index - 1] == start
        right = index < len(starts) and starts[index] == finish
        self._forget(ends[index - 1] if index else start, finish)
        if left and right:
            ends[index - 1] = ends[index]
            del starts[index], ends[index]
        elif left:
            ends[index - 1] = finish
        elif right:
            starts[index] = start
        else:
            starts.insert(index, start)
            ends.insert(index, finish)

    def unbook(self, start, finish):
        """Free ``[start, finish)``, which :meth:`book` marked."""
        index = bisect_right(self.starts, start) - 1
        first, last = self.starts[index], self.ends[index]
        self._forget(self.ends[index - 1] if index else first, last)
        pieces = [(a, b) for a, b in ((first, start), (finish, last)) if b > a]
        self.starts[index : index + 1] = [a for a, _b in pieces]
        self.ends[index : index + 1] = [b for _a, b in pieces]

    def load(self, start, finish):
        """Mark ``[start, finish)`` busy, merged with the busy spans it meets."""
        lo, hi = bisect_right(self.ends, start), bisect_left(self.starts, finish)
        if lo < hi:
            start, finish = min(start, self.starts[lo]), max(finish, self.ends[hi - 1])
        self._forget(self.ends[lo - 1] if lo else start, finish)
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
        """Load already there (started, done, planned by hand), instants: on the first free
        lane, else the least busy one. Load outside working time takes no working time."""
        first, finish = self.calendar.clamped_position(start), self.calendar.clamped_position(finish)
        if finish <= first:
            return
        for lane in self.lanes:
            if lane.free(first, finish):
                lane.load(first, finish)
                return
        min(self.lanes, key=lambda lane: len(lane.starts)).load(first, finish)


@dataclass(frozen=True, slots=True)
class Operation:
    """A work order of a sequence: where it can run and how long it takes there."""

    key: object
    options: tuple  # ((center key, working seconds on it), ...), preferred first


@dataclass(frozen=True, slots=True)
class Request:
    """A sequence of work orders to place: to finish by ``deadline``, start no earlier than
    ``not_before`` (and never before now)."""

    key: object
    operations: tuple
    deadline: float
    not_before: float | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A request of one work order (``Shop.place``)."""

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
    late: bool = False  # cannot finish by its deadline: placed as early as the load allows


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a request went: its placements, whether it is late, and its bottleneck."""

    placements: list
    late: bool = False
    bottleneck: object = None


class Slot:
    """Where an operation is placed: a lane of a center, a span in positions, the instants."""

    __slots__ = ("center", "finish", "lane", "seconds", "start", "wait", "where")

    def __init__(self, center, lane, where, seconds, start, finish, wait=0):
        self.center, self.lane, self.where, self.seconds = center, lane, where, seconds
        self.start, self.finish, self.wait = start, finish, wait

    def book(self):
        if self.seconds > 0:
            self.lane.book(self.where, self.where + self.seconds)

    def unbook(self):
        if self.seconds > 0:
            self.lane.unbook(self.where, self.where + self.seconds)


class Shop:
    """The work centers and their load; places sequences of work orders on them."""

    def __init__(self, centers, now, budget=sequencing.REPAIR_BUDGET):
        self.centers = {center.key: center for center in centers}
        self.now = now
        self.budget = budget  # of the repair of each batch (``sequencing.place``)

    # ------------------------------------------------------------ one operation

    def earliest(self, operation, ready):
        """The :class:`Slot` finishing first of ``operation`` starting at or after ``ready``
        (the preferred center on a tie), nothing booked."""
        best = None
        for center_key, seconds in operation.options:
            center = self.centers[center_key]
            calendar = center.calendar
            at = calendar.clamped_position(ready)
            lanes = center.lanes if seconds > 0 else center.lanes[:1]
            for lane in lanes:
                where = lane.earliest(at, seconds) if seconds > 0 else at
                try:
                    finish = calendar.finish_at(where + seconds) if seconds > 0 else calendar.start_at(where)
                except HorizonError:
                    continue
                if best is None or finish < best.finish:
                    start = calendar.start_at(where) if seconds > 0 else finish
                    best = Slot(center, lane, where, seconds, start, finish, where - at)
        if best is None:
            if not operation.options:
                raise ValueError("a work order has no work center to run on")
            raise HorizonError(self.centers[operation.options[0][0]].calendar, ready, "after")
        return best

    def latest(self, operation, bound, lowest):
        """The :class:`Slot` starting last of ``operation`` finishing by ``bound``, starting
        no earlier than ``lowest``; ``None`` when none. Nothing booked."""
        best = None
        for center_key, seconds in operation.options:
            center = self.centers[center_key]
            calendar = center.calendar
            at, low = calendar.clamped_position(bound), calendar.clamped_position(lowest)
            lanes = center.lanes if seconds > 0 else center.lanes[:1]
            for lane in lanes:
                where = lane.latest(at, seconds, low) if seconds > 0 else at
                if where is None or where < low:
                    continue
                start = calendar.start_at(where) if seconds > 0 else calendar.finish_at(where)
                if best is None or start > best.start:
                    finish = calendar.finish_at(where + seconds) if seconds > 0 else start
                    best = Slot(center, lane, where, seconds, start, finish)
        return best

    # ----------------------------------------------------------------- sequences

    def place_batch(self, requests):
        """Place ``requests`` (:class:`Request`) together and book them: ``{key: Placed}``.

        No request is late that the placement can fit by moving others within their own
        deadlines (``sequencing``), and every work order is as late as the others allow.
        """
        placed = sequencing.place(self, list(requests), self.budget)
        result = {}
        for request, (slots, late, bottleneck) in zip(requests, placed, strict=True):
            placements = [
                Placement(operation.key, slot.center.key, slot.start, slot.finish, late)
                for operation, slot in zip(request.operations, slots, strict=True)
            ]
            result[request.key] = Placed(placements, late, bottleneck if late else None)
        return result

    def place_sequence(self, operations, deadline, not_before=None):
        """Place ``operations`` (in their order) to finish by ``deadline``, as late as the
        load allows: ``(placements, bottleneck)``, ``bottleneck`` ``None`` when on time;
        otherwise every placement is ``late`` and the sequence as early as the load allows."""
        placed = self.place_batch([Request(None, tuple(operations), deadline, not_before)])[None]
        return placed.placements, placed.bottleneck

    def place(self, job):
        """The :class:`Placement` of one work order, booked."""
        placements, _bottleneck = self.place_sequence([Operation(job.key, job.options)], job.deadline, job.release)
        return placements[0]

    def place_forward(self, operations, start, late=False):
        """Place ``operations`` in their order as early as possible from ``start`` (the
        earliest finish of each): ``(placements, bottleneck)`` as :meth:`place_sequence`."""
        slots = sequencing.forward(self, operations, max(self.now, start))
        for slot in slots:
            slot.book()
        placements = [
            Placement(operation.key, slot.center.key, slot.start, slot.finish, late)
            for operation, slot in zip(operations, slots, strict=True)
        ]
        return placements, sequencing.bottleneck(slots)


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


__all__ = [
    "Center",
    "Job",
    "Lane",
    "Operation",
    "Placed",
    "Placement",
    "Request",
    "Shop",
    "load_by_day",
    "load_profile",
]
