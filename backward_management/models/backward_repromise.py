from odoo import fields, models


class BackwardRepromise(models.Model):
    """An upstream moved its expected handover past the slack of a link it owes."""

    _name = "backward.repromise"
    _description = "Re-promise past the Slack"
    _order = "create_date desc, id desc"

    link_id = fields.Many2one("backward.link", required=True, readonly=True, index=True, ondelete="cascade")
    sale_order_id = fields.Many2one(related="link_id.sale_order_id", store=True)
    upstream_user_id = fields.Many2one(related="link_id.upstream_user_id", store=True, string="Upstream Owner")
    downstream_user_id = fields.Many2one(related="link_id.downstream_user_id", store=True, string="Downstream Owner")
    date_deadline = fields.Datetime("Hand Over By", readonly=True)
    date_need = fields.Datetime("Needed By", readonly=True)
    date_old = fields.Datetime("Promised Before", readonly=True)
    date_new = fields.Datetime("Promised Now", readonly=True)
    delay_hours = fields.Float("Past the Deadline by (hours)", readonly=True)
    reason_id = fields.Many2one("backward.delay.reason", readonly=True)
    reason_note = fields.Text("Explanation", readonly=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True)
