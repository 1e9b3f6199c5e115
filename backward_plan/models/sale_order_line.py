from odoo import _, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        result = super()._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)
        if not self.env.context.get("backward_defer_planning"):
            # a line added or changed on a confirmed order: its chain has new documents
            orders = self.order_id.filtered(lambda order: order.state == "sale" and order.backward_plan_state != "none")
            orders._backward_plan_quietly(_("order lines changed"))
        return result
