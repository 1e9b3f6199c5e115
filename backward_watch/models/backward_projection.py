"""When an order will really be delivered: a forward pass from each step's expectation.

Read from what the plan and the watch stored (steps, their durations, their expectations,
the links between them): no walk of the moves, no document read again. Deadlines are left
alone; each step gets its projected finish and each order its projected completion. Slack
is not spent: the buffers are not added. Called by the watch, as superuser.
"""

from collections import defaultdict

from odoo import api, fields, models

from odoo.addons.backward_plan import scheduling
from odoo.addons.backward_plan.scheduling import from_timestamp, hours_late, to_timestamp
from odoo.addons.backward_plan.scheduling.leadtime import calendar_keys, core_segments, decode


class BackwardProjection(models.AbstractModel):
    _name = "backward.projection"
    _description = "Backward Management Projection"

    @api.model
    def _project_sale_orders(self, orders):
        orders = orders.filtered(lambda order: order.state == "sale")
        if not orders:
            return
        now = to_timestamp(fields.Datetime.now())
        Deadline = self.env["backward.deadline"]
        deadlines = Deadline.search_fetch(
            [("sale_order_ids", "in", orders.ids), ("state", "!=", "cancel")],
            [
                "kind",
                "state",
                "calendar_id",
                "segments",
                "date_deadline",
                "date_expected",
                "date_done",
                "date_projected",
                "sale_order_id",
                "company_id",
            ],
        )
        links = self.env["backward.link"].search_fetch(
            [
                ("upstream_id", "in", deadlines.ids),
                ("downstream_id", "in", deadlines.ids),
                ("state", "!=", "cancel"),
            ],
            ["upstream_id", "downstream_id"],
        )
        forward = self._forward(deadlines, links, now)
        updates = {}
        for deadline in deadlines:
            dates = forward.get(deadline.id)
            projected = from_timestamp(dates.finish) if dates else False
            if deadline.date_projected != projected:
                updates[deadline.id] = {"date_projected": projected}
        self.env["backward.bulk.writer"]._bulk_update(Deadline, updates, ("date_projected",))
        customers = {deadline.sale_order_id.id: deadline for deadline in deadlines if deadline.kind == "customer"}
        # orders promised alike are projected alike: one write for each projection
        projections = defaultdict(list)
        for order in orders:
            customer = customers.get(order.id)
            dates = forward.get(customer.id) if customer else None
            projected = from_timestamp(dates.finish) if dates else False
            delay = hours_late(dates.finish, to_timestamp(customer.date_deadline)) if dates else 0.0
            projections[projected, delay > 0, round(delay, 2)].append(order.id)
        for (projected, late, delay), ids in projections.items():
            orders.browse(ids)._backward_write(
                {
                    "backward_projected_date": projected,
                    "backward_projected_late": late,
                    "backward_projected_delay_hours": delay,
                    "backward_projection_pending": False,
                }
            )

    def _forward(self, deadlines, links, now):
        """{deadline id: ForwardDates} without buffers, from the stored expectations."""
        if not deadlines:
            return {}
        stored = {deadline.id: decode(deadline.segments) for deadline in deadlines}
        keys = {
            (deadline.calendar_id.id or deadline.company_id.resource_calendar_id.id, False) for deadline in deadlines
        }
        for segments in stored.values():
            keys |= calendar_keys(segments)
        instants = [now] + [to_timestamp(d.date_deadline) for d in deadlines if d.date_deadline]
        planner = self.env["backward.planner"]
        calendars = planner._calendars(keys, min(instants), max(instants), 400)
        steps = {}
        for deadline in deadlines:
            segments = stored[deadline.id]
            calendar_key = (
                segments[-1][1]
                if segments
                else (
                    deadline.calendar_id.id or deadline.company_id.resource_calendar_id.id,
                    False,
                )
            )
            done = deadline.state == "done"
            steps[deadline.id] = scheduling.Step(
                deadline.id,
                calendars[calendar_key],
                core_segments(segments, calendars),
                promise=to_timestamp(deadline.date_deadline) if deadline.kind == "customer" else None,
                done_at=to_timestamp(deadline.date_done) if done and deadline.date_done else None,
                started_at=now if deadline.state == "in_progress" else None,
                expected_finish=to_timestamp(deadline.date_expected) if deadline.date_expected and not done else None,
            )
        core_links = [scheduling.Link(link.upstream_id.id, link.downstream_id.id) for link in links]
        granularity = planner._granularity(deadlines.company_id)
        try:
            return scheduling.plan_forward(steps, core_links, granularity, now, with_buffers=False)
        except (scheduling.HorizonError, scheduling.CycleError):
            return {}
