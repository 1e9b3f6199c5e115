"""Back-scheduling of a chain of steps into deadlines, and the forward pass.

A *step* is a unit of work owned by someone: a delivery, a manufacturing order, a
purchase line. A *link* is a handover from an upstream step to the downstream step it
feeds. Customer promises are steps with a fixed deadline and no duration.

Backward pass (latest dates), from the promises upstream:

* a link's handover deadline is the downstream's latest start, less the link's buffer
  counted in the upstream's working time, snapped down to the granularity's grid on
  the upstream's calendar;
* a step's latest finish is the earliest deadline of its links (its most urgent need);
* its latest start is the latest finish less its duration, segment by segment.

Forward pass (earliest dates), from now downstream: the mirror image, with snapping
up. The two are built so that planning backward from the forward pass's earliest
promise never puts a latest start before now.

An accepted re-promise moves the steps it feeds in both: the backward pass pushes their
deadlines (``_push_agreed``), the forward pass hands over at the agreed date and spends
the buffers after it, so that the effect a downstream owner is shown before accepting and
the order's feasibility once accepted are one reading of one pass (``promise``).
"""

from collections import deque
from dataclasses import dataclass, field

from .calendar import HOUR
from .capacity import Request

WORK = "work"
ELAPSED = "elapsed"


