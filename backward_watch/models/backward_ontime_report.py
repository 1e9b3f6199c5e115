from odoo import fields, models, tools
from odoo.tools import SQL


class BackwardOntimeReport(models.Model):
    """Handovers done, on time or late: the rate the method exists to raise."""

    _name = "backward.ontime.report"
    _description = "On-time Handover Analysis"
    _auto = False
    _order = "date_handover desc"

    link_id = fields.Many2one("backward.link", readonly=True)
    kind = fields.Selection(
        [
            ("purchase", "Purchase"),
            ("production", "Manufacturing"),
            ("transfer", "Transfer"),
            ("delivery", "Delivery"),
        ],
        readonly=True,
    )
    is_customer_delivery = fields.Boolean("Delivery to the Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Upstream Owner", readonly=True)
    team_id = fields.Many2one("backward.team", string="Upstream Team", readonly=True)
    vendor_id = fields.Many2one("res.partner", readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True)
    reason_id = fields.Many2one("backward.delay.reason", string="Delay Reason", readonly=True)
    date_deadline = fields.Datetime("Hand Over By", readonly=True)
    date_handover = fields.Datetime("Handed Over On", readonly=True)
    is_on_time = fields.Boolean("On Time", readonly=True)
    on_time_rate = fields.Float("On-time Rate (%)", readonly=True, aggregator="avg")
    target = fields.Float("Target (%)", readonly=True, aggregator="avg")
    lateness_hours = fields.Float("Lateness (hours)", readonly=True, aggregator="avg")
    handover_count = fields.Integer("Handovers", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def _query(self):
        return SQL(
            """
            SELECT link.id, link.id AS link_id, link.kind, down.kind = 'customer' AS is_customer_delivery,
                   link.upstream_user_id AS user_id, link.upstream_team_id AS team_id, link.vendor_id,
                   link.sale_order_id, link.reason_id, link.date_deadline, link.date_handover,
                   link.state = 'done' AS is_on_time,
                   CASE WHEN link.state = 'done' THEN 100.0 ELSE 0.0 END AS on_time_rate,
                   company.backward_ontime_target AS target, link.lateness_hours,
                   1 AS handover_count, link.company_id
              FROM backward_link link
              JOIN backward_deadline down ON down.id = link.downstream_id
              JOIN res_company company ON company.id = link.company_id
             WHERE link.state IN ('done', 'done_late')
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
