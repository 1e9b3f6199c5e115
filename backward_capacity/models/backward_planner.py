from odoo import models


class BackwardPlanner(models.AbstractModel):
    _inherit = "backward.planner"

    def _finite(self, orders):
        return "finite" in orders.company_id.mapped("backward_capacity")

    def _ranks(self, orders):
        ranks = super()._ranks(orders)
        if self._finite(orders):
            ranks.update({order.id: order._backward_batch_rank() for order in orders})
        return ranks

    def _capacity_facts(self, active, companies):
        return self.env["backward.capacity"]._facts(active, companies) or super()._capacity_facts(active, companies)

    def _write_placements(self, chain, plan, existing, orders):
        result = super()._write_placements(chain, plan, existing, orders)
        # with finite capacity; or back to infinite, to clear what capacity said of the steps
        if self._finite(orders) or any(existing.mapped("capacity_state")):
            self.env["backward.capacity.writer"]._write_placements(chain, plan)
        return result
