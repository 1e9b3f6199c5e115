"""Measure the addon inside Odoo: confirmation against native Odoo, re-planning queries.

Run by ``./dev bench`` with two databases copied from the same template: one without
the addon (native Odoo) and one with it. Prints figures and ratios; asserts nothing.
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import odoo
from odoo.tools import config

ROUNDS = 31


def load_factory():
    """The tests' factory, loaded from its file: importing the tests package would load
    Odoo's test framework, which only belongs in test runs."""
    path = Path(__file__).resolve().parent.parent / "backward_plan" / "tests" / "factory.py"
    spec = importlib.util.spec_from_file_location("backward_bench_factory", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_factory


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--native-database", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--data-dir", required=True)
    return parser.parse_args()


def new_order(env, factory, lines=1, product=None):
    order = env["sale.order"].create(
        {
            "partner_id": factory.customer.id,
            "commitment_date": datetime.now() + timedelta(days=60),
            "order_line": [
                (0, 0, {"product_id": (product or factory.bike).id, "product_uom_qty": 1}) for _ in range(lines)
            ],
        }
    )
    env.flush_all()
    return order


def measure(env, action):
    """(milliseconds, queries) of ``action()``, flush included."""
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    queries = cr.sql_log_count
    started = time.perf_counter()
    action()
    env.flush_all()
    return (time.perf_counter() - started) * 1000, cr.sql_log_count - queries


def confirmations(registries, factories):
    """Alternate native and planned confirmations of a one-line three-level MTO order."""
    figures = {name: [] for name in registries}
    names = list(registries)
    for round_ in range(ROUNDS + 3):
        # alternate who goes first, so that neither always runs on a warmer machine
        for name in names if round_ % 2 else reversed(names):
            env, _registry = registries[name]
            order = new_order(env, factories[name])
            elapsed, queries = measure(env, order.action_confirm)
            if round_ >= 3:  # warm-up rounds fill Odoo's caches
                figures[name].append((elapsed, queries))
    return figures


def settle(env):
    """Commit, then vacuum and analyze the watch's tables (outside any transaction)."""
    env.cr.commit()
    subprocess.run(
        ["psql", "-q", "-X", "-d", env.cr.dbname, "-c", "VACUUM ANALYZE backward_link, backward_deadline"],
        check=True,
    )
    env.invalidate_all()


