"""Back-scheduling and the forward pass, on hand-made and generated chains."""

import dataclasses

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scheduling import (
    HOUR,
    CycleError,
    Delivery,
    Link,
    Step,
    buffer_seconds,
    delivery,
    elapsed,
    finish_from_start,
    plan_backward,
    plan_forward,
    repromise_effect,
    work,
)

from factories import at, local, office, two_shifts

SHOP = two_shifts()
OFFICE = office()
NEW_YORK = office(tz="America/New_York")
CALENDARS = [SHOP, OFFICE, NEW_YORK]


def simple_chain(promise, buffer_hours=0.0):
    """Vendor -> sub-assembly -> final assembly -> delivery -> customer."""
    steps = {
        "po": Step("po", OFFICE, (elapsed(OFFICE, 5 * 24),)),
        "sub": Step("sub", SHOP, (work(SHOP, 12),)),
        "final": Step("final", SHOP, (work(SHOP, 20),)),
        "delivery": Step("delivery", OFFICE, (elapsed(OFFICE, 24),)),
        "customer": Step("customer", OFFICE, (), promise=promise),
    }
    buffer = buffer_hours * HOUR
    links = [
        Link("po", "sub", buffer),
        Link("sub", "final", buffer),
        Link("final", "delivery", buffer),
        Link("delivery", "customer", buffer),
    ]
    return steps, links


def test_chain_is_planned_backward_from_the_promise():
    """A promise on Friday 17:00 gives every link a deadline, hour by hour."""
    steps, links = simple_chain(at("2026-06-12 17:00"))
    plan = plan_backward(steps, links, "hour")
    dates = {key: (local(value.start), local(value.finish)) for key, value in plan.steps.items()}
    assert dates["customer"] == ("2026-06-12 17:00", "2026-06-12 17:00")
    # delivery: 24 h of transport, started in office hours
    assert dates["delivery"] == ("2026-06-11 17:00", "2026-06-12 17:00")
    # final assembly hands over by 17:00 on Thursday; 20 shop hours (two shifts a day)
    # earlier it starts: Thursday 3 + 8, Wednesday 8 + 1
    assert dates["final"] == ("2026-06-10 13:00", "2026-06-11 17:00")
    assert dates["sub"] == ("2026-06-09 17:00", "2026-06-10 13:00")
    # the purchase must be ordered five days before the receipt, in office hours
    assert dates["po"] == ("2026-06-04 17:00", "2026-06-09 17:00")


def test_buffers_move_deadlines_earlier_and_are_recorded():
    """A 4-hour buffer per link is kept as slack on every link."""
    steps, links = simple_chain(at("2026-06-12 17:00"), buffer_hours=4)
    plan = plan_backward(steps, links, "hour")
    assert local(plan.steps["delivery"].finish) == "2026-06-12 13:00"
    assert all(dates.slack_seconds >= 4 * HOUR for dates in plan.links)


def test_day_granularity_hands_over_at_the_end_of_a_working_day():
    """With day granularity the final assembly must be done by Wednesday evening."""
    steps, links = simple_chain(at("2026-06-12 17:00"))
    plan = plan_backward(steps, links, "day")
    assert local(plan.steps["final"].finish) == "2026-06-10 22:00"


def test_earliest_need_drives_a_shared_step():
    """A purchase feeding two orders must arrive by the earlier need."""
    steps = {
        "po": Step("po", OFFICE, (elapsed(OFFICE, 48),)),
        "mo_a": Step("mo_a", SHOP, (work(SHOP, 8),)),
        "mo_b": Step("mo_b", SHOP, (work(SHOP, 8),)),
        "a": Step("a", SHOP, (), promise=at("2026-06-12 14:00")),
        "b": Step("b", SHOP, (), promise=at("2026-06-19 14:00")),
    }
    links = [Link("po", "mo_a"), Link("po", "mo_b"), Link("mo_a", "a"), Link("mo_b", "b")]
    plan = plan_backward(steps, links, "hour")
    assert plan.steps["po"].finish == plan.links[0].deadline
    assert plan.steps["po"].driving_link == 0
    assert plan.links[1].deadline > plan.links[0].deadline


def test_a_cycle_is_reported_with_its_steps():
    """Two steps feeding each other cannot be planned."""
    steps = {key: Step(key, SHOP, (work(SHOP, 1),)) for key in ("a", "b")}
    steps["c"] = Step("c", SHOP, (), promise=at("2026-06-12 14:00"))
    with pytest.raises(CycleError) as caught:
        plan_backward(steps, [Link("a", "b"), Link("b", "a"), Link("b", "c")], "hour")
    assert caught.value.keys == {"a", "b"}


def test_steps_that_feed_no_promise_are_left_out():
    steps = {"lonely": Step("lonely", SHOP, (work(SHOP, 1),))}
    assert plan_backward(steps, [], "hour").steps == {}


