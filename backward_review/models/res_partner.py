from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the ledger is for the addon's users: without the group, these fields do not exist
    backward_penalty_ids = fields.One2many(
        "backward.penalty",
        "vendor_id",
        string="Vendor Penalties",
        groups="backward_plan.backward_management_group_user",
    )
    backward_penalty_points = fields.Float(
        "Penalty Points",
        compute="_compute_backward_penalty_points",
        groups="backward_plan.backward_management_group_user",
    )

    @api.depends("backward_penalty_ids.points", "backward_penalty_ids.state")
    def _compute_backward_penalty_points(self):
        for partner in self:
            approved = partner.backward_penalty_ids.filtered(lambda penalty: penalty.state == "approved")
            partner.backward_penalty_points = sum(approved.mapped("points"))

    def action_view_backward_penalties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("backward_review.backward_penalty_action")
        action["domain"] = [("vendor_id", "=", self.id)]
        action["context"] = {"search_default_approved": 1}
        return action
