"""Finite capacity in Odoo: the work centers, their load, and the full re-plan.

With Settings > Backward Management > Capacity set to finite, the planner places the work
orders of the manufacturing orders it plans on their work centers (``scheduling.capacity``
through ``plan.plan_backward``), as late as the load already there allows. This model
gathers what the core needs, in bulk:

- the work orders to place (``_attach_operations``): those of a manufacturing order not
  started, not planned by hand, with their alternative work centers and Odoo's own
  expected duration on each (setup, cleanup, time efficiency and capacity per cycle count
  there, as in Odoo's "Plan");
- the load (``_facts``): every other work order with a slot on those work centers, a
  started one, one planned by hand, and the placements of other orders;

``backward.capacity.writer`` writes the placements back as Odoo's own slots. The full
re-plan (the button and the daily action) is here too: every open plan placed again, the
most urgent order first.

A work center is one resource, as in Odoo's own planning: one work order at a time; its
``default_capacity`` is the quantity one cycle makes, already in the expected duration.
"""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..scheduling import to_timestamp
from ..scheduling.capacity import Center, Operation, Shop

OPEN_WORKORDER_STATES = ("pending", "waiting", "ready")
# orders re-planned in one planner call by the full capacity re-plan
REPLAN_CHUNK = 50
# a full re-plan of up to this many chunks is done at once; more, in the background
INLINE_CHUNKS = 4


class CapacityFacts:
    """The work centers a planning places work on, and their load (timestamps)."""

    def __init__(self, centers, load, operations):
        self.centers = centers  # {work center id: calendar key}
        self.load = load  # {work center id: [(start, finish)]}
        self.operations = operations  # {step key: (Operation, ...)}

    def calendar_keys(self):
        return set(self.centers.values())

    def shop(self, calendars, now):
        centers = []
        for center_id, key in self.centers.items():
            center = Center(center_id, calendars[key])
            for start, finish in self.load.get(center_id, ()):
                center.book(start, finish)
            centers.append(center)
        return Shop(centers, now)


