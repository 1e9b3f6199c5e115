from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .client_guards import require_superuser

GRANULARITY_SELECTION = [
    ("day", "Day (end of the working day)"),
    ("shift", "Shift (end of an attendance slot)"),
    ("hour", "Hour"),
]
# Company fields the planner's cached lead times and owners depend on.
LEAD_FIELDS = frozenset(
    {
        "security_lead",
        "po_lead",
        "days_to_purchase",
        "manufacturing_lead",
        "resource_calendar_id",
        "backward_production_owner_id",
    }
)
# Link kinds are named after the upstream step that owes the handover.
LINK_KINDS = ("purchase", "production", "transfer", "delivery")


class ResCompany(models.Model):
    _inherit = "res.company"

    backward_granularity = fields.Selection(
        GRANULARITY_SELECTION,
        string="Deadline Granularity",
        default="shift",
        required=True,
        help="Handover deadlines fall at the end of a working day, at the end of a shift "
        "(an attendance slot of the working calendar) or on a whole hour.",
    )
    backward_buffer_purchase_percent = fields.Float(
        "Purchase Buffer (%)", default=10.0, help="Share of the purchase lead time kept as slack."
    )
    backward_buffer_purchase_hours = fields.Float("Purchase Buffer (hours)", default=8.0)
    backward_buffer_production_percent = fields.Float(
        "Production Buffer (%)", default=10.0, help="Share of the manufacturing time kept as slack."
    )
    backward_buffer_production_hours = fields.Float("Production Buffer (hours)", default=2.0)
    backward_buffer_transfer_percent = fields.Float("Transfer Buffer (%)", default=0.0)
    backward_buffer_transfer_hours = fields.Float("Transfer Buffer (hours)", default=1.0)
    backward_buffer_delivery_percent = fields.Float("Delivery Buffer (%)", default=0.0)
    backward_buffer_delivery_hours = fields.Float("Delivery Buffer (hours)", default=4.0)

    backward_production_owner_id = fields.Many2one(
        "res.users",
        string="Manufacturing Manager",
        domain="[('share', '=', False)]",
        help="Answers for a manufacturing order that names no Responsible when its work center names no owner "
        "nor team. Empty: the first Manufacturing Administrator of the company.",
    )
    backward_schedule_productions = fields.Boolean(
        "Schedule Manufacturing Orders at their Start By",
        default=True,
        help="When a plan is agreed, a manufacturing order neither planned by hand nor started is "
        "scheduled at its start-by, so that Odoo's work-order planning starts from the plan.",
    )

    @api.constrains(*(f"backward_buffer_{kind}_{unit}" for kind in LINK_KINDS for unit in ("percent", "hours")))
    def _check_backward_buffers(self):
        for company in self:
            for kind in LINK_KINDS:
                percent = company[f"backward_buffer_{kind}_percent"]
                hours = company[f"backward_buffer_{kind}_hours"]
                if percent < 0 or hours < 0:
                    raise ValidationError(
                        _(
                            "A buffer cannot be negative (%(kind)s link: %(percent)s%% and %(hours)s hours).",
                            kind=kind,
                            percent=percent,
                            hours=hours,
                        )
                    )
                if percent > 500:
                    raise ValidationError(
                        _(
                            "A buffer of %(percent)s%% of the step is not a little slack: use at most 500%%.",
                            percent=percent,
                        )
                    )

    def _backward_production_manager_id(self):
        """Who answers for a manufacturing order nobody else owns (cached: read at every plan)."""
        self.ensure_one()
        return self._backward_production_manager_of(self.id)

    @api.model
    @tools.ormcache("company_id")
    def _backward_production_manager_of(self, company_id):
        require_superuser(self)  # cached for everyone: filled as the planner, never as a reader
        company = self.browse(company_id)
        if company.backward_production_owner_id:
            return company.backward_production_owner_id.id
        managers = self.env.ref("mrp.group_mrp_manager").users.filtered(
            lambda user: user.active and not user.share and not user._is_superuser() and company in user.company_ids
        )
        return managers.sorted("id")[:1].id or False

    def write(self, vals):
        # the lead times and owners the planner caches (backward.lead.time) change with these
        if LEAD_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def _backward_buffer(self, kind):
        """(percent, fixed hours) of the buffer a link of ``kind`` carries."""
        self.ensure_one()
        return self[f"backward_buffer_{kind}_percent"], self[f"backward_buffer_{kind}_hours"]
