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

``backward.capacity.writer`` writes the placements back as Odoo's own slots;
``backward_capacity_replan.py`` places every open plan again, the most urgent order first.

A work center is one resource, as in Odoo's own planning: one work order at a time; its
``default_capacity`` is the quantity one cycle makes, already in the expected duration.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.backward_plan.scheduling import to_timestamp
from odoo.addons.backward_plan.scheduling.capacity import Center, Operation, Shop
from odoo.addons.backward_plan.scheduling.sequencing import REPAIR_BUDGET

OPEN_WORKORDER_STATES = ("pending", "waiting", "ready")


class CapacityFacts:
    """The work centers a planning places work on, and their load (timestamps)."""

    def __init__(self, centers, load, operations, budget=REPAIR_BUDGET):
        self.centers = centers  # {work center id: calendar key}
        self.load = load  # {work center id: [(start, finish)]}
        self.operations = operations  # {step key: (Operation, ...)}
        self.budget = budget  # of the placement's repair, per batch

    def calendar_keys(self):
        return set(self.centers.values())

    def reach(self):
        """When the load already there ends (a timestamp; ``None`` without load): the work
        placed now goes before it or after it, so the calendars must reach past it."""
        return max((finish for spans in self.load.values() for _start, finish in spans), default=None)

    def shop(self, calendars, now):
        centers = []
        for center_id, key in self.centers.items():
            center = Center(center_id, calendars[key])
            for start, finish in self.load.get(center_id, ()):
                center.book(start, finish)
            centers.append(center)
        return Shop(centers, now, self.budget)

    def attach(self, core_steps, active, ranks):
        """The core steps place their work orders; each is ranked by its most urgent order."""
        for key, operations in self.operations.items():
            core_steps[key].operations = operations
            core_steps[key].operations_span = active[key].operations_span
        for key, step in active.items():
            order_ranks = [ranks[order_id] for order_id in step.orders if order_id in ranks]
            # a step of no order planned here comes after them (ranks are comparable tuples)
            core_steps[key].rank = min(order_ranks) if order_ranks else (2,)


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
        Workcenter = self.env["mrp.workcenter"]
        for workorder in self.env["mrp.workorder"].browse(workorder_ids):
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
        # the full re-plan gives its chunks a budget of their own (``backward_capacity_replan``)
        budget = self.env.context.get("backward_capacity_budget") or REPAIR_BUDGET
        return CapacityFacts(centers, self._load(center_ids, replaced), operations, budget)

    def _center_calendars(self, center_ids):
        """{work center id: calendar key}: its own calendar and time off, as the plan uses them."""
        lead_time = self.env["backward.lead.time"]
        return {
            center.id: lead_time._workcenter_calendar(center, center.company_id or self.env.company)
            for center in self.env["mrp.workcenter"].browse(sorted(center_ids))
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
