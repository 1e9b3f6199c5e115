from odoo import fields, models


class BackwardDelayReason(models.Model):
    """Why a handover was late: the causes the on-time report ranks."""

    _name = "backward.delay.reason"
    _description = "Delay Reason"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code for exports and reports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    requires_note = fields.Boolean(help='The upstream owner must explain it in a note ("Other").')
    description = fields.Text(translate=True)

    _sql_constraints = [("code_unique", "unique(code)", "Two delay reasons cannot share a code.")]
