from odoo import _, fields, models


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "backward.document.mixin"]

    backward_deadline_ids = fields.One2many("backward.deadline", "picking_id", string="Backward Deadlines")

    def action_cancel(self):
        result = super().action_cancel()
        self.env["backward.planner"]._replan_documents(self, _("transfer cancelled"))
        return result

    def _action_done(self):
        result = super()._action_done()
        # a split leaves a backorder: re-planning gives it a deadline of its own
        self.env["backward.planner"]._replan_documents(self, _("transfer done"))
        return result
