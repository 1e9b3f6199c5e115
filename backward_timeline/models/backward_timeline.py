"""The data of the chain timeline: one row per step, its bars, arrows and shading.

The client (static/src/timeline) only draws: every date, slack and state comes from here,
read with the user's own rights, so that the picture shows what the lists show.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.backward_plan.scheduling import from_timestamp, to_timestamp
from odoo.addons.backward_plan.scheduling.timeline import critical_steps, idle_intervals, slack_to_promise

#: rows of the many-orders view; more orders are left to the list views and filters
MAX_ORDERS = 60
DOCUMENT_FIELDS = {
    "sale.order": "sale_order_ids",
    "mrp.production": "production_id",
    "purchase.order": "purchase_id",
    "purchase.order.line": "purchase_line_id",
    "stock.picking": "picking_id",
}
LINK_STATES = ("open", "absorbed", "at_risk", "late", "done", "done_late")
STATE_RANK = {"cancel": 0, "open": 1, "done": 2, "absorbed": 3, "done_late": 4, "at_risk": 5, "late": 6}


def _iso(moment):
    return fields.Datetime.to_string(moment) if moment else False


class BackwardTimeline(models.AbstractModel):
    _name = "backward.timeline"
    _description = "Backward Chain Timeline"

    @api.model
    def _action(self, documents):
        """The client action drawing the chains of ``documents``."""
        return {
            "type": "ir.actions.client",
            "tag": "backward_timeline.chain_timeline",
            "name": _("Timeline: %(documents)s", documents=", ".join(documents.mapped("display_name"))[:80]),
            "params": {"res_model": documents._name, "res_ids": documents.ids},
        }

    @api.model
    def get_timeline(self, res_model=None, res_ids=None, states=None, user_id=None):
        """The timeline of the chains of ``res_model``/``res_ids``, or of the open orders.

        A manufacturing order, purchase or transfer shows the whole chain of every sale
        order it serves. Without a document, the open orders with a plan are shown,
        filtered by link ``states`` (the worst link of a row) and by owner ``user_id``.
        """
        orders = self._orders(res_model, res_ids)
        deadlines = self.env["backward.deadline"].search(
            [("sale_order_ids", "in", orders.ids), ("state", "!=", "cancel")], order="level desc, id"
        )
        links = self.env["backward.link"].search(
            [("downstream_id", "in", deadlines.ids), ("upstream_id", "in", deadlines.ids), ("state", "!=", "cancel")]
        )
        step_state = self._step_states(deadlines, links, orders)
        slack = slack_to_promise(
            (link.upstream_id.id, link.downstream_id.id, link.slack_hours, link.delay_hours) for link in links
        )
        # what was handed over can lose no more hours: history, not the critical path
        handed_over = {link.upstream_id.id for link in links if link.state in ("done", "done_late")}
        critical = critical_steps(slack) - handed_over
        for link in links:
            # the customer has no slack of its own: it is critical when what feeds it is
            if link.downstream_id.kind == "customer" and (
                link.upstream_id.id in critical or step_state.get(link.downstream_id.id) == "late"
            ):
                critical.add(link.downstream_id.id)
        needs, delays = {}, {}
        # a step whose re-promise waits for the downstream's consent says so on its bar
        pending = {link.upstream_id.id for link in links if link.repromise_pending}
        for link in links:
            delays[link.upstream_id.id] = max(link.delay_hours, delays.get(link.upstream_id.id, link.delay_hours))
            if link.date_need:
                needs[link.upstream_id.id] = min(link.date_need, needs.get(link.upstream_id.id, link.date_need))
        documents = self._documents(deadlines)
        rows = []
        # the steps of each order, in one walk (a shared step shows under each order it serves)
        steps_of = {order.id: [] for order in orders}
        for deadline in deadlines:
            for order_id in deadline.sale_order_ids.ids:
                if order_id in steps_of:
                    steps_of[order_id].append(deadline.id)
        for order in orders:
            steps = deadlines.browse(steps_of[order.id])
            if res_model is None and not self._keeps(steps, step_state, states, user_id):
                continue
            for deadline in steps:
                rows.append(self._row(order, deadline, documents, step_state, slack, critical, needs, delays, pending))
        if not rows and res_model:
            raise UserError(_("There is no backward plan to show: plan the sale order first."))
        shown = {row["id"] for row in rows}
        moments = [
            moment
            for row in rows
            for moment in (row["start"], row["deadline"], row["need"], row["expected"], row["baseline_start"])
            if moment
        ] + [fields.Datetime.to_string(fields.Datetime.now())]
        first = fields.Datetime.to_datetime(min(moments)) - timedelta(days=1)
        last = fields.Datetime.to_datetime(max(moments)) + timedelta(days=1)
        return {
            "rows": rows,
            "links": [
                {"from": link.upstream_id.id, "to": link.downstream_id.id, "state": link.state}
                for link in links
                if link.upstream_id.id in shown and link.downstream_id.id in shown
            ],
            "now": _iso(fields.Datetime.now()),
            "start": _iso(first),
            "end": _iso(last),
            "idle": self._idle(orders[:1].company_id, first, last),
            "states": dict(self.env["backward.link"]._fields["state"]._description_selection(self.env)),
            "truncated": res_model is None and len(orders) >= MAX_ORDERS,
            "owners": [[user.id, user.name] for user in deadlines.user_id.sorted("name")],
        }

    def _orders(self, res_model, res_ids):
        if res_model is None:
            plan = self.env["backward.deadline"]._search([])
            open_orders = [
                ("state", "=", "sale"),
                ("delivery_status", "!=", "full"),
                ("backward_plan_state", "!=", "none"),
                ("backward_deadline_ids", "in", plan),
            ]
            # sudo: the open orders of the plan the user reads, named (as the Deadlines list does) to a buyer too
            return self.env["sale.order"].sudo().search(open_orders, order="commitment_date, id", limit=MAX_ORDERS)
        if res_model not in DOCUMENT_FIELDS:
            raise UserError(
                _("A timeline is drawn from a sale order, a manufacturing order, a purchase or a transfer.")
            )
        documents = self.env[res_model].browse(res_ids).exists()
        documents.check_access("read")
        if res_model == "sale.order":
            return documents
        return self.env["backward.deadline"].search([(DOCUMENT_FIELDS[res_model], "in", documents.ids)]).sale_order_ids

    def _step_states(self, deadlines, links, orders):
        """{deadline id: state}: a step shows the worst of the handovers it owes; the
        customer, late when the order is projected late."""
        states = {}
        for link in links:
            current = states.get(link.upstream_id.id, "cancel")
            if STATE_RANK.get(link.state, 0) > STATE_RANK[current]:
                states[link.upstream_id.id] = link.state
        for deadline in deadlines.filtered(lambda deadline: deadline.kind == "customer"):
            order = deadline.sale_order_id
            if order.delivery_status == "full" or deadline.state == "done":
                late = order.effective_date and order.effective_date > deadline.date_deadline
                states[deadline.id] = "done_late" if late else "done"
            else:
                states[deadline.id] = "late" if order.backward_projected_late else "open"
        return states

    def _keeps(self, steps, step_state, states, user_id):
        if states and max((step_state.get(step.id, "open") for step in steps), key=STATE_RANK.get) not in states:
            return False
        return not user_id or user_id in steps.user_id.ids

    def _documents(self, deadlines):
        """{deadline id: (document, readable)}: only the documents the user may read are
        named and open; the others are shown by their step's name (the plan names them)."""
        documents = {deadline.id: deadline._document() for deadline in deadlines}
        readable = set()
        by_model = {}
        for document in documents.values():
            if document:
                by_model.setdefault(document._name, set()).add(document.id)
        for model, ids in by_model.items():
            allowed = self.env[model].browse(ids)._filtered_access("read")
            readable.update((model, record_id) for record_id in allowed.ids)
        return {
            key: (document, bool(document) and (document._name, document.id) in readable)
            for key, document in documents.items()
        }

    def _row(self, order, deadline, documents, step_state, slack, critical, needs, delays, pending):
        document, readable = documents[deadline.id]
        moved = deadline.date_deadline_baseline and deadline.date_deadline_baseline != deadline.date_deadline
        return {
            "id": deadline.id,
            "order_id": order.id,
            "order": order.name,
            "customer": order.partner_id.display_name,
            "name": deadline.name,
            "document": document.display_name if readable else deadline.name,
            "res_model": readable and document._name,
            "res_id": readable and document.id,
            "product": deadline.product_id.display_name or "",
            "kind": deadline.kind,
            "level": deadline.level,
            "owner": deadline.user_id.name or deadline.team_id.name or "",
            "owner_id": deadline.user_id.id,
            "start": _iso(deadline.date_start_deadline),
            "deadline": _iso(deadline.date_deadline),
            "need": _iso(needs.get(deadline.id)),
            "baseline_start": _iso(moved and deadline.date_start_deadline_baseline),
            "baseline_deadline": _iso(moved and deadline.date_deadline_baseline),
            "expected": _iso(
                deadline.date_done
                or deadline.date_expected
                or (deadline.kind == "customer" and order.backward_projected_date)
            ),
            "state": step_state.get(deadline.id, "open"),
            "slack": round(slack[deadline.id], 2) if deadline.id in slack else False,
            "delay": round(delays.get(deadline.id, 0.0), 2),
            "critical": deadline.id in critical,
            "repromise_pending": deadline.id in pending,
            "capacity": deadline.capacity_state or False,
        }

    def _idle(self, company, first, last):
        """Non-working time of the company's calendar, to shade behind the bars."""
        calendar = company.resource_calendar_id
        if not calendar:
            return []
        key = (calendar.id, False)
        work = (
            self.env["resource.calendar"]
            ._backward_work_calendars([key], first.date(), last.date(), skip_invalid=True)
            .get(key)
        )
        if not work:
            return [[_iso(first), _iso(last)]]
        return [
            [_iso(from_timestamp(start)), _iso(from_timestamp(end))]
            for start, end in idle_intervals(work.starts, work.ends, to_timestamp(first), to_timestamp(last))
        ]
