from odoo import api, fields, models


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
    backward_warning_margin_hours = fields.Float(related="company_id.backward_warning_margin_hours", readonly=False)
    backward_ontime_target = fields.Float(related="company_id.backward_ontime_target", readonly=False)
    backward_review_auto = fields.Boolean(related="company_id.backward_review_auto", readonly=False)
    backward_schedule_productions = fields.Boolean(related="company_id.backward_schedule_productions", readonly=False)
    backward_capacity = fields.Selection(related="company_id.backward_capacity", readonly=False)
    backward_production_owner_id = fields.Many2one(related="company_id.backward_production_owner_id", readonly=False)
    backward_watch_interval_number = fields.Integer(
        "Watch Every",
        compute="_compute_backward_watch_interval",
        inverse="_inverse_backward_watch_interval",
    )
    backward_watch_interval_type = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        compute="_compute_backward_watch_interval",
        inverse="_inverse_backward_watch_interval",
    )

    def _backward_watch_cron(self):
        # Settings are for administrators only (base.group_system), who may edit scheduled actions
        return self.env.ref("backward_management.ir_cron_backward_watch", raise_if_not_found=False)

    @api.depends("company_id")
    def _compute_backward_watch_interval(self):
        cron = self._backward_watch_cron()
        for settings in self:
            settings.backward_watch_interval_number = cron.interval_number if cron else 1
            settings.backward_watch_interval_type = cron.interval_type if cron else "hours"

    def _inverse_backward_watch_interval(self):
        cron = self._backward_watch_cron()
        for settings in self:
            if cron and settings.backward_watch_interval_number:
                cron.write(
                    {
                        "interval_number": settings.backward_watch_interval_number,
                        "interval_type": settings.backward_watch_interval_type or "hours",
                    }
                )
