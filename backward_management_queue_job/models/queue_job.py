from odoo import _, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def _related_action_backward_orders(self):
        """The sale orders a job of Backward Management works on."""
        self.ensure_one()
        orders = self.records.exists()
        if orders._name != "sale.order":
            return None  # the job that queues the re-plans: its orders are in the jobs it queued
        return {
            "type": "ir.actions.act_window",
            "name": _("Orders of the Job"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", orders.ids)],
        }
