"""Expectations and link verdicts, in working time, against the plan's own arithmetic."""

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scheduling import HOUR, Attendance, Link, Step, calendar_from_pattern, elapsed, plan_backward, work
from scheduling.expectation import (
    ABSORBED,
    AT_RISK,
    COMPONENTS_MISSING,
    LATE,
    NO_EXPECTED_DATE,
    OPEN,
    VENDOR_BEFORE_ORDER,
    Expectation,
    LinkFacts,
    StepFacts,
    document_facts,
    expect,
    finish,
    inside,
    judge,
    planned_segments,
    shift,
    start_needed,
    working_hours,
)
from scheduling.states import CANCEL, DONE, IN_PROGRESS, PLANNED

from factories import at, local, office, two_shifts

SHOP = two_shifts()
OFFICE = office()
MONDAY = at("2026-06-08 06:00")
# instants over five weeks of June and July 2026, to the minute
INSTANTS = st.integers(min_value=0, max_value=35 * 24 * 60).map(lambda minutes: MONDAY + minutes * 60)
HOURS = st.floats(min_value=0, max_value=80, allow_nan=False).map(lambda hours: round(hours, 2))


def planned_step(calendar, hours, promise, kind="work"):
    """A step planned backward to a customer promise: (segments, finish, start)."""
    segment = work(calendar, hours) if kind == "work" else elapsed(calendar, hours)
    steps = {
        "step": Step("step", calendar, (segment,)),
        "customer": Step("customer", calendar, (), promise=promise),
    }
    plan = plan_backward(steps, [Link("step", "customer", 2 * HOUR)], "shift")
    dates = plan.steps["step"]
    return (segment,), dates.finish, dates.start


def test_a_confirmed_purchase_is_expected_on_its_vendor_s_date():
    """The buyer confirmed the PO: expected when the vendor says, whatever the deadline and
    whatever Odoo's date was when the step was planned; an RFQ is expected on its deadline."""
    facts = document_facts(
        "purchase",
        IN_PROGRESS,
        OFFICE,
        deadline=at("2026-06-17 17:00"),
        start_by=at("2026-06-10 17:00"),
        document_date=at("2026-06-18 09:00"),
        reference=at("2026-06-16 09:00"),
        ordered_at=at("2026-06-08 10:00"),
    )
    expectation = expect(facts, at("2026-06-08 10:00"))
    assert local(expectation.expected) == "2026-06-18 09:00"
    assert expectation.is_started and expectation.from_document and not expectation.issue
    facts.document_date = at("2026-06-20 11:00")  # a Saturday: received on Monday
    assert local(expect(facts, at("2026-06-08 10:00")).expected) == "2026-06-22 08:00"
    rfq = document_facts(
        "purchase", PLANNED, OFFICE, deadline=at("2026-06-17 17:00"), document_date=at("2026-06-18 09:00")
    )
    assert local(expect(rfq, at("2026-06-08 10:00")).expected) == "2026-06-17 17:00"


def test_a_document_slip_moves_the_expectation_by_its_working_time():
    """A transfer rescheduled a day later (Thursday 9:00 to Friday 9:00): 8 office hours later."""
    facts = StepFacts(
        OFFICE,
        deadline=at("2026-06-17 17:00"),
        state=IN_PROGRESS,
        document_date=at("2026-06-19 09:00"),
        document_reference=at("2026-06-18 09:00"),
    )
    assert local(expect(facts, at("2026-06-08 10:00")).expected) == "2026-06-18 17:00"


def test_an_evening_slip_lands_in_working_time():
    """Three clock hours after 17:00 are no working time: the expectation stays in office hours."""
    facts = StepFacts(
        OFFICE,
        deadline=at("2026-06-17 16:00"),
        state=IN_PROGRESS,
        document_date=at("2026-06-18 20:00"),
        document_reference=at("2026-06-18 16:00"),
    )
    # one working hour (16:00-17:00) of slip, not four clock hours
    assert local(expect(facts, at("2026-06-08 10:00")).expected) == "2026-06-17 17:00"


