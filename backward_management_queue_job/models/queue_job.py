from odoo import _, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def _related_action_backward_orders(self):
        """The sale orders a job of Backward Management works on."""
        self.ensure_one()
        orders = self.records.exists()
        return {
            "type": "ir.actions.act_window",
            "name": _("Orders of the Job"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", orders.ids)],
        }
