from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    backward_review_auto = fields.Boolean(related="company_id.backward_review_auto", readonly=False)