def test_buffer_is_a_share_of_the_step_plus_fixed_hours():
    assert buffer_seconds(10 * HOUR, 10, 2) == 3 * HOUR
    assert buffer_seconds(10 * HOUR, None, None) == 0
    assert buffer_seconds(10 * HOUR, -50, 0) == 0


def test_forward_pass_gives_the_earliest_delivery():
    """From Monday 06:00 the chain can serve the customer on Thursday of the next week."""
    steps, links = simple_chain(at("2026-06-12 17:00"))
    forward = plan_forward(steps, links, "hour", at("2026-06-08 06:00"))
    assert local(forward["po"].finish) == "2026-06-13 08:00"
    # the goods arrive on Saturday and are received on Monday at 08:00
    assert local(forward["sub"].start) == "2026-06-15 08:00"
    assert local(forward["customer"].finish) == "2026-06-18 08:00"


def test_a_start_set_by_hand_starts_the_step_no_earlier():
    """The final assembly typed to start on Monday 22 June: the forward pass starts it then
    (its inputs are ready before); typed before its inputs, it waits for them. The
    deadlines, planned backward from the promise, do not move."""
    steps, links = simple_chain(at("2026-06-26 17:00"))
    now = at("2026-06-08 06:00")
    plain = plan_forward(steps, links, "hour", now)
    backward = plan_backward(steps, links, "hour")
    steps["final"].set_start = at("2026-06-22 06:00")
    forward = plan_forward(steps, links, "hour", now)
    assert local(forward["final"].start) == "2026-06-22 06:00"
    assert forward["final"].finish == finish_from_start(steps["final"], forward["final"].start)
    assert forward["customer"].finish > plain["customer"].finish
    assert plan_backward(steps, links, "hour") == backward
    steps["final"].set_start = now
    assert plan_forward(steps, links, "hour", now)["final"] == plain["final"]


def test_forward_pass_uses_reality():
    """A done purchase hands over when it was done; a late expectation pushes everything."""
    steps, links = simple_chain(at("2026-06-12 17:00"))
    steps["po"].done_at = at("2026-06-08 10:00")
    forward = plan_forward(steps, links, "hour", at("2026-06-08 12:00"))
    assert local(forward["sub"].start) == "2026-06-08 12:00"
    steps["final"].started_at = at("2026-06-08 06:00")
    steps["final"].expected_finish = at("2026-06-20 10:00")
    later = plan_forward(steps, links, "hour", at("2026-06-08 12:00"))
    assert later["customer"].finish > at("2026-06-21 00:00")


# ----------------------------------------------------------------- generated chains


@st.composite
def chains(draw):
    """Random DAGs: every step feeds one or two later steps, the last ones are promises."""
    size = draw(st.integers(min_value=1, max_value=25))
    promises = draw(st.integers(min_value=1, max_value=3))
    steps, links = {}, []
    for index in range(promises):
        key = size + index
        promise = draw(st.integers(int(at("2027-03-01 00:00")), int(at("2027-12-01 00:00"))))
        steps[key] = Step(key, draw(st.sampled_from(CALENDARS)), (), promise=promise)
    for key in range(size - 1, -1, -1):
        calendar = draw(st.sampled_from(CALENDARS))
        if draw(st.booleans()):
            segments = (work(calendar, draw(st.integers(0, 40 * 60)) / 60),)
        else:
            segments = (elapsed(calendar, draw(st.integers(0, 240))),)
        steps[key] = Step(key, calendar, segments)
        targets = draw(st.lists(st.integers(key + 1, size + promises - 1), min_size=1, max_size=2, unique=True))
        for target in targets:
            links.append(Link(key, target, draw(st.integers(0, 16 * HOUR))))
    granularity = draw(st.sampled_from(["day", "shift", "hour"]))
    return steps, links, granularity


@settings(max_examples=150, deadline=None)
@given(chains())
def test_generated_plans_keep_their_promises(chain):
    """Deadlines never increase upstream, sit on the grid, keep durations and buffers."""
    steps, links, granularity = chain
    plan = plan_backward(steps, links, granularity)
    for index, link in enumerate(links):
        dates = plan.links[index]
        if dates is None:
            assert link.downstream not in plan.steps
            continue
        upstream, downstream = plan.steps[link.upstream], plan.steps[link.downstream]
        calendar = steps[link.upstream].calendar
        assert upstream.finish <= dates.deadline <= downstream.start
        assert calendar.on_grid(dates.deadline, granularity)
        assert dates.slack_seconds >= link.buffer_seconds
    for key, dates in plan.steps.items():
        step = steps[key]
        assert dates.start <= dates.finish
        if step.segments and step.segments[0].kind == "work" and step.seconds:
            segment = step.segments[0]
            assert segment.calendar.working_seconds(dates.start, dates.finish) == step.seconds
            assert segment.calendar.contains(dates.start)
        elif step.segments:
            assert dates.finish - dates.start >= step.seconds
            assert step.calendar.contains(dates.start)
    assert plan_backward(steps, links, granularity) == plan


