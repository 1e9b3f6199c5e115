from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.backward_plan.models.client_guards import without_client_defaults

PLANNER_FIELDS = {"backward_capacity_waiting", "backward_capacity_queue"}


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    # a full capacity re-plan is under way and has yet to place this order's work orders:
    # their current slots are no load for the orders placed before it
    backward_capacity_waiting = fields.Boolean("Waits for a Capacity Re-plan", readonly=True, copy=False)
    # its order's place in that re-plan's queue, the most urgent first: ranked once when the
    # re-plan starts, not again for each chunk
    backward_capacity_queue = fields.Integer("Place in the Capacity Re-plan", readonly=True, copy=False)

    def _backward_refuse_capacity_fields(self, vals):
        if PLANNER_FIELDS & set(vals) and not self.env.su:
            raise AccessError(_("Whether a capacity re-plan waits for this order is kept by the backward planning."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._backward_refuse_capacity_fields(vals)
        productions = super(MrpProduction, without_client_defaults(self, denied=PLANNER_FIELDS)).create(vals_list)
        return productions.with_env(self.env)

    def write(self, vals):
        self._backward_refuse_capacity_fields(vals)
        return super().write(vals)
