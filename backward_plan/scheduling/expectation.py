"""When a step will really hand over, and what that means for each handover it owes.

The expectation of a step (:func:`expect`) is read from its document, in working time on
the step's calendar, the same calendars and durations the plan used:

* done: when it was done; cancelled: none;
* a confirmed purchase: its vendor's date (the line's expected arrival). The vendor's word
  is the fact: an RFQ asked for the receive-by, and whatever date the vendor confirmed or
  moved to is when it is expected;
* otherwise the plan's deadline, moved by as much working time as the document's own date
  (a manufacturing order's planned end, a transfer's scheduled date) moved since the step
  was planned. Odoo schedules these documents just in time, without the plan's buffers:
  only how far the document moved counts, so a document that did not move is expected
  exactly on its deadline;
* a manufacturing order whose start was set by hand (not the start the plan wrote) is
  the planner's: it is expected when its work, started then, is done, as the plan's
  forward pass starts it;
* a purchase is not expected before it was ordered; a started manufacturing order not
  before the work it has left is done, counted from now on its work centers' calendars;
  a step not started past its start-by not before it could finish if it started at the
  next working hour (the work left of a started one is counted from the coming minute);
* always inside the step's working time (a vendor's Saturday is received on Monday).

The verdict of a link (:func:`judge`) compares the upstream's expectation (or its
projection through the delays of what feeds it, when later) with the link's deadline and
the downstream's need:

* ``done`` / ``done_late``: handed over, by the deadline or after it;
* ``late``: the deadline passed without handover;
* ``at_risk``: expected after the need (the slack is spent, the downstream waits), or not
  started when the handover needs it to (a warning margin earlier when set), or its
  components missing close to its start;
* ``absorbed``: expected after the deadline but by the need: the link's slack absorbs it;
* ``open``: on plan.

Delays are counted in working hours of the upstream's calendar, like the slack; the
lateness of a handover in clock hours.
"""

from dataclasses import dataclass

from .calendar import HOUR, HorizonError
from .plan import WORK, Segment
from .states import CANCEL, DONE, IN_PROGRESS, PLANNED

OPEN, AT_RISK, ABSORBED, LATE, HANDED_OVER, HANDED_OVER_LATE = (
    "open",
    "at_risk",
    "absorbed",
    "late",
    "done",
    "done_late",
)
LIVE = (OPEN, AT_RISK, ABSORBED, LATE)
# Components still missing this close to a manufacturing order's start put it at risk.
COMPONENT_NOTICE = 8 * HOUR
NO_EXPECTED_DATE, VENDOR_BEFORE_ORDER, COMPONENTS_MISSING = (
    "no_expected_date",
    "vendor_before_order",
    "components_missing",
)


@dataclass(slots=True)
class StepFacts:
    """What the watch knows of a step: its plan and its document. Instants are timestamps."""

    calendar: object  # the step's WorkCalendar (its deadlines')
    segments: tuple = ()  # its duration, as core Segments
    deadline: float | None = None
    start_by: float | None = None
    state: str = PLANNED
    done_at: float | None = None
    document_date: float | None = None  # the document's own date now
    document_reference: float | None = None  # the document's date when the step was planned
    not_before: float | None = None  # when the purchase was ordered
    remaining: tuple | None = None  # Segments of the work left, once started
    components_waiting: bool = False
    needs_document_date: bool = False  # a confirmed purchase must say when it arrives
    set_start: float | None = None  # a start set by hand on the document, not started yet
    document_is_expected: bool = False  # the document's date is the expectation itself (a vendor's)


@dataclass(slots=True)
class Expectation:
    state: str
    expected: float | None = None
    done_at: float | None = None
    is_started: bool = False
    issue: str | None = None
    from_document: bool = False  # the expectation is the document's own date (a re-promise)


@dataclass(slots=True)
class LinkFacts:
    calendar: object  # the upstream's WorkCalendar
    deadline: float | None
    need: float | None
    up: Expectation
    start_needed: float | None = None  # the latest start of the upstream for this handover
    projected: float | None = None  # the upstream's finish projected through its inputs
    down_state: str = PLANNED
    margin: float = 0.0  # working seconds of early warning before a start is needed
    order_late: bool = False  # the order this link serves is projected late


