from odoo import fields, models


class PurchaseOrderLine(models.Model):
    _name = "purchase.order.line"
    _inherit = ["purchase.order.line", "backward.document.mixin"]

    backward_deadline_ids = fields.One2many("backward.deadline", "purchase_line_id", string="Backward Deadlines")
