"""The agreed plan written into Odoo's own dates, so that Odoo's screens follow it.

When sales, production and purchasing have agreed a plan (first, or again after a
re-plan), each live step's deadline becomes Odoo's native deadline of its moves (and so
of its transfer and manufacturing order: their late indicators, filters and popovers), an
RFQ's order deadline becomes the plan's order-by date and each of its lines asks the vendor
for the line's receive-by (its expected arrival), and, when Settings say so, a
manufacturing order not yet planned nor started is scheduled at its start-by, so that
Odoo's own work-order planning starts from the plan.

Only Odoo's standard fields are written: uninstalling the addon leaves valid documents.
What a person or a vendor set is left alone: a confirmed purchase's dates, an RFQ line's
expected arrival someone typed (it is no longer the date the plan last knew), a
manufacturing order planned by hand (its work orders have slots) or started, and one whose
start was set by hand. The plan remembers the start it wrote on each order
(``backward_start_written``, the order's own start when it first planned it): a start that
differs is a person's, until it is the plan's start-by again.
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from ..scheduling.chain import PRODUCTION
from .client_guards import require_superuser

PICKING_KINDS = ("receipt", "transfer", "delivery")
LIVE = ("planned", "in_progress")


class BackwardScheduleWriter(models.AbstractModel):
    _name = "backward.schedule.writer"
    _description = "Backward Management: the agreed plan in Odoo's dates"

    @api.model
    def _apply(self, orders):
        """Write the agreed plan of ``orders`` into their documents, in bulk (as superuser:
        reached from the agreement and the accepted re-promise, which elevated)."""
        require_superuser(self)
        steps = orders.with_env(self.env).backward_deadline_ids.filtered(lambda step: step.state in LIVE)
        if not steps:
            return
        # the starts first: Odoo moves a rescheduled order's component moves and propagates
        # their deadlines upstream; the deadlines written last are the plan's
        self._schedule_productions(steps.filtered(lambda step: step.kind == "production"))
        self._write_purchase_dates(steps.filtered(lambda step: step.kind == "purchase"))
        self._write_move_deadlines(steps)

    def _write_move_deadlines(self, steps):
        """Each open move of a step gets the step's deadline; a transfer's step wins over the
        purchase line whose receipt it is (its moves are that transfer's)."""
        deadline_of = {}
        for step in steps.sorted(lambda step: step.kind in PICKING_KINDS):
            if step.kind in PICKING_KINDS:
                moves = step.picking_id.move_ids
            elif step.kind == "production":
                moves = step.production_id.move_finished_ids
            elif step.kind == "purchase":
                moves = step.purchase_line_id.move_ids
            else:
                continue
            for move in moves:
                if move.state not in ("done", "cancel"):
                    deadline_of[move.id] = step.date_deadline
        by_deadline = defaultdict(list)
        for move in self.env["stock.move"].browse(list(deadline_of)):
            if move.date_deadline != deadline_of[move.id]:
                by_deadline[deadline_of[move.id]].append(move.id)
        # each move its own step's deadline: Odoo's propagation up and down the chain would
        # shift the others by the same delta, so every move of the plan counts as set
        written = set(deadline_of)
        Move = self.env["stock.move"].with_context(date_deadline_propagate_ids=written)
        for deadline, move_ids in by_deadline.items():
            Move.browse(move_ids).write({"date_deadline": deadline})

    def _write_purchase_dates(self, steps):
        """An RFQ's order deadline is the earliest order-by of its lines, and each line asks
        its vendor for the line's receive-by; a confirmed purchase keeps the dates agreed with
        its vendor.

        A line's expected arrival is written only while it is the date the plan last knew
        (Odoo's own when first planned, or what the plan wrote): one a person typed, or the
        vendor answered, stays. What is written is remembered as the step's document date.
        """
        order_by = {}
        arrivals = defaultdict(list)
        for step in steps:
            purchase, line = step.purchase_id, step.purchase_line_id
            if purchase.state not in ("draft", "sent"):
                continue
            if step.date_start_deadline:
                order_by[purchase] = min(step.date_start_deadline, order_by.get(purchase, step.date_start_deadline))
            if (
                step.date_deadline
                and step.date_document_planned
                and line.date_planned == step.date_document_planned
                and line.date_planned != step.date_deadline
            ):
                arrivals[step.date_deadline].append(step)
        Line = self.env["purchase.order.line"]
        for moment, asked in arrivals.items():
            Line.browse([step.purchase_line_id.id for step in asked]).write({"date_planned": moment})
        for purchase, moment in order_by.items():
            if purchase.date_order != moment:
                purchase.write({"date_order": moment})
        updates = {step.id: {"date_document_planned": moment} for moment, asked in arrivals.items() for step in asked}
        self.env["backward.bulk.writer"]._bulk_update(self.env["backward.deadline"], updates, ["date_document_planned"])

    def _schedule_productions(self, steps):
        """A manufacturing order neither planned by hand nor started starts at its start-by;
        the step's reference moves with it, so that the watch sees no slip in it. One whose
        start was set by hand keeps it (the plan starts from it), unless it is the start-by."""
        references, written = {}, {}
        for step in steps:
            production = step.production_id
            if not production.company_id.backward_schedule_productions:
                continue
            if production.state not in ("draft", "confirmed") or production.is_planned:
                continue
            if any(workorder.state in ("progress", "done") for workorder in production.workorder_ids):
                continue
            start_by = step.date_start_deadline
            if production._backward_start_set_by_hand() and production.date_start != start_by:
                continue
            if production.date_start != start_by:
                production.write({"date_start": start_by})
            if production.backward_start_written != start_by:
                written[production.id] = {"backward_start_written": start_by}
            references[step.id] = production.date_finished
        bulk = self.env["backward.bulk.writer"]
        bulk._bulk_update(self.env["mrp.production"], written, ["backward_start_written"], changed=[])
        updates = {step_id: {"date_document_planned": moment} for step_id, moment in references.items() if moment}
        bulk._bulk_update(self.env["backward.deadline"], updates, ["date_document_planned"])

    @api.model
    def _remember_starts(self, chain):
        """The start of each manufacturing order the plan meets for the first time is Odoo's
        own (its procurement's): the plan may move it, and a start that differs later was set
        by hand. One statement, for the orders the plan never met."""
        production_ids = [step.res_id for step in chain.steps.values() if step.model == PRODUCTION]
        if not production_ids:
            return
        Production = self.env["mrp.production"]
        Production.flush_model(["date_start", "backward_start_written"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE mrp_production SET backward_start_written = date_start
                 WHERE id = ANY(%s) AND backward_start_written IS NULL AND date_start IS NOT NULL
                RETURNING id
                """,
                production_ids,
            )
        )
        found = [row[0] for row in self.env.cr.fetchall()]
        Production.browse(found).invalidate_recordset(["backward_start_written"])
