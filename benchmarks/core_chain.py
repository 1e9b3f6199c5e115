"""Time the pure scheduling core on a long chain (no database, no Odoo).

    python benchmarks/core_chain.py [steps]

A chain of ``steps`` steps alternating manufacturing (an hour of work on a two-shift
calendar) and transfers (an hour of elapsed time landing in the shifts), every handover
with a 15-minute buffer, delivered on an office calendar in another timezone; planned
backward from one promise and forward from the earliest start, at hour granularity.
"""

import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backward_plan"))

from scheduling import (
    HOUR,
    Attendance,
    Link,
    Step,
    calendar_from_pattern,
    elapsed,
    plan_backward,
    plan_forward,
    work,
)


def build(steps):
    shifts = [Attendance(d, 6, 14) for d in range(5)] + [Attendance(d, 14, 22) for d in range(5)]
    office = [Attendance(d, 8, 12) for d in range(5)] + [Attendance(d, 13, 17) for d in range(5)]
    # an hour or two a step: 100,000 steps span about 50 years of working time
    first, last = date(1940, 1, 1), date(2031, 12, 31)
    shop = calendar_from_pattern(shifts, "Europe/Brussels", first, last, name="shop")
    desk = calendar_from_pattern(office, "America/New_York", first, last, name="office")
    promise = datetime(2031, 6, 1, 15, tzinfo=timezone.utc).timestamp()
    chain = {0: Step(0, desk, (), promise=promise)}
    links = []
    for key in range(1, steps):
        if key % 2:
            chain[key] = Step(key, shop, (work(shop, 1),))
        else:
            chain[key] = Step(key, shop, (elapsed(shop, 1),))
        links.append(Link(key, key - 1, HOUR // 4))
    return chain, links, (shop, desk)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    started = time.perf_counter()
    chain, links, calendars = build(steps)
    built = time.perf_counter()
    plan = plan_backward(chain, links, "hour")
    backward = time.perf_counter()
    forward = plan_forward(chain, links, "hour", min(d.start for d in plan.steps.values()))
    done = time.perf_counter()
    intervals = sum(len(calendar.starts) for calendar in calendars)
    print(f"core: {steps:,} steps, {intervals:,} calendar intervals")
    print(f"core: calendars built in {built - started:.2f} s (once per planning, not per step)")
    print(f"core: backward pass {backward - built:.2f} s, forward pass {done - backward:.2f} s")
    print(f"core: plan of {steps:,} steps in {done - built:.2f} s (target <= 2 s)")
    assert len(plan.steps) == steps and len(forward) == steps
    capacity(calendars[0])


def capacity(shop, jobs=10_000, centers=20):
    """Finite capacity: ``jobs`` work orders of 1-7 hours over ``centers`` one-unit work
    centers on two shifts, due over 26 weeks (about 0.95x what the centers can do, so
    that the busy weeks overflow): placed in one batch (``Shop.place_batch``)."""
    from random import Random

    from scheduling.capacity import Center, Operation, Request, Shop

    rng = Random(13)
    now = datetime(2031, 1, 6, 5, tzinfo=timezone.utc).timestamp()
    work_orders = [
        Request(
            index,
            (
                Operation(
                    index,
                    tuple((rng.randrange(centers), rng.randrange(1, 8) * HOUR) for _ in range(rng.choice((1, 1, 2)))),
                ),
            ),
            now + rng.randrange(1, 26 * 7 * 24) * HOUR,
        )
        for index in range(jobs)
    ]
    started = time.perf_counter()
    shop_floor = Shop([Center(key, shop) for key in range(centers)], now)
    placed = shop_floor.place_batch(work_orders)
    elapsed_s = time.perf_counter() - started
    late = sum(result.late for result in placed.values())
    print(
        f"core: finite capacity, {jobs:,} work orders over {centers} work centers placed in one batch in "
        f"{elapsed_s:.2f} s, {late:,} late (target <= 2 s)"
    )


if __name__ == "__main__":
    main()
