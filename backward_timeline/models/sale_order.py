from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_view_backward_timeline(self):
        """The order's chain on a timeline, plan against reality."""
        return self.env["backward.timeline"]._action(self)
