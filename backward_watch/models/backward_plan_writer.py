from odoo import models


class BackwardPlanWriter(models.AbstractModel):
    _inherit = "backward.plan.writer"

    def _link_fetch_fields(self):
        return [*super()._link_fetch_fields(), "date_repromise_agreed"]

    def _links_written(self, deadline_ids, calendars, is_replan):
        result = super()._links_written(deadline_ids, calendars, is_replan)
        # a re-plan: the watch reads the documents' reality and judges the links at once;
        # a first plan is new on both sides and left to the next pass of the watch
        if is_replan:
            self.env["backward.watch"]._evaluate(deadline_ids, calendars)
        return result

    def _order_plan_vals(self, order):
        # the projection of a planned order is computed again by the watch's next pass
        return dict(super()._order_plan_vals(order), backward_projection_pending=True)