@settings(max_examples=100, deadline=None)
@given(chains(), st.integers(int(at("2026-01-01 00:00")), int(at("2026-12-01 00:00"))))
def test_planning_from_the_earliest_promise_starts_nothing_in_the_past(chain, now):
    """The forward pass's earliest delivery date is feasible when planned backward."""
    steps, links, granularity = chain
    forward = plan_forward(steps, links, granularity, now)
    for step in steps.values():
        if step.promise is not None:
            step.promise = forward[step.key].finish
    plan = plan_backward(steps, links, granularity)
    for key, dates in plan.steps.items():
        assert dates.start >= now, key


def test_projection_without_buffers_is_earlier_by_the_slack():
    """A projection does not spend the buffers: slack is not work."""
    steps, links = simple_chain(at("2026-06-12 17:00"), buffer_hours=4)
    now = at("2026-06-08 06:00")
    with_slack = plan_forward(steps, links, "hour", now)
    projected = plan_forward(steps, links, "hour", now, with_buffers=False)
    assert projected["customer"].finish < with_slack["customer"].finish
    assert projected["po"].finish == with_slack["po"].finish


def test_hours_late_and_month_horizons():
    from datetime import date

    from scheduling import hours_late, month_horizon

    assert hours_late(at("2026-06-12 17:00"), at("2026-06-12 15:30")) == 1.5
    assert hours_late(at("2026-06-12 15:00"), at("2026-06-12 17:00")) == 0
    assert month_horizon(at("2026-06-12 17:00"), at("2026-07-03 09:00"), 10) == (date(2026, 6, 1), date(2026, 7, 31))


# ------------------------------------------------------------ accepted re-promises


def test_an_accepted_repromise_pushes_the_steps_it_feeds():
    """The vendor's agreed date starts the sub-assembly; the promise itself does not move."""
    steps, links = simple_chain(at("2026-06-12 17:00"))
    before = plan_backward(steps, links, "hour")
    steps["po"].agreed_finish = at("2026-06-10 10:00")  # past its deadline (Tuesday 17:00)
    plan = plan_backward(steps, links, "hour")
    assert plan.steps["po"].finish == at("2026-06-10 10:00")
    assert plan.steps["po"].start == before.steps["po"].start
    assert (plan.links[0].deadline, plan.links[0].slack_seconds) == (at("2026-06-10 10:00"), 0.0)
    # the sub-assembly starts when the parts arrive: 12 shop hours later it is done
    assert local(plan.steps["sub"].start) == "2026-06-10 10:00"
    assert local(plan.steps["sub"].finish) == "2026-06-10 22:00"  # two shifts end at 22:00
    assert plan.steps["final"].start == plan.steps["sub"].finish
    # the customer's date stays: the delivery hands over after it, the order shows late
    assert plan.steps["customer"] == before.steps["customer"]
    assert plan.links[3].deadline > at("2026-06-12 17:00")


def test_a_repromise_within_the_deadline_changes_nothing():
    steps, links = simple_chain(at("2026-06-12 17:00"), buffer_hours=4)
    before = plan_backward(steps, links, "hour")
    steps["po"].agreed_finish = before.links[0].deadline
    assert plan_backward(steps, links, "hour") == before


@settings(max_examples=150, deadline=None)
@given(chains(), st.data())
def test_accepted_repromises_push_downstream_and_never_pull_earlier(chain, data):
    """Every agreed date is kept, inputs are handed over before their step starts, durations
    hold, nothing moves earlier, and promises stay where the customer put them."""
    steps, links, granularity = chain
    before = plan_backward(steps, links, granularity)
    planned = sorted(key for key in before.steps if steps[key].promise is None)
    for key in data.draw(st.lists(st.sampled_from(planned), unique=True, max_size=3)) if planned else []:
        steps[key].agreed_finish = before.steps[key].finish + data.draw(st.integers(-HOUR, 200 * HOUR))
    plan = plan_backward(steps, links, granularity)
    assert plan.steps.keys() == before.steps.keys()
    for key, dates in plan.steps.items():
        step, old = steps[key], before.steps[key]
        assert dates.finish >= old.finish and dates.start >= old.start
        if step.promise is not None:
            assert dates == old
            continue
        if step.agreed_finish is not None:
            assert dates.finish >= step.agreed_finish
        if dates.start > old.start:
            assert dates.finish >= finish_from_start(step, dates.start)
    for index, link in enumerate(links):
        dates = plan.links[index]
        if dates is None:
            continue
        upstream, downstream = plan.steps[link.upstream], plan.steps[link.downstream]
        assert upstream.finish <= dates.deadline
        assert dates.deadline >= before.links[index].deadline
        if steps[link.downstream].promise is None:
            assert dates.deadline <= downstream.start


