from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..scheduling.chain import start_set_by_hand
from .client_guards import without_client_defaults

PLANNER_FIELDS = {"backward_start_written"}


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "backward.document.mixin"]

    _backward_party = "production"

    backward_deadline_ids = fields.One2many("backward.deadline", "production_id", string="Backward Deadlines")
    # The start the plan last wrote (or the order's own when the plan first met it): a start
    # that differs was set by hand (typed, Odoo's "Plan") and is kept; the plan starts from
    # it. Only the planner writes it: a client that could would make a typed start movable.
    backward_start_written = fields.Datetime("Start Written by the Plan", readonly=True, copy=False)

    def _backward_refuse_planner_fields(self, vals):
        if PLANNER_FIELDS & set(vals) and not self.env.su:
            raise AccessError(_("The start the plan wrote is kept by the backward planning."))

    def _backward_start_set_by_hand(self):
        self.ensure_one()
        return start_set_by_hand(self.date_start, self.backward_start_written)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._backward_refuse_planner_fields(vals)
        productions = super(MrpProduction, without_client_defaults(self, denied=PLANNER_FIELDS)).create(vals_list)
        return productions.with_env(self.env)

    def write(self, vals):
        self._backward_refuse_planner_fields(vals)
        return super().write(vals)

    def action_cancel(self):
        result = super().action_cancel()
        self.env["backward.planner"]._replan_documents(self, _("manufacturing order cancelled"))
        return result

    def button_mark_done(self):
        result = super().button_mark_done()
        done = self.filtered(lambda production: production.state == "done")
        self.env["backward.planner"]._replan_documents(done, _("manufacturing order done"))
        return result