@dataclass(slots=True)
class Verdict:
    state: str
    expected: float | None = None
    delay_hours: float = 0.0
    handover: float | None = None
    lateness_hours: float = 0.0
    endangers: bool = False

    @property
    def absorbed(self):
        return self.state == ABSORBED


def document_facts(
    kind,
    state,
    calendar,
    segments=(),
    deadline=None,
    start_by=None,
    done_at=None,
    document_date=None,
    reference=None,
    ordered_at=None,
    remaining=None,
    components_waiting=False,
    set_start=None,
):
    """The :class:`StepFacts` of a step of ``kind``: which of its document's facts count.

    The plan (a started step's expectation) and the watch both build their facts here.
    A purchase's expected arrival counts once it is ordered, as it is (the vendor's date,
    not a shift of the deadline), and not before the order; a
    manufacturing order's planned end until it starts (then Odoo recomputes it from the
    start, and the work left is what tells), its components until then; its start set by
    hand (``set_start``) until it starts, instead of its planned end.
    """
    purchase = kind == "purchase"
    started = state == IN_PROGRESS
    if started and kind == "production" and remaining is not None:
        document_date = None
    return StepFacts(
        calendar,
        segments,
        deadline,
        start_by,
        state,
        done_at=done_at,
        document_date=document_date if (started or not purchase) else None,
        document_reference=reference if reference is not None else document_date,
        not_before=ordered_at if purchase and started else None,
        remaining=remaining if started else None,
        components_waiting=components_waiting and kind == "production" and state == PLANNED,
        needs_document_date=purchase,
        set_start=set_start if kind == "production" and state == PLANNED else None,
        document_is_expected=purchase,
    )


def _clamp(calendar, instant):
    return min(max(instant, calendar.starts[0]), calendar.ends[-1])


def shift(calendar, anchor, reference, current):
    """``anchor`` moved by the working time between ``reference`` and ``current``."""
    if reference == current:
        return anchor  # most documents do not move: no arithmetic for them
    slip = calendar.working_seconds(_clamp(calendar, reference), _clamp(calendar, current))
    try:
        return calendar.add(anchor, slip) if slip >= 0 else calendar.subtract(anchor, -slip)
    except HorizonError:
        return calendar.horizon[1] if slip >= 0 else calendar.horizon[0]


def finish(segments, start):
    """When work made of ``segments`` ends if it starts at ``start``."""
    instant = start
    try:
        for segment in segments:
            instant = segment.forward(instant)
    except HorizonError as error:
        return error.calendar.horizon[1]
    return instant


def inside(calendar, instant):
    """The earliest instant of working time at or after ``instant``."""
    try:
        return calendar.ceil(instant)
    except HorizonError:
        return instant


def _coming_hour(calendar, now):
    """The start of work not made when it should have been: the coming working hour."""
    try:
        return calendar.snap_up(now, "hour")
    except HorizonError:
        return now


