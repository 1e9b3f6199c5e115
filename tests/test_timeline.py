"""What the chain timeline draws: slack to the promise, the critical path, idle time."""

from hypothesis import given
from hypothesis import strategies as st

from scheduling.timeline import critical_steps, idle_intervals, slack_to_promise

HOURS = st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)
DELAYS = st.floats(min_value=-50, max_value=300, allow_nan=False, allow_infinity=False)


def _bike(wheel_delay=0.0, buffer=4.0):
    """wheels -> receipt -> bike MO -> delivery -> customer, and tubes -> frame MO -> bike MO.

    As the watch stores it, each link's delay is what reaches it, net of the slack before.
    """
    receipt = max(0.0, wheel_delay - buffer)
    bike = max(0.0, receipt - buffer)
    delivery = max(0.0, bike - buffer)
    return [
        ("wheels", "receipt", buffer, wheel_delay),
        ("receipt", "bike", buffer, receipt),
        ("tubes", "frame", buffer, 0.0),
        ("frame", "bike", buffer, 0.0),
        ("bike", "delivery", buffer, bike),
        ("delivery", "customer", buffer, delivery),
    ]


def test_on_plan_every_step_keeps_the_buffers_between_it_and_the_customer():
    slack = slack_to_promise(_bike())
    assert slack == {"wheels": 16.0, "receipt": 12.0, "tubes": 16.0, "frame": 12.0, "bike": 8.0, "delivery": 4.0}
    assert critical_steps(slack) == set()


def test_an_absorbed_delay_leaves_the_rest_of_the_slack():
    slack = slack_to_promise(_bike(wheel_delay=6.0))
    assert slack["wheels"] == 10.0
    assert slack["frame"] == 12.0
    assert critical_steps(slack) == set()


def test_a_purchase_that_eats_every_buffer_is_critical_with_what_it_delays():
    """The wheels 20 h late on 4 h buffers: the customer waits 4 h; the wheels, their
    receipt, the bike and the delivery have no margin; the frame's branch keeps its own."""
    slack = slack_to_promise(_bike(wheel_delay=20.0))
    assert critical_steps(slack) == {"wheels", "receipt", "bike", "delivery"}
    assert slack["frame"] == 4.0
    assert slack["tubes"] == 8.0


def test_exactly_on_the_need_is_no_margin_left():
    slack = slack_to_promise(_bike(wheel_delay=16.0))
    assert slack["wheels"] == 0.0
    assert "wheels" in critical_steps(slack)


def test_a_shared_step_keeps_its_least_margin():
    links = [
        ("tubes", "frame A", 5.0, 0.0),
        ("tubes", "frame B", 1.0, 0.0),
        ("frame A", "c", 1.0, 0),
        ("frame B", "c", 0, 0),
    ]
    assert slack_to_promise(links)["tubes"] == 1.0


def test_a_loop_ends_instead_of_recursing_forever():
    """The planner refuses loops; a stored one must still not hang the picture."""
    assert set(slack_to_promise([("a", "b", 1.0, 0.0), ("b", "a", 1.0, 0.0)])) == {"a", "b"}


@given(st.lists(st.tuples(HOURS, HOURS), min_size=1, max_size=8), HOURS)
def test_on_a_line_the_margin_is_how_much_more_the_first_step_may_lose(rows, extra):
    """A straight chain whose delays the watch carries down net of slack: adding the
    first step's margin to its delay leaves the customer's wait unchanged; an hour more
    than the margin makes the customer wait longer (the definition, checked by propagation)."""
    names = [f"s{index}" for index in range(len(rows))] + ["customer"]

    def final_wait(first_delay):
        delay = first_delay
        for index, (slack, own) in enumerate(rows):
            if index:
                delay = max(0.0, delay) + own
            last_remaining = slack - delay
            delay = max(0.0, delay - slack)
        return max(0.0, -last_remaining)

    def links(first_delay):
        result, delay = [], first_delay
        for index, (slack, own) in enumerate(rows):
            if index:
                delay = max(0.0, delay) + own
            result.append((names[index], names[index + 1], slack, delay))
            delay = max(0.0, delay - slack)
        return result

    first_delay = rows[0][1]
    margin = slack_to_promise(links(first_delay))["s0"]
    base = final_wait(first_delay)
    assert final_wait(first_delay + margin) <= base + 1e-6
    assert final_wait(first_delay + margin + 1.0) > base
    assert ("s0" in critical_steps({"s0": margin})) == (margin <= 0.005)


def test_idle_time_is_what_lies_between_the_working_intervals():
    assert idle_intervals([10, 30], [20, 40], 0, 50) == [(0, 10), (20, 30), (40, 50)]
    assert idle_intervals([10, 30], [20, 40], 15, 35) == [(20, 30)]
    assert idle_intervals([], [], 0, 5) == [(0, 5)]


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=2, max_size=20))
def test_idle_and_working_time_cover_the_window_exactly(widths):
    starts, ends, cursor = [], [], 0
    for index, width in enumerate(widths):
        if index % 2:
            starts.append(cursor)
            ends.append(cursor + width)
        cursor += width
    first, last = 0, cursor
    idle = idle_intervals(starts, ends, first, last)
    working = sum(min(end, last) - max(start, first) for start, end in zip(starts, ends, strict=True))
    assert sum(end - start for start, end in idle) + working == last - first
    assert all(start < end for start, end in idle)
