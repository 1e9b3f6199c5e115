"""Measure the addon inside Odoo: confirmation against native Odoo, re-planning queries.

Run by ``./dev bench`` with two databases copied from the same template: one without
the addon (native Odoo) and one with it. Prints figures and ratios; asserts nothing.
"""

import argparse
import importlib.util
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import odoo
from odoo.tools import config

ROUNDS = 25


def load_factory():
    """The tests' factory, loaded from its file: importing the tests package would load
    Odoo's test framework, which only belongs in test runs."""
    path = Path(__file__).resolve().parent.parent / "backward_management" / "tests" / "factory.py"
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
    for round_ in range(ROUNDS + 3):
        for name, (env, _registry) in registries.items():
            order = new_order(env, factories[name])
            elapsed, queries = measure(env, order.action_confirm)
            if round_ >= 3:  # warm-up rounds fill Odoo's caches
                figures[name].append((elapsed, queries))
    return figures


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
        time_ratio, query_ratio = planned_ms / native_ms, planned_q / native_q
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
    finally:
        for cr in cursors:
            cr.rollback()
            cr.close()


if __name__ == "__main__":
    main()
