from odoo import api, fields, models, tools

from .client_guards import require_superuser


class BackwardTeam(models.Model):
    _name = "backward.team"
    _description = "Backward Management Team"
    _inherit = ["mail.thread", "backward.cache.mixin"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    role = fields.Selection(
        [
            ("sales", "Sales"),
            ("production", "Production"),
            ("purchase", "Purchasing"),
            ("logistics", "Logistics"),
        ],
        required=True,
        default="production",
        tracking=True,
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Team Manager",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Is warned when the team's links are late and may open reviews for the team.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "backward_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)

    @api.model
    @tools.ormcache("company_id")
    def _backward_team_map(self, company_id):
        """{user id: team id} in a company: the first team a user belongs to or manages.

        Cached: planning reads it for every order; teams change rarely and clear it. Filled
        as the planner (superuser), never as a reader: the cache is everyone's.
        """
        require_superuser(self)
        teams = self.search([("company_id", "=", company_id)])
        result = {}
        for team in teams:
            for user in team.manager_id | team.member_ids:
                result.setdefault(user.id, team.id)
        return result
