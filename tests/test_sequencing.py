"""Finite capacity: the orders of a planning placed together (``Shop.place_batch``)."""

from itertools import permutations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduling import HOUR
from scheduling.capacity import Center, Operation, Request, Shop, load_profile

from factories import at, local, two_shifts

SHOP = two_shifts()


def request(key, deadline, *operations, not_before=None):
    """``operations``: ``(center, hours)`` or a tuple of them (alternatives)."""
    ops = []
    for step, option in enumerate(operations):
        options = option if isinstance(option[0], tuple) else (option,)
        ops.append(Operation((key, step), tuple((center, round(hours * HOUR)) for center, hours in options)))
    return Request(key, tuple(ops), deadline, not_before)


def test_an_order_that_can_finish_by_its_need_is_on_time():
    """Tuesday 13:30, due 16:30: an hour on B, then 2.5 h on A or 2 h on B. B then B fits;
    taking A, which finishes as late, would start too early for the hour on B."""
    shop = Shop([Center("A", SHOP), Center("B", SHOP)], now=at("2026-06-09 13:30"))
    placed = shop.place_batch([request("o", at("2026-06-09 16:30"), ("B", 1), (("A", 2.5), ("B", 2)))])["o"]
    assert not placed.late and placed.bottleneck is None
    assert [(p.center, local(p.start), local(p.finish)) for p in placed.placements] == [
        ("B", "2026-06-09 13:30", "2026-06-09 14:30"),
        ("B", "2026-06-09 14:30", "2026-06-09 16:30"),
    ]


def test_short_orders_leave_room_for_a_long_one():
    """Two hours due at noon, two due at 18:00, eight due at 22:00 on one center from 06:00:
    placed one by one just in time, the short ones would cut the day into four-hour gaps."""
    shop = Shop([Center("weld", SHOP)], now=at("2026-06-08 06:00"))
    placed = shop.place_batch(
        [
            request("a", at("2026-06-08 12:00"), ("weld", 2)),
            request("b", at("2026-06-08 18:00"), ("weld", 2)),
            request("c", at("2026-06-08 22:00"), ("weld", 8)),
        ]
    )
    assert not any(result.late for result in placed.values())
    spans = {key: (local(r.placements[0].start), local(r.placements[0].finish)) for key, r in placed.items()}
    # just in time: the long one ends at its deadline, the others as late as it leaves room for
    assert spans == {
        "c": ("2026-06-08 14:00", "2026-06-08 22:00"),
        "b": ("2026-06-08 12:00", "2026-06-08 14:00"),
        "a": ("2026-06-08 10:00", "2026-06-08 12:00"),
    }


def test_a_late_order_names_its_bottleneck_and_the_others_stay_on_time():
    """Twelve hours of welding due by noon from 06:00: one of two orders cannot make it."""
    shop = Shop([Center("weld", SHOP), Center("paint", SHOP)], now=at("2026-06-08 06:00"))
    placed = shop.place_batch(
        [
            request("a", at("2026-06-08 14:00"), ("weld", 6), ("paint", 1)),
            request("b", at("2026-06-08 14:00"), ("weld", 6), ("paint", 1)),
        ]
    )
    late = [key for key, result in placed.items() if result.late]
    assert len(late) == 1 and placed[late[0]].bottleneck == "weld"
    assert all(p.late for p in placed[late[0]].placements)


def test_a_batch_is_placed_the_same_way_twice():
    def place():
        shop = Shop([Center(0, SHOP), Center(1, SHOP)], now=at("2026-06-08 06:00"))
        batch = [request(i, at("2026-06-09 10:00") + i * HOUR, ((0, 3), (1, 4)), (i % 2, 2 + i % 3)) for i in range(8)]
        placed = shop.place_batch(batch)
        return {key: [(p.center, p.start, p.finish) for p in r.placements] for key, r in placed.items()}

    assert place() == place()


def test_the_shop_gives_the_repair_its_budget():
    """Nine orders on two centers, more than the day holds: the repair lowers the lateness
    of the first list; a shop with no budget for it keeps the first list (the full re-plan
    gives each chunk a smaller one, ``backward_capacity``)."""

    def lateness(budget):
        shop = Shop([Center(0, SHOP), Center(1, SHOP)], now=at("2026-06-08 06:00"), budget=budget)
        batch = [
            request(i, at("2026-06-08 14:00") + (i * 2 % 7) * HOUR, ((0, 3), (1, 4)), (i % 2, 2 + i % 3))
            for i in range(9)
        ]
        placed = shop.place_batch(batch)
        return sum(max(placed[r.key].placements[-1].finish - r.deadline, 0) for r in batch) / HOUR

    assert lateness(1) == 111
    assert lateness(Shop([], 0).budget) == 94


