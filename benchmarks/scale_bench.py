"""A factory of N open orders, built once through Odoo's own flow, and the heavy paths measured on it.

Run by ``./dev bench scale``, in three processes on copies of one database:

    scale_bench.py build   --orders N ...   the factory (once; ./dev keeps it as a template)
    scale_bench.py holiday ...              a public holiday crossing every order: the wait
                                            of the person saving it, the scheduled re-plan
                                            of them all, the process's peak memory
    scale_bench.py rest ...                 the watch (first pass, then steady), the open
                                            orders' timeline, the full finite-capacity re-plan
    scale_bench.py queue ...                the same holiday re-planned by the queue_job
                                            bridge's jobs, Odoo running with two workers
                                            (./dev installs the bridge on the copy first)

Every figure is printed as ``figure <key> <number>`` (times in seconds), with the queries
it took per order on the line above it; nothing is asserted.

The factory is the tests' (``backward_plan/tests/factory.py``) at the addon's default
settings: a bike assembled on two shifts from a welded frame (its tube bought, 3 days) and
two wheels (bought, 5 days), each order one bike. The orders are created and confirmed
through Odoo in batches of 100 as the salesperson, their plans agreed by the salesperson,
the planner and the buyer, the buyer confirming each batch's purchases, without mail
tracking (the build's only shortcut: a factory's chatter is not what is measured); no row
of the addon's tables is written here. The promises fall on three consecutive working days
two months out, so that a public holiday the week before lies inside every order's chain.
Each work center is one resource, as Odoo plans it (an order is two hours of assembly on two
shifts and one of welding in an office day): from a few hundred orders on, finite capacity
is far past what the centers can make by the promises, and the capacity re-plan measures
that overload.
"""

import argparse
import importlib.util
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import queue_bench  # beside this script

import odoo
from odoo.tools import config

BATCH = 100
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
}


