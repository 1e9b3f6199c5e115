from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.backward_plan.models.backward_link import LINK_KIND_SELECTION


class BackwardPenaltyPolicy(models.Model):
    """How many points a late handover of a kind of link is worth."""

    _name = "backward.penalty.policy"
    _description = "Penalty Policy"
    _order = "kind"

    kind = fields.Selection(LINK_KIND_SELECTION, string="Link Kind", required=True)
    unit = fields.Selection([("hour", "Per hour late"), ("day", "Per day late")], required=True, default="day")
    points_per_unit = fields.Float("Points per Unit", default=1.0)
    points_min = fields.Float("Minimum Points", default=1.0, help="A late handover is worth at least this.")
    points_max = fields.Float("Maximum Points", default=10.0, help="A late handover is worth at most this.")
    amount_per_unit = fields.Monetary("Amount per Unit", currency_field="currency_id")
    warning_first_offence = fields.Boolean(
        "Warning for a First Offence",
        default=True,
        help="A party never penalised nor warned before for this kind of link (in this company) gets a "
        "warning: no points, no amount.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        ("kind_company_unique", "unique(kind, company_id)", "A company has one penalty policy per kind of link."),
    ]

    @api.constrains("points_per_unit", "points_min", "points_max", "amount_per_unit")
    def _check_points(self):
        for policy in self:
            if min(policy.points_per_unit, policy.points_min, policy.points_max, policy.amount_per_unit) < 0:
                raise ValidationError(_("Penalty points and amounts cannot be negative."))
            if policy.points_min > policy.points_max:
                raise ValidationError(
                    _(
                        "The minimum (%(min)s points) is above the maximum (%(max)s points).",
                        min=policy.points_min,
                        max=policy.points_max,
                    )
                )

    def _propose(self, lateness_hours, first_offence):
        """(points, amount, is_warning) for a late handover of ``lateness_hours``."""
        self.ensure_one()
        if self.warning_first_offence and first_offence:
            return 0.0, 0.0, True
        units = lateness_hours if self.unit == "hour" else lateness_hours / 24.0
        points = min(max(units * self.points_per_unit, self.points_min), self.points_max)
        return round(points, 2), round(units * self.amount_per_unit, 2), False
