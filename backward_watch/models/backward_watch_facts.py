"""What the watch reads: the open steps with their documents, and the live links.

One statement per kind of fact, whatever the number of steps: the steps and their
documents, the receipt moves of their purchases, the work left of their manufacturing
orders, the links. Rows are plain tuples (a pass reads hundreds of thousands); dates stay
dates here, every computation on them is in the core.
"""

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.backward_plan.scheduling import from_timestamp, states
from odoo.addons.backward_plan.scheduling.expectation import LIVE
from odoo.addons.backward_plan.scheduling.timestamps import EPOCH, SECOND

# A pass meets the same grid dates again and again: conversions are memoised.
_TS, _DT, MEMO = {}, {}, 500_000


def ts(moment):
    """A date read from the database as a timestamp of the core."""
    if not moment:
        return None
    instant = _TS.get(moment)
    if instant is None:
        if len(_TS) > MEMO:
            _TS.clear()
        instant = _TS[moment] = (moment - EPOCH) // SECOND
    return instant


def dt(instant):
    """A timestamp of the core as the date the database stores."""
    if instant is None:
        return None
    moment = _DT.get(instant)
    if moment is None:
        if len(_DT) > MEMO:
            _DT.clear()
        moment = _DT[instant] = from_timestamp(instant)
    return moment


# Manufacturing order states once started.
STARTED = ("progress", "to_close")
# Columns of a step row, in order (see _step_rows).
(
    S_ID,
    S_KIND,
    S_STATE,
    S_DEADLINE,
    S_START,
    S_EXPECTED,
    S_DONE,
    S_STARTED,
    S_ISSUE,
    S_REFERENCE,
    S_CALENDAR,
    S_SEGMENTS,
    S_DOCUMENT,
    S_PRODUCTION_STATE,
    S_RESERVATION,
    S_LINE,
    S_LINE_STATE,
    S_PURCHASE_STATE,
    S_PICKING_STATE,
    S_DOCUMENT_DATE,
    S_DOCUMENT_DONE,
    S_ORDERED,
    S_SET_START,
) = range(23)
# Columns of a link row, in order (see _link_rows).
(
    L_ID,
    L_STATE,
    L_UP,
    L_DOWN,
    L_DEADLINE,
    L_NEED,
    L_EXPECTED,
    L_DELAY,
    L_ABSORBED,
    L_ENDANGERS,
    L_HANDOVER,
    L_LATENESS,
    L_DOWN_STATE,
    L_MARGIN,
    L_ORDER_LATE,
    L_PROJECTED,
) = range(16)
# Columns of an upstream step the pass did not evaluate (done, cancelled, out of scope).
U_ID, U_STATE, U_DONE, U_EXPECTED, U_STARTED, U_ISSUE, U_CALENDAR, U_SEGMENTS, U_DEADLINE, U_START = range(10)


