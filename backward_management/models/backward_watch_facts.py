"""What the watch reads: the open steps with their documents, and the live links.

One statement per kind of fact, whatever the number of steps: the steps and their
documents, the receipt moves of their purchases, the work left of their manufacturing
orders, the links. Dates stay dates here; every computation on them is in the core.
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from ..scheduling import states
from ..scheduling.expectation import LIVE

STEP_COLUMNS = SQL(
    """
    d.id, d.kind, d.state, d.date_deadline, d.date_start_deadline, d.date_expected, d.date_done,
    d.date_projected, d.is_started, d.expectation_issue, d.date_document_planned,
    COALESCE(d.calendar_id, company.resource_calendar_id) AS calendar_id,
    d.segments, d.company_id, d.production_id, d.purchase_line_id, d.picking_id,
    production.state AS production_state, production.date_finished, production.reservation_state,
    line.state AS line_state, line.date_planned, purchase.state AS purchase_state,
    purchase.date_approve, purchase.date_order,
    picking.state AS picking_state, picking.scheduled_date, picking.date_done AS picking_done
    """
)


class BackwardWatchFacts(models.AbstractModel):
    _name = "backward.watch.facts"
    _description = "Backward Management Watch Facts"

    @api.model
    def _step_rows(self, deadline_ids=None):
        """Every step still to hand over (or those of ``deadline_ids``), with its document."""
        scope = SQL("d.id = ANY(%s)", list(deadline_ids)) if deadline_ids is not None else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                """
                SELECT %(columns)s
                  FROM backward_deadline d
                  JOIN res_company company ON company.id = d.company_id
                  LEFT JOIN mrp_production production ON production.id = d.production_id
                  LEFT JOIN purchase_order_line line ON line.id = d.purchase_line_id
                  LEFT JOIN purchase_order purchase ON purchase.id = line.order_id
                  LEFT JOIN stock_picking picking ON picking.id = d.picking_id
                 WHERE d.state IN ('planned', 'in_progress') AND d.kind != 'customer' AND %(scope)s
                """,
                columns=STEP_COLUMNS,
                scope=scope,
            )
        )
        rows = self.env.cr.dictfetchall()
        self._add_receipts(rows)
        self._add_work_left(rows)
        return rows

    def _add_receipts(self, rows):
        """The receipt moves of each ordered purchase line, counted by state."""
        lines = [row["purchase_line_id"] for row in rows if row["purchase_line_id"] and row["purchase_state"]]
        counts = {}
        if lines:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT purchase_line_id,
                           count(*) FILTER (WHERE state NOT IN ('done', 'cancel')),
                           count(*) FILTER (WHERE state = 'done'),
                           count(*) FILTER (WHERE state = 'cancel'),
                           max(date) FILTER (WHERE state = 'done')
                      FROM stock_move
                     WHERE purchase_line_id = ANY(%s)
                     GROUP BY purchase_line_id
                    """,
                    lines,
                )
            )
            counts = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for row in rows:
            row["moves_open"], row["moves_done"], row["moves_cancelled"], row["moves_done_at"] = counts.get(
                row["purchase_line_id"], (0, 0, 0, None)
            )

    def _add_work_left(self, rows):
        """(calendar key, minutes left) of the work orders of each started manufacturing order."""
        started = [row["production_id"] for row in rows if row["production_state"] in ("progress", "to_close")]
        started_ids = set(started)
        work = defaultdict(list)
        if started:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT workorder.production_id, workorder.duration_expected, workorder.duration,
                           COALESCE(workcenter.resource_calendar_id, company.resource_calendar_id),
                           workcenter.resource_id
                      FROM mrp_workorder workorder
                      JOIN mrp_workcenter workcenter ON workcenter.id = workorder.workcenter_id
                      JOIN mrp_production production ON production.id = workorder.production_id
                      JOIN res_company company ON company.id = production.company_id
                     WHERE workorder.production_id = ANY(%s) AND workorder.state NOT IN ('done', 'cancel')
                     ORDER BY workorder.production_id, workorder.sequence, workorder.id
                    """,
                    started,
                )
            )
            for production_id, expected, done, calendar_id, resource_id in self.env.cr.fetchall():
                work[production_id].append(((calendar_id, resource_id or False), max((expected or 0) - (done or 0), 0)))
        for row in rows:
            row["work_left"] = work.get(row["production_id"], []) if row["production_id"] in started_ids else None

    @staticmethod
    def _document_state(row):
        """The step's state from its document (``scheduling.states``); a lost document cancels it."""
        if row["kind"] == "production":
            return states.production_state(row["production_state"]) if row["production_id"] else states.CANCEL
        if row["kind"] == "purchase":
            if not row["purchase_line_id"] or not row["purchase_state"]:
                return states.CANCEL
            return states.purchase_line_state(
                row["purchase_state"], row["line_state"], row["moves_open"], row["moves_done"], row["moves_cancelled"]
            )
        return states.picking_state(row["picking_state"]) if row["picking_id"] else states.CANCEL

    @staticmethod
    def _document_dates(row):
        """(done at, the document's own date, ordered at) of a step's document."""
        if row["kind"] == "production":
            return row["date_finished"], row["date_finished"], None
        if row["kind"] == "purchase":
            return row["moves_done_at"], row["date_planned"], row["date_approve"] or row["date_order"]
        return row["picking_done"], row["scheduled_date"], None

    @api.model
    def _link_rows(self, deadline_ids=None):
        """The live links (or those touching ``deadline_ids``), with both of their steps."""
        scope = (
            SQL("(l.upstream_id = ANY(%(ids)s) OR l.downstream_id = ANY(%(ids)s))", ids=list(deadline_ids))
            if deadline_ids is not None
            else SQL("TRUE")
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.state, l.upstream_id, l.downstream_id, l.date_deadline, l.date_need,
                       l.date_expected, l.delay_hours, l.is_absorbed, l.endangers_promise, l.date_handover,
                       l.lateness_hours,
                       up.state AS up_state, up.date_done AS up_done, up.date_expected AS up_expected,
                       up.date_projected AS up_projected, up.is_started AS up_started,
                       up.expectation_issue AS up_issue,
                       COALESCE(up.calendar_id, company.resource_calendar_id) AS up_calendar_id,
                       up.segments AS up_segments, up.date_deadline AS up_deadline,
                       up.date_start_deadline AS up_start_by,
                       down.state AS down_state,
                       company.backward_warning_margin_hours AS margin,
                       COALESCE(sale.backward_projected_late, FALSE) AS order_late
                  FROM backward_link l
                  JOIN backward_deadline up ON up.id = l.upstream_id
                  JOIN backward_deadline down ON down.id = l.downstream_id
                  JOIN res_company company ON company.id = l.company_id
                  LEFT JOIN sale_order sale ON sale.id = l.sale_order_id
                 WHERE l.state = ANY(%(live)s) AND %(scope)s
                """,
                live=list(LIVE),
                scope=scope,
            )
        )
        return self.env.cr.dictfetchall()
