from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    backward_capacity = fields.Selection(related="company_id.backward_capacity", readonly=False)
