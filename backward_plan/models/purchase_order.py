from odoo import _, api, fields, models
from odoo.tools import SQL


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "backward.document.mixin"]

    _backward_party = "purchase"

    backward_deadline_ids = fields.One2many("backward.deadline", "purchase_id", string="Backward Deadlines")
    backward_date_deadline = fields.Datetime("Receive By")
    backward_date_start_deadline = fields.Datetime("Order By")

    @api.ondelete(at_uninstall=False)
    def _unlink_keep_backward_steps(self):
        """Deleting a request for quotation leaves its steps behind, cancelled by the watch.

        Both the order and its lines are referenced: they are let go together here, as
        the database's own cascade would update the steps twice in one statement.
        """
        self.env.cr.execute(
            SQL(
                "UPDATE backward_deadline SET purchase_id = NULL, purchase_line_id = NULL WHERE purchase_id = ANY(%s)",
                self.ids,
            )
        )
        self.env["backward.deadline"].invalidate_model(["purchase_id", "purchase_line_id"])

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
        self.env["backward.planner"]._replan_documents(orders.exists(), _("requests for quotation merged"))
        return result
