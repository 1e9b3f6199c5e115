from odoo import _, fields, models


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "backward.document.mixin"]

    backward_deadline_ids = fields.One2many(
        "backward.deadline", "purchase_id", string="Backward Deadlines"
    )
    backward_date_deadline = fields.Datetime("Receive By")
    backward_date_start_deadline = fields.Datetime("Order By")

    def button_confirm(self):
        result = super().button_confirm()
        self.env["backward.planner"]._replan_documents(self, _("purchase order confirmed"))
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self.env["backward.planner"]._replan_documents(self, _("purchase order cancelled"))
        return result

    def action_merge(self):
        orders = self.filtered(lambda order: order.state in ("draft", "sent"))
        result = super().action_merge()
        self.env["backward.planner"]._replan_documents(
            orders.exists(), _("requests for quotation merged")
        )
        return result
