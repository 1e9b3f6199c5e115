"""The watch's side of a sale order: its projected completion and the links that threaten it."""

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    backward_risky_link_ids = fields.Many2many(
        "backward.link", string="Links at Risk", compute="_compute_backward_risky_link_ids"
    )
    backward_projected_date = fields.Datetime(
        "Projected Completion",
        readonly=True,
        copy=False,
        help="When the order will really be delivered: a forward pass from each document's current expectation.",
    )
    backward_projected_late = fields.Boolean("Projected Late", readonly=True, copy=False, index=True)
    backward_projected_delay_hours = fields.Float("Projected Delay (hours)", readonly=True, copy=False)
    backward_escalated = fields.Boolean(readonly=True, copy=False, help="Managers were warned of the projected delay.")
    backward_projection_pending = fields.Boolean(readonly=True, copy=False, index=True)

    @api.depends("backward_deadline_ids.upstream_link_ids.state")
    def _compute_backward_risky_link_ids(self):
        for order in self:
            links = order.backward_deadline_ids.upstream_link_ids
            order.backward_risky_link_ids = links.filtered(lambda link: link.state in ("at_risk", "late"))
