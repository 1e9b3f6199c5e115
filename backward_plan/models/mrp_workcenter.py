from odoo import fields, models


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    # Who answers for a manufacturing order without a Responsible, finishing here.
    backward_owner_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False)]",
        help="Answers for the manufacturing orders finishing on this work center when they name no Responsible.",
    )
    backward_team_id = fields.Many2one(
        "backward.team",
        help="Its manager answers for the manufacturing orders finishing here when neither the order nor "
        "the work center names anyone.",
    )
