from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    backward_warning_margin_hours = fields.Float(
        "Warning Margin (hours)",
        default=0.0,
        help="Working hours of early warning: a link is also at risk when its upstream has not started "
        "this long before it must start (0: once the start is due). A step on plan is never at risk.",
    )
    backward_ontime_target = fields.Float("On-time Target (%)", default=95.0)

    @api.constrains("backward_warning_margin_hours", "backward_ontime_target")
    def _check_backward_watch_settings(self):
        for company in self:
            if company.backward_warning_margin_hours < 0:
                raise ValidationError(_("The warning margin cannot be negative."))
            if not 0 <= company.backward_ontime_target <= 100:
                raise ValidationError(
                    _(
                        "The on-time target is a percentage between 0 and 100, not %(target)s.",
                        target=company.backward_ontime_target,
                    )
                )
