from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    backward_warning_margin_hours = fields.Float(related="company_id.backward_warning_margin_hours", readonly=False)
    backward_ontime_target = fields.Float(related="company_id.backward_ontime_target", readonly=False)
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
        return self.env.ref("backward_watch.ir_cron_backward_watch", raise_if_not_found=False)

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
