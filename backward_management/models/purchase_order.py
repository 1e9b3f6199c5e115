from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "backward.document.mixin"]

    backward_awaits_agreement = fields.Boolean(
        compute="_compute_backward_awaits_agreement",
        help="A sale order this document serves has a plan waiting for Purchasing's agreement.",
    )
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

    def _compute_backward_awaits_agreement(self):
        for record in self:
            orders = record.sudo().backward_deadline_ids.sale_order_ids
            record.backward_awaits_agreement = any(
                order.backward_plan_state == "proposed" and not order.backward_purchase_agreed_uid for order in orders
            )

    def action_backward_agree_plan(self):
        """Agree, for purchasing, the plans of the sale orders this purchase serves."""
        orders = self.sudo().backward_deadline_ids.sale_order_ids.filtered(
            lambda order: order.backward_plan_state == "proposed" and not order.backward_purchase_agreed_uid
        )
        if not orders:
            raise UserError(_("No plan served by this purchase order waits for purchasing's agreement."))
        return orders.with_user(self.env.user)._backward_agree("purchase")