def watch_pass(env, factory, links=100_000):
    """The watch over ``links`` open links (set-based), against bare UPDATEs of the same rows."""
    cr = env.cr
    order = new_order(env, factory)
    order.action_confirm()
    watch = env["backward.watch"]
    # settle the orders of the earlier benchmarks first: only the new links are measured
    watch._cron_backward_watch()
    while watch._cron_backward_tell():
        pass
    wheels = order.backward_deadline_ids.filtered(lambda deadline: deadline.kind == "purchase")[:1]
    line = wheels.purchase_line_id
    customer = order.backward_deadline_ids.filtered(lambda d: d.kind == "customer")
    company = env.company.id
    # one purchase step per link, each owing a handover to the order's promise; the
    # purchase's schedule is the plan's, so that nothing is at risk
    cr.execute(
        """
        INSERT INTO backward_deadline (name, step_key, kind, purchase_line_id, purchase_id, state, company_id,
               date_deadline, date_start_deadline, date_document_planned, calendar_id, segments, level)
        SELECT 'bench ' || n, 'bench,' || %(line)s || ',' || n, 'purchase', %(line)s, %(purchase)s,
               'in_progress', %(company)s, %(deadline)s, %(start)s, %(planned)s, %(calendar)s,
               %(segments)s::jsonb, 2
          FROM generate_series(1, %(links)s) AS n
        RETURNING id
        """,
        {
            "line": line.id,
            "purchase": line.order_id.id,
            "company": company,
            "deadline": wheels.date_deadline,
            "start": wheels.date_start_deadline,
            "planned": line.date_planned,
            "calendar": wheels.calendar_id.id,
            "segments": json.dumps(wheels.segments),
            "links": links,
        },
    )
    deadline_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        INSERT INTO backward_link (name, upstream_id, downstream_id, kind, sale_order_id, state, company_id,
               date_deadline, date_need, notified_state)
        SELECT 'bench', id, %(customer)s, 'purchase', %(order)s, 'open', %(company)s,
               %(deadline)s, %(need)s, 'open'
          FROM unnest(%(ids)s) AS id
        RETURNING id
        """,
        {
            "customer": customer.id,
            "order": order.id,
            "company": company,
            "ids": deadline_ids,
            "deadline": wheels.date_deadline,
            "need": wheels.downstream_link_ids[:1].date_need,
        },
    )
    link_ids = [row[0] for row in cr.fetchall()]
    cr.execute("UPDATE purchase_order SET state = 'purchase', date_approve = now() WHERE id = %s", [line.order_id.id])
    # the benchmark database is a throw-away copy: commit between passes, and vacuum as
    # autovacuum would between two passes of the watch an hour apart
    settle(env)
    first_ms, first_q = measure(env, watch._cron_backward_watch)
    settle(env)
    second_ms, second_q = measure(env, watch._cron_backward_watch)
    # a vendor moves the date of 1% of the steps by a day (their reference a day earlier)
    cr.execute(
        "UPDATE backward_deadline SET date_document_planned = %s WHERE id = ANY(%s)",
        [line.date_planned - timedelta(days=1), deadline_ids[: len(deadline_ids) // 100]],
    )
    settle(env)
    third_ms, third_q = measure(env, watch._cron_backward_watch)
    settle(env)
    started = time.perf_counter()
    cr.execute("UPDATE backward_link SET state = state WHERE id = ANY(%s)", [link_ids])
    cr.execute("UPDATE backward_deadline SET state = state WHERE id = ANY(%s)", [deadline_ids])
    bare_ms = (time.perf_counter() - started) * 1000
    # a public holiday saved while these steps are open: the person saving it waits for the
    # marking only (one scan of the steps); the re-plan runs in the scheduled action
    cr.execute(
        "INSERT INTO backward_deadline_sale_order_rel (deadline_id, order_id) SELECT unnest(%s::int[]), %s",
        [deadline_ids, order.id],
    )
    settle(env)
    leaves = env["resource.calendar.leaves"]
    holiday_ms, holiday_q = measure(
        env,
        lambda: leaves.create(
            {
                "name": "bench holiday",
                "date_from": wheels.date_deadline - timedelta(hours=12),
                "date_to": wheels.date_deadline + timedelta(hours=12),
            }
        ),
    )
    print(f"watch over {len(link_ids):,} open links (and as many steps):")
    print(f"  first pass (every expectation new): {first_ms:7.0f} ms  {first_q:4d} queries")
    print(f"  second pass (nothing changed):      {second_ms:7.0f} ms  {second_q:4d} queries")
    print(f"  third pass (1% of the steps moved): {third_ms:7.0f} ms  {third_q:4d} queries")
    print(f"  bare SQL UPDATE of the same rows:   {bare_ms:7.0f} ms")
    print(f"  ratio first pass / bare UPDATE:     {first_ms / bare_ms:7.2f} x (target <= 3 x, <= 5 s)")
    print(f"a public holiday saved over these {len(deadline_ids):,} open steps:")
    print(f"  the wait of the person saving it:   {holiday_ms:7.0f} ms  {holiday_q:4d} queries (target <= 1 s)")


def timeline(env, factory):
    """The chain timeline's data: one order, then the open orders (10, then 60 of them)."""
    print("chain timeline (queries whatever the number of orders):")
    orders = env["sale.order"]
    get = env["backward.timeline"].get_timeline
    for count in (10, 60):
        while len(orders) < count:
            order = new_order(env, factory)
            order.action_confirm()
            orders |= order
        first = orders[:1].ids
        one_ms, one_q = measure(env, lambda first=first: get("sale.order", first))
        many_ms, many_q = measure(env, get)
        shown = len({row["order_id"] for row in get()["rows"]})
        print(
            f"  one order {one_q:3d} queries {one_ms:6.1f} ms; "
            f"the open orders ({shown} shown) {many_q:3d} queries {many_ms:6.1f} ms"
        )


def replan_after_change(env):
    """The scheduled re-plan after a change: one chunk of 50 marked orders."""
    orders = env["sale.order"].search([("state", "=", "sale"), ("backward_plan_state", "!=", "none")], limit=50)
    env["backward.replanner"]._mark(orders.ids, "bench")
    elapsed, queries = measure(env, env["backward.replanner"]._cron_backward_replan)
    per_order = elapsed / max(len(orders), 1)
    print(f"re-plan after a change, one chunk of {len(orders)} orders:")
    print(
        f"  {elapsed:7.0f} ms  {queries:5d} queries: {per_order:.0f} ms and {queries / max(len(orders), 1):.0f} "
        f"queries per order (10,000 orders: about {per_order * 10_000 / 60_000:.0f} min in the scheduled action)"
    )


