"""Finite capacity's placements written back as Odoo's own slots, in a few statements.

Each placed work order gets its planned start and end and its slot in the work center's
calendar (``resource.calendar.leaves``, as Odoo's "Plan" books it), its manufacturing
order the span of its work orders and its moves' dates, and each production step says
what capacity did to it. Nothing is written record by record: the number of statements
does not grow with the number of work orders.
"""

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.backward_plan.models.client_guards import require_superuser
from odoo.addons.backward_plan.scheduling import from_timestamp


class BackwardCapacityWriter(models.AbstractModel):
    _name = "backward.capacity.writer"
    _description = "Backward Management: finite capacity's placements in Odoo"

    @api.model
    def _write_placements(self, chain, plan):
        """Odoo's own slots from ``plan.placements``; the deadlines say what capacity did
        (as superuser: the planner's entry elevated)."""
        require_superuser(self)
        placed = {placement.key: placement for placements in plan.placements.values() for placement in placements}
        if placed:
            self._write_workorders(placed)
            self._write_productions(chain, plan)
        self._write_deadlines(chain, plan)

    def _write_workorders(self, placed):
        workorders = self.env["mrp.workorder"].browse(sorted(placed))
        workorders.fetch(["workcenter_id", "leave_id", "duration_expected", "production_id", "name"])
        Leave = self.env["resource.calendar.leaves"]
        new_leaves, leave_updates, updates = [], {}, {}
        for workorder in workorders:
            placement = placed[workorder.id]
            center = self.env["mrp.workcenter"].browse(placement.center)
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
        # one by one, and overwrite the placed end); a work order moved to an alternative
        # center gets Odoo's expected duration there, written with it.
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
        productions = self.env["mrp.production"].browse(sorted(dates))
        bulk = self.env["backward.bulk.writer"]
        self.env["stock.move"].flush_model(["state", "raw_material_production_id", "production_id"])
        bulk._bulk_update(
            productions,
            {
                # the start it wrote is remembered: one that differs later was set by hand
                pid: {"date_start": start, "date_finished": finish, "is_planned": True, "backward_start_written": start}
                for pid, (start, finish) in dates.items()
            },
            ["date_start", "date_finished", "is_planned", "backward_start_written"],
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
        bulk._bulk_update(self.env["stock.move"], moves, ["date"])
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
        deadlines = self.env["backward.deadline"].search([("step_key", "in", keys), ("state", "!=", "cancel")])
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