def load_factory():
    """The tests' factory, loaded from its file (importing the tests package would load
    Odoo's test framework)."""
    path = Path(__file__).resolve().parent.parent / "backward_plan" / "tests" / "factory.py"
    spec = importlib.util.spec_from_file_location("backward_scale_factory", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_factory


def figure(key, value):
    print(f"figure {key} {value:.3f}" if isinstance(value, float) else f"figure {key} {value}", flush=True)


def promise_days(start, count=3):
    """``count`` working days (Monday to Friday) from ``start`` on, at 16:00."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day.replace(hour=16, minute=0, second=0, microsecond=0))
        day += timedelta(days=1)
    return days


def build(env, orders):
    create_factory = load_factory()
    env = env(context=dict(env.context, **QUIET))
    factory = create_factory(env, settings={})
    # the people who answer for the documents, as in a factory (a document of the
    # superuser's has nobody to warn)
    users = env["res.users"].with_context(no_reset_password=True)

    def user(login, *groups):
        groups = [env.ref(group).id for group in (*groups, "backward_plan.backward_management_group_user")]
        return users.create({"name": login.title(), "login": login, "groups_id": [(6, 0, groups)]})

    seller = user("scale seller", "sales_team.group_sale_salesman")
    planner = user("scale planner", "mrp.group_mrp_user", "stock.group_stock_user")
    buyer = user("scale buyer", "purchase.group_purchase_user", "stock.group_stock_user")
    (factory.vendor | factory.tube_vendor).buyer_id = buyer
    days = promise_days(datetime.now() + timedelta(days=60))
    env.cr.commit()
    sales = env["sale.order"].with_user(seller)
    started = time.perf_counter()
    for first in range(0, orders, BATCH):
        count = min(BATCH, orders - first)
        batch = sales.create(
            [
                {
                    "partner_id": factory.customer.id,
                    "user_id": seller.id,
                    "commitment_date": days[(first + n) * len(days) // orders],
                    "order_line": [(0, 0, {"product_id": factory.bike.id, "product_uom_qty": 1})],
                }
                for n in range(count)
            ]
        )
        batch.with_user(seller).action_confirm()
        # the three parties agree the plans (the agreed plan becomes Odoo's own dates), then
        # the buyer orders the batch's purchases, as a factory does each day
        batch.with_user(seller).action_backward_agree_sales()
        batch.with_user(planner).action_backward_agree_production()
        batch.with_user(buyer).action_backward_agree_purchase()
        purchases = batch.backward_deadline_ids.purchase_id.filtered(lambda po: po.state == "draft")
        purchases.with_user(buyer).button_confirm()
        env.cr.commit()
        env.invalidate_all()
        done = first + count
        if done % 500 == 0 or done == orders:
            elapsed = time.perf_counter() - started
            print(
                f"  {done:,} orders confirmed in {elapsed:.0f} s ({elapsed / done * 1000:.0f} ms an order)", flush=True
            )


def counts(env):
    orders = env["sale.order"].search_count([("state", "=", "sale"), ("backward_plan_state", "!=", "none")])
    links = env["backward.link"].search_count([])
    figure("orders", orders)
    figure("links", links)
    return orders


def timed(env, action, orders=None):
    """Seconds ``action`` took, its changes flushed (the commit after it not counted); with
    ``orders``, the queries it sent per order printed."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = action()
    env.flush_all()
    seconds = time.perf_counter() - started
    if orders:
        print(f"  {(env.cr.sql_log_count - queries) / orders:.2f} queries an order", flush=True)
    env.cr.commit()
    return seconds, result


def public_holiday(env):
    """Save a public holiday on the working day before the first promise: inside every
    order's chain (each starts days before its promise with its purchases). Returns the
    seconds the person saving it waited."""
    first = env["backward.deadline"].search(
        [("kind", "=", "customer"), ("state", "!=", "cancel")], order="date_deadline", limit=1
    )
    day = datetime.combine(first.date_deadline.date(), datetime.min.time()) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    wait, _leave = timed(
        env,
        lambda: env["resource.calendar.leaves"].create(
            {"name": "scale public holiday", "date_from": day, "date_to": day + timedelta(days=1)}
        ),
    )
    return wait


def holiday(env):
    """The holiday saved, then re-planned by the scheduled action in this process."""
    orders = counts(env)
    figure("holiday_wait_s", public_holiday(env))
    marked = env["sale.order"].search_count([("backward_replan_reason", "!=", False)])
    print(f"  orders the holiday touched: {marked:,}", flush=True)
    replanner = env["backward.replanner"]

    def replan_all():
        while replanner._cron_backward_replan():
            env.cr.commit()
            env.invalidate_all()  # as the cron's next call starts afresh

    seconds, _ = timed(env, replan_all, orders)
    figure("holiday_replan_s", seconds)
    # ru_maxrss: kilobytes on Linux; the process did nothing heavier before the re-plan
    figure("replan_peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def rest(env):
    orders = counts(env)
    watch = env["backward.watch"]

    def watch_pass():
        watch._cron_backward_watch()
        while watch._cron_backward_tell():
            pass

    first, _ = timed(env, watch_pass, orders)
    figure("watch_first_s", first)
    steady, _ = timed(env, watch_pass, orders)
    figure("watch_steady_s", steady)
    # the open orders' timeline, as the client action asks for it (no ids: the open orders)
    timeline, data = timed(env, env["backward.timeline"].get_timeline, orders)
    figure("timeline_s", timeline)
    print(f"  the timeline shows {len({row['order_id'] for row in data['rows']}):,} orders", flush=True)
    company = env.company
    company.backward_capacity = "finite"
    env.cr.commit()
    capacity = env["backward.capacity"]
    from odoo.addons.backward_capacity.models.backward_capacity_replan import REPLAN_CHUNK

    def full_replan():
        capacity._replan_companies(company)
        waiting = capacity._waiting_orders(company)
        while waiting:
            capacity._replan_capacity_chunk(waiting[:REPLAN_CHUNK])
            env.cr.commit()
            waiting = capacity._waiting_orders(company)

    seconds, _ = timed(env, full_replan, orders)
    figure("capacity_replan_s", seconds)
    late = env["backward.deadline"].search_count([("capacity_state", "=", "late"), ("state", "!=", "cancel")])
    print(f"  manufacturing orders late by capacity: {late:,}", flush=True)


def queue(env, args):
    """The same holiday, re-planned by the queue_job bridge's jobs: Odoo started with two
    workers and queue_job's runner; the wall time from the first job started to the last
    one done, as queue_job records them (``queue_bench.with_workers``)."""
    counts(env)
    public_holiday(env)
    wall, jobs, failed, retried = queue_bench.with_workers(env, args)
    figure("queue_replan_s", wall)
    print(f"  {jobs:,} jobs, {failed} failed, {retried} retries, {args.workers} workers", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["build", "holiday", "rest", "queue"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--odoo-bin", help="the queue step starts Odoo with workers")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    config.parse_config(
        [f"--addons-path={args.addons_path}", f"--data-dir={args.data_dir}", "--log-level=warn", "--max-cron-threads=0"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        steps = {
            "build": lambda: build(env, args.orders),
            "holiday": lambda: holiday(env),
            "rest": lambda: rest(env),
            "queue": lambda: queue(env, args),
        }
        steps[args.step]()
        cr.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