def holiday_under_open_orders(env, factory, count):
    """A public holiday saved under ``count`` real open orders (three-level chains confirmed
    through Odoo; BM_BENCH_ORDERS, 500 by default), crossing every one of them: the wait of
    the person saving it, then the scheduled re-plan of them all, chunk after chunk, as
    Odoo's cron runs it."""
    orders = env["sale.order"]
    started = time.perf_counter()
    promise = datetime.now() + timedelta(days=60)
    for first in range(0, count, 100):
        batch = env["sale.order"].create(
            [
                {
                    "partner_id": factory.customer.id,
                    "commitment_date": promise,
                    "order_line": [(0, 0, {"product_id": factory.bike.id, "product_uom_qty": 1})],
                }
                for _ in range(min(100, count - first))
            ]
        )
        batch.action_confirm()
        # the buyer orders each day's purchases: one purchase per sale, as in a factory
        batch.backward_deadline_ids.purchase_id.filtered(lambda po: po.state == "draft").button_confirm()
        orders |= batch
        env.flush_all()
        env.invalidate_all()
    created = time.perf_counter() - started
    settle(env)
    steps = env["backward.deadline"].search_count([("sale_order_ids", "in", orders.ids), ("state", "!=", "cancel")])
    # a day off on the day the bikes are made: every order has a step in it
    bike = orders[:1].backward_deadline_ids.filtered(lambda d: d.kind == "production" and d.product_id == factory.bike)
    holiday = datetime.combine(bike.date_start_deadline.date(), datetime.min.time())
    wait_ms, wait_q = measure(
        env,
        lambda: env["resource.calendar.leaves"].create(
            {"name": "bench public holiday", "date_from": holiday, "date_to": holiday + timedelta(days=1)}
        ),
    )
    marked = env["sale.order"].search_count([("backward_replan_reason", "!=", False)])
    replanner = env["backward.replanner"]
    chunks = [0]

    def replan_all():
        while replanner._cron_backward_replan():
            chunks[0] += 1
            env.invalidate_all()  # as the cron's next call starts afresh
        chunks[0] += 1

    replan_ms, replan_q = measure(env, replan_all)
    batch = env["backward.replan.batch"].search([("name", "ilike", "bench public holiday")], limit=1)
    print(f"a public holiday under {count:,} open orders ({steps:,} steps; created in {created:.0f} s):")
    print(f"  the wait of the person saving it:   {wait_ms:7.0f} ms  {wait_q:5d} queries (target <= 1 s)")
    print(f"  orders it touched:                  {marked:7,d}")
    print(
        f"  the scheduled re-plan of them all:  {replan_ms / 1000:7.1f} s  {replan_q:7,d} queries "
        f"in {chunks[0]} chunks: {replan_ms / max(marked, 1):.1f} ms and "
        f"{replan_q / max(marked, 1):.1f} queries per order"
    )
    print(f"  orders moved / promises endangered: {batch.moved_count:,} / {batch.endangered_count:,}")


