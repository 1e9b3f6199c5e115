"""Every change re-plans what it touches, without making the person who made it wait.

A public holiday added, a working calendar's hours changed, a vendor's lead time, a bill of
materials' durations: the open orders whose steps count on what changed are marked (one
statement), and a scheduled action re-plans them in chunks, with Odoo's cron progress.
Each re-planned order tells its documents in their chatter (as any re-plan does); the
orders the change now endangers are told to their salesperson, and the totals logged.
"""

import logging

from odoo import Command, _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .client_guards import require_superuser

_logger = logging.getLogger(__name__)

CHUNK = 50
LIVE = ("planned", "in_progress")


class BackwardReplanner(models.AbstractModel):
    _name = "backward.replanner"
    _description = "Backward Management: re-plan what a change touches"

    # ------------------------------------------------------------------ what a change touches

    @api.model
    def _touch(self, kind, ids, date_from=None, reason=""):
        """A change saved: mark the open orders it touches (the entry of every change).

        ``kind``: "calendar" (``ids`` are calendars), "company" (a public holiday: every
        calendar of the companies ``ids``, and those of no company), "production" or
        "purchase" (``ids`` are products whose bill of materials or vendor changed).
        """
        # sudo: whoever saves a holiday, a BoM or a vendor line marks orders they may not read
        replanner = self.sudo()
        if kind == "company":
            calendars = replanner.env["resource.calendar"].search([("company_id", "in", [*ids, False])])
            replanner._touch_calendars(calendars.ids, date_from, reason)
        elif kind == "calendar":
            replanner._touch_calendars(ids, date_from, reason)
        else:
            replanner._touch_products(ids, kind, reason)

    @api.model
    def _touch_calendars(self, calendar_ids, date_from=None, reason=""):
        """Mark the open orders with a step counting on ``calendar_ids`` (its own calendar
        or one of its segments') and ending after ``date_from`` when given."""
        if not calendar_ids:
            return
        self.env.flush_all()  # the SQL below reads steps and orders the ORM may still hold
        window = SQL("TRUE")
        if date_from:
            # time off before a step's end may move it (in its window) or its order's earliest
            # delivery (the forward pass from now crosses it); after the last step, nothing
            window = SQL("d.date_deadline >= %s", date_from)
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT rel.order_id
                  FROM backward_deadline d
                  JOIN backward_deadline_sale_order_rel rel ON rel.deadline_id = d.id
                 WHERE d.state = ANY(%(live)s) AND %(window)s
                   AND (d.calendar_id = ANY(%(calendars)s)
                        OR EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.segments, '[]'::jsonb)) s
                                    WHERE CASE WHEN jsonb_typeof(s->1) = 'number' THEN (s->>1)::int END
                                          = ANY(%(calendars)s)))
                """,
                live=list(LIVE),
                window=window,
                calendars=list(calendar_ids),
            )
        )
        self._mark([row[0] for row in self.env.cr.fetchall()], reason)

    @api.model
    def _touch_products(self, product_ids, kind, reason):
        """Mark the open orders with a ``kind`` step ("purchase", "production") of ``product_ids``."""
        if not product_ids:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT rel.order_id
                  FROM backward_deadline d
                  JOIN backward_deadline_sale_order_rel rel ON rel.deadline_id = d.id
                 WHERE d.state = ANY(%(live)s) AND d.kind = %(kind)s AND d.product_id = ANY(%(products)s)
                """,
                live=list(LIVE),
                kind=kind,
                products=list(product_ids),
            )
        )
        self._mark([row[0] for row in self.env.cr.fetchall()], reason)

    @api.model
    def _mark(self, order_ids, reason):
        """Flag the open orders for the scheduled re-plan and wake it (nothing else waits).

        The change is recorded with who saved it, so that they hear how it ended; an order
        still waiting for an earlier change waits for this one too and counts in both.
        """
        require_superuser(self)
        if not order_ids:
            return
        reason = reason or _("a planning parameter changed")
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_order SET backward_replan_reason = %(reason)s
                 WHERE id = ANY(%(ids)s) AND state = 'sale' AND backward_plan_state != 'none'
                   AND COALESCE(delivery_status, 'pending') != 'full'
                RETURNING id
                """,
                reason=reason,
                ids=list(order_ids),
            )
        )
        marked = [row[0] for row in self.env.cr.fetchall()]
        self.env["sale.order"].invalidate_model(["backward_replan_reason", "backward_replan_batch_ids"])
        if not marked:
            return
        batch = self.env["backward.replan.batch"].create(
            {
                "name": reason[:200],
                "user_id": self.env.uid,
                "company_id": self.env.company.id,
                "order_count": len(marked),
            }
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO backward_replan_batch_pending_rel (order_id, batch_id) SELECT unnest(%s), %s",
                marked,
                batch.id,
            )
        )
        self._wake()

    @api.model
    def _wake(self):
        """Have the marked orders re-planned soon: the scheduled action is woken (the
        queue_job bridge enqueues jobs instead)."""
        cron = self.env.ref("backward_plan.ir_cron_backward_replan", raise_if_not_found=False)
        if cron:
            cron._trigger()

    # ------------------------------------------------------------------ the scheduled action

    @api.model
    def _cron_backward_replan(self):
        """Re-plan a chunk of the marked orders; Odoo calls it again while some remain."""
        Order = self.env["sale.order"]
        orders = Order.search([("backward_replan_reason", "!=", False)], limit=CHUNK, order="id")
        self._replan_marked(orders)
        remaining = Order.search_count([("backward_replan_reason", "!=", False)])
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)
        return remaining

    @api.model
    def _replan_marked(self, orders):
        """One batch of work: re-plan those of ``orders`` still marked, count what moved in
        their change's report and tell the promises endangered. The scheduled action and
        the queue_job bridge's jobs both call it; returns how many were re-planned."""
        require_superuser(self)
        Order = self.env["sale.order"]
        orders = orders.with_env(self.env)
        orders.invalidate_recordset(["backward_replan_reason", "backward_replan_batch_ids"])
        orders = orders.filtered(lambda order: order.backward_replan_reason)
        before = {
            order.id: (
                order.backward_is_feasible,
                self._dates(order),
                order.backward_replan_reason,
                order.backward_replan_batch_ids,
            )
            for order in orders
        }
        by_reason = {}
        for order in orders:
            by_reason[order.backward_replan_reason] = by_reason.get(order.backward_replan_reason, Order) | order
        for reason, group in by_reason.items():
            self._replan_group(group, reason)
        # the changes read above, not one saved since (its mark conflicts with this write)
        orders._backward_write({"backward_replan_reason": False, "backward_replan_batch_ids": [Command.clear()]})
        figures = {}  # batch: [re-planned, moved, endangered order ids]
        moved_orders, endangered_orders = Order, Order
        for order in orders:
            feasible, dates, reason, batches = before[order.id]
            moved = self._dates(order) != dates
            endangered = feasible and not order.backward_is_feasible
            # an order that waited for several changes counts in each of their reports
            for batch in batches:
                counts = figures.setdefault(batch, [0, 0, []])
                counts[0] += 1
                counts[1] += moved
                if endangered:
                    counts[2].append(order.id)
            if moved:
                moved_orders |= order
            if endangered:
                endangered_orders |= order
                self._tell_endangered(order, reason)
        for batch, (done, moved, endangered) in figures.items():
            batch._count(done, moved, endangered)
        self._finish_batches(self.env["backward.replan.batch"].union(*figures))
        if orders:
            _logger.info(
                "Backward re-plan: %s orders re-planned, %s moved, %s now endanger their promise",
                len(orders),
                len(moved_orders),
                len(endangered_orders),
            )
        return len(orders)

    def _finish_batches(self, batches):
        """Finish those of ``batches`` no order waits for any more (one query for all).

        Their figures were written first: two workers finishing one batch at once conflict
        on its row, and the one retried sees the other's orders done.
        """
        if not batches:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT batch_id FROM backward_replan_batch_pending_rel WHERE batch_id = ANY(%s)",
                batches.ids,
            )
        )
        waiting = {row[0] for row in self.env.cr.fetchall()}
        batches.filtered(lambda batch: batch.id not in waiting)._finish()

    @staticmethod
    def _dates(order):
        """The plan of ``order``: any of its dates that moved (a start-by as well as a deadline) moved it."""
        return {step.id: (step.date_start_deadline, step.date_deadline) for step in order.backward_deadline_ids}

    def _replan_group(self, orders, reason):
        """Re-plan ``orders`` in one planner call; when one of them cannot be planned, each
        alone, so that one order's bad data does not block the others."""
        planner = self.env["backward.planner"]
        if len(orders) > 1:
            try:
                with self.env.cr.savepoint():
                    planner._plan_sale_orders(orders, reason)
                return
            except UserError:
                _logger.info(
                    "Backward re-plan: one of %s orders cannot be planned, each is re-planned alone",
                    len(orders),
                )
        for order in orders:
            try:
                with self.env.cr.savepoint():
                    planner._plan_sale_orders(order, reason)
            except UserError as error:
                order._backward_record_warning(error.args[0])

    def _tell_endangered(self, order, reason):
        notifier = self.env["backward.notifier"]
        reader = notifier._reader(order.user_id)
        order.message_post(
            body=reader.env._(
                "Re-planned because %(reason)s: the promise of %(date)s can no longer be kept "
                "(%(hours)s hours late at best). Agree a new date with the customer or expedite.",
                reason=reason,
                date=reader._format(order.commitment_date or order.expected_date),
                hours=order.backward_lateness_hours,
            ),
            partner_ids=order.user_id.partner_id.ids,
            # an internal note: the customer follows the order and must not read this
            subtype_xmlid="mail.mt_note",
            # from OdooBot, and told even when the salesperson saved the change themselves
            # (a queue_job runs as the person who saved it; Odoo skips the current user)
            author_id=self.env.ref("base.partner_root").id,
            notify_author=True,
        )