@st.composite
def batches(draw):
    now = draw(st.integers(int(at("2026-06-01 00:00")), int(at("2026-06-05 00:00"))))
    centers = [Center(key, SHOP, capacity=draw(st.integers(1, 2))) for key in range(draw(st.integers(1, 3)))]
    for center in centers:
        if draw(st.booleans()):
            start = now + draw(st.integers(0, 5 * 24)) * HOUR
            center.book(start, start + draw(st.integers(1, 10)) * HOUR)
    requests = []
    for key in range(draw(st.integers(1, 8))):
        operations = []
        for step in range(draw(st.integers(1, 3))):
            centers_of = draw(st.lists(st.sampled_from(range(len(centers))), min_size=1, max_size=2, unique=True))
            options = tuple((center, draw(st.integers(0, 16)) * 1800) for center in centers_of)
            operations.append(Operation((key, step), options))
        deadline = now + draw(st.integers(-24, 14 * 24)) * HOUR
        not_before = draw(st.one_of(st.none(), st.integers(now - 24 * HOUR, now + 5 * 24 * HOUR)))
        requests.append(Request(key, tuple(operations), deadline, not_before))
    return now, centers, requests


def working(center, start, finish):
    return center.calendar.position(start), center.calendar.position(finish)


@settings(max_examples=150, deadline=None)
@given(batches())
def test_a_batch_respects_capacity_working_time_order_and_the_present(case):
    """Never two work orders at once past a center's capacity in its working time (with
    the load there); each in working time, for its working seconds, after its predecessor,
    never before now nor its release; late exactly when it finishes after its deadline."""
    now, centers, requests = case
    by_key = {center.key: center for center in centers}
    existing = {
        center.key: [(s, f) for lane in center.lanes for s, f in zip(lane.starts, lane.ends, strict=True)]
        for center in centers
    }
    placed = Shop(centers, now).place_batch(requests)
    spans = {key: list(rows) for key, rows in existing.items()}
    for request_ in requests:
        result = placed[request_.key]
        ready = max(now, request_.not_before or now)
        for operation, placement in zip(request_.operations, result.placements, strict=True):
            center = by_key[placement.center]
            seconds = dict(operation.options)[placement.center]
            assert center.calendar.working_seconds(placement.start, placement.finish) == seconds
            assert placement.start >= ready
            ready = placement.finish
            spans[placement.center].append(working(center, placement.start, placement.finish))
        assert result.late == (result.placements[-1].finish > request_.deadline)
        assert all(p.late == result.late for p in result.placements)
    for key, rows in spans.items():
        assert load_profile(rows) <= by_key[key].capacity


@st.composite
def single_center(draw):
    """Up to five orders of one work order on one center, all released now."""
    now = int(at("2026-06-08 06:00"))
    hours = draw(st.lists(st.integers(1, 12), min_size=2, max_size=5))
    deadlines = [now + draw(st.integers(1, 4 * 24)) * HOUR for _ in hours]
    return now, hours, deadlines


@settings(max_examples=120, deadline=None)
@given(single_center())
# found by this test once: a repair alone missed the best of five orders by two hours
@example((1_780_891_200, [3, 1, 3, 8, 1], [1_780_927_200, 1_780_941_600, 1_780_923_600, 1_780_894_800, 1_780_894_800]))
def test_on_one_center_the_lateness_is_the_least_there_is(case):
    """Against every order of the orders (the exact answer on one center): the batch is as
    little late in all, and on time whenever some order of them is."""
    now, hours, deadlines = case
    calendar = SHOP
    batch = [
        request(index, deadline, ("weld", h)) for index, (h, deadline) in enumerate(zip(hours, deadlines, strict=True))
    ]
    placed = Shop([Center("weld", calendar)], now).place_batch(batch)

    def lateness(finish, deadline):
        return max(calendar.position(finish) - calendar.position(deadline), 0) if finish > deadline else 0

    core = sum(lateness(placed[i].placements[-1].finish, deadlines[i]) for i in range(len(hours)))
    best = None
    for order in permutations(range(len(hours))):
        position, total = calendar.position(now), 0
        for index in order:
            position += hours[index] * HOUR
            total += max(position - calendar.position(deadlines[index]), 0)
        best = total if best is None else min(best, total)
    assert core == best
