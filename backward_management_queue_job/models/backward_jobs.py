"""The jobs: each calls the core's entry point for one batch of work, nothing more.

A batch is a *bucket* of sale orders by id (ids ``[k * size, (k + 1) * size)``): a job's
identity key names its bucket, so that while a job waits, no second job is queued for the
same orders (queue_job skips a job whose identity key is already waiting). When it runs,
the job takes what is still to do in its bucket then, so that orders marked after it was
queued are not forgotten. Two workers never work on one bucket at once: the second
finds it locked and is retried later, as it is after a serialization failure.
"""

from contextlib import contextmanager

from odoo import _, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

CHANNEL = "root.backward_management"
# tries before a job fails: with the job functions' pattern (2 s, 30 s from the 5th, 5 min
# from the 10th), about an hour of another worker holding the same orders
MAX_RETRIES = 20
REPLAN_BUCKET = 50  # orders per re-plan job: the scheduled action's chunk
TELL_BUCKET = 100  # orders per job telling the owners: the watch's chunk
# advisory lock namespaces of the jobs (the other key is the bucket)
LOCKS = {"replan": 180_001, "capacity": 180_002, "tell": 180_003}


def buckets(order_ids, size):
    """{bucket: [order ids]}"""
    result = {}
    for order_id in sorted(order_ids):
        result.setdefault(order_id // size, []).append(order_id)
    return result


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------ the jobs

    def _backward_replan_job(self):
        """Re-plan the orders of this bucket still marked by a change."""
        with self._backward_job("replan", REPLAN_BUCKET) as bucket:
            orders = bucket([("backward_replan_reason", "!=", False)])
            return orders.env["backward.replanner"]._replan_marked(orders)

    def _backward_capacity_job(self):
        """Place these orders again (a chunk of a full capacity re-plan, in its chain)."""
        with self._backward_job("capacity", None) as bucket:
            orders = bucket([])
            return orders.env["backward.capacity"]._replan_capacity_chunk(orders)

    def _backward_tell_job(self):
        """Project, tell the owners of and escalate the orders of this bucket."""
        with self._backward_job("tell", TELL_BUCKET) as bucket:
            orders = bucket([("state", "=", "sale")])
            return orders.env["backward.watch"]._tell_batch(orders)

    # --------------------------------------------------------------- their frame

    @contextmanager
    def _backward_job(self, kind, size):
        """Lock the job's bucket (or its orders) for this transaction, give a function
        returning the bucket's orders matching a domain (or those of these orders, in their
        order), and turn a lock held by another worker or a serialization failure into a
        retry of the whole job. The job's work is done as superuser from here."""
        # sudo: a job runs in the environment it was queued in; its bucket is every order of it
        orders = self.sudo()
        key = min(self.ids) // size if size else min(self.ids)
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCKS[kind], key))
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(_("Another worker is working on these orders: retried later."))
        first = key * size if size else None

        def bucket(domain):
            if not size:
                return orders.filtered_domain(domain)
            return orders.search([("id", ">=", first), ("id", "<", first + size), *domain], order="id")

        try:
            yield bucket
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
            raise RetryableJobError(
                _("Another transaction changed the same rows (%(error)s): retried later.", error=error.pgcode)
            ) from error

    # ------------------------------------------------------------- queueing them

    def _backward_enqueue(self, method, size, description):
        """One job per bucket of ``self``: ``method`` of the bucket's orders."""
        for bucket, order_ids in buckets(self.ids, size).items():
            orders = self.browse(order_ids)
            delayed = orders.with_delay(
                channel=CHANNEL,
                max_retries=MAX_RETRIES,
                identity_key=f"backward_{method}:{bucket}",
                description=description % {"first": orders[:1].name, "last": orders[-1:].name, "count": len(orders)},
            )
            getattr(delayed, f"_backward_{method}_job")()
