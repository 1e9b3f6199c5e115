from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    backward_priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent")],
        string="Production Priority",
        default="0",
        tracking=True,
        help="With finite capacity, urgent orders take the work centers first; the others share "
        "what is left, placed so that as few as possible are late.",
    )

    def _backward_client_fields(self):
        # the salesperson sets the priority; the planner keeps the plan's fields
        return super()._backward_client_fields() | {"backward_priority"}

    def _backward_rank(self):
        """Who the full re-plan places first with finite capacity: urgent orders, then the
        earliest promise (its chunks of orders are placed in this order)."""
        self.ensure_one()
        promise = self.commitment_date or self.expected_date or fields.Datetime.now()
        return (-int(self.backward_priority or 0), promise, self.id)

    def _backward_batch_rank(self):
        """The orders of one rank are placed on the work centers together, so that as few
        as possible are late (``scheduling.sequencing``); urgent ones first, alone."""
        self.ensure_one()
        return (-int(self.backward_priority or 0),)
