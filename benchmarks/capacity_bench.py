"""Finite capacity against an exact solver: the pure core and OR-tools CP-SAT on the same shops.

    python benchmarks/capacity_bench.py [--seeds 3] [--seconds 60] [--sizes 10,30,100]

Each shop is generated from a seed: orders of 1 to 4 work orders in sequence, each on one
of the work centers for 1 to 8 hours (30-minute steps), four in ten with an alternative
center that takes up to half as long again; every center works two shifts on weekdays with
a holiday on the first Friday; the deadlines spread over the time the work would take at
the load asked for (light 0.5, tight 0.95, over 1.3 of the centers' time). Every order is
released now, a Tuesday mid-morning.

Both solve the same problem: place every work order on one of its centers, in working
time, one at a time per center, in its order, never before now; lateness is the working
time of the last work order's center between an order's deadline and its finish. The core
places the batch (``Shop.place_batch``); CP-SAT minimises the total lateness in working
time from the core's schedule as a hint, for ``--seconds`` at most. Printed: total
lateness (working hours), late orders, orders late only in the core, orders the core calls
late though they finish by their deadline, how early the work starts (average working hours
from an order's first work order to its deadline: just in time is less; CP-SAT's is
whatever its schedule gives, it is not asked for it), and run times; then the time to
place 10,000 work orders over 20 centers in one batch (``core_chain.capacity``).
Nothing is asserted: the figures go to the README and docs/benchmarks.md.
"""

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backward_plan"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scheduling import HOUR, Attendance, calendar_from_pattern
from scheduling.capacity import Center, Operation, Request, Shop

LOADS = {"light": 0.5, "tight": 0.95, "over": 1.3}
MINUTE = 60
SHIFTS = [Attendance(day, 6, 14) for day in range(5)] + [Attendance(day, 14, 22) for day in range(5)]
TZ = "Europe/Brussels"
NOW = datetime(2031, 4, 15, 7, 30, tzinfo=timezone.utc).timestamp()  # Tuesday 09:30 in Brussels
HOLIDAY = (  # Friday 18 April in Brussels
    datetime(2031, 4, 17, 22, tzinfo=timezone.utc).timestamp(),
    datetime(2031, 4, 18, 22, tzinfo=timezone.utc).timestamp(),
)
CALENDAR = calendar_from_pattern(SHIFTS, TZ, date(2031, 1, 1), date(2034, 12, 31), leaves=[HOLIDAY], name="two shifts")


def shop_instance(seed, orders, load):
    """``(centers, requests)`` of a seeded shop; ``requests``: ``capacity.Request``."""
    rng = Random(f"{seed}-{orders}-{load}")
    centers = max(3, round(orders**0.5 * 0.8))
    drafts, work = [], 0
    for index in range(orders):
        operations = []
        for step in range(rng.randint(1, 4)):
            center = rng.randrange(centers)
            seconds = rng.randint(2, 16) * 30 * MINUTE
            options = [(center, seconds)]
            if rng.random() < 0.4:
                other = rng.choice([key for key in range(centers) if key != center])
                options.append((other, round(seconds * rng.uniform(1.0, 1.5) / (30 * MINUTE)) * 30 * MINUTE))
            operations.append(Operation((index, step), tuple(options)))
            work += seconds
        drafts.append(operations)
    horizon = work / (centers * LOADS[load])  # working seconds the work would take at that load
    now = CALENDAR.position(NOW)
    requests = []
    for index, operations in enumerate(drafts):
        own = sum(operation.options[0][1] for operation in operations)
        due = now + max(own, round(rng.uniform(0.1, 1.0) * horizon / (30 * MINUTE)) * 30 * MINUTE)
        requests.append(Request(index, tuple(operations), CALENDAR.finish_at(due)))
    return centers, requests


def lateness(finish, deadline):
    """Working seconds from ``deadline`` to ``finish`` (0 when on time)."""
    return max(CALENDAR.position(finish) - CALENDAR.position(deadline), 0) if finish > deadline else 0


def solve_core(centers, requests):
    started = time.perf_counter()
    placed = Shop([Center(key, CALENDAR) for key in range(centers)], NOW).place_batch(requests)
    elapsed = time.perf_counter() - started
    rows = {}
    for request in requests:
        result = placed[request.key]
        finish, start = result.placements[-1].finish, result.placements[0].start
        rows[request.key] = {
            "lateness": lateness(finish, request.deadline),
            "reported": result.late,
            "finish": finish,
            "lead": CALENDAR.position(request.deadline) - CALENDAR.position(start),
            "placements": result.placements,
        }
    return rows, elapsed


