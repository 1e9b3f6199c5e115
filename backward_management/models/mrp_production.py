from odoo import _, fields, models


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "backward.document.mixin"]

    _backward_party = "production"

    backward_deadline_ids = fields.One2many("backward.deadline", "production_id", string="Backward Deadlines")

    def action_cancel(self):
        result = super().action_cancel()
        self.env["backward.planner"]._replan_documents(self, _("manufacturing order cancelled"))
        return result

    def button_mark_done(self):
        result = super().button_mark_done()
        done = self.filtered(lambda production: production.state == "done")
        self.env["backward.planner"]._replan_documents(done, _("manufacturing order done"))
        return result
