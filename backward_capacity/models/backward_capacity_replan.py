"""The full capacity re-plan: every open plan placed on the work centers again, most urgent first.

The button (Backward Management > Re-plan Capacity) and the daily scheduled action. The
manufacturing orders a run will place again wait (``backward_capacity_waiting``): their
slots are no load until their own chunk places them. A few chunks run at once; more, by
the scheduled action in the background (the queue_job bridge: a chain of jobs).
"""

from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.backward_plan.models.client_guards import require_superuser

from .backward_capacity import OPEN_WORKORDER_STATES

# orders re-planned in one planner call by the full capacity re-plan
REPLAN_CHUNK = 50
# a full re-plan of up to this many chunks is done at once; more, in the background
INLINE_CHUNKS = 4
# The repair's budget of each chunk's placement (a planning's own is four times more): the
# full re-plan places every open order, and an overload makes every chunk spend its whole
# budget. Measured on 1,000 orders far past their work centers' capacity (./dev bench
# scale): 57 s and 1,208 of 2,000 manufacturing orders late with the planning's budget;
# 21 s and 1,258 late with this one (34 s and 1,231 with twice it).
REPLAN_BUDGET = 100_000


class BackwardCapacity(models.AbstractModel):
    _inherit = "backward.capacity"

    @api.model
    def _open_orders(self, companies):
        """The confirmed orders of ``companies`` whose plan is still open, most urgent first."""
        orders = self.env["sale.order"].search(
            [
                ("company_id", "in", companies.ids),
                ("state", "=", "sale"),
                ("backward_deadline_ids.state", "in", ("planned", "in_progress")),
            ]
        )
        return orders.sorted(lambda order: order._backward_rank())

    @api.model
    def _replan_companies(self, companies):
        """Every open plan of ``companies`` placed again from scratch, most urgent first.

        The manufacturing orders it will place again are flagged waiting: their slots are
        no load until their own chunk places them, so that the most urgent take the work
        centers first. A few chunks are placed at once; more, by the scheduled action in
        the background, a chunk per call with Odoo's cron progress (by the queue_job
        bridge, a chain of jobs). Returns the number of orders to place. As superuser: the
        manager's button elevated, the scheduled action runs as root.
        """
        require_superuser(self)
        companies = companies.filtered(lambda company: company.backward_capacity == "finite")
        orders = self._open_orders(companies)
        self._stop_waiting(self._waiting_production_ids(companies))  # a run that died
        self._enqueue(orders)
        chunks = [orders[first : first + REPLAN_CHUNK] for first in range(0, len(orders), REPLAN_CHUNK)]
        self._run_capacity_chunks(chunks)
        return len(orders)

    def _placeable_production_ids(self, production_ids):
        """Those of ``production_ids`` a placement would move: none of their work orders
        started, done, cancelled or planned by hand (those stay load)."""
        if not production_ids:
            return []
        self.env.cr.execute(
            SQL(
                """
                SELECT production.id
                  FROM mrp_production production
                 WHERE production.id = ANY(%(ids)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM mrp_workorder wo
                        WHERE wo.production_id = production.id
                          AND (wo.state NOT IN %(open)s
                               OR (wo.date_start IS NOT NULL
                                   AND (wo.backward_capacity_start IS DISTINCT FROM wo.date_start
                                        OR wo.backward_capacity_finish IS DISTINCT FROM wo.date_finished))))
                """,
                ids=list(production_ids),
                open=OPEN_WORKORDER_STATES,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _enqueue(self, orders):
        """The manufacturing orders of ``orders`` (most urgent first) that a placement would
        move wait for it, each with its order's place in the queue."""
        productions = self._productions_of(orders)
        placeable = set(self._placeable_production_ids({pid for ids in productions.values() for pid in ids}))
        place = {order.id: position for position, order in enumerate(orders)}
        queue = {}
        for order_id, production_ids in productions.items():
            for production_id in placeable.intersection(production_ids):
                queue[production_id] = min(queue.get(production_id, place[order_id]), place[order_id])
        if queue:
            self.env["mrp.production"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE mrp_production production
                       SET backward_capacity_waiting = TRUE, backward_capacity_queue = queue.place
                      FROM unnest(%s::int[], %s::int[]) AS queue(id, place)
                     WHERE production.id = queue.id
                    """,
                    list(queue),
                    list(queue.values()),
                )
            )
            self.env["mrp.production"].invalidate_model(["backward_capacity_waiting", "backward_capacity_queue"])

    def _waiting_production_ids(self, companies):
        self.env["mrp.production"].flush_model(["backward_capacity_waiting"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM mrp_production WHERE backward_capacity_waiting AND company_id = ANY(%s)",
                companies.ids,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _stop_waiting(self, production_ids):
        """The manufacturing orders of ``production_ids`` wait for no re-plan any more."""
        if production_ids:
            self.env["mrp.production"].flush_model()
            self.env.cr.execute(
                SQL(
                    "UPDATE mrp_production SET backward_capacity_waiting = FALSE WHERE id = ANY(%s)",
                    list(production_ids),
                )
            )
            self.env["mrp.production"].invalidate_model(["backward_capacity_waiting"])

    @api.model
    def _run_capacity_chunks(self, chunks):
        """Place the chunks of a full re-plan: here when they are few, else the scheduled
        action goes on in the background (the queue_job bridge: a chain of jobs)."""
        if len(chunks) <= INLINE_CHUNKS:
            for orders in chunks:
                self._replan_capacity_chunk(orders)
            return
        cron = self.env.ref("backward_capacity.ir_cron_backward_capacity", raise_if_not_found=False)
        if cron:
            cron._trigger()

    @api.model
    def _replan_capacity_chunk(self, orders):
        """One batch of the full re-plan: ``orders`` in one planner call (each alone when
        one cannot be planned); then their manufacturing orders wait no more, placed or not.
        As superuser: the scheduled action, the button's run and the queue_job frame are."""
        require_superuser(self)
        orders = orders.with_env(self.env)
        production_ids = [pid for ids in self._productions_of(orders).values() for pid in ids]
        live = orders.filtered(lambda order: order.state == "sale")
        replanner = self.env["backward.replanner"].with_context(backward_capacity_budget=REPLAN_BUDGET)
        try:
            replanner._replan_group(live.with_env(replanner.env), _("capacity re-planned"))
        finally:
            self._stop_waiting(production_ids)
        return len(live)

    def _productions_of(self, orders):
        """{order id: [its manufacturing order ids]} in one query."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT rel.order_id, d.production_id
                  FROM backward_deadline d
                  JOIN backward_deadline_sale_order_rel rel ON rel.deadline_id = d.id
                 WHERE rel.order_id = ANY(%s) AND d.production_id IS NOT NULL AND d.state != 'cancel'
                """,
                orders.ids,
            )
        )
        result = defaultdict(list)
        for order_id, production_id in self.env.cr.fetchall():
            result[order_id].append(production_id)
        return result

    def action_replan_capacity(self):
        """The button: re-plan the capacity of the current company now."""
        if not self.env.user.has_group("backward_plan.backward_management_group_manager"):
            raise AccessError(_("Only a Backward Management manager can re-plan the capacity of every open order."))
        companies = self.env.company
        if companies.backward_capacity != "finite":
            return self._notify(_("Capacity is infinite in Settings: there is nothing to place."), "warning")
        # sudo: a manager places every open order of the company, read or not
        count = self.sudo()._replan_companies(companies)
        if count > INLINE_CHUNKS * REPLAN_CHUNK:
            message = _(
                "%(count)s open orders are being placed on the work centers again, the most urgent first, "
                "in the background.",
                count=count,
            )
        else:
            message = _("%(count)s open orders were placed on the work centers again.", count=count)
        return self._notify(message, "success")

    @api.model
    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": False},
        }

    @api.model
    def _cron_replan_capacity(self):
        """A chunk of the full re-plan under way (the most urgent orders still waiting);
        when none is, a new one starts. Odoo calls it again while orders remain (as root,
        the scheduled action's user)."""
        companies = self.env["res.company"].search([("backward_capacity", "=", "finite")])
        if not companies:
            return 0
        waiting = self._waiting_orders(companies)
        if not waiting:
            self._enqueue(self._open_orders(companies))
            waiting = self._waiting_orders(companies)
        chunk = waiting[:REPLAN_CHUNK]
        self._replan_capacity_chunk(chunk)
        remaining = len(waiting) - len(chunk)
        self.env["ir.cron"]._notify_progress(done=len(chunk), remaining=remaining)
        return remaining

    def _waiting_orders(self, companies):
        """The open orders of a full re-plan under way, most urgent first (in the queue the
        re-plan ranked when it started: one query, whatever the number of chunks)."""
        self.env["mrp.production"].flush_model(["backward_capacity_waiting", "backward_capacity_queue"])
        self.env.cr.execute(
            SQL(
                """
                SELECT rel.order_id
                  FROM mrp_production production
                  JOIN backward_deadline d ON d.production_id = production.id
                  JOIN backward_deadline_sale_order_rel rel ON rel.deadline_id = d.id
                  JOIN sale_order so ON so.id = rel.order_id AND so.state = 'sale'
                 WHERE production.backward_capacity_waiting AND production.company_id = ANY(%s)
                 GROUP BY rel.order_id
                 ORDER BY min(production.backward_capacity_queue), rel.order_id
                """,
                companies.ids,
            )
        )
        return self.env["sale.order"].browse([row[0] for row in self.env.cr.fetchall()])
