from odoo import fields, models


class BackwardDeadline(models.Model):
    _inherit = "backward.deadline"

    capacity_state = fields.Selection(
        [("moved", "Moved Earlier by Capacity"), ("late", "Late: Capacity")],
        string="Capacity",
        readonly=True,
        index=True,
        help="With finite capacity: its work orders start earlier than free work centers would need, to make "
        "room for others; or they cannot finish by the deadline at all.",
    )
    date_capacity_finish = fields.Datetime(
        "Earliest Finish (Capacity)",
        readonly=True,
        help="The earliest its work orders can finish on their work centers' load.",
    )
    capacity_workcenter_id = fields.Many2one(
        "mrp.workcenter",
        string="Bottleneck",
        readonly=True,
        help="The work center that holds this step back longest.",
    )
