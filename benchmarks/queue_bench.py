"""Re-plan N open orders after a public holiday: one process (the scheduled action, chunk
after chunk) against the queue_job bridge's jobs run by Odoo with 2 workers.

Run by ``./dev bench queue`` on a database with the bridge installed; N is BM_BENCH_ORDERS
(500 by default: confirming orders through Odoo takes about 0.4 s each here).
"""

import argparse
import importlib.util
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import odoo
from odoo.tools import config


def load_factory():
    path = Path(__file__).resolve().parent.parent / "backward_plan" / "tests" / "factory.py"
    spec = importlib.util.spec_from_file_location("backward_bench_factory", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_factory


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


# the job queueing the re-plans of a change, and the re-plans
METHODS = ["_backward_dispatch_replans", "_backward_replan_job"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_orders(env, factory, count):
    orders = env["sale.order"]
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
        orders |= batch
        env.cr.commit()
        env.invalidate_all()
    return orders


def holiday(env, factory, orders, offset):
    """A public holiday on a working day inside every plan (a different one each time)."""
    bike = orders[:1].backward_deadline_ids.filtered(lambda d: d.kind == "production" and d.product_id == factory.bike)
    day = datetime.combine(bike.date_start_deadline.date(), datetime.min.time()) - timedelta(days=offset)
    env["resource.calendar.leaves"].create(
        {"name": f"bench holiday {offset}", "date_from": day, "date_to": day + timedelta(days=1)}
    )
    env.cr.commit()


def marked(env):
    env.cr.execute("SELECT count(*) FROM sale_order WHERE backward_replan_reason IS NOT NULL")
    return env.cr.fetchone()[0]


def one_process(env):
    """The scheduled action as Odoo's cron calls it, chunk after chunk, in this process."""
    replanner = env["backward.replanner"]
    env.cr.execute("DELETE FROM queue_job")  # the jobs the bridge queued: this run is the cron's
    env.cr.commit()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    chunks = 1
    while replanner._cron_backward_replan():
        env.cr.commit()
        env.invalidate_all()
        chunks += 1
    env.cr.commit()
    return time.perf_counter() - started, env.cr.sql_log_count - queries, chunks


def with_workers(env, args):
    """Odoo started with workers and queue_job's runner; wall time from the first job started
    (the one queueing the re-plans, ``_wake``) to the last re-plan done, as queue_job records
    them."""
    env.cr.commit()
    port = free_port()
    command = [
        sys.executable,
        args.odoo_bin,
        f"--addons-path={args.addons_path}",
        f"--data-dir={args.data_dir}",
        f"--database={args.database}",
        f"--db-filter=^{args.database}$",
        f"--http-port={port}",
        f"--workers={args.workers}",
        "--max-cron-threads=0",
        "--load=base,web,queue_job",
        "--log-level=warn",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
    ]
    env_vars = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=f"root:{args.workers},root.backward_management:{args.workers}")
    server = subprocess.Popen(command, env=env_vars, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 3600
        while time.time() < deadline:
            time.sleep(1)
            if server.poll() is not None:
                raise RuntimeError(f"Odoo stopped (exit code {server.returncode}): {' '.join(command)}")
            env.cr.execute(
                "SELECT count(*) FROM queue_job WHERE method_name = ANY(%s) "
                "AND state NOT IN ('done', 'failed', 'cancelled')",
                [METHODS],
            )
            if not env.cr.fetchone()[0]:
                break
            env.cr.commit()
    finally:
        server.terminate()
        server.wait(timeout=60)
    env.cr.execute(
        """
        SELECT EXTRACT(EPOCH FROM max(date_done) - min(date_started)),
               count(*) FILTER (WHERE method_name = '_backward_replan_job'),
               count(*) FILTER (WHERE state = 'failed'), sum(retry - 1) FILTER (WHERE retry > 1)
          FROM queue_job WHERE method_name = ANY(%s)
        """,
        [METHODS],
    )
    wall, jobs, failed, retried = env.cr.fetchone()
    env.cr.commit()
    return float(wall or 0), jobs, failed, retried or 0


def job_queries(env, factory, orders):
    """Queries of one job of the bridge, performed in this process, per order it re-plans."""
    from odoo.addons.queue_job.job import Job

    holiday(env, factory, orders, 14)

    def pending(method):
        env.cr.execute(
            "SELECT uuid FROM queue_job WHERE state = 'pending' AND method_name = %s ORDER BY id LIMIT 1", [method]
        )
        return Job.load(env, env.cr.fetchone()[0])

    pending(METHODS[0]).perform()  # the re-plans queued
    env.flush_all()
    job = pending(METHODS[1])
    before_marked = marked(env)
    env.invalidate_all()
    queries = env.cr.sql_log_count
    job.perform()
    env.flush_all()
    spent = env.cr.sql_log_count - queries
    done = before_marked - marked(env)
    env.cr.rollback()
    return spent, done


def main():
    args = parse()
    config.parse_config(
        [f"--addons-path={args.addons_path}", f"--data-dir={args.data_dir}", "--log-level=warn", "--max-cron-threads=0"]
    )
    count = int(os.environ.get("BM_BENCH_ORDERS", "500"))
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        factory = load_factory()(env)
        started = time.perf_counter()
        orders = open_orders(env, factory, count)
        created = time.perf_counter() - started
        print(f"re-plan {len(orders):,} open orders after a public holiday (confirmed in {created:.0f} s):")
        holiday(env, factory, orders, 0)
        touched = marked(env)
        seconds, queries, chunks = one_process(env)
        print(
            f"  one process (the scheduled action):  {seconds:7.1f} s  {chunks} chunks, "
            f"{queries / max(touched, 1):.1f} queries per order ({touched:,} orders)"
        )
        holiday(env, factory, orders, 7)
        wall, jobs, failed, retried = with_workers(env, args)
        print(
            f"  queue_job, {args.workers} workers:             {wall:7.1f} s  {jobs} jobs "
            f"({failed} failed, {retried} retries)"
        )
        spent, done = job_queries(env, factory, orders)
        print(f"  one job performed alone:            {spent / max(done, 1):.1f} queries per order ({done} orders)")
        print(f"  ratio one process / workers:        {seconds / max(wall, 0.001):.2f} x")


if __name__ == "__main__":
    main()