def expect(facts, now):
    """The :class:`Expectation` of a step at ``now``."""
    if facts.state == CANCEL:
        return Expectation(CANCEL)
    if facts.state == DONE:
        return Expectation(DONE, facts.done_at, facts.done_at, True)
    calendar = facts.calendar
    started = facts.state == IN_PROGRESS
    issue = None
    from_document = None
    expected = facts.deadline
    if facts.set_start is not None:
        # the planner's start: when the work started then is done, however the plan moved;
        # a start already past and not made is from the coming hour, as the forward pass does
        start = facts.set_start if now <= facts.set_start else _coming_hour(calendar, now)
        expected = from_document = finish(facts.segments, start)
    elif facts.document_date is not None and facts.document_is_expected:
        expected = from_document = facts.document_date
    elif facts.document_date is not None and facts.deadline is not None:
        reference = facts.document_date if facts.document_reference is None else facts.document_reference
        expected = from_document = shift(calendar, facts.deadline, reference, facts.document_date)
    elif facts.needs_document_date and started:
        # a confirmed purchase that says nothing of its arrival: flagged, never guessed
        expected, issue = None, NO_EXPECTED_DATE
    if facts.not_before is not None and expected is not None:
        if facts.document_date is not None and facts.document_date < facts.not_before:
            issue = VENDOR_BEFORE_ORDER
        expected = max(expected, facts.not_before)
    if started and facts.remaining is not None:
        # counted from the coming minute, so that an expectation does not creep by the second
        from_minute = -(-now // 60) * 60
        expected = max(expected or from_minute, finish(facts.remaining, from_minute))
    if not started and facts.start_by is not None and now > facts.start_by:
        earliest = finish(facts.segments, _coming_hour(calendar, now))
        expected = earliest if expected is None else max(expected, earliest)
    if not started and facts.components_waiting and facts.start_by is not None:
        try:
            notice = calendar.subtract(facts.start_by, COMPONENT_NOTICE)
        except HorizonError:
            notice = facts.start_by - COMPONENT_NOTICE
        if now > notice:
            issue = COMPONENTS_MISSING
    if expected is not None:
        expected = inside(calendar, expected)
    return Expectation(
        facts.state,
        expected,
        None,
        started,
        issue,
        from_document is not None and expected == inside(calendar, from_document),
    )


def planned_segments(calendar, segments, start_by, deadline):
    """A step's duration: its segments, or (planned before they were kept) its planned span as work."""
    if segments or start_by is None or deadline is None:
        return segments
    return (
        Segment(
            WORK, calendar, max(calendar.working_seconds(_clamp(calendar, start_by), _clamp(calendar, deadline)), 0)
        ),
    )


def start_needed(segments, finish):
    """The latest start of work made of ``segments`` that must end by ``finish``."""
    instant = finish
    try:
        for segment in reversed(segments):
            instant = segment.backward(instant)
    except HorizonError as error:
        return error.calendar.horizon[0]
    return instant


def working_hours(calendar, start, end):
    """Working hours from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if start == end:
        return 0.0
    return calendar.working_seconds(_clamp(calendar, start), _clamp(calendar, end)) / HOUR


def judge(facts, now):
    """The :class:`Verdict` of a link at ``now``."""
    up = facts.up
    if up.state == CANCEL or facts.down_state == CANCEL:
        return Verdict(CANCEL)
    calendar, deadline = facts.calendar, facts.deadline
    if up.state == DONE:
        done = up.done_at
        if deadline is None or done is None or done <= deadline:
            return Verdict(HANDED_OVER, done, 0.0, done)
        return Verdict(HANDED_OVER_LATE, done, working_hours(calendar, deadline, done), done, (done - deadline) / HOUR)
    candidates = [instant for instant in (up.expected, facts.projected) if instant is not None]
    expected = max(candidates) if candidates else None
    if deadline is None:
        return Verdict(OPEN, expected)
    delay = working_hours(calendar, deadline, expected) if expected is not None else 0.0
    need = facts.need if facts.need is not None else deadline
    lateness = 0.0
    if now > deadline:
        state, lateness = LATE, (now - deadline) / HOUR
    elif _threatened(calendar, facts, expected, need, now):
        state = AT_RISK
    elif expected is not None and expected > deadline:
        state = ABSORBED
    else:
        state = OPEN
    endangers = state in (AT_RISK, LATE) and facts.order_late and not (expected is not None and expected <= need)
    return Verdict(state, expected, delay, None, lateness, endangers)


def _threatened(calendar, facts, expected, need, now):
    """At risk: expected after the need, not started when the handover needs it, or short of components."""
    if expected is not None and expected > need:
        return True
    if not facts.up.is_started and facts.start_needed is not None and now > _warned(calendar, facts):
        return True
    return facts.up.issue == COMPONENTS_MISSING


def _warned(calendar, facts):
    """From when a step not started puts its handover at risk: its needed start, less the margin."""
    if not facts.margin:
        return facts.start_needed
    try:
        return calendar.subtract(facts.start_needed, facts.margin)
    except HorizonError:
        return facts.start_needed - facts.margin
