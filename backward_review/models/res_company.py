from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    backward_review_auto = fields.Boolean(
        "Open Reviews Automatically",
        help="The watch opens a draft review, with its proposed penalties, for every handover done late.",
    )