def solve_cp_sat(centers, requests, core, seconds):
    """CP-SAT on the working-time axis, in minutes, hinted with the core's schedule."""
    from ortools.sat.python import cp_model

    now = int(CALENDAR.position(NOW)) // MINUTE
    model = cp_model.CpModel()
    upper = now + sum(max(s for _c, s in op.options) for r in requests for op in r.operations) // MINUTE
    upper = max(upper, max(int(CALENDAR.position(r.deadline)) // MINUTE for r in requests)) + 1
    by_center = {key: [] for key in range(centers)}
    tardiness, ends, firsts = [], {}, {}
    for request in requests:
        previous = None
        for step, operation in enumerate(request.operations):
            start = model.new_int_var(now, upper, f"s{request.key}_{step}")
            end = model.new_int_var(now, upper, f"e{request.key}_{step}")
            presences = []
            hinted = core[request.key]["placements"][step]
            for center, span in operation.options:
                present = model.new_bool_var(f"p{request.key}_{step}_{center}")
                interval = model.new_optional_interval_var(start, span // MINUTE, end, present, "")
                by_center[center].append(interval)
                presences.append(present)
                model.add_hint(present, hinted.center == center)
            model.add_exactly_one(presences)
            model.add_hint(start, int(CALENDAR.position(hinted.start)) // MINUTE)
            model.add_hint(end, int(CALENDAR.position(hinted.finish)) // MINUTE)
            if previous is not None:
                model.add(start >= previous)
            else:
                firsts[request.key] = start
            previous = end
        due = int(CALENDAR.position(request.deadline)) // MINUTE
        late = model.new_int_var(0, upper, f"t{request.key}")
        model.add(late >= previous - due)
        model.add_hint(late, int(core[request.key]["lateness"]) // MINUTE)
        tardiness.append(late)
        ends[request.key] = (previous, due)
    for intervals in by_center.values():
        model.add_no_overlap(intervals)
    model.minimize(sum(tardiness))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    started = time.perf_counter()
    status = solver.solve(model)
    elapsed = time.perf_counter() - started
    rows = {}
    for request in requests:
        end, due = ends[request.key]
        rows[request.key] = {
            "lateness": max(solver.value(end) - due, 0) * MINUTE,
            "lead": (due - solver.value(firsts[request.key])) * MINUTE,
        }
    return rows, elapsed, solver.status_name(status)


def run(args):
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"{'shop':<22}{'lateness h core/CP-SAT':>24}{'late core/CP':>14}{'only core':>11}{'false late':>12}"
        f"{'lead h core/CP':>16}{'core ms':>9}{'CP-SAT s':>10}  status"
    )
    summary = {}
    for size in sizes:
        for load in LOADS:
            for seed in range(args.seeds):
                centers, requests = shop_instance(seed, size, load)
                core, core_s = solve_core(centers, requests)
                exact, exact_s, status = solve_cp_sat(centers, requests, core, args.seconds)
                late_core = {key for key, row in core.items() if row["lateness"] > 0}
                late_exact = {key for key, row in exact.items() if row["lateness"] > 0}
                false_late = sum(core[r.key]["reported"] != (core[r.key]["finish"] > r.deadline) for r in requests)
                total_core = sum(row["lateness"] for row in core.values()) / HOUR
                total_exact = sum(row["lateness"] for row in exact.values()) / HOUR
                lead_core = statistics.mean(row["lead"] for row in core.values()) / HOUR
                lead_exact = statistics.mean(row["lead"] for row in exact.values()) / HOUR
                only_core = len(late_core - late_exact)
                name = f"{size} orders {centers} centers {load} #{seed}"
                print(
                    f"{name:<22}{total_core:>13.1f} /{total_exact:>8.1f}{len(late_core):>7} /{len(late_exact):>4}"
                    f"{only_core:>11}{false_late:>12}{lead_core:>9.1f} /{lead_exact:>5.1f}{core_s * 1000:>9.1f}"
                    f"{exact_s:>10.1f}  {status}",
                    flush=True,
                )
                cell = summary.setdefault((size, load), [])
                cell.append((total_core, total_exact, only_core, false_late, core_s))
    print()
    print("per size and load: total lateness core / CP-SAT (ratio), orders late only in the core, false late")
    for (size, load), cells in summary.items():
        core_total = sum(cell[0] for cell in cells)
        exact_total = sum(cell[1] for cell in cells)
        ratio = "equal" if core_total == exact_total else (f"{core_total / exact_total:.2f}x" if exact_total else "inf")
        print(
            f"  {size:>4} orders, {load:<6}: {core_total:8.1f} h / {exact_total:8.1f} h ({ratio}), "
            f"{sum(cell[2] for cell in cells)} late only in the core, {sum(cell[3] for cell in cells)} false late, "
            f"core {max(cell[4] for cell in cells) * 1000:.0f} ms at most"
        )


def large():
    """The speed target: 10,000 work orders over 20 work centers in one batch."""
    import core_chain

    core_chain.capacity(CALENDAR)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0, help="CP-SAT's time limit per shop")
    parser.add_argument("--sizes", default="10,30,100")
    run(parser.parse_args())
    print()
    large()


if __name__ == "__main__":
    main()
