from odoo import models


class BackwardSimulation(models.AbstractModel):
    _inherit = "backward.simulation"

    def _quotation_capacity(self, step, span, bom, product, quantity, company):
        result = super()._quotation_capacity(step, span, bom, product, quantity, company)
        if company.backward_capacity == "finite":
            # capable to promise: its work orders wait for the load already placed
            step.operations_span = span
            step.capacity_operations = [
                (f"{step.key},{index}", options)
                for index, options in enumerate(
                    self.env["backward.lead.time"]._quotation_workorders(bom, product, quantity)
                )
            ]
        return result
