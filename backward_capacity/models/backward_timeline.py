from odoo import models


class BackwardTimeline(models.AbstractModel):
    _inherit = "backward.timeline"

    def _row(self, order, deadline, *args):
        # the bar of a step finite capacity moved or could not fit says so
        return dict(super()._row(order, deadline, *args), capacity=deadline.capacity_state or False)