def test_a_step_not_started_past_its_start_by():
    """Four shop hours of work to hand over by 14:00 (the shift's end), not started at 11:20: 16:00."""
    segments, deadline, start_by = planned_step(SHOP, 4, at("2026-06-12 22:00"))
    facts = StepFacts(SHOP, segments, deadline, start_by, PLANNED)
    now = start_by + 80 * 60
    expectation = expect(facts, now)
    assert local(start_by) == "2026-06-12 10:00"
    assert local(expectation.expected) == "2026-06-12 16:00", "started at the next hour, 12:00"
    assert not expectation.from_document


def test_a_started_order_is_not_expected_before_its_work_is_done():
    """Started, three shop hours left at 21:00 on Friday: done on Monday at 08:00."""
    facts = StepFacts(
        SHOP,
        deadline=at("2026-06-12 22:00"),
        state=IN_PROGRESS,
        remaining=(work(SHOP, 3),),
    )
    assert local(expect(facts, at("2026-06-12 21:00")).expected) == "2026-06-15 08:00"


def test_issues_are_flagged():
    ordered = at("2026-06-08 10:00")
    no_date = StepFacts(OFFICE, deadline=at("2026-06-17 17:00"), state=IN_PROGRESS, needs_document_date=True)
    expectation = expect(no_date, ordered)
    assert (expectation.issue, expectation.expected) == (NO_EXPECTED_DATE, None)
    before = StepFacts(
        OFFICE,
        deadline=at("2026-06-09 09:00"),
        state=IN_PROGRESS,
        document_date=at("2026-06-01 09:00"),
        document_reference=at("2026-06-10 09:00"),
        not_before=ordered,
    )
    expectation = expect(before, ordered)
    assert expectation.issue == VENDOR_BEFORE_ORDER
    assert expectation.expected >= ordered
    segments, deadline, start_by = planned_step(SHOP, 2, at("2026-06-12 22:00"))
    waiting = StepFacts(SHOP, segments, deadline, start_by, PLANNED, components_waiting=True)
    assert expect(waiting, start_by - 30 * HOUR).issue is None
    assert expect(waiting, start_by - 2 * HOUR).issue == COMPONENTS_MISSING


def test_done_and_cancelled_steps():
    done = expect(StepFacts(SHOP, state=DONE, done_at=at("2026-06-10 10:00")), MONDAY)
    assert (done.expected, done.done_at, done.is_started) == (at("2026-06-10 10:00"),) * 2 + (True,)
    assert expect(StepFacts(SHOP, state=CANCEL), MONDAY).expected is None


def link(expected, deadline, need, now_started=True, **kwargs):
    return LinkFacts(OFFICE, deadline, need, Expectation(IN_PROGRESS, expected, is_started=now_started), **kwargs)


def test_link_verdicts():
    deadline, need = at("2026-06-17 13:00"), at("2026-06-17 17:00")
    now = at("2026-06-10 10:00")
    assert judge(link(deadline, deadline, need), now).state == OPEN
    absorbed = judge(link(at("2026-06-17 15:00"), deadline, need), now)
    assert (absorbed.state, absorbed.delay_hours) == (ABSORBED, 2.0)
    assert judge(link(at("2026-06-18 09:00"), deadline, need), now).state == AT_RISK
    late = judge(link(deadline, deadline, need), at("2026-06-17 16:00"))
    assert (late.state, late.lateness_hours) == (LATE, 3.0)
    # the projection through a late input counts when it is later than the step's own
    assert judge(link(deadline, deadline, need, projected=at("2026-06-18 10:00")), now).state == AT_RISK
    # not started when the handover needs it: at risk, a margin earlier when set
    quiet = link(None, deadline, need, now_started=False, start_needed=at("2026-06-12 10:00"))
    assert judge(quiet, at("2026-06-12 09:00")).state == OPEN
    assert judge(quiet, at("2026-06-12 11:00")).state == AT_RISK
    quiet.margin = 2 * HOUR
    assert judge(quiet, at("2026-06-12 09:00")).state == AT_RISK


