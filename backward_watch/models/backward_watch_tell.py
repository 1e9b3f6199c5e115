"""The watch's second action: telling the owners, a batch at a time.

"Tell the owners" (``_cron_backward_tell``) works in chunks with Odoo's cron progress; the
queue_job bridge runs the same batches as jobs (``_tell_batch``). Each batch does only what
is still pending among the records it is given: the orders whose steps changed are
projected and their links judged again, the owners of links whose state or expectation
changed are told, the managers of orders projected late are warned. A bad record is
logged and skipped. All of it runs as superuser (a scheduled action, or a job queued by
one), so nothing here elevates again.
"""

import logging

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from . import backward_watch as watch
from .backward_link import PENDING
from .backward_notifier import QUIET

# the watch's own log and settings: its second action is still the watch
_logger = logging.getLogger(watch.__name__)


# one model, three files named for their jobs: judging (backward_watch.py), re-promises,
# and telling (this one); merged, the watch would be one file of 600 lines
class BackwardWatchTell(models.AbstractModel):
    _inherit = "backward.watch"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _wake_tell(self):
        """Someone must be told: the scheduled action is woken (the queue_job bridge
        enqueues jobs instead)."""
        cron = self.env.ref("backward_watch.ir_cron_backward_tell", raise_if_not_found=False)
        if cron:
            cron._trigger()

    @api.model
    def _cron_backward_tell(self):
        """Project, tell and escalate, a chunk at a time; Odoo calls it again while work remains."""
        if not self._lock(watch.TELL_LOCK):
            _logger.info("Backward watch: the owners are being told by another pass, this one stops")
            return 0
        chunk = watch.CHUNK
        done = self._tell_orders(self._pending_orders(watch.PROJECT_CHUNK, projection=True), escalate=False)
        quiet = self._pending_links(watch.QUIET_CHUNK, quiet=True)
        self.env["backward.notifier"]._record_told(quiet)
        done += len(quiet)
        done += self._tell_links(self._pending_links(chunk))
        done += self._tell_orders(self._pending_orders(chunk), project=False)
        remaining = self._count_pending()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    # One batch of telling each: the scheduled action and the queue_job bridge's jobs both
    # call them; each does only what is still pending among the records it is given.

    @api.model
    def _tell_batch(self, orders):
        """All there is to tell about ``orders``, in order: their projections, the owners of
        their links, their escalations (the queue_job bridge's job per batch of orders)."""
        done = self._tell_orders(orders, escalate=False)
        links = self.env["backward.link"].search([("sale_order_id", "in", orders.ids)]) if orders else None
        done += self._tell_links(links) if links else 0
        return done + self._tell_orders(orders, project=False)

    @api.model
    def _tell_links(self, links):
        """Tell the owners of those of ``links`` whose state or expectation they have not heard."""
        notifier = self.env["backward.notifier"]
        pending = self._pending_links(ids=links.ids) if links else links
        quiet = self._pending_links(ids=pending.ids, quiet=True) if pending else pending
        notifier._record_told(quiet)
        return len(quiet) + self._each(pending - quiet, notifier._alert_link, "alert")

    @api.model
    def _tell_orders(self, orders, project=True, escalate=True):
        """Project those of ``orders`` whose steps changed; escalate (or stand down) those
        whose projection passed (or came back within) the promise."""
        done = 0
        if orders and project:
            done += self._project_orders(self._pending_orders(projection=True, ids=orders.ids))
        if orders and escalate:
            pending = self._pending_orders(ids=orders.ids)
            done += self._each(pending, self.env["backward.notifier"]._escalate_order, "escalate")
        return done

    # ------------------------------------------------------------ bounded steps

    def _pending_links_where(self):
        # PENDING as written in the partial index's predicate, for PostgreSQL to use it
        return SQL(
            "%s AND (alert_error_date IS NULL OR alert_error_date < %s)",
            SQL(PENDING),
            fields.Datetime.now() - watch.RETRY_AFTER,
        )

    def _pending_links(self, limit=None, ids=None, quiet=False):
        """Links whose owners have not been told of their state or expectation yet (one
        query); among ``ids`` when given; with ``quiet``, only those with nothing to tell."""
        among = SQL("id = ANY(%s)", list(ids)) if ids is not None else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                "SELECT id FROM backward_link WHERE %s AND %s AND %s ORDER BY id LIMIT %s",
                self._pending_links_where(),
                among,
                SQL(QUIET) if quiet else SQL("TRUE"),
                limit,
            )
        )
        return self.env["backward.link"].browse([row[0] for row in self.env.cr.fetchall()])

    def _pending_orders(self, limit=None, projection=False, ids=None):
        domain = self._pending_orders_domain(projection)
        if ids is not None:
            domain = [("id", "in", list(ids)), *domain]
        return self.env["sale.order"].search(domain, limit=limit, order="id")

    def _pending_orders_domain(self, projection=False):
        if projection:
            domain = [("backward_projection_pending", "=", True), ("state", "=", "sale")]
        else:
            domain = [
                ("state", "=", "sale"),
                "|",
                "&",
                ("backward_projected_late", "=", True),
                ("backward_escalated", "=", False),
                "&",
                ("backward_projected_late", "=", False),
                ("backward_escalated", "=", True),
            ]
        return domain

    def _count_pending(self):
        # the links counted in id order: PostgreSQL then reads the partial index of those
        # pending (it cannot guess how few they are), not every link of the factory
        self.env.cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM (SELECT id FROM backward_link WHERE %s ORDER BY id) pending)
                     + (SELECT count(*) FROM sale_order
                         WHERE state = 'sale' AND (backward_projection_pending
                               OR COALESCE(backward_projected_late, FALSE) != COALESCE(backward_escalated, FALSE)))
                """,
                self._pending_links_where(),
            )
        )
        return self.env.cr.fetchone()[0]

    def _project_orders(self, orders):
        """Project ``orders`` (whose steps changed), then judge their links again."""
        project = self.env["backward.projection"]._project_sale_orders
        try:
            # the whole chunk at once; only if one order breaks it, order by order
            with self.env.cr.savepoint():
                project(orders)
            done = len(orders)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another transaction holds these rows: the whole pass is retried, not each order
        except Exception:
            _logger.warning(
                "Backward watch: projecting %s orders at once failed, one by one", len(orders), exc_info=True
            )
            done = self._each(orders, project, "project")
        if orders:
            self.env.cr.execute(
                SQL("SELECT deadline_id FROM backward_deadline_sale_order_rel WHERE order_id = ANY(%s)", orders.ids)
            )
            self._evaluate([row[0] for row in self.env.cr.fetchall()], mark=False)
        return done

    def _each(self, records, action, what):
        """Run ``action(record)`` in a savepoint per record: one failure is logged, skipped."""
        done = 0
        for record in records:
            try:
                with self.env.cr.savepoint():
                    action(record)
                done += 1
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise  # not this record's fault: Odoo's cron runs the pass again
            except Exception:
                _logger.exception("Backward watch: could not %s %s, skipped", what, record)
                if record._name == "backward.link":
                    record.alert_error_date = fields.Datetime.now()
                elif record._name == "sale.order":
                    record._backward_write(
                        {
                            "backward_projection_pending": False,
                            "backward_escalated": record.backward_projected_late,
                        }
                    )
        return done
