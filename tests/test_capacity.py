"""Finite capacity: backward placement against the work centers' load."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling import HOUR
from scheduling.capacity import Center, Job, Lane, Operation, Shop, load_by_day, load_profile
from scheduling.plan import WORK, Link, Segment, Step, plan_backward, plan_forward

from factories import at, local, office, two_shifts

SHOP = two_shifts()
OFFICE = office()


def test_jobs_due_together_queue_backward_on_one_unit():
    """Three 8-hour jobs due Friday 22:00 on one welding station: back to back, the last first."""
    shop = Shop([Center("weld", SHOP)], now=at("2026-06-01 06:00"))
    deadline = at("2026-06-12 22:00")
    placed = [shop.place(Job(index, (("weld", 8 * HOUR),), deadline)) for index in range(3)]
    assert [(local(p.start), local(p.finish)) for p in placed] == [
        ("2026-06-12 14:00", "2026-06-12 22:00"),
        ("2026-06-12 06:00", "2026-06-12 14:00"),
        ("2026-06-11 14:00", "2026-06-11 22:00"),
    ]
    assert not any(p.late for p in placed)


def test_two_units_work_in_parallel():
    shop = Shop([Center("weld", SHOP, capacity=2)], now=at("2026-06-01 06:00"))
    deadline = at("2026-06-12 22:00")
    placed = [shop.place(Job(index, (("weld", 8 * HOUR),), deadline)) for index in range(3)]
    assert [local(p.finish) for p in placed] == ["2026-06-12 22:00", "2026-06-12 22:00", "2026-06-12 14:00"]


def test_an_alternative_center_takes_what_the_first_cannot():
    shop = Shop([Center("weld", SHOP), Center("weld2", OFFICE)], now=at("2026-06-01 06:00"))
    deadline = at("2026-06-12 17:00")
    first = shop.place(Job("a", (("weld", 8 * HOUR), ("weld2", 8 * HOUR)), deadline))
    second = shop.place(Job("b", (("weld", 8 * HOUR), ("weld2", 8 * HOUR)), deadline))
    assert {first.center, second.center} == {"weld", "weld2"}
    assert second.finish == deadline


def test_what_cannot_fit_is_placed_as_early_as_possible_and_reported_late():
    """Two days of work due tomorrow evening, from Wednesday noon: the second job is late."""
    now = at("2026-06-10 12:00")
    shop = Shop([Center("weld", SHOP)], now=now)
    deadline = at("2026-06-11 22:00")
    first = shop.place(Job("a", (("weld", 16 * HOUR),), deadline))
    second = shop.place(Job("b", (("weld", 16 * HOUR),), deadline))
    assert (local(first.start), first.late) == ("2026-06-11 06:00", False)
    assert second.late and second.center == "weld"
    assert second.start >= now and second.finish > deadline
    assert load_profile([(first.start, first.finish), (second.start, second.finish)]) == 1


def test_booked_load_is_kept_and_planned_around():
    center = Center("weld", SHOP)
    center.book(at("2026-06-12 14:00"), at("2026-06-12 22:00"))
    shop = Shop([center], now=at("2026-06-01 06:00"))
    placed = shop.place(Job("a", (("weld", 4 * HOUR),), at("2026-06-12 22:00")))
    assert (local(placed.start), local(placed.finish)) == ("2026-06-12 10:00", "2026-06-12 14:00")


def working_span(calendar, start, finish):
    """A span as positions in working time: where two spans meet, work would be done twice."""
    return calendar.clamped_position(start), calendar.clamped_position(finish)


@st.composite
def shops(draw):
    now = draw(st.integers(int(at("2026-03-01 00:00")), int(at("2026-04-01 00:00"))))
    centers = [
        Center(key, draw(st.sampled_from([SHOP, OFFICE])), capacity=draw(st.integers(1, 3)))
        for key in range(draw(st.integers(1, 3)))
    ]
    booked = {}
    for center in centers:
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(now - 10 * 24 * HOUR, now + 30 * 24 * HOUR))
            finish = start + draw(st.integers(1, 12)) * HOUR
            if load_profile([*booked.get(center.key, []), (start, finish)]) <= center.capacity:
                center.book(start, finish)
                booked.setdefault(center.key, []).append((start, finish))
    jobs = []
    for index in range(draw(st.integers(1, 30))):
        keys = draw(st.lists(st.sampled_from([center.key for center in centers]), min_size=1, max_size=2, unique=True))
        options = tuple((key, draw(st.integers(0, 24 * 4)) * 900) for key in keys)
        deadline = now + draw(st.integers(-2 * 24 * HOUR, 40 * 24 * HOUR))
        release = draw(st.one_of(st.none(), st.integers(now - 24 * HOUR, now + 10 * 24 * HOUR)))
        jobs.append(Job(index, options, deadline, release))
    return now, centers, booked, jobs


@settings(max_examples=200, deadline=None)
@given(shops())
def test_placements_respect_capacity_working_time_and_the_present(case):
    """Never past a center's capacity in its working time (load booked outside it takes
    none); in working time; never in the past nor before the release; late exactly when
    it finishes after the deadline."""
    now, centers, booked, jobs = case
    shop = Shop(centers, now)
    placed = [shop.place(job) for job in jobs]
    calendars = {center.key: center.calendar for center in centers}
    by_center = {
        center.key: [working_span(center.calendar, *span) for span in booked.get(center.key, [])] for center in centers
    }
    for job, placement in zip(jobs, placed, strict=True):
        seconds = dict(job.options)[placement.center]
        calendar = calendars[placement.center]
        assert calendar.working_seconds(placement.start, placement.finish) == seconds
        assert placement.start >= now
        if job.release is not None:
            assert placement.start >= job.release
        assert placement.late == (placement.finish > job.deadline)
        if seconds:
            assert calendar.contains(placement.start) and calendar.contains(placement.finish)
        by_center[placement.center].append(working_span(calendar, placement.start, placement.finish))
    for center in centers:
        assert load_profile(by_center[center.key]) <= center.capacity


@settings(max_examples=100, deadline=None)
@given(shops())
def test_with_ample_capacity_the_plan_is_the_infinite_one(case):
    """As many units as jobs and no load: every job finishes at its deadline (just in time)."""
    now, _centers, _booked, jobs = case
    shop = Shop([Center(0, SHOP, capacity=len(jobs))], now)
    for job in jobs:
        seconds = job.options[0][1]
        placement = shop.place(Job(job.key, ((0, seconds),), job.deadline))
        start = SHOP.subtract(SHOP.floor(job.deadline), seconds)
        finish = SHOP.add(start, seconds)  # the same working time, at a shift's end
        if start >= now:
            assert (placement.start, placement.finish, placement.late) == (start, finish, False)
        else:
            assert placement.late


STEP = 24 * 60


def _earliest(spans, position, seconds):
    """The first fit, span by span (what the lane's skip index must give)."""
    start = position
    for first, last in spans:
        if last > start and first < start + seconds:
            start = last
    return start


def _latest(spans, position, seconds, lowest):
    finish = position
    for first, last in reversed(spans):
        if first < finish and last > finish - seconds:
            finish = first
    return finish - seconds if finish - seconds >= lowest else None


@settings(max_examples=200, deadline=None)
@given(
    # short gaps, one in twenty long enough for most searches: whole blocks are skipped
    st.lists(st.tuples(st.sampled_from([0, 1, 2, 3] * 5 + [14]), st.integers(1, 6)), min_size=1, max_size=300),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1_500), st.integers(1, 6)), max_size=60),
    st.lists(st.tuples(st.integers(0, 1_600), st.integers(1, 14), st.integers(0, 1_500)), min_size=1, max_size=20),
)
def test_a_crowded_lane_finds_the_same_gaps_as_a_span_by_span_search(spans, changes, searches):
    """A lane of many short spans with short gaps (far more than a block of its skip index),
    then spans taken back, loaded and booked, with searches between the changes: every
    search finds what a search span by span finds, as early and as late."""
    lane, booked, position = Lane(), [], 0
    # in steps of 24 minutes: some ten spans in a stretch of the lane's skip index
    spans = [(gap * STEP, length * STEP) for gap, length in spans]
    changes = [(kind, start * STEP, length * STEP) for kind, start, length in changes]
    searches = [(position * STEP, seconds * STEP, lowest * STEP) for position, seconds, lowest in searches]
    for gap, length in spans:
        position += gap
        lane.book(position, position + length)
        booked.append((position, position + length))
        position += length

    def check():
        spans = list(zip(lane.starts, lane.ends, strict=True))
        for position, seconds, lowest in searches:
            assert lane.earliest(position, seconds) == _earliest(spans, position, seconds)
            assert lane.latest(position, seconds, lowest) == _latest(spans, position, seconds, lowest)

    check()
    for kind, start, length in changes:
        finish = start + length
        if kind == 3 and booked:
            lane.unbook(*booked.pop(start % len(booked)))
        elif kind == 2:
            lane.load(start, finish)
            booked = [span for span in booked if span[1] <= start or span[0] >= finish]  # merged into load
        elif lane.free(start, finish):
            lane.book(start, finish)
            booked.append((start, finish))
        check()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 9_999), max_size=4),
    st.lists(st.tuples(st.integers(0, 15_500_000), st.sampled_from([HOUR // 2, 2 * HOUR, 3 * HOUR])), max_size=8),
)
def test_a_lane_loaded_for_years_finds_the_same_gaps_past_whole_blocks(taken, searches):
    """Ten thousand hour-long spans half an hour apart (some eighty stretches, ten blocks of
    the skip index), a few taken back between searches: every search forward finds what a
    search span by span finds, past whole blocks where no gap is long enough."""
    lane = Lane()
    spans = [(n * 5_400, n * 5_400 + HOUR) for n in range(10_000)]
    for start, finish in spans:
        lane.book(start, finish)
    kept = list(spans)

    def check():
        for position, seconds in searches:
            assert lane.earliest(position, seconds) == _earliest(kept, position, seconds)

    check()
    for index in dict.fromkeys(taken):
        lane.unbook(*spans[index])
        kept.remove(spans[index])
        check()


def test_a_span_taken_back_in_a_crowded_lane_opens_its_gap_to_the_next_search():
    """Hour-long spans half an hour apart over weeks: a two-hour work order fits nowhere
    until one span is taken back; the searches before it have summed up the stretches, and
    the one after finds the new gap, from the start and from the end."""
    lane = Lane()
    spans = [(n * 5_400, n * 5_400 + HOUR) for n in range(2_000)]
    for start, finish in spans:
        lane.book(start, finish)
    last = spans[-1][1]
    assert lane.earliest(0, 2 * HOUR) == last
    assert lane.latest(last, 2 * HOUR, 0) is None
    # the first span of a stretch (a day of working time): the gap opened begins in the one before
    lane.unbook(*spans[704])
    assert lane.earliest(0, 2 * HOUR) == spans[703][1]
    assert lane.latest(last, 2 * HOUR, 0) == spans[705][0] - 2 * HOUR


def test_an_overload_booked_keeps_the_lane_sorted():
    """Load that exists past capacity is kept as one busy span, and nothing is placed in it."""
    center = Center("weld", SHOP)
    center.book(at("2026-06-12 06:00"), at("2026-06-12 22:00"))
    center.book(at("2026-06-12 08:00"), at("2026-06-12 10:00"))  # already there: an overload
    lane = center.lanes[0]
    assert lane.starts == sorted(lane.starts) and lane.ends == sorted(lane.ends)
    placed = Shop([center], now=at("2026-06-01 06:00")).place(Job("a", (("weld", 2 * HOUR),), at("2026-06-12 20:00")))
    assert local(placed.finish) == "2026-06-11 22:00"


def test_a_job_without_a_work_center_is_refused():
    with pytest.raises(ValueError):
        Shop([], now=0).place(Job("a", (), 0))


# ------------------------------------------------------------ sequences and the plan


def test_a_sequence_is_placed_backward_in_its_order():
    """Welding then assembly, due Friday 22:00: assembly last, welding before it."""
    shop = Shop([Center("weld", SHOP), Center("assemble", SHOP)], now=at("2026-06-01 06:00"))
    placed, bottleneck = shop.place_sequence(
        [Operation("w", (("weld", 4 * HOUR),)), Operation("a", (("assemble", 2 * HOUR),))], at("2026-06-12 22:00")
    )
    assert bottleneck is None
    assert [(p.key, local(p.start), local(p.finish)) for p in placed] == [
        ("w", "2026-06-12 16:00", "2026-06-12 20:00"),
        ("a", "2026-06-12 20:00", "2026-06-12 22:00"),
    ]


def test_a_sequence_that_cannot_fit_goes_forward_whole_and_names_its_bottleneck():
    """The welding station is full until Thursday evening: the order is late, welding binds."""
    now = at("2026-06-10 06:00")
    weld = Center("weld", SHOP)
    weld.book(now, at("2026-06-11 22:00"))
    shop = Shop([weld, Center("assemble", SHOP)], now=now)
    placed, bottleneck = shop.place_sequence(
        [Operation("w", (("weld", 4 * HOUR),)), Operation("a", (("assemble", 2 * HOUR),))], at("2026-06-11 22:00")
    )
    assert bottleneck == "weld"
    assert all(p.late for p in placed)
    assert [(local(p.start), local(p.finish)) for p in placed] == [
        ("2026-06-12 06:00", "2026-06-12 10:00"),
        ("2026-06-12 10:00", "2026-06-12 12:00"),
    ]


def _chain(operations_per_order, capacity=1, promise="2026-06-12 22:00"):
    """Orders of one manufacturing step each (on one welding center) and their promises."""
    steps, links = {}, []
    for index, hours in enumerate(operations_per_order):
        make = Step(
            ("make", index),
            SHOP,
            (Segment(WORK, SHOP, hours * HOUR),),
            operations=(Operation(("wo", index), (("weld", hours * HOUR),)),),
            operations_span=(0, 1),
            rank=index,
        )
        sale = Step(("sale", index), SHOP, promise=at(promise), rank=index)
        steps[make.key], steps[sale.key] = make, sale
        links.append(Link(make.key, sale.key))
    return steps, links


def test_the_plan_places_the_most_urgent_order_last_and_moves_the_others_earlier():
    steps, links = _chain([8, 8, 8])
    shop = Shop([Center("weld", SHOP)], now=at("2026-06-01 06:00"))
    plan = plan_backward(steps, links, "hour", shop=shop)
    starts = [local(plan.steps[("make", index)].start) for index in range(3)]
    assert starts == ["2026-06-12 14:00", "2026-06-12 06:00", "2026-06-11 14:00"]
    assert plan.capacity[("make", 0)].free_start == plan.steps[("make", 0)].start
    assert plan.capacity[("make", 2)].free_start > plan.steps[("make", 2)].start  # moved by capacity
    assert not any(dates.late for dates in plan.capacity.values())


def test_the_plan_names_the_order_that_cannot_make_its_promise():
    steps, links = _chain([16, 16], promise="2026-06-11 22:00")
    now = at("2026-06-10 12:00")
    plan = plan_backward(steps, links, "hour", shop=Shop([Center("weld", SHOP)], now=now))
    late = plan.capacity[("make", 1)]
    assert not plan.capacity[("make", 0)].late
    assert late.late and late.bottleneck == "weld" and late.earliest_finish > at("2026-06-11 22:00")
    assert plan.steps[("make", 1)].start >= now


def test_forward_with_a_shop_offers_the_date_the_load_allows():
    """Capable to promise: with the welding station busy this week, the earliest is later."""
    steps, links = _chain([8])
    now = at("2026-06-08 06:00")
    free = plan_forward(steps, links, "hour", now)[("make", 0)].finish
    weld = Center("weld", SHOP)
    weld.book(now, at("2026-06-10 22:00"))
    loaded = plan_forward(steps, links, "hour", now, shop=Shop([weld], now))[("make", 0)].finish
    assert local(free) == "2026-06-08 14:00" and local(loaded) == "2026-06-11 14:00"


@st.composite
def chains(draw):
    hours = draw(st.lists(st.integers(1, 24), min_size=1, max_size=12))
    capacity = draw(st.integers(1, 3))
    now = draw(st.integers(int(at("2026-05-01 00:00")), int(at("2026-06-10 00:00"))))
    return hours, capacity, now


@settings(max_examples=150, deadline=None)
@given(chains())
def test_the_plan_never_loads_a_center_past_capacity(case):
    hours, capacity, now = case
    steps, links = _chain(hours)
    plan = plan_backward(steps, links, "hour", shop=Shop([Center("weld", SHOP, capacity=capacity)], now))
    spans = [(p.start, p.finish) for placements in plan.placements.values() for p in placements]
    assert load_profile(spans) <= capacity
    for key, placements in plan.placements.items():
        assert all(p.start >= now for p in placements)
        assert plan.capacity[key].late == any(p.late for p in placements)
        if not plan.capacity[key].late:
            assert placements[-1].finish <= at("2026-06-12 22:00")


@settings(max_examples=100, deadline=None)
@given(chains())
def test_with_ample_capacity_the_plan_equals_the_infinite_plan(case):
    hours, _capacity, _now = case
    now = at("2026-04-01 06:00")  # far enough for every order to fit
    steps, links = _chain(hours)
    infinite = plan_backward(steps, links, "hour")
    finite = plan_backward(steps, links, "hour", shop=Shop([Center("weld", SHOP, capacity=len(hours))], now))
    assert {key: (d.start, d.finish) for key, d in finite.steps.items()} == {
        key: (d.start, d.finish) for key, d in infinite.steps.items()
    }
    assert [link.deadline for link in finite.links] == [link.deadline for link in infinite.links]


def test_load_by_day_counts_working_time_against_the_units():
    """Two units of two shifts: 32 hours a weekday; 20 hours booked on Friday, none Saturday."""
    friday, saturday, sunday = at("2026-06-12 00:00"), at("2026-06-13 00:00"), at("2026-06-14 00:00")
    intervals = [(at("2026-06-12 06:00"), at("2026-06-12 22:00")), (at("2026-06-12 10:00"), at("2026-06-12 14:00"))]
    rows = load_by_day(SHOP, 2, intervals, [(friday, saturday), (saturday, sunday)])
    assert [(available / HOUR, planned / HOUR) for _day, available, planned in rows] == [(32, 20), (0, 0)]