def test_a_link_endangers_the_customer_only_past_its_need():
    deadline, need = at("2026-06-17 13:00"), at("2026-06-17 17:00")
    verdict = judge(link(at("2026-06-18 09:00"), deadline, need, order_late=True), at("2026-06-10 10:00"))
    assert verdict.endangers
    assert not judge(link(at("2026-06-17 15:00"), deadline, need, order_late=True), at("2026-06-10 10:00")).endangers


@settings(max_examples=300, deadline=None)
@given(
    calendar=st.sampled_from([SHOP, OFFICE]),
    deadline=INSTANTS,
    start_by=INSTANTS,
    reference=INSTANTS,
    current=INSTANTS,
    now=INSTANTS,
    hours=HOURS,
    state=st.sampled_from([PLANNED, IN_PROGRESS]),
    remaining=st.one_of(st.none(), HOURS),
    ordered=st.one_of(st.none(), INSTANTS),
    elapsed_kind=st.booleans(),
    vendor=st.booleans(),
)
def test_an_expectation_never_falls_outside_working_time(
    calendar, deadline, start_by, reference, current, now, hours, state, remaining, ordered, elapsed_kind, vendor
):
    segment = elapsed(calendar, hours) if elapsed_kind else work(calendar, hours)
    facts = StepFacts(
        calendar,
        (segment,),
        deadline,
        start_by,
        state,
        document_date=current,
        document_reference=reference,
        not_before=ordered,
        remaining=(work(SHOP, remaining),) if remaining is not None else None,
        document_is_expected=vendor,
    )
    expected = expect(facts, now).expected
    assert expected is not None and calendar.contains(expected)


def test_a_start_set_by_hand_is_the_planner_s():
    """A manufacturing order typed to start on Tuesday at 08:00, four shop hours of work:
    expected at 12:00 that day, whatever its planned end and the plan's deadline say."""
    segments, deadline, start_by = planned_step(SHOP, 4, at("2026-06-19 22:00"))
    typed = at("2026-06-16 08:00")

    def facts(kind, state):
        return document_facts(
            kind,
            state,
            SHOP,
            segments,
            deadline,
            start_by,
            document_date=deadline + 3 * 24 * HOUR,
            reference=deadline,
            set_start=typed,
        )

    expectation = expect(facts("production", PLANNED), MONDAY)
    assert local(expectation.expected) == "2026-06-16 12:00"
    assert expectation.from_document, "the document's own date: a later one is a re-promise"
    # only a manufacturing order not started yet: then its planned end and its work left tell
    assert expect(facts("production", IN_PROGRESS), MONDAY).expected != expectation.expected
    assert expect(facts("transfer", PLANNED), MONDAY).expected != expectation.expected
    # a typed start already past and not made: the work starts at the coming hour at best
    late = expect(facts("production", PLANNED), at("2026-06-17 09:30")).expected
    assert local(late) == "2026-06-17 14:00"


@settings(max_examples=300, deadline=None)
@given(
    calendar=st.sampled_from([SHOP, OFFICE]),
    deadline=INSTANTS,
    reference=st.one_of(st.none(), INSTANTS),
    vendor_date=INSTANTS,
    ordered=INSTANTS,
    now=INSTANTS,
)
def test_a_confirmed_purchase_is_expected_when_its_vendor_says(
    calendar, deadline, reference, vendor_date, ordered, now
):
    """Whatever the plan's deadline and the date when it was planned: the vendor's date, in
    working time, and never before the order was placed."""
    facts = document_facts(
        "purchase",
        IN_PROGRESS,
        calendar,
        deadline=deadline,
        document_date=vendor_date,
        reference=reference,
        ordered_at=ordered,
    )
    expectation = expect(facts, now)
    assert expectation.expected == calendar.ceil(max(vendor_date, ordered))
    assert expectation.from_document == (calendar.ceil(vendor_date) == expectation.expected)