class BackwardWatchFacts(models.AbstractModel):
    _name = "backward.watch.facts"
    _description = "Backward Management Watch Facts"

    @api.model
    def _step_rows(self, deadline_ids=None):
        """Every step still to hand over (or those of ``deadline_ids``), with its document.

        Returns (rows, receipts, work left): receipts are ``{line id: (open, done,
        cancelled, done at)}``, the work left ``{production id: [(calendar key, minutes)]}``.
        """
        scope = SQL("d.id = ANY(%s)", list(deadline_ids)) if deadline_ids is not None else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id, d.kind, d.state, d.date_deadline, d.date_start_deadline, d.date_expected,
                       d.date_done, d.is_started, d.expectation_issue, d.date_document_planned,
                       COALESCE(d.calendar_id, company.resource_calendar_id), d.segments::text,
                       COALESCE(d.production_id, d.purchase_line_id, d.picking_id),
                       production.state, production.reservation_state,
                       d.purchase_line_id, line.state, purchase.state, picking.state,
                       -- the document's own date, and when it was done (one of them exists)
                       COALESCE(production.date_finished, line.date_planned, picking.scheduled_date),
                       COALESCE(production.date_finished, picking.date_done),
                       COALESCE(purchase.date_approve, purchase.date_order),
                       -- a manufacturing order's start set by hand: not the one the plan wrote
                       CASE WHEN production.backward_start_written IS NOT NULL
                             AND production.date_start IS DISTINCT FROM production.backward_start_written
                            THEN production.date_start END
                  FROM backward_deadline d
                  JOIN res_company company ON company.id = d.company_id
                  LEFT JOIN mrp_production production ON production.id = d.production_id
                  LEFT JOIN purchase_order_line line ON line.id = d.purchase_line_id
                  LEFT JOIN purchase_order purchase ON purchase.id = line.order_id
                  LEFT JOIN stock_picking picking ON picking.id = d.picking_id
                 WHERE d.state IN ('planned', 'in_progress') AND d.kind != 'customer' AND %s
                """,
                scope,
            )
        )
        rows = self.env.cr.fetchall()
        # only an ordered purchase has receipt moves
        lines = list({row[S_LINE] for row in rows if row[S_LINE] and row[S_PURCHASE_STATE] in ("purchase", "done")})
        started = list(
            {row[S_DOCUMENT] for row in rows if row[S_KIND] == "production" and row[S_PRODUCTION_STATE] in STARTED}
        )
        return rows, self._receipts(lines), self._work_left(started)

    def _receipts(self, line_ids):
        """The receipt moves of each purchase line, counted by state."""
        if not line_ids:
            return {}
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
                line_ids,
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def _work_left(self, production_ids):
        """(calendar key, minutes left) of the work orders of each started manufacturing order."""
        work = {production_id: [] for production_id in production_ids}
        if not production_ids:
            return work
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
                list(production_ids),
            )
        )
        for production_id, expected, done, calendar_id, resource_id in self.env.cr.fetchall():
            work[production_id].append(((calendar_id, resource_id or False), max((expected or 0) - (done or 0), 0)))
        return work

    @staticmethod
    def _document_state(row, receipts):
        """The step's state from its document (``scheduling.states``); a lost document cancels it."""
        kind = row[S_KIND]
        if not row[S_DOCUMENT]:
            return states.CANCEL
        if kind == "production":
            return states.production_state(row[S_PRODUCTION_STATE])
        if kind == "purchase":
            if not row[S_PURCHASE_STATE]:
                return states.CANCEL
            moves = receipts.get(row[S_LINE], (0, 0, 0, None))
            return states.purchase_line_state(row[S_PURCHASE_STATE], row[S_LINE_STATE], *moves[:3])
        return states.picking_state(row[S_PICKING_STATE])

    @staticmethod
    def _document_done(row, receipts):
        """When the step's document was done: a purchase when its last receipt move was."""
        if row[S_KIND] == "purchase":
            return receipts.get(row[S_LINE], (0, 0, 0, None))[3]
        return row[S_DOCUMENT_DONE]

    @api.model
    def _link_rows(self, deadline_ids=None):
        """The live links (or those touching ``deadline_ids``), with what their steps need."""
        scope = SQL("TRUE")
        if deadline_ids is not None:
            # the links touching the steps first, by their two indexes: with both conditions
            # in one statement, PostgreSQL reads every link of the factory
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id FROM backward_link WHERE upstream_id = ANY(%(ids)s)
                     UNION
                    SELECT id FROM backward_link WHERE downstream_id = ANY(%(ids)s)
                    """,
                    ids=sorted(set(deadline_ids)),
                )
            )
            scope = SQL("l.id = ANY(%s)", [row[0] for row in self.env.cr.fetchall()])
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.state, l.upstream_id, l.downstream_id, l.date_deadline, l.date_need,
                       l.date_expected, l.delay_hours, l.is_absorbed, l.endangers_promise, l.date_handover,
                       l.lateness_hours, down.state, company.backward_warning_margin_hours,
                       COALESCE(sale.backward_projected_late, FALSE), up.date_projected
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
        return self.env.cr.fetchall()

    @api.model
    def _upstream_rows(self, deadline_ids):
        """The steps of ``deadline_ids`` as stored (upstreams the pass did not evaluate)."""
        if not deadline_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id, d.state, d.date_done, d.date_expected, d.is_started, d.expectation_issue,
                       COALESCE(d.calendar_id, company.resource_calendar_id), d.segments::text,
                       d.date_deadline, d.date_start_deadline
                  FROM backward_deadline d
                  JOIN res_company company ON company.id = d.company_id
                 WHERE d.id = ANY(%s)
                """,
                list(deadline_ids),
            )
        )
        return {row[U_ID]: row for row in self.env.cr.fetchall()}