def test_an_accepted_repromise_may_use_up_the_buffers_after_it():
    """The vendor's agreed date, past its deadline, still serves the customer in time once
    the buffers after it are spent: the effect says so, and the order's feasibility too."""
    steps, links = simple_chain(at("2026-06-12 17:00"), buffer_hours=4)
    now = at("2026-06-01 09:00")
    steps["po"].started_at = now  # ordered; the vendor now says Tuesday noon (deadline Monday 13:00)
    steps["po"].expected_finish = steps["po"].agreed_finish = at("2026-06-09 12:00")
    plan = plan_backward(steps, links, "hour")
    forward = plan_forward(steps, links, "hour", now)
    assert local(forward["sub"].start) == "2026-06-09 12:00", "the purchase's buffer is spent"
    assert local(forward["customer"].finish) == "2026-06-12 12:00"
    served = Delivery(at("2026-06-12 12:00"), 0.0, True)
    assert repromise_effect(steps, links, plan, forward, 0, "customer", now).delivery == served
    assert delivery(steps, plan, forward, "customer", now) == served
    # not agreed, the same date keeps every buffer: too late
    steps["po"].agreed_finish = None
    assert plan_forward(steps, links, "hour", now)["customer"].finish > at("2026-06-12 17:00")


def test_buffers_off_the_agreed_path_are_kept():
    """Tubes feeding the final assembly keep their buffer; after the assembly, fed by the
    agreed purchase too, the buffers may be spent."""
    steps, links = simple_chain(at("2026-06-12 17:00"), buffer_hours=4)
    now = at("2026-06-01 09:00")
    steps["tubes"] = Step("tubes", OFFICE, (elapsed(OFFICE, 48),), started_at=now)
    steps["tubes"].expected_finish = at("2026-06-10 11:00")
    links.append(Link("tubes", "final", 4 * HOUR))
    steps["po"].agreed_finish = at("2026-06-09 12:00")
    forward = plan_forward(steps, links, "hour", now)
    assert local(forward["final"].start) == "2026-06-10 16:00", "four office hours after the tubes"
    assert forward["delivery"].start == forward["final"].finish, "no buffer after the assembly"


def _after(links, key):
    """``key`` and every step it feeds, down to the promises."""
    found, frontier = {key}, [key]
    while frontier:
        upstream = frontier.pop()
        for link in links:
            if link.upstream == upstream and link.downstream not in found:
                found.add(link.downstream)
                frontier.append(link.downstream)
    return found


@settings(max_examples=150, deadline=None)
@given(chains(), st.data())
def test_the_effect_of_an_accepted_date_is_what_the_order_shows(chain, data):
    """For any accepted date, the effect's served date is the forward pass's earliest
    delivery, and the effect says the promise holds exactly when the order is feasible.
    That pass spends the buffers after the agreed handover, and no other."""
    steps, links, granularity = chain
    before = plan_backward(steps, links, granularity)
    candidates = [index for index, dates in enumerate(before.links) if dates is not None]
    assume(candidates)
    index = data.draw(st.sampled_from(candidates))
    key = links[index].upstream
    now = data.draw(st.integers(int(at("2026-01-01 00:00")), int(at("2027-06-01 00:00"))))
    moment = before.links[index].deadline + data.draw(st.integers(-HOUR, 400 * HOUR))
    if data.draw(st.booleans()):
        steps[key].started_at = min(now, moment)  # ordered: its own date is the agreed one
    steps[key].expected_finish = moment
    steps[key].agreed_finish = moment
    plan = plan_backward(steps, links, granularity)
    forward = plan_forward(steps, links, granularity, now)
    counted = [other for other in plan.steps if steps[other].promise is None and steps[other].started_at is None]
    promises = [other for other in plan.steps if steps[other].promise is not None]
    for promise in promises:
        verdict = delivery(steps, plan, forward, promise, now, counted)
        effect = repromise_effect(steps, links, plan, forward, index, promise, now, counted)
        assert effect.delivery == verdict
        assert verdict.served == forward[promise].finish
        past = any(plan.steps[other].start < now for other in counted)
        assert verdict.feasible == (verdict.served <= steps[promise].promise and not past)
    # the same reality, not agreed, with the buffers after the agreed handover taken out
    spent = _after(links, key)
    steps[key].agreed_finish = None
    bare = [dataclasses.replace(link, buffer_seconds=0) if link.upstream in spent else link for link in links]
    assert plan_forward(steps, bare, granularity, now) == forward