@settings(max_examples=300, deadline=None)
@given(
    calendar=st.sampled_from([SHOP, OFFICE]),
    promise=INSTANTS,
    hours=HOURS,
    document=INSTANTS,
    early=st.integers(min_value=0, max_value=30 * 24 * 60),
    state=st.sampled_from([PLANNED, IN_PROGRESS]),
    elapsed_kind=st.booleans(),
)
def test_plan_and_watch_agree_on_an_unchanged_document(calendar, promise, hours, document, early, state, elapsed_kind):
    """Whatever the document's own date, while it does not move the step is expected on its deadline."""
    segments, deadline, start_by = planned_step(calendar, hours, promise, "elapsed" if elapsed_kind else "work")
    now = start_by - early * 60
    facts = StepFacts(
        calendar, segments, deadline, start_by, state, document_date=document, document_reference=document
    )
    assert expect(facts, now).expected == deadline


@settings(max_examples=300, deadline=None)
@given(deadline=INSTANTS, extra=st.integers(min_value=1, max_value=40 * 60), now=INSTANTS, margin=HOURS)
def test_an_absorbed_slip_never_becomes_at_risk(deadline, extra, now, margin):
    """Expected after the deadline but by the need, started, before the deadline: absorbed, whatever the margin."""
    deadline = OFFICE.ceil(deadline)
    need = OFFICE.add(deadline, 4 * HOUR)
    expected = OFFICE.ceil(deadline + extra * 60)
    assume(deadline < expected <= need and now <= deadline)
    verdict = judge(link(expected, deadline, need, margin=margin * HOUR, start_needed=deadline - HOUR), now)
    assert verdict.state == ABSORBED and not verdict.endangers


def test_shift_is_symmetric():
    anchor = at("2026-06-17 13:00")
    later = shift(OFFICE, anchor, at("2026-06-10 09:00"), at("2026-06-11 09:00"))
    # eight office hours later: the end of Thursday morning (the earliest such instant)
    assert local(later) == "2026-06-18 12:00"
    assert shift(OFFICE, later, at("2026-06-11 09:00"), at("2026-06-10 09:00")) == anchor


def test_off_the_calendar_the_engine_stays_on_its_edges():
    """Dates beyond the calendars (a typo in a year) are clamped, never a crash."""
    short = calendar_from_pattern(
        [Attendance(day, 8, 17) for day in range(5)], "UTC", date(2026, 6, 1), date(2026, 6, 5)
    )
    low, high = short.horizon
    assert shift(short, high - HOUR, low, high) == high
    assert shift(short, low + HOUR, high, low) == low
    assert finish((work(short, 100),), low) == high
    assert start_needed((work(short, 100),), high) == low
    assert inside(short, high + 86400) == high + 86400
    assert working_hours(short, low - 86400, high + 86400) == 45
    assert planned_segments(short, (), low, low + 2 * HOUR)[0].seconds == 2 * HOUR
    assert planned_segments(short, (), None, low) == ()
    late = StepFacts(short, (work(short, 100),), high, low, PLANNED, components_waiting=True)
    expectation = expect(late, high - HOUR)
    assert expectation.expected == high and expectation.issue == COMPONENTS_MISSING
    started = StepFacts(short, deadline=high, state=IN_PROGRESS, remaining=(work(short, 100),))
    assert expect(started, low).expected == high


def test_a_done_link_and_a_link_without_deadline():
    deadline = at("2026-06-17 13:00")
    done = LinkFacts(OFFICE, deadline, None, Expectation(DONE, deadline - HOUR, deadline - HOUR, True))
    assert judge(done, deadline).state == "done"
    late = LinkFacts(OFFICE, deadline, None, Expectation(DONE, deadline + HOUR, deadline + HOUR, True))
    verdict = judge(late, deadline + 2 * HOUR)
    assert (verdict.state, verdict.lateness_hours, verdict.handover) == ("done_late", 1.0, deadline + HOUR)
    open_ended = LinkFacts(OFFICE, None, None, Expectation(IN_PROGRESS, deadline, is_started=True))
    assert judge(open_ended, deadline).state == OPEN
    cancelled = LinkFacts(OFFICE, deadline, None, Expectation(IN_PROGRESS, deadline), down_state=CANCEL)
    assert judge(cancelled, deadline).state == CANCEL
