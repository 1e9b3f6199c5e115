from odoo import _, fields, models
from odoo.exceptions import UserError


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "backward.document.mixin"]

    backward_awaits_agreement = fields.Boolean(
        compute="_compute_backward_awaits_agreement",
        help="A sale order this document serves has a plan waiting for Production's agreement.",
    )
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

    def _compute_backward_awaits_agreement(self):
        for record in self:
            orders = record.sudo().backward_deadline_ids.sale_order_ids
            record.backward_awaits_agreement = any(
                order.backward_plan_state == "proposed" and not order.backward_production_agreed_uid for order in orders
            )

    def action_backward_agree_plan(self):
        """Agree, for production, the plans of the sale orders this order serves."""
        orders = self.sudo().backward_deadline_ids.sale_order_ids.filtered(
            lambda order: order.backward_plan_state == "proposed" and not order.backward_production_agreed_uid
        )
        if not orders:
            raise UserError(_("No plan served by this manufacturing order waits for production's agreement."))
        return orders.with_user(self.env.user)._backward_agree("production")
