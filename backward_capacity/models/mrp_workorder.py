from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.backward_plan.models.client_guards import without_client_defaults

PLACED_FIELDS = {"backward_capacity_start", "backward_capacity_finish"}


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    # The slot finite capacity placed: a slot that differs was planned by hand (Odoo's
    # "Plan", the Gantt, a person) and is kept as load, never moved. Only the planner
    # writes them: a client that could would make a slot planned by hand movable.
    backward_capacity_start = fields.Datetime("Placed Start", readonly=True, copy=False)
    backward_capacity_finish = fields.Datetime("Placed End", readonly=True, copy=False)

    def _backward_refuse_placed(self, vals):
        if PLACED_FIELDS & set(vals) and not self.env.su:
            raise AccessError(_("The slot finite capacity placed is kept by the backward planning."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._backward_refuse_placed(vals)
        workorders = super(MrpWorkorder, without_client_defaults(self, denied=PLACED_FIELDS)).create(vals_list)
        return workorders.with_env(self.env)

    def write(self, vals):
        self._backward_refuse_placed(vals)
        return super().write(vals)
