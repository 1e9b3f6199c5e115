from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    backward_capacity = fields.Selection(
        [("infinite", "Infinite"), ("finite", "Finite")],
        string="Capacity",
        default="infinite",
        required=True,
        help="Infinite: each manufacturing order is planned as if its work centers were free. Finite: its work "
        "orders are placed on their work centers, as late as the load already there allows, and written as "
        "Odoo's planned dates.",
    )
