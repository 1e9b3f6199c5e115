from odoo import _, api, models

from .backward_jobs import REPLAN_BUCKET


class BackwardReplanner(models.AbstractModel):
    _inherit = "backward.replanner"

    @api.model
    def _wake(self):
        """The marked orders become jobs, one per bucket, instead of the cron's chunks."""
        orders = self.env["sale.order"].sudo().search([("backward_replan_reason", "!=", False)], order="id")
        orders._backward_enqueue(
            "replan", REPLAN_BUCKET, _("Re-plan %(count)s orders after a change (%(first)s to %(last)s)")
        )