class CycleError(ValueError):
    """The steps' links form a cycle: no step of it can be planned."""

    def __init__(self, keys):
        self.keys = keys
        super().__init__(f"the chain has a cycle through {sorted(map(str, keys))[:10]}")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a step's duration: working time on a calendar, or elapsed time.

    Elapsed time (a vendor's lead time, transport) runs day and night; the instant at
    which it starts is then floored into ``calendar``'s working time, so that an
    order-by date falls when someone can place the order.
    """

    kind: str
    calendar: object
    seconds: float

    def backward(self, instant):
        if self.kind == WORK:
            return self.calendar.subtract(instant, self.seconds)
        return self.calendar.floor(instant - self.seconds)

    def forward(self, instant):
        if self.kind == WORK:
            return self.calendar.add(instant, self.seconds)
        return self.calendar.ceil(instant) + self.seconds


def work(calendar, hours):
    return Segment(WORK, calendar, round(hours * HOUR))


def elapsed(calendar, hours):
    return Segment(ELAPSED, calendar, round(hours * HOUR))


@dataclass(slots=True)
class Step:
    """A step of the chain.

    ``calendar`` is the one its deadlines are snapped to (the finishing work
    center's, the warehouse's). ``promise`` makes it a customer promise: its deadline
    is that instant. ``done_at``, ``started_at``, ``expected_finish`` and ``set_start``
    are the reality the forward pass starts from.
    """

    key: object
    calendar: object
    segments: tuple = ()
    promise: float | None = None
    done_at: float | None = None
    started_at: float | None = None
    expected_finish: float | None = None
    set_start: float | None = None  # a start set by hand on its document: it starts no earlier
    cap: float | None = None  # a need outside the chain planned (another order's)
    agreed_finish: float | None = None  # an accepted re-promise: it hands over no earlier
    # finite capacity: the work orders (capacity.Operation) that segments[span[0]:span[1]] are
    operations: tuple = ()
    operations_span: tuple | None = None
    rank: object = 0  # with finite capacity, lower ranks are placed first (priority, promise)

    @property
    def seconds(self):
        return sum(segment.seconds for segment in self.segments)


@dataclass(frozen=True, slots=True)
class Link:
    upstream: object
    downstream: object
    buffer_seconds: float = 0.0


@dataclass(slots=True)
class StepDates:
    finish: float
    start: float
    driving_link: int | None = None  # index of the link that set ``finish``


@dataclass(slots=True)
class LinkDates:
    deadline: float
    slack_seconds: float  # working time (upstream's) between deadline and need


@dataclass(frozen=True, slots=True)
class CapacityDates:
    """What finite capacity did to a step: where its work would start with free work
    centers, and, when it cannot finish in time, its earliest finish and the bottleneck."""

    free_start: float
    late: bool = False
    earliest_finish: float | None = None
    bottleneck: object = None


@dataclass(slots=True)
class Plan:
    steps: dict = field(default_factory=dict)  # key -> StepDates
    links: list = field(default_factory=list)  # per link index -> LinkDates
    placements: dict = field(default_factory=dict)  # key -> [capacity.Placement] (finite capacity)
    capacity: dict = field(default_factory=dict)  # key -> CapacityDates


def hours_late(finish, promise):
    """How many clock hours ``finish`` comes after ``promise`` (0 when on time)."""
    return max(finish - promise, 0) / HOUR


def buffer_seconds(step_seconds, percent, fixed_hours):
    """The slack a link carries: a share of its upstream step plus fixed hours."""
    return max(0, round(step_seconds * (percent or 0.0) / 100.0 + (fixed_hours or 0.0) * HOUR))


def _index_links(steps, links):
    outgoing = {key: [] for key in steps}
    incoming = {key: [] for key in steps}
    for index, link in enumerate(links):
        if link.upstream not in steps or link.downstream not in steps:
            raise KeyError(f"link {index} joins an unknown step")
        outgoing[link.upstream].append(index)
        incoming[link.downstream].append(index)
    return outgoing, incoming


def start_from_finish(step, finish):
    """Latest start of ``step`` when it must finish by ``finish``."""
    instant = finish
    for segment in reversed(step.segments):
        instant = segment.backward(instant)
    return instant


def finish_from_start(step, start):
    """Earliest finish of ``step`` when it starts at ``start``."""
    instant = start
    for segment in step.segments:
        instant = segment.forward(instant)
    return instant


def topological_order(steps, links):
    """Keys of ``steps``, every upstream before its downstreams; raises on a cycle."""
    outgoing, incoming = _index_links(steps, links)
    waiting = {key: len(indexes) for key, indexes in incoming.items()}
    queue = deque(key for key, count in waiting.items() if not count)
    order = []
    while queue:
        key = queue.popleft()
        order.append(key)
        for index in outgoing[key]:
            downstream = links[index].downstream
            waiting[downstream] -= 1
            if not waiting[downstream]:
                queue.append(downstream)
    if len(order) != len(steps):
        raise CycleError(_cycle_members(steps, links, outgoing, set(steps) - set(order)))
    return order, outgoing, incoming


def _cycle_members(steps, links, outgoing, remaining):
    """The steps on a cycle: what Kahn's pass left, without what merely hangs below."""
    changed = True
    while changed:
        changed = False
        for key in list(remaining):
            if not any(links[index].downstream in remaining for index in outgoing[key]):
                remaining.discard(key)
                changed = True
    return remaining


def _capacity_batches(steps, links, outgoing, incoming):
    """Keys in batches, every downstream before its upstreams: a step without work orders
    alone as soon as it is ready; then the steps with work orders ready together, of the
    lowest ``rank`` among those ready, placed as one batch (so that they share the work
    centers as well as they can: ``sequencing``). Urgent orders (a lower rank) take the
    work centers first."""
    waiting = {key: len(indexes) for key, indexes in outgoing.items()}
    plain = [key for key in steps if not waiting[key] and not steps[key].operations]
    ready = [key for key in steps if not waiting[key] and steps[key].operations]
    batches = []

    def release(key):
        for index in incoming[key]:
            upstream = links[index].upstream
            waiting[upstream] -= 1
            if not waiting[upstream]:
                (ready if steps[upstream].operations else plain).append(upstream)

    while plain or ready:
        if plain:
            key = plain.pop()
            batches.append([key])
            release(key)
            continue
        rank = min(steps[key].rank for key in ready)
        batch = [key for key in ready if steps[key].rank == rank]
        ready = [key for key in ready if steps[key].rank != rank]
        batches.append(batch)
        for key in batch:
            release(key)
    return batches


def _split(step):
    """``(before, after)``: the segments around the step's work orders."""
    first, last = step.operations_span
    return step.segments[:first], step.segments[last:]


def _request(step, finish, shop):
    """The ``capacity.Request`` of a step's work orders when the step must finish by ``finish``."""
    before, after = _split(step)
    deadline = finish
    for segment in reversed(after):
        deadline = segment.backward(deadline)
    not_before = shop.now
    for segment in before:
        not_before = segment.forward(not_before)
    return Request(step.key, step.operations, deadline, not_before)


def _placed_dates(step, finish, placed):
    """``(start, CapacityDates)`` of a step whose work orders went where ``placed`` says."""
    before, after = _split(step)
    start = placed.placements[0].start
    for segment in reversed(before):
        start = segment.backward(start)
    free_start = start_from_finish(step, finish)
    if not placed.late:
        return start, CapacityDates(free_start)
    earliest = placed.placements[-1].finish
    for segment in after:
        earliest = segment.forward(earliest)
    return start, CapacityDates(free_start, True, earliest, placed.bottleneck)


def plan_backward(steps, links, granularity, shop=None):
    """Latest dates of every step that feeds a promise, and every link's deadline.

    ``steps``: dict key -> :class:`Step`; ``links``: list of :class:`Link`. Steps
    that feed no promise are left out of the result. Raises :class:`CycleError`.

    With a ``shop`` (``capacity.Shop``), the work orders of the steps that carry
    ``operations`` are placed on it, as late as its load allows (finite capacity): the
    step starts when its first work order must, and its inputs are due from then on. A
    step that cannot fit starts as early as possible and is reported in ``plan.capacity``.
    """
    order, outgoing, incoming = topological_order(steps, links)
    plan = Plan(links=[None] * len(links))
    link_dates = plan.links
    if shop is None:
        batches = [[key] for key in reversed(order)]
    else:
        batches = _capacity_batches(steps, links, outgoing, incoming)
    for batch in batches:
        finishes = {}
        for key in batch:
            step = steps[key]
            if step.promise is not None:
                finishes[key] = (step.promise, None)
                continue
            driving = None
            for index in outgoing[key]:
                dates = link_dates[index]
                if dates is not None and (driving is None or dates.deadline < link_dates[driving].deadline):
                    driving = index
            if driving is None and step.cap is None:
                continue  # feeds no promise
            if driving is None or (step.cap is not None and step.cap < link_dates[driving].deadline):
                finishes[key] = (step.cap, None)
            else:
                finishes[key] = (link_dates[driving].deadline, driving)
        placed = {}
        if shop is not None:
            requests = [
                _request(steps[key], finish, shop)
                for key, (finish, _driving) in finishes.items()
                if steps[key].operations and steps[key].promise is None
            ]
            if requests:
                placed = shop.place_batch(requests)
        for key, (finish, driving) in finishes.items():
            step = steps[key]
            if key in placed:
                start, plan.capacity[key] = _placed_dates(step, finish, placed[key])
                plan.placements[key] = placed[key].placements
            else:
                start = start_from_finish(step, finish)
            plan.steps[key] = StepDates(finish, start, driving)
            for index in incoming[key]:
                link = links[index]
                calendar = steps[link.upstream].calendar
                deadline = calendar.snap_down(calendar.subtract(start, link.buffer_seconds), granularity)
                link_dates[index] = LinkDates(deadline, calendar.working_seconds(deadline, start))
    if any(step.agreed_finish is not None for step in steps.values()):
        _push_agreed(steps, links, plan, order, incoming)
    return plan


def _push_agreed(steps, links, plan, order, incoming):
    """Accepted re-promises: the steps they feed start no earlier, downstream to the promise.

    A step re-promised past its deadline, once the downstream side accepted, hands over at
    the agreed instant: that becomes its deadline and its link's, the link's slack is spent,
    and every step it feeds starts no earlier than its input is handed over (the latest
    input), finishing as much later as its duration requires. A promise does not move:
    the handover into it comes after it, and the order shows late until the customer
    agrees a new date.
    """
    link_dates = plan.links
    for key in order:
        dates = plan.steps.get(key)
        if dates is None:
            continue
        step = steps[key]
        start = dates.start
        pushed = {}
        for index in incoming[key]:
            upstream = plan.steps.get(links[index].upstream)
            if upstream is None or link_dates[index] is None or upstream.finish <= link_dates[index].deadline:
                continue
            start = max(start, upstream.finish)
            pushed[index] = upstream.finish
        finish = dates.finish
        if step.promise is None:
            if start > dates.start:
                finish = max(finish, finish_from_start(step, start))
            if step.agreed_finish is not None:
                finish = max(finish, step.agreed_finish)
        if start != dates.start or finish != dates.finish:
            plan.steps[key] = StepDates(finish, start if step.promise is None else dates.start, dates.driving_link)
        need = start if step.promise is None else dates.start
        for index in incoming[key]:
            dates_in = link_dates[index]
            if dates_in is None or (index not in pushed and need == dates.start):
                continue
            # the handover deadline is the agreed one when pushed; the slack is what is left to the need
            deadline = pushed.get(index, dates_in.deadline)
            calendar = steps[links[index].upstream].calendar
            link_dates[index] = LinkDates(deadline, max(calendar.working_seconds(deadline, need), 0))


def _place_forward(step, start, shop):
    """Earliest finish of a step starting at ``start``, its work orders placed on ``shop``."""
    before, after = _split(step)
    instant = start
    for segment in before:
        instant = segment.forward(instant)
    placements, _bottleneck = shop.place_forward(step.operations, instant)
    instant = placements[-1].finish if placements else instant
    for segment in after:
        instant = segment.forward(instant)
    return instant


@dataclass(slots=True)
class ForwardDates:
    start: float
    finish: float


def plan_forward(steps, links, granularity, now, with_buffers=True, shop=None):
    """Earliest (or projected) dates of every step, from ``now`` and reality.

    A done step finishes when it was done; a started one at its expected finish (not
    before now); any other starts when its inputs are handed over, not before now, nor
    before the start set by hand on its document (``set_start``).
    A promise's forward date is when the customer can be served.

    With buffers, the earliest promise that keeps every agreed slack (feasibility);
    without, when the work will really be done (projection): slack is not work.

    An accepted re-promise (``agreed_finish``) hands over no earlier than agreed, and the
    buffers after it, down to the promises, may be spent: its downstream side agreed to
    start when it hands over. The buffers of the other links are kept. A re-promise's
    effect and the order's feasibility are both read from this pass (``promise``).
    """
    order, outgoing, _incoming = topological_order(steps, links)
    result = {}
    ready = {}
    after_agreed = set()  # the steps an accepted re-promise feeds, and those below them
    for key in order:
        step = steps[key]
        if step.done_at is not None:
            start = step.started_at if step.started_at is not None else step.done_at
            finish = step.done_at
        elif step.started_at is not None:
            start = step.started_at
            finish = step.expected_finish
            if finish is None:
                finish = finish_from_start(step, max(start, now))
            finish = max(finish, now)
        else:
            start = max(ready.get(key, now), now)
            if step.set_start is not None:
                start = max(start, step.set_start)
            if step.promise is not None:
                finish = start
            elif shop is not None and step.operations:
                finish = _place_forward(step, start, shop)
            else:
                finish = finish_from_start(step, start)
            if step.expected_finish is not None:
                finish = max(finish, step.expected_finish)
        if step.agreed_finish is not None:
            after_agreed.add(key)
            if step.done_at is None and step.promise is None:
                finish = max(finish, step.agreed_finish)
        result[key] = ForwardDates(start, finish)
        calendar = step.calendar
        spent = key in after_agreed
        for index in outgoing[key]:
            link = links[index]
            handover = finish if step.done_at is not None else calendar.snap_up(finish, granularity)
            available = calendar.add(handover, link.buffer_seconds) if with_buffers and not spent else handover
            if available > ready.get(link.downstream, now):
                ready[link.downstream] = available
            if spent:
                after_agreed.add(link.downstream)
    return result
