from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    # The teams a user belongs to: record rules let a team manager see their members' penalties.
    backward_team_ids = fields.Many2many(
        "backward.team",
        "backward_team_member_rel",
        "user_id",
        "team_id",
        string="Backward Teams",
        groups="backward_plan.backward_management_group_user",
    )
