from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    backward_granularity = fields.Selection(related="company_id.backward_granularity", readonly=False)
    backward_buffer_purchase_percent = fields.Float(
        related="company_id.backward_buffer_purchase_percent", readonly=False
    )
    backward_buffer_purchase_hours = fields.Float(related="company_id.backward_buffer_purchase_hours", readonly=False)
    backward_buffer_production_percent = fields.Float(
        related="company_id.backward_buffer_production_percent", readonly=False
    )
    backward_buffer_production_hours = fields.Float(
        related="company_id.backward_buffer_production_hours", readonly=False
    )
    backward_buffer_transfer_percent = fields.Float(
        related="company_id.backward_buffer_transfer_percent", readonly=False
    )
    backward_buffer_transfer_hours = fields.Float(related="company_id.backward_buffer_transfer_hours", readonly=False)
    backward_buffer_delivery_percent = fields.Float(
        related="company_id.backward_buffer_delivery_percent", readonly=False
    )
    backward_buffer_delivery_hours = fields.Float(related="company_id.backward_buffer_delivery_hours", readonly=False)
    backward_schedule_productions = fields.Boolean(related="company_id.backward_schedule_productions", readonly=False)
    backward_production_owner_id = fields.Many2one(related="company_id.backward_production_owner_id", readonly=False)