def finite_capacity(env, factory):
    """Finite capacity over the open orders left by the holiday benchmark: a confirmation
    placed among them against one with infinite capacity, then the full re-plan of them all
    (the button and the scheduled action), most urgent first."""
    company = factory.company
    capacity = env["backward.capacity"]

    def confirm_one():
        order = new_order(env, factory)
        env.flush_all()
        return measure(env, order.action_confirm)

    infinite = [confirm_one() for _ in range(5)]
    company.backward_capacity = "finite"
    finite = [confirm_one() for _ in range(5)]
    orders = capacity._open_orders(company)
    productions = orders.backward_deadline_ids.production_id
    workorders = env["mrp.workorder"].search_count([("production_id", "in", productions.ids)])
    from odoo.addons.backward_capacity.models.backward_capacity_replan import REPLAN_CHUNK

    def full_replan():
        # the button starts it; past a few chunks the scheduled action goes on, a chunk a
        # call: both are measured, as a factory waits for both
        capacity._replan_companies(company)
        waiting = capacity._waiting_orders(company)
        while waiting:
            capacity._replan_capacity_chunk(waiting[:REPLAN_CHUNK])
            waiting = capacity._waiting_orders(company)

    replan_ms, replan_q = measure(env, full_replan)
    late = env["backward.deadline"].search_count(
        [("capacity_state", "=", "late"), ("company_id", "=", company.id), ("state", "!=", "cancel")]
    )
    env.cr.execute(
        """
        SELECT count(*) FROM mrp_workorder a JOIN mrp_workorder b
            ON a.workcenter_id = b.workcenter_id AND a.id < b.id
           AND a.date_start < b.date_finished AND b.date_start < a.date_finished
         WHERE a.production_id = ANY(%s) AND b.production_id = ANY(%s)
        """,
        [productions.ids, productions.ids],
    )
    overlapping = env.cr.fetchone()[0]
    company.backward_capacity = "infinite"
    inf_ms = statistics.median(ms for ms, _q in infinite)
    fin_ms = statistics.median(ms for ms, _q in finite)
    inf_q = statistics.median(q for _ms, q in infinite)
    fin_q = statistics.median(q for _ms, q in finite)
    print("finite capacity:")
    print(f"  confirmation, infinite capacity:    {inf_ms:7.1f} ms  {inf_q:5.0f} queries (median of 5)")
    print(
        f"  confirmation, finite capacity:      {fin_ms:7.1f} ms  {fin_q:5.0f} queries "
        f"({fin_ms / inf_ms:.2f} x time, among {workorders:,} placed work orders)"
    )
    print(
        f"  full re-plan of {len(orders):,} open orders ({workorders:,} work orders): {replan_ms / 1000:7.1f} s  "
        f"{replan_q:,} queries: {replan_q / max(len(orders), 1):.1f} per order, "
        f"{replan_q / max(workorders, 1):.2f} per work order"
    )
    print(f"  manufacturing orders late by capacity: {late:,}; overlapping work orders: {overlapping}")


def main():
    args = parse()
    config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--data-dir={args.data_dir}",
            "--log-level=warn",
            "--max-cron-threads=0",
        ]
    )
    create_factory = load_factory()

    registries, factories, cursors = {}, {}, []
    for name, database in (("native", args.native_database), ("planned", args.database)):
        registry = odoo.modules.registry.Registry(database)
        cr = registry.cursor()
        cursors.append(cr)
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        registries[name] = (env, registry)
        factories[name] = create_factory(env)
    try:
        figures = confirmations(registries, factories)
        native_ms = statistics.median(ms for ms, _q in figures["native"])
        planned_ms = statistics.median(ms for ms, _q in figures["planned"])
        native_q = statistics.median(q for _ms, q in figures["native"])
        planned_q = statistics.median(q for _ms, q in figures["planned"])
        print(f"confirmation, native Odoo:        {native_ms:7.1f} ms  {native_q:5.0f} queries (median of {ROUNDS})")
        print(f"confirmation, with planning:      {planned_ms:7.1f} ms  {planned_q:5.0f} queries")
        # the median of the paired ratios is steadier than the ratio of the medians
        time_ratio = statistics.median(p[0] / n[0] for p, n in zip(figures["planned"], figures["native"], strict=True))
        query_ratio = planned_q / native_q
        print(f"confirmation ratio:               {time_ratio:7.2f} x time, {query_ratio:.2f} x queries")
        print("                                  (target <= 1.10 x time)")

        env, _registry = registries["planned"]
        factory = factories["planned"]
        planner = env["backward.planner"]
        print("re-planning one order (queries whatever the chain's size; target <= 25):")
        for lines in (1, 5, 20):
            order = new_order(env, factory, lines=lines)
            order.action_confirm()
            steps = len(order.backward_deadline_ids)
            elapsed, queries = measure(env, lambda order=order: planner._plan_sale_orders(order, "bench"))
            # move the date behind the ORM's back, so that only the re-planning is measured
            env.cr.execute(
                "UPDATE sale_order SET commitment_date = commitment_date - interval '3 days' WHERE id = %s",
                [order.id],
            )
            order.invalidate_recordset(["commitment_date"])
            moved_ms, moved_q = measure(env, lambda order=order: planner._plan_sale_orders(order, "bench"))
            print(
                f"  {lines:3d} line(s), {steps:4d} steps: unchanged {queries:3d} queries {elapsed:6.1f} ms; "
                f"delivery date moved {moved_q:3d} queries {moved_ms:6.1f} ms"
            )
        timeline(env, factory)
        replan_after_change(env)
        holiday_under_open_orders(env, factory, int(os.environ.get("BM_BENCH_ORDERS", "500")))
        finite_capacity(env, factory)
        watch_pass(env, factory)
    finally:
        for cr in cursors:
            cr.rollback()
            cr.close()


if __name__ == "__main__":
    main()
