from odoo import models


class BackwardChainReader(models.AbstractModel):
    _inherit = "backward.chain.reader"

    def _workorder_columns(self):
        # a work order placed by the planner is told from one planned by hand
        return [*super()._workorder_columns(), "backward_capacity_start", "backward_capacity_finish"]

    def _attach_capacity(self, steps, companies, workorders):
        result = super()._attach_capacity(steps, companies, workorders)
        finite = [step for step in steps if companies[step.company_id].backward_capacity == "finite"]
        self.env["backward.capacity"]._attach_operations(finite, workorders)
        return result
