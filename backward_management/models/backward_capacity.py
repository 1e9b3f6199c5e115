"""Finite capacity in Odoo: the work centers, their load, and the placements written back.

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

and writes the placements back as Odoo's own slots (``_write_placements``): each work
order's ``date_start``/``date_finished`` and its slot in the work center's calendar, the
manufacturing order's planned dates and its moves' dates, as "Plan" fills them, in a few
statements whatever the number of work orders.

A work center is one resource, as in Odoo's own planning: one work order at a time; its
``default_capacity`` is the quantity one cycle makes, already in the expected duration.
"""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..scheduling import from_timestamp, to_timestamp
from ..scheduling.capacity import Center, Operation, Shop

OPEN_WORKORDER_STATES = ("pending", "waiting", "ready")
# orders re-planned in one planner call by the full capacity re-plan
REPLAN_CHUNK = 50


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
    def _facts(self, active, companies, replace_production_ids=()):
        """The :class:`CapacityFacts` of a planning, or ``None`` when nothing is placed.

        ``active``: the chain's steps; the planned ones of a company with finite capacity
        that carry work orders are placed. Their own current slots, and those of the
        productions in ``replace_production_ids`` (a full re-plan), are not load.
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
        replaced |= set(replace_production_ids)
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
        self.env.cr.execute(
            SQL(
                """
                SELECT workcenter_id, date_start, date_finished
                  FROM mrp_workorder
                 WHERE workcenter_id = ANY(%(centers)s)
                   AND date_start IS NOT NULL AND date_finished IS NOT NULL
                   AND date_finished > %(now)s
                   AND state NOT IN ('done', 'cancel')
                   AND NOT (
                       production_id = ANY(%(replaced)s)
                       AND state IN %(open)s
                       AND backward_capacity_start IS NOT DISTINCT FROM date_start
                       AND backward_capacity_finish IS NOT DISTINCT FROM date_finished
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

    # ------------------------------------------------------------------- writing

    @api.model
    def _write_placements(self, chain, plan):
        """Odoo's own slots from ``plan.placements``; the deadlines say what capacity did."""
        placed = {placement.key: placement for placements in plan.placements.values() for placement in placements}
        if placed:
            self._write_workorders(placed)
            self._write_productions(chain, plan)
        self._write_deadlines(chain, plan)

    def _write_workorders(self, placed):
        workorders = self.env["mrp.workorder"].sudo().browse(sorted(placed))
        workorders.fetch(["workcenter_id", "leave_id", "duration_expected", "production_id", "name"])
        Leave = self.env["resource.calendar.leaves"].sudo()
        new_leaves, leave_updates, updates, alternative = [], {}, {}, set()
        for workorder in workorders:
            placement = placed[workorder.id]
            center = self.env["mrp.workcenter"].sudo().browse(placement.center)
            start, finish = from_timestamp(placement.start), from_timestamp(placement.finish)
            vals = {
                "date_start": start,
                "date_finished": finish,
                "workcenter_id": center.id,
                "duration_expected": workorder.duration_expected,
                "backward_capacity_start": start,
                "backward_capacity_finish": finish,
                "leave_id": workorder.leave_id.id,
            }
            if center != workorder.workcenter_id:
                vals["duration_expected"] = workorder._get_duration_expected(alternative_workcenter=center)
                alternative.add(workorder.id)
            slot = {
                "date_from": start,
                "date_to": finish,
                "resource_id": center.resource_id.id,
                "calendar_id": center.resource_calendar_id.id,
            }
            if workorder.leave_id:
                leave_updates[workorder.leave_id.id] = slot
            else:
                new_leaves.append((workorder.id, dict(slot, name=workorder.display_name, time_type="other")))
            updates[workorder.id] = vals
        if new_leaves:
            leaves = Leave.create([vals for _id, vals in new_leaves])
            for (workorder_id, _vals), leave in zip(new_leaves, leaves, strict=True):
                updates[workorder_id]["leave_id"] = leave.id
        bulk = self.env["backward.bulk.writer"]
        bulk._bulk_update(Leave, leave_updates, ["date_from", "date_to", "resource_id", "calendar_id"])
        for vals in updates.values():
            vals["production_date"] = vals["date_start"]  # Odoo's stored copy of the start
        # Nothing recomputed from the new slots: the orders' dates are written next, as
        # Odoo's "Plan" leaves them (their end recomputed would rewrite each order's moves
        # one by one); only a work order moved to an alternative center has its duration
        # and what depends on it recomputed, as Odoo does.
        bulk._bulk_update(
            workorders,
            updates,
            [
                "date_start",
                "date_finished",
                "production_date",
                "workcenter_id",
                "duration_expected",
                "leave_id",
                "backward_capacity_start",
                "backward_capacity_finish",
            ],
            changed=[],
        )
        moved = workorders.filtered(lambda workorder: workorder.id in alternative)
        if moved:
            moved.modified(["workcenter_id", "duration_expected"])

    def _write_productions(self, chain, plan):
        """A manufacturing order spans its work orders, as after Odoo's "Plan"; its
        components are moved for its start, its products for its finish."""
        dates = {}
        for key, placements in plan.placements.items():
            step = chain.steps.get(key)
            if step is not None and step.model == "mrp.production" and placements:
                dates[step.res_id] = (from_timestamp(placements[0].start), from_timestamp(placements[-1].finish))
        if not dates:
            return
        productions = self.env["mrp.production"].sudo().browse(sorted(dates))
        bulk = self.env["backward.bulk.writer"]
        self.env["stock.move"].flush_model(["state", "raw_material_production_id", "production_id"])
        bulk._bulk_update(
            productions,
            {
                pid: {"date_start": start, "date_finished": finish, "is_planned": True}
                for pid, (start, finish) in dates.items()
            },
            ["date_start", "date_finished", "is_planned"],
            changed=[],  # what Odoo derives from them is written here and below
        )
        # the moves of all the orders at once: walking each order's moves reads them one order at a time
        self.env.cr.execute(
            SQL(
                """
                SELECT id, raw_material_production_id, production_id
                  FROM stock_move
                 WHERE (raw_material_production_id = ANY(%(ids)s) OR production_id = ANY(%(ids)s))
                   AND state NOT IN ('done', 'cancel')
                """,
                ids=list(dates),
            )
        )
        moves = {}
        for move_id, consumed_by, made_by in self.env.cr.fetchall():
            moves[move_id] = {"date": dates[consumed_by][0]} if consumed_by else {"date": dates[made_by][1]}
        bulk._bulk_update(self.env["stock.move"].sudo(), moves, ["date"])
        # their non-stored figures (delays, popovers) are computed afresh when read
        self.env["mrp.production"].invalidate_model()
        self.env["mrp.workorder"].invalidate_model()

    def _write_deadlines(self, chain, plan):
        """Each production step: moved by capacity or late, its earliest finish, its bottleneck.

        The reference the watch compares the order's planned end with becomes the placed
        end: a placement in time is no slip; a late one slips by exactly its lateness.
        """
        keys = [key for key, step in chain.steps.items() if step.model == "mrp.production"]
        if not keys:
            return
        deadlines = self.env["backward.deadline"].sudo().search([("step_key", "in", keys), ("state", "!=", "cancel")])
        updates = {}
        for deadline in deadlines:
            dates = plan.capacity.get(deadline.step_key)
            placements = plan.placements.get(deadline.step_key)
            vals = {"capacity_state": False, "date_capacity_finish": False, "capacity_workcenter_id": False}
            if dates is not None and placements:
                planned = plan.steps[deadline.step_key]
                vals["capacity_state"] = (
                    "late" if dates.late else ("moved" if planned.start < dates.free_start else False)
                )
                if dates.late:
                    vals["date_capacity_finish"] = from_timestamp(dates.earliest_finish)
                    vals["capacity_workcenter_id"] = dates.bottleneck
                on_time_end = placements[-1].finish - (dates.earliest_finish - planned.finish if dates.late else 0)
                vals["date_document_planned"] = from_timestamp(on_time_end)
            current = {
                "capacity_state": deadline.capacity_state,
                "date_capacity_finish": deadline.date_capacity_finish,
                "capacity_workcenter_id": deadline.capacity_workcenter_id.id,
                "date_document_planned": deadline.date_document_planned,
            }
            if any(current[fname] != value for fname, value in vals.items()):
                updates[deadline.id] = vals
        self.env["backward.bulk.writer"]._bulk_update(
            deadlines,
            updates,
            ["capacity_state", "date_capacity_finish", "capacity_workcenter_id", "date_document_planned"],
        )

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

        Chunks of orders are planned one after the other; the placements of the orders not
        re-planned yet are not load, so that the most urgent take the work centers first.
        Returns the number of orders re-planned.
        """
        companies = companies.filtered(lambda company: company.backward_capacity == "finite")
        orders = self._open_orders(companies)
        productions = self._productions_of(orders)
        planner = self.env["backward.planner"].sudo()
        reason = _("capacity re-planned")
        for first in range(0, len(orders), REPLAN_CHUNK):
            chunk = orders[first : first + REPLAN_CHUNK]
            waiting = [pid for order in orders[first + REPLAN_CHUNK :] for pid in productions[order.id]]
            try:
                with self.env.cr.savepoint():
                    planner._plan_sale_orders(chunk, reason, replace_production_ids=waiting)
            except UserError:
                # each order alone, so that one order's bad data does not block the others
                for order in chunk:
                    try:
                        with self.env.cr.savepoint():
                            planner._plan_sale_orders(order, reason, replace_production_ids=waiting)
                    except UserError as error:
                        order._backward_record_warning(error.args[0])
        return len(orders)

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
        return self._notify(_("%(count)s open orders were placed on the work centers again.", count=count), "success")

    @api.model
    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": False},
        }

    @api.model
    def _cron_replan_capacity(self):
        companies = self.env["res.company"].sudo().search([("backward_capacity", "=", "finite")])
        if companies:
            self.sudo()._replan_companies(companies)