class BackwardCapacity(models.AbstractModel):
    _name = "backward.capacity"
    _description = "Backward Management: finite capacity"

    # ------------------------------------------------------------------- reading

    @api.model
    def _attach_operations(self, steps, workorders):
        """Give each production step of ``steps`` the work orders it places (``capacity_operations``).

        A step keeps none (and is planned as with infinite capacity) when one of its work
        orders has started, is done or cancelled, or was planned by hand: then its slots
        are load, not plan.
        """
        placeable = [
            step
            for step in steps
            if all(
                row["state"] in OPEN_WORKORDER_STATES and not self._planned_by_hand(row)
                for row in workorders[step.res_id]
            )
        ]
        if not placeable:
            return
        center_ids = {row["workcenter_id"] for step in placeable for row in workorders[step.res_id]}
        alternatives = self._alternatives(center_ids)
        with_alternatives = [
            row["id"] for step in placeable for row in workorders[step.res_id] if alternatives.get(row["workcenter_id"])
        ]
        durations = self._alternative_minutes(with_alternatives, alternatives)
        for step in placeable:
            step.capacity_operations = [
                (
                    row["id"],
                    (
                        (row["workcenter_id"], row["duration_expected"] or 0.0),
                        *durations.get(row["id"], ()),
                    ),
                )
                for row in workorders[step.res_id]
            ]

    @staticmethod
    def _planned_by_hand(row):
        """A slot this addon did not place: Odoo's "Plan", the Gantt, a person."""
        if not row["date_start"]:
            return False
        return (row["date_start"], row["date_finished"]) != (
            row["backward_capacity_start"],
            row["backward_capacity_finish"],
        )

    def _alternatives(self, center_ids):
        """{work center id: [alternative ids]} in one query."""
        if not center_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT rel.workcenter_id, rel.alternative_workcenter_id
                  FROM mrp_workcenter_alternative_rel rel
                  JOIN mrp_workcenter alternative ON alternative.id = rel.alternative_workcenter_id
                 WHERE rel.workcenter_id = ANY(%s) AND alternative.active
                 ORDER BY rel.workcenter_id, rel.alternative_workcenter_id
                """,
                list(center_ids),
            )
        )
        result = defaultdict(list)
        for center_id, alternative_id in self.env.cr.fetchall():
            result[center_id].append(alternative_id)
        return result

    def _alternative_minutes(self, workorder_ids, alternatives):
        """{work order id: ((alternative id, minutes), ...)}: Odoo's expected duration there."""
        result = {}
        Workcenter = self.env["mrp.workcenter"].sudo()
        for workorder in self.env["mrp.workorder"].sudo().browse(workorder_ids):
            result[workorder.id] = tuple(
                (alternative.id, workorder._get_duration_expected(alternative_workcenter=alternative))
                for alternative in Workcenter.browse(alternatives[workorder.workcenter_id.id])
            )
        return result

    @api.model
    def _facts(self, active, companies):
        """The :class:`CapacityFacts` of a planning, or ``None`` when nothing is placed.

        ``active``: the chain's steps; the planned ones of a company with finite capacity
        that carry work orders are placed. Their own current slots, and those of the
        manufacturing orders a full re-plan has yet to place again, are not load.
        """
        steps = {
            key: step
            for key, step in active.items()
            if step.capacity_operations
            and step.state == "planned"
            and companies[step.company_id].backward_capacity == "finite"
        }
        if not steps:
            return None
        operations = {
            key: tuple(
                Operation(workorder_id, tuple((center_id, round(minutes * 60)) for center_id, minutes in options))
                for workorder_id, options in step.capacity_operations
            )
            for key, step in steps.items()
        }
        center_ids = {center_id for ops in operations.values() for op in ops for center_id, _s in op.options}
        centers = self._center_calendars(center_ids)
        replaced = {step.res_id for step in steps.values() if step.model == "mrp.production"}
        return CapacityFacts(centers, self._load(center_ids, replaced), operations)

    def _center_calendars(self, center_ids):
        """{work center id: calendar key}: its own calendar and time off, as the plan uses them."""
        lead_time = self.env["backward.lead.time"]
        return {
            center.id: lead_time._workcenter_calendar(center, center.company_id or self.env.company)
            for center in self.env["mrp.workcenter"].sudo().browse(sorted(center_ids))
        }

    def _load(self, center_ids, replaced):
        """{work center id: [(start, finish)]}: the slots there, but the placements about to be redone."""
        self.env["mrp.workorder"].flush_model()
        self.env["mrp.production"].flush_model(["backward_capacity_waiting"])
        self.env.cr.execute(
            SQL(
                """
                SELECT wo.workcenter_id, wo.date_start, wo.date_finished
                  FROM mrp_workorder wo
                  JOIN mrp_production production ON production.id = wo.production_id
                 WHERE wo.workcenter_id = ANY(%(centers)s)
                   AND wo.date_start IS NOT NULL AND wo.date_finished IS NOT NULL
                   AND wo.date_finished > %(now)s
                   AND wo.state NOT IN ('done', 'cancel')
                   AND NOT (
                       (wo.production_id = ANY(%(replaced)s) OR COALESCE(production.backward_capacity_waiting, FALSE))
                       AND wo.state IN %(open)s
                       AND wo.backward_capacity_start IS NOT DISTINCT FROM wo.date_start
                       AND wo.backward_capacity_finish IS NOT DISTINCT FROM wo.date_finished
                   )
                """,
                centers=list(center_ids),
                now=fields.Datetime.now(),
                replaced=list(replaced),
                open=OPEN_WORKORDER_STATES,
            )
        )
        load = defaultdict(list)
        for center_id, start, finish in self.env.cr.fetchall():
            load[center_id].append((to_timestamp(start), to_timestamp(finish)))
        return load

    # ------------------------------------------------------------- full re-plan

    @api.model
    def _open_orders(self, companies):
        """The confirmed orders of ``companies`` whose plan is still open, most urgent first."""
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("company_id", "in", companies.ids),
                    ("state", "=", "sale"),
                    ("backward_deadline_ids.state", "in", ("planned", "in_progress")),
                ]
            )
        )
        return orders.sorted(lambda order: order._backward_rank())

    @api.model
    def _replan_companies(self, companies):
        """Every open plan of ``companies`` placed again from scratch, most urgent first.

        The manufacturing orders it will place again are flagged waiting: their slots are
        no load until their own chunk places them, so that the most urgent take the work
        centers first. A few chunks are placed at once; more, by the scheduled action in
        the background, a chunk per call with Odoo's cron progress (by the queue_job
        bridge, a chain of jobs). Returns the number of orders to place.
        """
        companies = companies.filtered(lambda company: company.backward_capacity == "finite")
        orders = self._open_orders(companies)
        self._set_waiting(self._waiting_production_ids(companies), False)  # a run that died
        self._set_waiting(self._placeable_production_ids(orders), True)
        chunks = [orders[first : first + REPLAN_CHUNK] for first in range(0, len(orders), REPLAN_CHUNK)]
        self._run_capacity_chunks(chunks)
        return len(orders)

    def _placeable_production_ids(self, orders):
        """The manufacturing orders of ``orders`` a placement would move: none of their work
        orders started, done, cancelled or planned by hand (those stay load)."""
        production_ids = [pid for ids in self._productions_of(orders).values() for pid in ids]
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
                ids=production_ids,
                open=OPEN_WORKORDER_STATES,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _waiting_production_ids(self, companies):
        self.env["mrp.production"].flush_model(["backward_capacity_waiting"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM mrp_production WHERE backward_capacity_waiting AND company_id = ANY(%s)",
                companies.ids,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _set_waiting(self, production_ids, waiting):
        if production_ids:
            self.env["mrp.production"].flush_model()
            self.env.cr.execute(
                SQL(
                    "UPDATE mrp_production SET backward_capacity_waiting = %s WHERE id = ANY(%s)",
                    waiting,
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
        cron = self.env.ref("backward_management.ir_cron_backward_capacity", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _replan_capacity_chunk(self, orders):
        """One batch of the full re-plan: ``orders`` in one planner call (each alone when
        one cannot be planned); then their manufacturing orders wait no more, placed or not."""
        planner = self.env["backward.planner"].sudo()
        orders = orders.sudo()
        production_ids = [pid for ids in self._productions_of(orders).values() for pid in ids]
        live = orders.filtered(lambda order: order.state == "sale")
        reason = _("capacity re-planned")
        try:
            try:
                with self.env.cr.savepoint():
                    planner._plan_sale_orders(live, reason)
            except UserError:
                # each order alone, so that one order's bad data does not block the others
                for order in live:
                    try:
                        with self.env.cr.savepoint():
                            planner._plan_sale_orders(order, reason)
                    except UserError as error:
                        order._backward_record_warning(error.args[0])
        finally:
            self._set_waiting(production_ids, False)
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
        if not self.env.user.has_group("backward_management.backward_management_group_manager"):
            raise AccessError(_("Only a Backward Management manager can re-plan the capacity of every open order."))
        companies = self.env.company
        if companies.backward_capacity != "finite":
            return self._notify(_("Capacity is infinite in Settings: there is nothing to place."), "warning")
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
        when none is, a new one starts. Odoo calls it again while orders remain."""
        capacity = self.sudo()
        companies = capacity.env["res.company"].search([("backward_capacity", "=", "finite")])
        if not companies:
            return 0
        waiting = capacity._waiting_orders(companies)
        if not waiting:
            capacity._set_waiting(capacity._placeable_production_ids(capacity._open_orders(companies)), True)
            waiting = capacity._waiting_orders(companies)
        chunk = waiting[:REPLAN_CHUNK]
        capacity._replan_capacity_chunk(chunk)
        remaining = len(waiting) - len(chunk)
        capacity.env["ir.cron"]._notify_progress(done=len(chunk), remaining=remaining)
        return remaining

    def _waiting_orders(self, companies):
        """The open orders of a full re-plan under way, most urgent first."""
        productions = self.env["mrp.production"].browse(self._waiting_production_ids(companies))
        deadlines = self.env["backward.deadline"].sudo().search([("production_id", "in", productions.ids)])
        orders = deadlines.sale_order_ids.filtered(lambda order: order.state == "sale")
        return orders.sorted(lambda order: order._backward_rank())
